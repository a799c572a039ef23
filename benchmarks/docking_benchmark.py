"""Docking performance: platform overhead against the bare Vina API, and the speed-up from 2 cores.

Usage (run from the repository root, with the reference snapshot available; no mode = overhead + parallel):

    python benchmarks/docking_benchmark.py overhead --exhaustiveness 4     # MOR, 20 runs
    python benchmarks/docking_benchmark.py parallel --exhaustiveness 4     # MOR + KOR, 1 vs 2 processes
    python benchmarks/docking_benchmark.py full --exhaustiveness 8         # every receptor + pore, 2 at a time

``overhead`` times (wall and CPU) one receptor partition materialised through the platform
(dg.materialize -> Pipes subprocess -> maps once -> 20 seeded runs -> tables)
against a plain loop over the same seeds on the same prepared receptor/ligand
PDBQT and box, calling the Vina Python API directly (Vina object, set_receptor,
set_ligand_from_string, compute_vina_maps, dock, poses) with cpu=1.
``parallel`` times two receptor partitions materialised one after the other
against both at once in two processes (each materialisation is its own run, as
a backfill launches them). Results are printed as JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def materialize_partitions(data_dir: Path, partitions: list[str], runs: int, exhaustiveness: int) -> None:
    """Materialise docking partitions (and the pore asset for the key 'pore') in this process."""
    import dagster as dg

    from mg_platform import settings
    from mg_platform.assets import docking
    from mg_platform.resources.bundle import default_resources
    from mg_platform.resources.rcsb_client import RcsbClient

    resources = default_resources(data_dir, settings.reference_dir())
    resources["rcsb_client"] = RcsbClient(cache_dir=str(data_dir / "cache" / "rcsb"), offline=True)
    resources["pipes_subprocess_client"] = dg.PipesSubprocessClient()
    config = dg.RunConfig(ops={"docking_receptor": docking.DockingConfig(runs=runs, exhaustiveness=exhaustiveness)})
    for partition in partitions:
        if partition == "pore":
            assert dg.materialize(docking.assets[1:], resources=resources).success
        else:
            result = dg.materialize(docking.assets[:1], resources=resources, partition_key=partition, run_config=config)
            assert result.success


def _worker_command(data_dir: Path, partitions: list[str], runs: int, exhaustiveness: int) -> list[str]:
    return [
        sys.executable,
        str(Path(__file__).resolve()),
        "worker",
        *partitions,
        "--data-dir",
        str(data_dir),
        "--runs",
        str(runs),
        "--exhaustiveness",
        str(exhaustiveness),
    ]


def _cpu_s(who: int) -> float:
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


def run_processes(commands: list[list[str]], jobs: int) -> tuple[float, float]:
    """Run commands with at most ``jobs`` at a time; return (wall s, CPU s of all their processes)."""
    cpu_start = _cpu_s(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    pending, running = list(commands), []
    while pending or running:
        while pending and len(running) < jobs:
            running.append(subprocess.Popen(pending.pop(0), cwd=REPO, stdout=subprocess.DEVNULL))
        for process in list(running):
            if process.poll() is not None:
                if process.returncode != 0:
                    raise RuntimeError(f"{process.args} failed with code {process.returncode}")
                running.remove(process)
        time.sleep(0.2)
    return time.perf_counter() - start, _cpu_s(resource.RUSAGE_CHILDREN) - cpu_start


def direct_vina(out_dir: Path, seeds: list[int], box: dict, exhaustiveness: int, n_poses: int) -> tuple[float, float]:
    """The same seeds on the same PDBQT inputs and box through the bare Vina API; (wall s, CPU s)."""
    from vina import Vina

    ligand = (out_dir / "ligand.pdbqt").read_text()
    cpu_start = _cpu_s(resource.RUSAGE_SELF)
    start = time.perf_counter()
    for seed in seeds:
        v = Vina(sf_name="vina", cpu=1, seed=seed, verbosity=0)
        v.set_receptor(str(out_dir / "receptor.pdbqt"))
        v.set_ligand_from_string(ligand)
        v.compute_vina_maps(center=box["center"], box_size=box["size"], spacing=0.375)
        v.dock(exhaustiveness=exhaustiveness, n_poses=n_poses)
        v.poses(n_poses=n_poses)
    return time.perf_counter() - start, _cpu_s(resource.RUSAGE_SELF) - cpu_start


def overhead(args: argparse.Namespace) -> dict:
    """Platform once, bare Vina before and after it (the machine is shared: the mean of the two cancels drift)."""
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp)
        # a first tiny platform run writes the prepared inputs the direct loop reuses
        run_processes([_worker_command(data_dir, ["MOR"], 1, 1)], 1)
        out_dir = data_dir / "outputs" / "docking" / "MOR"
        result = json.loads((out_dir / "result.json").read_text())
        seeds = [result["seeds"][0] - 1 + k for k in range(1, args.runs + 1)]
        before = direct_vina(out_dir, seeds, result["box"], args.exhaustiveness, 9)
        platform = run_processes([_worker_command(data_dir, ["MOR"], args.runs, args.exhaustiveness)], 1)
        after = direct_vina(out_dir, seeds, result["box"], args.exhaustiveness, 9)
    direct_wall, direct_cpu = (before[0] + after[0]) / 2, (before[1] + after[1]) / 2
    return {
        "receptor": "MOR",
        "runs": args.runs,
        "exhaustiveness": args.exhaustiveness,
        "platform_wall_s": round(platform[0], 1),
        "platform_cpu_s": round(platform[1], 1),
        "direct_vina_wall_s": [round(before[0], 1), round(after[0], 1)],
        "direct_vina_cpu_s": [round(before[1], 1), round(after[1], 1)],
        "ratio_wall": round(platform[0] / direct_wall, 3),
        "ratio_cpu": round(platform[1] / direct_cpu, 3),
        "load_average_end": os.getloadavg(),
    }


def parallel(args: argparse.Namespace) -> dict:
    """Two receptor partitions one after the other, then both at once (two processes)."""
    timings = {}
    for jobs in (1, 2):
        with tempfile.TemporaryDirectory() as tmp:
            commands = [_worker_command(Path(tmp), [p], args.runs, args.exhaustiveness) for p in ("MOR", "KOR")]
            timings[jobs] = (*run_processes(commands, jobs), os.getloadavg()[0])
    return {
        "receptors": ["MOR", "KOR"],
        "runs": args.runs,
        "exhaustiveness": args.exhaustiveness,
        "one_process_wall_s": round(timings[1][0], 1),
        "two_processes_wall_s": round(timings[2][0], 1),
        "speedup": round(timings[1][0] / timings[2][0], 3),
        "cpu_s": [round(timings[1][1], 1), round(timings[2][1], 1)],
        "load_average_1min_after": [timings[1][2], timings[2][2]],
    }


def full(args: argparse.Namespace) -> dict:
    data_dir = Path(args.data_dir).resolve()
    from mg_platform.assets.docking import RECEPTOR_SPECS

    commands = [_worker_command(data_dir, [p], args.runs, args.exhaustiveness) for p in RECEPTOR_SPECS]
    commands.append(_worker_command(data_dir, ["pore"], args.runs, args.exhaustiveness))
    wall = run_processes(commands, args.jobs)
    return {
        "data_dir": str(data_dir),
        "runs": args.runs,
        "exhaustiveness": args.exhaustiveness,
        "jobs": args.jobs,
        "wall_s": round(wall, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("mode", nargs="?", default="all", choices=["all", "overhead", "parallel", "full", "worker"])
    parser.add_argument("partitions", nargs="*")
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--exhaustiveness", type=int, default=4)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--data-dir", default=os.environ.get("MG_DATA_DIR", "data"), help="full mode: $MG_DATA_DIR")
    args = parser.parse_args()
    if args.mode == "worker":
        materialize_partitions(Path(args.data_dir), args.partitions, args.runs, args.exhaustiveness)
        return
    if args.mode == "all":
        print(json.dumps({"overhead": overhead(args), "parallel": parallel(args)}, indent=1))
        return
    print(json.dumps({"overhead": overhead, "parallel": parallel, "full": full}[args.mode](args), indent=1))


if __name__ == "__main__":
    main()

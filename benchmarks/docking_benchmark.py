"""Docking performance: platform overhead against each engine called directly, and the speed-up from 2 cores.

Usage (run from the repository root, with the reference snapshot available; no mode = overhead + parallel):

    python benchmarks/docking_benchmark.py overhead --engine vina          # MOR, 20 runs, exhaustiveness 1
    python benchmarks/docking_benchmark.py overhead --engine ad4 --ad4-evaluations 250000
    python benchmarks/docking_benchmark.py parallel --engine vina          # MOR on 1 core, then on every core
    python benchmarks/docking_benchmark.py full                            # every receptor + pore, one at a time

``overhead`` times (wall and CPU) one receptor partition materialised through the platform with one
engine (dg.materialize -> Pipes subprocess -> maps once -> 20 seeded runs -> RMSD, PLIP, pictures ->
tables) against the same engine called directly on the same prepared receptor/ligand PDBQT and box:
for ``vina``/``vinardo`` the Vina Python API (maps once, then dock and poses per seed, one process per core
and one thread each, as the platform spreads runs), for ``ad4`` the platform's own GPF and DPF
(ga_run = runs) run with ``autogrid4`` and ``autodock4``.
``parallel`` times one receptor partition with its runs on one core (``cores`` 1) against every core
(``cores`` 0, the default). Results are printed as JSON.
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
from concurrent.futures import ProcessPoolExecutor
from functools import partial
from multiprocessing import get_context
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def materialize_partitions(
    data_dir: Path, partitions: list[str], runs: int, exhaustiveness: int, engine: str, evaluations: int, cores: int
) -> None:
    """Materialise docking partitions (and the pore asset for the key 'pore') in this process."""
    import dagster as dg

    from mg_platform import settings
    from mg_platform.assets import docking
    from mg_platform.resources.bundle import default_resources
    from mg_platform.resources.rcsb_client import RcsbClient

    resources = default_resources(data_dir, settings.reference_dir())
    resources["rcsb_client"] = RcsbClient(cache_dir=str(data_dir / "cache" / "rcsb"), offline=True)
    resources["pipes_subprocess_client"] = dg.PipesSubprocessClient()
    config = dg.RunConfig(
        ops={
            "docking_receptor": docking.DockingConfig(
                runs=runs, exhaustiveness=exhaustiveness, engines=[engine], ad4_evaluations=evaluations, cores=cores
            )
        }
    )
    for partition in partitions:
        if partition == "pore":
            assert dg.materialize(docking.assets[3:], resources=resources).success
        else:
            result = dg.materialize(docking.assets[:1], resources=resources, partition_key=partition, run_config=config)
            assert result.success


def _worker_command(
    data_dir: Path, partitions: list[str], args: argparse.Namespace, runs: int | None = None, cores: int = 0
):
    return [
        sys.executable,
        str(Path(__file__).resolve()),
        "worker",
        *partitions,
        "--data-dir",
        str(data_dir),
        "--runs",
        str(args.runs if runs is None else runs),
        "--exhaustiveness",
        str(args.exhaustiveness),
        "--engine",
        args.engine,
        "--ad4-evaluations",
        str(args.ad4_evaluations),
        "--cores",
        str(cores),
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


def direct_engine(out_dir: Path, seeds: list[int], box: dict, args: argparse.Namespace) -> tuple[float, float]:
    """The same runs on the same PDBQT inputs and box, with the engine called directly; (wall s, CPU s)."""
    cpu_start = _cpu_s(resource.RUSAGE_SELF) + _cpu_s(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    work = out_dir / "morphine" / args.engine
    if args.engine == "ad4":
        maps = work / "maps_ad4"
        dpf = (maps / "runs_01-01.dpf").read_text().replace("ga_run 1\n", f"ga_run {len(seeds)}\n")
        (maps / "direct.dpf").write_text(dpf)  # the platform's DPF (seed base + 1), ga_run = runs
        subprocess.run(["autogrid4", "-p", "receptor.gpf", "-l", "direct.glg"], cwd=maps, check=True)
        subprocess.run(["autodock4", "-p", "direct.dpf", "-l", "direct.dlg"], cwd=maps, check=True)
    else:
        from vina import Vina

        ligand = (work / "ligand.pdbqt").read_text()
        prefix = str(out_dir / "direct_maps" / "receptor")
        (out_dir / "direct_maps").mkdir(exist_ok=True)
        v = Vina(sf_name=args.engine, cpu=1, seed=seeds[0], verbosity=0)
        v.set_receptor(str(out_dir / "receptor.pdbqt"))
        v.set_ligand_from_string(ligand)
        v.compute_vina_maps(center=box["center"], box_size=box["size"], spacing=0.375, force_even_voxels=True)
        v.write_maps(prefix, overwrite=True)
        with ProcessPoolExecutor(os.cpu_count(), mp_context=get_context("spawn")) as pool:
            list(pool.map(partial(vina_run, args.engine, prefix, ligand, args.exhaustiveness), seeds))
    return time.perf_counter() - start, _cpu_s(resource.RUSAGE_SELF) + _cpu_s(resource.RUSAGE_CHILDREN) - cpu_start


def vina_run(engine: str, prefix: str, ligand: str, exhaustiveness: int, seed: int) -> None:
    """One seeded search on precomputed maps, one thread (a pool worker)."""
    from vina import Vina

    run = Vina(sf_name=engine, cpu=1, seed=seed, verbosity=0)
    run.load_maps(prefix)
    run.set_ligand_from_string(ligand)
    run.dock(exhaustiveness=exhaustiveness, n_poses=9)
    run.poses(n_poses=9)


def overhead(args: argparse.Namespace) -> dict:
    """Platform once, bare Vina before and after it (the machine is shared: the mean of the two cancels drift)."""
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp)
        # a first tiny platform run writes the prepared inputs the direct loop reuses
        run_processes([_worker_command(data_dir, ["MOR"], args, runs=1)], 1)
        out_dir = data_dir / "outputs" / "docking" / "MOR"
        result = json.loads((out_dir / "result.json").read_text())
        first = result["seeds"][f"morphine/{args.engine}"][0]
        seeds = [first - 1 + k for k in range(1, args.runs + 1)]
        before = direct_engine(out_dir, seeds, result["box"], args)
        platform = run_processes([_worker_command(data_dir, ["MOR"], args)], 1)
        after = direct_engine(out_dir, seeds, result["box"], args)
    direct_wall, direct_cpu = (before[0] + after[0]) / 2, (before[1] + after[1]) / 2
    return {
        "receptor": "MOR",
        "engine": args.engine,
        "runs": args.runs,
        "exhaustiveness": args.exhaustiveness,
        "ad4_evaluations": args.ad4_evaluations,
        "platform_wall_s": round(platform[0], 1),
        "platform_cpu_s": round(platform[1], 1),
        "direct_wall_s": [round(before[0], 1), round(after[0], 1)],
        "direct_cpu_s": [round(before[1], 1), round(after[1], 1)],
        "ratio_wall": round(platform[0] / direct_wall, 3),
        "ratio_cpu": round(platform[1] / direct_cpu, 3),
        "load_average_end": os.getloadavg(),
    }


def parallel(args: argparse.Namespace) -> dict:
    """One receptor partition with its runs on one core, then on every core."""
    timings = {}
    for cores in (1, 0):
        with tempfile.TemporaryDirectory() as tmp:
            timings[cores] = (*run_processes([_worker_command(Path(tmp), ["MOR"], args, cores=cores)], 1),)
    return {
        "receptor": "MOR",
        "engine": args.engine,
        "runs": args.runs,
        "exhaustiveness": args.exhaustiveness,
        "cores": os.cpu_count(),
        "one_core_wall_s": round(timings[1][0], 1),
        "every_core_wall_s": round(timings[0][0], 1),
        "speedup": round(timings[1][0] / timings[0][0], 3),
        "cpu_s": [round(timings[1][1], 1), round(timings[0][1], 1)],
        "load_average_end": os.getloadavg(),
    }


def full(args: argparse.Namespace) -> dict:
    data_dir = Path(args.data_dir).resolve()
    from mg_platform.assets.docking import RECEPTOR_SPECS

    commands = [_worker_command(data_dir, [p], args) for p in RECEPTOR_SPECS]
    commands.append(_worker_command(data_dir, ["pore"], args))
    wall, cpu = run_processes(commands, 1)
    return {
        "data_dir": str(data_dir),
        "engine": args.engine,
        "runs": args.runs,
        "exhaustiveness": args.exhaustiveness,
        "wall_s": round(wall, 1),
        "cpu_s": round(cpu, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("mode", nargs="?", default="all", choices=["all", "overhead", "parallel", "full", "worker"])
    parser.add_argument("partitions", nargs="*")
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--exhaustiveness", type=int, default=1)
    parser.add_argument("--engine", default="vina", choices=["vina", "vinardo", "ad4"])
    parser.add_argument("--ad4-evaluations", type=int, default=250_000)
    parser.add_argument("--cores", type=int, default=0, help="worker mode: cores of the docking step (0: all)")
    parser.add_argument("--data-dir", default=os.environ.get("MG_DATA_DIR", "data"), help="full mode: $MG_DATA_DIR")
    args = parser.parse_args()
    if args.mode == "worker":
        materialize_partitions(
            Path(args.data_dir),
            args.partitions,
            args.runs,
            args.exhaustiveness,
            args.engine,
            args.ad4_evaluations,
            args.cores,
        )
        return
    if args.mode == "all":
        print(json.dumps({"overhead": overhead(args), "parallel": parallel(args)}, indent=1))
        return
    print(json.dumps({"overhead": overhead, "parallel": parallel, "full": full}[args.mode](args), indent=1))


if __name__ == "__main__":
    main()

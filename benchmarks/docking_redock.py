"""Redocking benchmark: every configured complex x engine over several ligand-conformer and search seeds.

Usage (from the repository root, with the reference snapshot available):

    python benchmarks/docking_redock.py --jobs 2                       # defaults below
    python benchmarks/docking_redock.py --ligand-seeds 1 2 3 --runs-per-conformer 3 --ad4-evaluations 250000 2500000

For every complex of config/docking_receptors.yaml (``redocking``) and every engine, the
ligand is rebuilt from its SMILES once per ligand seed and docked with
``runs-per-conformer`` seeded runs (exhaustiveness 8 for Vina/Vinardo), exactly as the
``docking_redock`` asset does (``redocking.redock_complex``, same receptor, ligand and box
preparation). ``ad4`` is run once per AutoDock 4 evaluation count given, so the effect of
the count is measured on the same complexes and seeds. Each complex runs in its own
process (``--jobs`` at a time). Prints per complex x engine rows (top-pose RMSD, rank of the
best pose under 2 A, score gap, success, success rate over runs, CPU s per run) and the
per-engine summary as JSON and a markdown table; writes them to ``--out``.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from multiprocessing import get_context
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))


def one_complex(name: str, engine: str, evaluations: int, args: dict, out_dir: str) -> list[dict]:
    """Redock one complex with one engine (and AD4 evaluation count) in this process; rows with CPU time."""
    from mg_platform import settings
    from mg_platform.analysis.docking import autodock4, engines, receptors, redocking, vina_runs

    complex_ = {c.complex: c for c in receptors.load_redock_complexes(settings.CONFIG_DIR / "docking_receptors.yaml")}[
        name
    ]
    path = settings.reference_dir() / "rcsb" / complex_.receptor.file_name
    redock_settings = redocking.RedockSettings(
        engines=(engine,),
        ligand_seeds=tuple(args["ligand_seeds"]),
        runs_per_conformer=args["runs_per_conformer"],
        search=engines.EngineSettings(
            vina=vina_runs.VinaSettings(exhaustiveness=args["exhaustiveness"]),
            ad4=autodock4.AD4Settings(num_evals=evaluations),
        ),
    )
    start_cpu = sum(resource.getrusage(who)[0] + resource.getrusage(who)[1] for who in (0, -1))
    start = time.perf_counter()
    label = engine if engine != "ad4" else f"ad4@{evaluations}"
    result = redocking.redock_complex(complex_, path, redock_settings, Path(out_dir) / name / label)
    wall = time.perf_counter() - start
    cpu = sum(resource.getrusage(who)[0] + resource.getrusage(who)[1] for who in (0, -1)) - start_cpu
    rows = []
    for row in result["redock"]:
        keep = ("complex", "ligand", "engine", "top_pose_rmsd_a", "best_rank_below_2a", "score_gap_to_top", "success")
        rows.append(
            {
                **{k: row[k] for k in keep},
                "engine": label,
                "success_rate": row["success_rate"],
                "median_run_top_rmsd_a": row["median_run_top_rmsd_a"],
                "closest_pose_rmsd_a": row["closest_pose_rmsd_a"],
                "interactions_recovered": row["interactions_recovered"],
                "runs": row["runs"],
                "wall_s": round(wall, 1),
                "cpu_s_per_run": round(cpu / row["runs"], 2),
            }
        )
    return rows


def summary(rows: list[dict]) -> list[dict]:
    engines = list(dict.fromkeys(r["engine"] for r in rows))
    out = []
    for engine in engines:
        group = [r for r in rows if r["engine"] == engine]
        out.append(
            {
                "engine": engine,
                "complexes": len(group),
                "successes": sum(bool(r["success"]) for r in group),
                "success_rate": round(sum(bool(r["success"]) for r in group) / len(group), 3),
                "mean_seed_success_rate": round(sum(r["success_rate"] for r in group) / len(group), 3),
                "median_top_pose_rmsd_a": sorted(r["top_pose_rmsd_a"] for r in group)[len(group) // 2],
                "cpu_s_per_run": round(sum(r["cpu_s_per_run"] for r in group) / len(group), 2),
            }
        )
    return out


def markdown(rows: list[dict]) -> str:
    head = list(rows[0])
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    lines += ["| " + " | ".join(str(r[h]) for h in head) + " |" for r in rows]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--engines", nargs="+", default=["vina", "vinardo", "ad4"])
    parser.add_argument("--ligand-seeds", nargs="+", type=int, default=[1, 2, 3])
    parser.add_argument("--runs-per-conformer", type=int, default=3)
    parser.add_argument("--exhaustiveness", type=int, default=8)
    parser.add_argument("--ad4-evaluations", nargs="+", type=int, default=[250_000, 2_500_000])
    parser.add_argument("--complexes", nargs="*", default=None)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--out", default=os.environ.get("MG_DATA_DIR", "data") + "/benchmarks/docking_redock")
    args = parser.parse_args()
    from mg_platform import settings
    from mg_platform.analysis.docking import receptors

    names = args.complexes or [
        c.complex for c in receptors.load_redock_complexes(settings.CONFIG_DIR / "docking_receptors.yaml")
    ]
    jobs = [
        (name, engine, evaluations)
        for name in names
        for engine in args.engines
        for evaluations in (args.ad4_evaluations if engine == "ad4" else [0])
    ]
    options = {
        "ligand_seeds": args.ligand_seeds,
        "runs_per_conformer": args.runs_per_conformer,
        "exhaustiveness": args.exhaustiveness,
    }
    out = Path(args.out).resolve()
    out.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    partial = out / "rows.jsonl"  # each complex x engine as it finishes, so an interrupted benchmark keeps its rows
    partial.unlink(missing_ok=True)
    rows = []
    with ProcessPoolExecutor(max_workers=args.jobs, mp_context=get_context("spawn")) as pool:
        futures = [pool.submit(one_complex, n, e, ev, options, str(out)) for n, e, ev in jobs]
        for done, future in enumerate(as_completed(futures), 1):
            finished = future.result()
            rows += finished
            with partial.open("a", encoding="utf-8") as handle:
                handle.writelines(json.dumps(row) + "\n" for row in finished)
            print(f"{done} of {len(jobs)} done ({time.perf_counter() - start:.0f} s): {finished}", flush=True)
    rows.sort(key=lambda r: (names.index(r["complex"]), r["engine"]))
    report = {
        "settings": {**options, "ad4_evaluations": args.ad4_evaluations, "jobs": args.jobs},
        "wall_s": round(time.perf_counter() - start, 1),
        "load_average_end": os.getloadavg(),
        "rows": rows,
        "summary": summary(rows),
    }
    (out / "results.json").write_text(json.dumps(report, indent=1))
    print(json.dumps(report, indent=1))
    print(markdown(rows))
    print()
    print(markdown(report["summary"]))


if __name__ == "__main__":
    main()

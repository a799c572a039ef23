"""The engine comparison over the redocking benchmark (docking.engine_summary) and its figure.

Per engine, over the verified complexes in docking.redock: ``successes`` = complexes whose
top-scored pose is under 2 A, ``success_rate`` = successes / complexes,
``mean_seed_success_rate`` = the mean over complexes of the share of runs (ligand-conformer
and search seeds) whose own top pose is under 2 A, ``median_top_pose_rmsd_a`` over complexes.
The best engine has the highest success rate; ties go to the higher mean seed success
rate, then the lower median RMSD.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from mg_platform.analysis.docking import figures

FIGURE = "redock_rmsd_by_engine.png"
CAPTION = (
    "Redocking benchmark: heavy-atom RMSD of each engine's top-scored pose to the deposited ligand (diamonds) "
    "and of every run's own top pose (dots; runs differ in ligand-conformer and search seed), per complex; "
    "success is a top pose under 2 Å (dashed line)."
)


def summarise_engines(redock: pd.DataFrame) -> list[dict]:
    """Rows of docking.engine_summary from docking.redock (one row per complex x engine)."""
    rows = []
    for engine, group in redock.groupby("engine", sort=False):
        rows.append(
            {
                "engine": engine,
                "complexes": int(len(group)),
                "successes": int(group["success"].astype(bool).sum()),
                "success_rate": round(float(group["success"].astype(bool).mean()), 4),
                "mean_seed_success_rate": round(float(group["success_rate"].astype(float).mean()), 4),
                "median_top_pose_rmsd_a": round(float(group["top_pose_rmsd_a"].astype(float).median()), 3),
                "runs_per_complex": int(group["runs"].max()),
            }
        )
    if rows:
        best = max(rows, key=lambda r: (r["success_rate"], r["mean_seed_success_rate"], -r["median_top_pose_rmsd_a"]))
        for row in rows:
            row["best_by_redocking"] = row is best
    return rows


def run_tops(poses: pd.DataFrame) -> pd.DataFrame:
    """Each run's own top pose (lowest score, then pose rank) from docking.redock_poses."""
    ordered = poses.sort_values(["complex", "engine", "run", "score", "pose_rank"])
    return ordered.groupby(["complex", "engine", "run"], as_index=False).first()


def draw(redock: pd.DataFrame, poses: pd.DataFrame, folder: Path) -> Path:
    """The RMSD-by-engine figure (``redock_rmsd_by_engine.png``) in ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    return figures.redock_rmsd_plot(redock.to_dict("records"), run_tops(poses).to_dict("records"), folder / FIGURE)

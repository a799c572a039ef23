"""Figures of the stats stage, written as PNG and SVG (deterministic output)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from mg_platform.analysis.plotting import pyplot

if TYPE_CHECKING:
    from matplotlib.figure import Figure

FORMATS = ("png", "svg")
_METADATA = {"png": {"Software": None}, "svg": {"Date": None, "Creator": None}}


def _save(fig: Figure, stem: Path) -> dict[str, Path]:
    plt = pyplot()
    stem.parent.mkdir(parents=True, exist_ok=True)
    paths = {}
    with plt.rc_context({"svg.hashsalt": "mg-platform"}):
        for fmt in FORMATS:
            path = stem.with_suffix(f".{fmt}")
            fig.savefig(path, format=fmt, dpi=120, bbox_inches="tight", metadata=_METADATA[fmt])
            paths[fmt] = path
    plt.close(fig)
    return paths


def pain_trajectory_figure(emmeans: pd.DataFrame, stem: Path) -> dict[str, Path]:
    """Estimated marginal mean NRS ± 95 % CI by arm over PACU minutes."""
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(6, 4))
    for offset, (label, rows) in zip((-0.3, 0.3), emmeans.groupby("group", sort=False), strict=False):
        x = rows["minute"].to_numpy(dtype=float) + offset
        y = rows["emmean"].to_numpy()
        err = [y - rows["ci_low"].to_numpy(), rows["ci_high"].to_numpy() - y]
        ax.errorbar(x, y, yerr=err, marker="o", capsize=3, label=str(label))
    ax.set_xlabel("Minutes after PACU admission")
    ax.set_ylabel("NRS (estimated marginal mean, 95 % CI)")
    ax.set_xticks(sorted(emmeans["minute"].unique()))
    ax.legend(title="Group")
    ax.grid(alpha=0.3)
    return _save(fig, stem)


def forest_figure(table: pd.DataFrame, difference_label: str, stem: Path) -> dict[str, Path]:
    """Mean difference (95 % CI) per outcome, one panel row each (units differ)."""
    n = max(len(table), 1)
    plt = pyplot()
    fig, axes = plt.subplots(n, 1, figsize=(6, 1.3 * n + 0.6), squeeze=False)
    for ax, row in zip(axes[:, 0], table.itertuples(index=False), strict=False):
        ax.errorbar(
            [row.mean_difference],
            [0],
            xerr=[[row.mean_difference - row.ci_low], [row.ci_high - row.mean_difference]],
            fmt="s",
            capsize=4,
        )
        ax.axvline(0, color="grey", linestyle="--", linewidth=1)
        ax.set_yticks([0], [row.outcome])
        ax.set_ylim(-1, 1)
        ax.grid(axis="x", alpha=0.3)
    axes[-1, 0].set_xlabel(f"Mean difference ({difference_label}), 95 % CI")
    fig.tight_layout()
    return _save(fig, stem)

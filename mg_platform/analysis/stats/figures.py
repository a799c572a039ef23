"""Figures of the stats stage, written as PNG and SVG (deterministic output)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from mg_platform.analysis.plotting import pyplot
from mg_platform.analysis.report.labels import WEIGHTINGS, level_label, variable_label

if TYPE_CHECKING:
    from matplotlib.figure import Figure

FORMATS = ("png", "svg")
PNG_ONLY = ("png",)  # the robustness figures: PNG for the report, half the drawing time
_METADATA = {"png": {"Software": None}, "svg": {"Date": None, "Creator": None}}


def _save(fig: Figure, stem: Path, formats: tuple[str, ...] = FORMATS) -> dict[str, Path]:
    plt = pyplot()
    stem.parent.mkdir(parents=True, exist_ok=True)
    paths = {}
    with plt.rc_context({"svg.hashsalt": "mg-platform"}):
        for fmt in formats:
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
        ax.set_yticks([0], [variable_label(row.outcome)])
        ax.set_ylim(-1, 1)
        ax.grid(axis="x", alpha=0.3)
    axes[-1, 0].set_xlabel(f"Mean difference ({difference_label}), 95 % CI")
    fig.tight_layout()
    return _save(fig, stem)


def love_plot(balance: pd.DataFrame, stem: Path, threshold: float = 0.1) -> dict[str, Path]:
    """Signed SMD per covariate (level) before and after weighting, with the +/- ``threshold`` lines (cobalt style)."""
    plt = pyplot()
    labels = [
        variable_label(v) if pd.isna(lv) else f"{variable_label(v, with_unit=False)}: {level_label(v, lv)}"
        for v, lv in balance[["variable", "level"]].drop_duplicates().to_numpy()
    ]
    fig, ax = plt.subplots(figsize=(7.5, 0.3 * len(labels) + 1.2))
    markers = {"none": "o", "overlap": "s", "iptw": "^"}
    for weighting, rows in balance.groupby("weighting", sort=False):
        ax.scatter(
            rows["smd"],
            range(len(rows)),
            marker=markers.get(str(weighting), "x"),
            label=WEIGHTINGS.get(str(weighting), str(weighting)),
        )
    for x in (-threshold, threshold):
        ax.axvline(x, color="grey", linestyle="--", linewidth=1)
    ax.axvline(0, color="black", linewidth=0.8)
    ax.set_yticks(range(len(labels)), labels)
    ax.invert_yaxis()
    ax.set_xlabel("Standardised mean difference (comparison - reference; unweighted pooled SD)")
    ax.legend(title="Weighting", loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8)
    ax.grid(axis="x", alpha=0.3)
    fig.tight_layout()
    return _save(fig, stem, PNG_ONLY)


def robustness_forest(estimates: pd.DataFrame, difference_label: str, stem: Path) -> dict[str, Path]:
    """Per outcome, one panel: unadjusted, adjusted, overlap-weighted and IPTW estimate with 95 % CI."""
    outcomes = list(dict.fromkeys(estimates["outcome"]))
    plt = pyplot()
    fig, axes = plt.subplots(max(len(outcomes), 1), 1, figsize=(6, 1.6 * max(len(outcomes), 1) + 0.6), squeeze=False)
    for ax, outcome in zip(axes[:, 0], outcomes, strict=False):
        rows = estimates[estimates["outcome"] == outcome].reset_index(drop=True)
        y = range(len(rows))
        err = [rows["estimate"] - rows["ci_low"], rows["ci_high"] - rows["estimate"]]
        ax.errorbar(rows["estimate"], y, xerr=err, fmt="s", capsize=3)
        ax.axvline(0, color="grey", linestyle="--", linewidth=1)
        ax.set_yticks(list(y), rows["estimator"])
        ax.invert_yaxis()
        ax.set_title(variable_label(outcome), fontsize=9, loc="left")
        ax.grid(axis="x", alpha=0.3)
    axes[-1, 0].set_xlabel(f"Difference ({difference_label}), 95 % CI")
    fig.tight_layout()
    return _save(fig, stem, PNG_ONLY)


def _curve_label(outcomes: list[str]) -> str:
    """``Pain at 0, 5, 30 min, NRS`` for several minutes, human labels joined otherwise (units dropped)."""
    minutes = [o.removeprefix("pain_contrast_") for o in outcomes if o.startswith("pain_contrast_")]
    others = [variable_label(o, with_unit=False) for o in outcomes if not o.startswith("pain_contrast_")]
    parts = [f"Pain at {', '.join(minutes)} min, NRS"] if minutes else []
    return "; ".join(parts + others)


def power_curve_figure(curve: pd.DataFrame, stem: Path, levels: tuple[float, ...] = (0.8, 0.9)) -> dict[str, Path]:
    """Power against n per arm for the target effects.

    Outcomes with the same analytic curve (e.g. every per-minute pain contrast, every d = 0.5
    outcome) share one line; simulated power (95 % Monte Carlo bars) is drawn for the last
    outcome of each line that has it (the 30-min contrast, the time-averaged effect).
    """
    target = curve[curve["effect_source"] == "target"]
    lines: dict[tuple, list[str]] = {}
    for outcome, rows in target.groupby("outcome", sort=False):
        lines.setdefault(tuple(np.round(rows["power_analytic"].to_numpy(), 10)), []).append(str(outcome))
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(7, 4.5))
    for outcomes in lines.values():
        rows = target[target["outcome"] == outcomes[0]]
        (line,) = ax.plot(rows["n_per_arm"], rows["power_analytic"], label=_curve_label(outcomes))
        simulated = [o for o in outcomes if target.loc[target["outcome"] == o, "power_simulated"].notna().any()]
        if simulated:
            rows = target[(target["outcome"] == simulated[-1])].dropna(subset=["power_simulated"])
            ax.errorbar(
                rows["n_per_arm"],
                rows["power_simulated"],
                yerr=1.96 * rows["mc_std_error"],
                fmt="o",
                markersize=3,
                color=line.get_color(),
                label=f"{_curve_label([simulated[-1]])}: simulated (REML refits)",
            )
    for level in levels:
        ax.axhline(level, color="grey", linestyle="--", linewidth=1)
    ax.set_xlabel("Patients per arm")
    ax.set_ylabel("Power (target effect)")
    ax.set_ylim(0, 1.02)
    ax.legend(fontsize=7, loc="lower right")
    ax.grid(alpha=0.3)
    return _save(fig, stem, PNG_ONLY)

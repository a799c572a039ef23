"""STROBE flow diagram drawn from cohort.strobe_flow (screened -> excluded by reason -> included per group)."""

from __future__ import annotations

import io

import pandas as pd

from mg_platform.analysis.plotting import pyplot
from mg_platform.analysis.report.labels import reason_label


def strobe_diagram_png(
    flow: pd.DataFrame,
    arms: tuple[str, str] = ("Control", "MgSO4"),
    arm_sizes: tuple[int | None, int | None] | None = None,
) -> bytes:
    """PNG bytes of the flow diagram; every count comes from ``flow`` (columns step, reason, group, n).

    ``arms`` names the two arm boxes; ``arm_sizes`` gives their counts when the arms are coded (a
    blinded analysis names them A/B, which ``flow`` does not know), else they are read from ``flow``.
    """
    plt = pyplot()

    def count(step: str, group: str | None = None) -> int:
        rows = flow[(flow["step"] == step) & (flow["group"].isna() if group is None else flow["group"] == group)]
        rows = rows[rows["reason"].isna()]
        return int(rows["n"].iloc[0]) if len(rows) else 0

    reasons = flow[(flow["step"] == "excluded") & (flow["n"] > 0)].sort_values("n", ascending=False)
    reason_text = "\n".join(f"{reason_label(r.reason)}: {int(r.n)}" for r in reasons.itertuples())
    fig, ax = plt.subplots(figsize=(8.5, 6.2))
    ax.set_axis_off()
    box = {"boxstyle": "round,pad=0.5", "facecolor": "#eef3f8", "edgecolor": "#2b4a6f"}
    ax.text(0.32, 0.93, f"Screened\nn = {count('screened')}", ha="center", va="center", fontsize=12, bbox=box)
    ax.text(
        0.56,
        0.66,
        f"Excluded n = {count('excluded_total')}\n(a patient counts under every\nreason that applies)\n\n{reason_text}",
        ha="left",
        va="center",
        multialignment="left",
        fontsize=8.5,
        bbox={**box, "facecolor": "#fbeeee", "edgecolor": "#8a2d2d"},
    )
    ax.text(0.32, 0.45, f"Included\nn = {count('included')}", ha="center", va="center", fontsize=12, bbox=box)
    sizes = (
        arm_sizes
        if arm_sizes and arm_sizes[0] is not None
        else (count("included", "Control"), count("included", "MgSO4"))
    )
    for x, name, size in zip((0.13, 0.51), arms, sizes, strict=True):
        ax.text(x, 0.12, f"{name}\nn = {size}", ha="center", va="center", fontsize=12, bbox=box)
    arrow = {"arrowstyle": "->", "color": "#2b4a6f", "lw": 1.5}
    ax.annotate("", xy=(0.32, 0.52), xytext=(0.32, 0.86), arrowprops=arrow)
    ax.annotate("", xy=(0.545, 0.70), xytext=(0.32, 0.70), arrowprops=arrow)
    ax.annotate("", xy=(0.13, 0.19), xytext=(0.32, 0.38), arrowprops=arrow)
    ax.annotate("", xy=(0.51, 0.19), xytext=(0.32, 0.38), arrowprops=arrow)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=130, bbox_inches="tight")
    plt.close(fig)
    return buffer.getvalue()

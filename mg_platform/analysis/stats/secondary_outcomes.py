"""Secondary outcomes compared between arms by the study's test rule.

One row per outcome (remifentanil_total_ug, extubation_time_min,
time_to_mobilization_min): descriptive statistics per arm (non-missing
values; ``n_control``/``n_mgso4``), the test chosen by the rule, the mean
difference comparison - reference with its t-based 95 % CI and Cohen's d with
the Hedges-Olkin CI. ``*_control`` columns hold the reference arm.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from mg_platform.analysis.stats.arms import COMPARISON_SUFFIX, REFERENCE_SUFFIX, Arms, arm_columns
from mg_platform.analysis.stats.two_group import ALPHA, TwoGroupComparison, compare_two_groups, comparison_row
from mg_platform.analysis.stats.variables import SECONDARY_OUTCOMES


@dataclass(frozen=True)
class OutcomeComparisons:
    """The comparison table, the comparisons by outcome and notes."""

    table: pd.DataFrame
    comparisons: dict[str, TwoGroupComparison]
    notes: tuple[str, ...]


def compare_outcomes(
    frame: pd.DataFrame, arms: Arms, outcomes: Sequence[str] = SECONDARY_OUTCOMES, alpha: float = ALPHA
) -> OutcomeComparisons:
    """Compare each outcome column of ``frame`` (``group`` holds analysis labels)."""
    rows, comparisons, notes = [], {}, []
    for outcome in outcomes:
        if outcome not in frame.columns:
            notes.append(f"{outcome}: not in the analysis set")
            continue
        ref = frame.loc[frame["group"] == arms.reference, outcome].to_numpy(dtype=float)
        cmp = frame.loc[frame["group"] == arms.comparison, outcome].to_numpy(dtype=float)
        result = compare_two_groups(ref, cmp, alpha=alpha)
        comparisons[outcome] = result
        rows.append({"outcome": outcome} | comparison_row(result, REFERENCE_SUFFIX, COMPARISON_SUFFIX))
        missing = result.reference.n_missing + result.comparison.n_missing
        if missing:
            notes.append(f"{outcome}: {missing} missing value(s) left out")
        if result.note:
            notes.append(f"{outcome}: {result.note}")
    table = pd.DataFrame(rows).assign(**arm_columns(arms))
    return OutcomeComparisons(table=table, comparisons=comparisons, notes=tuple(notes))

"""Area under the NRS curve over 0-30 min in the PACU (trapezoid rule).

Per case: AUC = sum over consecutive minutes of (t2 - t1)(y1 + y2) / 2, in
NRS x min, using minutes 0, 5, 10, 15, 30. Cases with any missing score are
left out (complete cases). The two arms are compared by the test rule of
:mod:`two_group`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from mg_platform.analysis.stats.arms import COMPARISON_SUFFIX, REFERENCE_SUFFIX, Arms, arm_columns
from mg_platform.analysis.stats.two_group import ALPHA, TwoGroupComparison, compare_two_groups, comparison_row
from mg_platform.analysis.stats.variables import PAIN_AUC_OUTCOME, PAIN_MINUTES


@dataclass(frozen=True)
class PainAucResult:
    """Per-case AUCs, the one-row comparison table and the comparison itself."""

    per_case: pd.DataFrame
    table: pd.DataFrame
    comparison: TwoGroupComparison
    notes: tuple[str, ...]


def pain_auc_per_case(pain: pd.DataFrame, minutes: Sequence[int] = PAIN_MINUTES) -> pd.DataFrame:
    """One row per case with all scores: case_key, group, pain_auc_0_30 (NRS x min)."""
    minutes = [int(m) for m in minutes]
    wide = pain.dropna(subset=["nrs"]).pivot_table(
        index=["case_key", "group"], columns="minute", values="nrs", aggfunc="first"
    )
    wide = wide.reindex(columns=minutes).dropna()
    y = wide.to_numpy(dtype=float)
    widths = np.diff(np.asarray(minutes, dtype=float))
    auc = ((y[:, :-1] + y[:, 1:]) / 2) @ widths
    return pd.DataFrame(
        {
            "case_key": wide.index.get_level_values("case_key"),
            "group": wide.index.get_level_values("group"),
            PAIN_AUC_OUTCOME: auc,
        }
    )


def pain_auc_comparison(
    pain: pd.DataFrame, arms: Arms, minutes: Sequence[int] = PAIN_MINUTES, alpha: float = ALPHA
) -> PainAucResult:
    """Compare complete-case AUCs between arms (``*_control`` = reference arm)."""
    per_case = pain_auc_per_case(pain, minutes)
    all_cases = pain.groupby("group")["case_key"].nunique()
    ref = per_case.loc[per_case["group"] == arms.reference, PAIN_AUC_OUTCOME]
    cmp = per_case.loc[per_case["group"] == arms.comparison, PAIN_AUC_OUTCOME]
    result = compare_two_groups(ref, cmp, alpha=alpha)
    row = {"outcome": PAIN_AUC_OUTCOME} | comparison_row(result, REFERENCE_SUFFIX, COMPARISON_SUFFIX)
    excluded = {label: int(all_cases.get(label, 0)) - int((per_case["group"] == label).sum()) for label in arms.labels}
    row["n_incomplete_control"] = excluded[arms.reference]
    row["n_incomplete_mgso4"] = excluded[arms.comparison]
    table = pd.DataFrame([row | arm_columns(arms)])
    notes = [f"{n} {label} case(s) with a missing score left out" for label, n in excluded.items() if n]
    if result.note:
        notes.append(result.note)
    return PainAucResult(per_case=per_case, table=table, comparison=result, notes=tuple(notes))

"""Baseline comparability table and the test-rule assumptions table.

Continuous variables: mean ± SD when both groups pass Shapiro-Wilk, else median
(Q1-Q3), tested by the rule in :mod:`two_group`. Categorical variables: n (%)
of non-missing values per level, Fisher's exact test when any expected count is
below 5, else Pearson chi-square without continuity correction. Every variable
gets an absolute SMD (Yang-Dalton for categoricals); ``imbalanced`` flags
|SMD| >= the threshold (0.1).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from mg_platform.analysis.stats.arms import Arms, arm_columns
from mg_platform.analysis.stats.contingency import chi_square, expected_counts, fisher_test
from mg_platform.analysis.stats.pain_auc import pain_auc_comparison
from mg_platform.analysis.stats.secondary_outcomes import compare_outcomes
from mg_platform.analysis.stats.smd import smd_categorical, smd_continuous
from mg_platform.analysis.stats.two_group import (
    ALPHA,
    NOT_TESTED,
    STUDENT_T,
    WELCH_T,
    TwoGroupComparison,
    assumption_rows,
    compare_two_groups,
)
from mg_platform.analysis.stats.variables import BASELINE_CATEGORICAL, BASELINE_CONTINUOUS, PAIN_AUC_OUTCOME

SMD_THRESHOLD = 0.1
FISHER_EXACT = "fisher_exact"
CHI_SQUARE = "chi_square"
MIN_EXPECTED_COUNT = 5


@dataclass(frozen=True)
class BaselineResult:
    """``stats.baseline`` and the baseline part of ``stats.assumptions``."""

    baseline: pd.DataFrame
    assumptions: pd.DataFrame
    notes: tuple[str, ...]


def _format_continuous(result: TwoGroupComparison, normal: bool) -> tuple[str, str]:
    def text(s) -> str:
        if s.n == 0:
            return "n = 0"
        if normal:
            return f"{s.mean:.1f} ± {s.sd:.1f}"
        return f"{s.median:.1f} ({s.q1:.1f}–{s.q3:.1f})"

    return text(result.reference), text(result.comparison)


def _continuous_row(variable: str, frame: pd.DataFrame, arms: Arms, alpha: float) -> tuple[dict, TwoGroupComparison]:
    ref = frame.loc[frame["group"] == arms.reference, variable].to_numpy(dtype=float)
    cmp = frame.loc[frame["group"] == arms.comparison, variable].to_numpy(dtype=float)
    result = compare_two_groups(ref, cmp, alpha=alpha)
    normal = result.test in (STUDENT_T, WELCH_T)
    control_summary, mgso4_summary = _format_continuous(result, normal)
    row = {
        "variable": variable,
        "level": None,
        "control_summary": control_summary,
        "mgso4_summary": mgso4_summary,
        "summary_type": "mean_sd" if normal else "median_iqr",
        "n_control": result.reference.n,
        "n_mgso4": result.comparison.n,
        "test": result.test,
        "statistic": result.statistic,
        "p_value": result.p_value,
        "smd": smd_continuous(ref[np.isfinite(ref)], cmp[np.isfinite(cmp)]),
        "note": result.note,
    }
    return row, result


def _categorical_rows(variable: str, frame: pd.DataFrame, arms: Arms) -> list[dict]:
    present = frame.dropna(subset=[variable])
    levels = sorted(present[variable].unique(), key=lambda v: (str(type(v)), v))
    table = np.array(
        [
            [int(((present["group"] == arm) & (present[variable] == level)).sum()) for arm in arms.labels]
            for level in levels
        ]
    ).reshape(len(levels), 2)
    totals = table.sum(axis=0)
    note = None
    statistic = p_value = float("nan")
    if len(levels) < 2:
        test, note = NOT_TESTED, f"not tested: {len(levels)} observed level(s)"
    elif (totals == 0).any():
        test, note = NOT_TESTED, "not tested: a group has no non-missing values"
    elif (expected_counts(table) < MIN_EXPECTED_COUNT).any():
        test = FISHER_EXACT
        p_value, note = fisher_test(table)
    else:
        test = CHI_SQUARE
        statistic, p_value = chi_square(table)
    smd = smd_categorical(table[:, 0], table[:, 1])

    def pct(count: int, total: int) -> str:
        return f"{count} ({100 * count / total:.1f}%)" if total else "0 (-)"

    return [
        {
            "variable": variable,
            "level": str(level),
            "control_summary": pct(int(table[i, 0]), int(totals[0])),
            "mgso4_summary": pct(int(table[i, 1]), int(totals[1])),
            "summary_type": "n_pct",
            "n_control": int(totals[0]),
            "n_mgso4": int(totals[1]),
            "test": test,
            "statistic": statistic,
            "p_value": p_value,
            "smd": smd,
            "note": note,
        }
        for i, level in enumerate(levels)
    ]


def baseline_table(
    frame: pd.DataFrame,
    arms: Arms,
    continuous: Sequence[str],
    categorical: Sequence[str],
    alpha: float = ALPHA,
    smd_threshold: float = SMD_THRESHOLD,
) -> BaselineResult:
    """One row per continuous variable and per level of each categorical variable.

    ``frame`` is the analysis set with ``group`` holding the analysis labels.
    ``*_control``/``*_mgso4`` columns hold the reference/comparison arm.
    """
    rows: list[dict] = []
    assumptions: list[dict] = []
    notes: list[str] = []
    for variable in continuous:
        if variable not in frame.columns:
            notes.append(f"{variable}: not in the analysis set")
            continue
        row, result = _continuous_row(variable, frame, arms, alpha)
        rows.append(row)
        assumptions.extend(assumption_rows(variable, result, arms.labels))
    for variable in categorical:
        if variable not in frame.columns:
            notes.append(f"{variable}: not in the analysis set")
            continue
        rows.extend(_categorical_rows(variable, frame, arms))
    baseline = pd.DataFrame(rows)
    baseline["imbalanced"] = baseline["smd"].abs() >= smd_threshold
    for column, value in arm_columns(arms).items():
        baseline[column] = value
    notes.extend(f"{r['variable']}: {r['note']}" for r in rows if r["note"])
    return BaselineResult(baseline=baseline, assumptions=pd.DataFrame(assumptions), notes=tuple(dict.fromkeys(notes)))


def baseline_and_assumptions(
    analysis: pd.DataFrame,
    pain: pd.DataFrame,
    arms: Arms,
    alpha: float = ALPHA,
    smd_threshold: float = SMD_THRESHOLD,
    continuous: Sequence[str] = BASELINE_CONTINUOUS,
    categorical: Sequence[str] = BASELINE_CATEGORICAL,
) -> BaselineResult:
    """``stats.baseline`` plus ``stats.assumptions`` for the baseline variables, the pain AUC and
    the secondary outcomes: the normality and variance checks behind every test choice."""
    base = baseline_table(analysis, arms, continuous, categorical, alpha, smd_threshold)
    auc = pain_auc_comparison(pain, arms, alpha=alpha)
    outcomes = compare_outcomes(analysis, arms, alpha=alpha)
    rows = assumption_rows(PAIN_AUC_OUTCOME, auc.comparison, arms.labels)
    for outcome, result in outcomes.comparisons.items():
        rows.extend(assumption_rows(outcome, result, arms.labels))
    assumptions = pd.concat([base.assumptions, pd.DataFrame(rows)], ignore_index=True)
    return BaselineResult(base.baseline, assumptions, base.notes)

"""Sensitivity analysis: OLS of each outcome on the arm plus baseline covariates.

Complete cases per outcome; treatment coding with the contract's reference
levels (sex F, disc_level L4-L5, ASA 1 as a category); term names in patsy
style (``group[T.MgSO4]``, ``sex[T.M]``, ``disc_level[T.L5-S1]``,
``C(asa_class)[T.2]``). A covariate constant in the analysis set (e.g. the
preoperative analgesic) is left out, and design columns that are constant or
collinear in the complete cases are dropped, each with a recorded note.
Inference: t statistics with n - p df, 95 % CIs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import statsmodels.api as sm

from mg_platform.analysis.stats.arms import Arms, arm_columns
from mg_platform.analysis.stats.pain_auc import pain_auc_per_case
from mg_platform.analysis.stats.variables import (
    CATEGORICAL_REFERENCE,
    CODED_CATEGORICALS,
    PAIN_AUC_OUTCOME,
    SENSITIVITY_COVARIATES,
)

RANK_TOLERANCE = 1e-8


@dataclass(frozen=True)
class SensitivityResult:
    """``stats.sensitivity_regression`` and notes."""

    table: pd.DataFrame
    notes: tuple[str, ...]


def _is_categorical(frame: pd.DataFrame, column: str) -> bool:
    dtype = frame[column].dtype
    numeric = pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype)
    return column in CODED_CATEGORICALS or not numeric


def _term(column: str, level: object) -> str:
    return f"C({column})[T.{level}]" if column in CODED_CATEGORICALS else f"{column}[T.{level}]"


def _design(data: pd.DataFrame, arms: Arms, covariates: Sequence[str]) -> pd.DataFrame:
    columns: dict[str, np.ndarray] = {
        "Intercept": np.ones(len(data)),
        f"group[T.{arms.comparison}]": (data["group"] == arms.comparison).to_numpy(dtype=float),
    }
    for column in covariates:
        if not _is_categorical(data, column):
            columns[column] = data[column].to_numpy(dtype=float)
            continue
        levels = sorted(data[column].unique(), key=str)
        reference = CATEGORICAL_REFERENCE.get(column, levels[0])
        for level in levels:
            if level != reference:
                columns[_term(column, level)] = (data[column] == level).to_numpy(dtype=float)
    return pd.DataFrame(columns, index=data.index)


def _drop_degenerate(design: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """Drop constant columns, then columns that do not raise the rank, in order."""
    notes, kept = [], []
    for name in design.columns:
        column = design[name].to_numpy()
        if name != "Intercept" and np.ptp(column) == 0:
            notes.append(f"dropped {name}: constant in the complete cases")
            continue
        candidate = design[[*kept, name]].to_numpy()
        if np.linalg.matrix_rank(candidate, tol=RANK_TOLERANCE * max(1.0, np.abs(candidate).max())) < len(kept) + 1:
            notes.append(f"dropped {name}: collinear with earlier terms")
            continue
        kept.append(name)
    return design[kept], notes


def _fit_outcome(
    frame: pd.DataFrame, outcome: str, arms: Arms, covariates: Sequence[str]
) -> tuple[list[dict], list[str]]:
    notes: list[str] = []
    usable = []
    for column in covariates:
        if column not in frame.columns:
            notes.append(f"{column}: not in the analysis set")
        elif frame[column].dropna().nunique() <= 1:
            values = frame[column].dropna().unique()
            notes.append(f"dropped {column}: constant ({values[0] if len(values) else 'all missing'})")
        else:
            usable.append(column)
    data = frame[frame["group"].isin(arms.labels)].dropna(subset=[outcome, *usable])
    group_term = f"group[T.{arms.comparison}]"
    if data["group"].nunique() < 2:
        notes.append(f"not estimable: {len(data)} complete cases, not both arms")
        return [{"term": group_term, "n": len(data)}], notes
    design, dropped = _drop_degenerate(_design(data, arms, usable))
    notes.extend(dropped)
    if group_term not in design.columns or len(data) <= design.shape[1]:
        notes.append(f"not estimable: {len(data)} complete cases for {design.shape[1]} terms or a single arm")
        return [{"term": group_term, "n": len(data)}], notes
    fit = sm.OLS(data[outcome].to_numpy(dtype=float), design).fit()
    ci = fit.conf_int(alpha=0.05)
    rows = [
        {
            "term": term,
            "estimate": float(fit.params[term]),
            "std_error": float(fit.bse[term]),
            "statistic": float(fit.tvalues[term]),
            "ci_low": float(ci.loc[term, 0]),
            "ci_high": float(ci.loc[term, 1]),
            "p_value": float(fit.pvalues[term]),
            "n": int(fit.nobs),
        }
        for term in design.columns
    ]
    return rows, notes


def sensitivity_regressions(
    frame: pd.DataFrame,
    arms: Arms,
    outcomes: Sequence[str],
    covariates: Sequence[str] = SENSITIVITY_COVARIATES,
    pain: pd.DataFrame | None = None,
) -> SensitivityResult:
    """One row per outcome x term; ``note`` records dropped covariates for that outcome.

    With ``pain`` (cohort.pain_long), the outcome ``pain_auc_0_30`` (complete cases) is available.
    """
    if pain is not None:
        auc = pain_auc_per_case(pain)[["case_key", PAIN_AUC_OUTCOME]]
        frame = frame.merge(auc, on="case_key", how="left")
    tables, all_notes = [], []
    for outcome in outcomes:
        if outcome not in frame.columns:
            all_notes.append(f"{outcome}: not in the analysis set")
            continue
        rows, notes = _fit_outcome(frame, outcome, arms, covariates)
        table = pd.DataFrame(rows).assign(outcome=outcome, note="; ".join(notes) or None)
        tables.append(table)
        all_notes.extend(f"{outcome}: {n}" for n in notes)
    columns = ["outcome", "term", "estimate", "std_error", "statistic", "ci_low", "ci_high", "p_value", "n", "note"]
    table = pd.concat(tables, ignore_index=True).reindex(columns=columns) if tables else pd.DataFrame(columns=columns)
    return SensitivityResult(table=table.assign(**arm_columns(arms)), notes=tuple(dict.fromkeys(all_notes)))

"""Sensitivity analysis: OLS of each outcome on the arm plus the paper's covariates.

Covariates (``variables.SENSITIVITY_COVARIATES``): age, sex, BMI, preop NRS,
symptom duration, disc level, surgery duration, ASA, comorbidity count and the
preoperative analgesic. Complete cases over the outcome and all of them;
treatment coding with the contract's reference levels (sex F, disc_level
L4-L5, ASA 1 as a category; the analgesic's reference is its level first
alphabetically); term names in patsy style (``group[T.MgSO4]``, ``sex[T.M]``,
``disc_level[T.L5-S1]``, ``C(asa_class)[T.2]``, ``preop_analgesic[T.opioid]``).
A covariate constant in those cases (e.g. a single analgesic) is dropped, and
so are design columns that are constant or collinear, each with a recorded
note (:mod:`covariates`). Inference: t statistics with n - p df, 95 % CIs."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import statsmodels.api as sm

from mg_platform.analysis.stats import covariates as covariates_module
from mg_platform.analysis.stats.arms import Arms, arm_columns
from mg_platform.analysis.stats.pain_auc import pain_auc_per_case
from mg_platform.analysis.stats.variables import PAIN_AUC_OUTCOME, SENSITIVITY_COVARIATES


@dataclass(frozen=True)
class SensitivityResult:
    """``stats.sensitivity_regression`` and notes."""

    table: pd.DataFrame
    notes: tuple[str, ...]


def design_matrix(data: pd.DataFrame, arms: Arms, covariates: Sequence[str]) -> pd.DataFrame:
    """``Intercept``, ``group[T.<comparison>]`` and the covariate columns (patsy names)."""
    head = pd.DataFrame(
        {
            "Intercept": np.ones(len(data)),
            f"group[T.{arms.comparison}]": (data["group"] == arms.comparison).to_numpy(dtype=float),
        },
        index=data.index,
    )
    return pd.concat([head, covariates_module.covariate_columns(data, covariates)], axis=1)


def _fit_outcome(
    frame: pd.DataFrame, outcome: str, arms: Arms, covariates: Sequence[str]
) -> tuple[list[dict], list[str]]:
    cases = covariates_module.complete_cases(frame[frame["group"].isin(arms.labels)], covariates, [outcome])
    notes = list(cases.notes)
    data = cases.data
    group_term = f"group[T.{arms.comparison}]"
    if data["group"].nunique() < 2:
        notes.append(f"not estimable: {len(data)} complete cases, not both arms")
        return [{"term": group_term, "n": len(data)}], notes
    design, dropped = covariates_module.drop_degenerate(design_matrix(data, arms, cases.covariates))
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

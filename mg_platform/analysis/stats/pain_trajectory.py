"""Pain trajectory: linear mixed model ``nrs ~ group * C(minute) + (1 | case)``.

REML (exact, :mod:`random_intercept_reml`); fixed effects with Wald z tests
and Wald CIs; estimated marginal means per group x minute with equal weights
and contrasts comparison - reference at each minute, Holm-adjusted over the
minutes; type III Wald chi-square tests of the equal-weight marginal
hypotheses (as ``emmeans::joint_tests``). Inference is asymptotic, as emmeans
with ``lmer.df = "asymptotic"``; values agree with lme4 + emmeans. Extra columns
``df_satterthwaite``/``p_satterthwaite`` give Satterthwaite t inference (as lmerTest).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats
from statsmodels.stats.multitest import multipletests

from mg_platform.analysis.stats.arms import Arms, arm_columns
from mg_platform.analysis.stats.random_intercept_reml import (
    ModelFitError,
    RandomInterceptFit,
    fit_random_intercept_reml,
    satterthwaite_df,
)
from mg_platform.analysis.stats.two_group import CONFIDENCE
from mg_platform.analysis.stats.variables import PAIN_MINUTES

EFFECTS = ("group", "time", "group:time")


@dataclass(frozen=True)
class PainModelResult:
    """The four ``stats.pain_*`` model tables, the fit (None when it failed) and notes."""

    fixed: pd.DataFrame
    tests: pd.DataFrame
    emmeans: pd.DataFrame
    contrasts: pd.DataFrame
    fit: RandomInterceptFit | None
    notes: tuple[str, ...]

    @property
    def variance_components(self) -> dict[str, float]:
        if self.fit is None:
            return {}
        return {
            "residual_variance": self.fit.sigma2,
            "case_intercept_variance": self.fit.tau2,
            "reml_criterion": self.fit.reml_criterion,
        }


def term_names(arms: Arms, minutes: Sequence[int] = PAIN_MINUTES) -> list[str]:
    """Patsy names of the fixed effects, in patsy's order."""
    group = f"group[T.{arms.comparison}]"
    time = [f"C(minute)[T.{m}]" for m in minutes[1:]]
    return ["Intercept", group, *time, *(f"{group}:{t}" for t in time)]


def cell_design(arms: Arms, minutes: Sequence[int] = PAIN_MINUTES) -> tuple[pd.DataFrame, np.ndarray]:
    """Group x minute cells (reference arm first) and their design rows."""
    k = len(minutes)
    cells = pd.DataFrame([(g, m) for g in arms.labels for m in minutes], columns=["group", "minute"])
    rows = np.zeros((2 * k, 2 * k))
    for i, (g, m) in enumerate(cells.itertuples(index=False)):
        treated = g == arms.comparison
        t = minutes.index(m)
        rows[i, 0] = 1.0
        rows[i, 1] = float(treated)
        if t > 0:
            rows[i, 1 + t] = 1.0
            rows[i, k + t] = float(treated)
    return cells, rows


def design_matrix(group: np.ndarray, minute: np.ndarray, arms: Arms, minutes: Sequence[int]) -> np.ndarray:
    """Fixed-effect design of ``group * C(minute)`` (treatment coding)."""
    k = len(minutes)
    treated = (group == arms.comparison).astype(float)
    x = np.zeros((len(group), 2 * k))
    x[:, 0] = 1.0
    x[:, 1] = treated
    for t, m in enumerate(minutes[1:], start=1):
        at = (minute == m).astype(float)
        x[:, 1 + t] = at
        x[:, k + t] = at * treated
    return x


def joint_hypotheses(cell_rows: np.ndarray, k: int) -> dict[str, np.ndarray]:
    """Type III (equal-weight marginal) hypothesis matrices on the fixed effects.

    Cells are ordered reference minutes then comparison minutes; ``group`` is the
    difference of arm means averaged over minutes, ``time`` the differences of
    minute means averaged over arms from the first minute, ``group:time`` the
    differences of the arm difference from the first minute.
    """
    ref, cmp = cell_rows[:k], cell_rows[k:]
    group = (cmp.mean(axis=0) - ref.mean(axis=0))[None, :]
    avg = (ref + cmp) / 2
    time = avg[1:] - avg[0]
    diff = cmp - ref
    interaction = diff[1:] - diff[0]
    return {"group": group, "time": time, "group:time": interaction}


def _wald(l_matrix: np.ndarray, beta: np.ndarray, cov: np.ndarray) -> tuple[float, int, float]:
    estimate = l_matrix @ beta
    chi2 = float(estimate @ np.linalg.solve(l_matrix @ cov @ l_matrix.T, estimate))
    df = l_matrix.shape[0]
    return chi2, df, float(stats.chi2.sf(chi2, df))


def _satterthwaite(fit: RandomInterceptFit, rows: np.ndarray, estimate: np.ndarray, se: np.ndarray) -> dict:
    """``df_satterthwaite`` and the t-based ``p_satterthwaite`` for each contrast row."""
    df = np.array([satterthwaite_df(fit, row) for row in rows])
    return {"df_satterthwaite": df, "p_satterthwaite": 2 * stats.t.sf(np.abs(estimate / se), df)}


def _empty_result(arms: Arms, minutes: Sequence[int], note: str) -> PainModelResult:
    nan = float("nan")
    fixed = pd.DataFrame({"term": term_names(arms, minutes)})
    for c in (
        "estimate",
        "std_error",
        "statistic",
        "p_value",
        "ci_low",
        "ci_high",
        "df_satterthwaite",
        "p_satterthwaite",
    ):
        fixed[c] = nan
    tests = pd.DataFrame({"effect": list(EFFECTS), "statistic": nan, "df": [1, len(minutes) - 1, len(minutes) - 1]})
    tests["p_value"] = nan
    cells, _ = cell_design(arms, minutes)
    emmeans = cells.assign(emmean=nan, std_error=nan, ci_low=nan, ci_high=nan)
    contrasts = pd.DataFrame({"minute": list(minutes), "contrast": arms.difference_label})
    for c in ("estimate", "std_error", "statistic", "ci_low", "ci_high", "p_value", "p_holm", "df_satterthwaite"):
        contrasts[c] = nan
    contrasts["p_satterthwaite"] = nan
    return _finish(fixed, tests, emmeans, contrasts, None, arms, [note])


def _finish(fixed, tests, emmeans, contrasts, fit, arms: Arms, notes: list[str]) -> PainModelResult:
    note = "; ".join(notes) or None
    tables = []
    for frame in (fixed, tests, emmeans, contrasts):
        frame = frame.copy()
        frame["note"] = note
        tables.append(frame)
    tables[3] = tables[3].assign(**arm_columns(arms))
    return PainModelResult(*tables, fit=fit, notes=tuple(notes))


def pain_trajectory_model(
    pain: pd.DataFrame,
    arms: Arms,
    minutes: Sequence[int] = PAIN_MINUTES,
    confidence: float = CONFIDENCE,
    max_iterations: int = 500,
) -> PainModelResult:
    """Fit the pain model to ``pain`` (case_key, group, minute, nrs; one row per score).

    Rows with a missing score or a minute outside ``minutes`` are dropped.
    A design that cannot be fitted gives NaN tables with the reason in ``note``.
    """
    minutes = tuple(int(m) for m in minutes)
    k = len(minutes)
    data = pain.dropna(subset=["nrs", "minute", "group", "case_key"])
    data = data[data["minute"].astype(int).isin(minutes) & data["group"].isin(arms.labels)]
    notes: list[str] = []
    dropped = len(pain) - len(data)
    if dropped:
        notes.append(f"{dropped} pain rows without a usable score, minute or group left out")
    counts = data.groupby("group")["case_key"].nunique()
    for label in arms.labels:
        if counts.get(label, 0) < 2:
            notes.append(f"group {label} has {int(counts.get(label, 0))} case(s) with pain scores")
    x = design_matrix(data["group"].to_numpy(), data["minute"].astype(int).to_numpy(), arms, minutes)
    try:
        fit = fit_random_intercept_reml(
            x, data["nrs"].to_numpy(dtype=float), data["case_key"].to_numpy(), max_iterations=max_iterations
        )
    except (ModelFitError, np.linalg.LinAlgError) as error:
        return _empty_result(arms, minutes, f"pain model not fitted: {error}; " + "; ".join(notes))
    if not fit.converged:
        notes.append(f"REML optimiser did not converge ({fit.message}); estimates are provisional")
    elif fit.boundary:
        notes.append("case random-intercept variance estimated at 0 (singular fit)")
    z = stats.norm.ppf(0.5 + confidence / 2)
    se = np.sqrt(np.diag(fit.cov_beta))
    stat = fit.beta / se
    fixed = pd.DataFrame(
        {
            "term": term_names(arms, minutes),
            "estimate": fit.beta,
            "std_error": se,
            "statistic": stat,
            "p_value": 2 * stats.norm.sf(np.abs(stat)),
            "ci_low": fit.beta - z * se,
            "ci_high": fit.beta + z * se,
        }
        | _satterthwaite(fit, np.eye(len(fit.beta)), fit.beta, se)
    )
    cells, rows = cell_design(arms, minutes)
    emm = rows @ fit.beta
    emm_se = np.sqrt(np.einsum("ij,jk,ik->i", rows, fit.cov_beta, rows))
    emmeans = cells.assign(emmean=emm, std_error=emm_se, ci_low=emm - z * emm_se, ci_high=emm + z * emm_se)
    diff_rows = rows[k:] - rows[:k]
    diff = diff_rows @ fit.beta
    diff_se = np.sqrt(np.einsum("ij,jk,ik->i", diff_rows, fit.cov_beta, diff_rows))
    diff_z = diff / diff_se
    p = 2 * stats.norm.sf(np.abs(diff_z))
    contrasts = pd.DataFrame(
        {
            "minute": list(minutes),
            "contrast": arms.difference_label,
            "estimate": diff,
            "std_error": diff_se,
            "statistic": diff_z,
            "ci_low": diff - z * diff_se,
            "ci_high": diff + z * diff_se,
            "p_value": p,
            "p_holm": multipletests(p, method="holm")[1],
        }
        | _satterthwaite(fit, diff_rows, diff, diff_se)
    )
    tests = pd.DataFrame(
        [
            dict(zip(("effect", "statistic", "df", "p_value"), (name, *_wald(h, fit.beta, fit.cov_beta)), strict=True))
            for name, h in joint_hypotheses(rows, k).items()
        ]
    )
    return _finish(fixed, tests, emmeans, contrasts, fit, arms, notes)

"""Propensity score, overlap and IPTW weights, and covariate balance (R WeightIt / cobalt conventions).

Propensity score: maximum-likelihood logistic regression (no penalty;
statsmodels ``Logit``) of the comparison arm (MgSO4, or B when blinded) on the
sensitivity-regression covariates, complete cases over all of them
(:mod:`covariates`: constant and collinear covariates are dropped with a
note). Separation (statsmodels' perfect-separation warning, no convergence or
fitted probabilities within ``SEPARATION_TOLERANCE`` of 0 or 1) gives a note
and no weights.

Weights (e = propensity): overlap / ATO (Li, Morgan and Zaslavsky 2018) 1 - e
for the comparison arm and e for the reference arm; IPTW / ATE 1 / e and
1 / (1 - e). Kish's effective sample size per arm: (sum w)^2 / sum w^2.

Balance as R cobalt ``bal.tab(..., s.d.denom = "pooled", binary = "std")``:
signed SMD = (weighted mean comparison - weighted mean reference) / unweighted
pooled SD sqrt((s1^2 + s0^2) / 2), so weighting changes only the numerator.
Continuous covariates use n - 1 SDs; each level of a categorical covariate is
a proportion with s^2 = p (1 - p). ``variance_ratio`` = weighted variance
comparison / reference for continuous covariates, the weighted variance being
cobalt's unbiased sum w (x - m)^2 W / (W^2 - sum w^2).

References: Li F, Morgan KL, Zaslavsky AM. Balancing covariates via propensity
score weighting. JASA 2018;113:390-400. Austin PC, Stuart EA. Moving towards
best practice when using inverse probability of treatment weighting. Stat Med
2015;34:3661-79. Greifer N. cobalt: Covariate Balance Tables and Plots (R).
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import statsmodels.api as sm
from statsmodels.tools.sm_exceptions import ConvergenceWarning, PerfectSeparationWarning

from mg_platform.analysis.stats import covariates as covariates_module
from mg_platform.analysis.stats.arms import Arms
from mg_platform.analysis.stats.variables import SENSITIVITY_COVARIATES

NONE, OVERLAP, IPTW = "none", "overlap", "iptw"
WEIGHTINGS = (NONE, OVERLAP, IPTW)
SEPARATION_TOLERANCE = 1e-8
MAX_ITERATIONS = 100


@dataclass(frozen=True)
class PropensityResult:
    """The propensity set with its scores and weights (NaN without a usable model)."""

    cases: pd.DataFrame  # the propensity set: complete covariates, both arms
    table: pd.DataFrame  # stats.propensity
    covariates: tuple[str, ...]  # covariates kept (non-constant), in model order
    terms: tuple[str, ...]  # design columns of the fitted model
    weighted: bool  # False after separation or without both arms
    notes: tuple[str, ...]

    def weights(self, weighting: str) -> np.ndarray:
        """Weights of the propensity set: ones for ``none``."""
        if weighting == NONE:
            return np.ones(len(self.cases))
        return self.table[f"weight_{weighting}"].to_numpy(dtype=float)

    @property
    def weightings(self) -> tuple[str, ...]:
        """``none`` and, when the model gave weights, ``overlap`` and ``iptw``."""
        return WEIGHTINGS if self.weighted else (NONE,)


def _fit_logit(treated: np.ndarray, design: pd.DataFrame) -> tuple[np.ndarray | None, str | None]:
    """Fitted probabilities, or None and the reason (separation, no convergence)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            fit = sm.Logit(treated, design).fit(disp=0, maxiter=MAX_ITERATIONS)
        except (np.linalg.LinAlgError, ValueError) as error:
            return None, f"propensity model not fitted ({error})"
    categories = {w.category for w in caught}
    probability = np.asarray(fit.predict(), dtype=float)
    extreme = (probability < SEPARATION_TOLERANCE) | (probability > 1 - SEPARATION_TOLERANCE)
    if PerfectSeparationWarning in categories or extreme.any():
        return None, f"separation: {int(extreme.sum())} case(s) with fitted propensity 0 or 1; no weights"
    if ConvergenceWarning in categories or not fit.mle_retvals.get("converged", False):
        return None, "propensity model did not converge (near separation); no weights"
    return probability, None


def propensity_weights(
    frame: pd.DataFrame, arms: Arms, covariates: Sequence[str] = SENSITIVITY_COVARIATES
) -> PropensityResult:
    """Propensity score of the comparison arm and the overlap and IPTW weights.

    Parameters
    ----------
    frame : cohort.analysis_set with ``group`` holding analysis labels and ``case_key`` (pseudonym).
    arms : the analysis arms; the score is P(comparison arm | covariates).
    covariates : covariates in model order (default: the paper's sensitivity covariates).

    Returns
    -------
    PropensityResult
        ``table`` has one row per case of the propensity set: ``case_key``, ``group``,
        ``propensity``, ``weight_overlap``, ``weight_iptw`` (NaN when no model could be used).
    """
    complete = covariates_module.complete_cases(frame[frame["group"].isin(arms.labels)], covariates)
    cases = complete.data.reset_index(drop=True)
    notes = list(complete.notes)
    treated = (cases["group"] == arms.comparison).to_numpy(dtype=float)
    design = pd.concat(
        [
            pd.DataFrame({"Intercept": np.ones(len(cases))}),
            covariates_module.covariate_columns(cases, complete.covariates),
        ],
        axis=1,
    )
    design, dropped = covariates_module.drop_degenerate(design)
    notes.extend(dropped)
    probability = None
    if len(set(treated)) < 2:
        notes.append(f"propensity model not fitted: {len(cases)} complete case(s), not both arms")
    elif len(cases) <= design.shape[1]:
        notes.append(f"propensity model not fitted: {len(cases)} complete cases for {design.shape[1]} terms")
    else:
        probability, problem = _fit_logit(treated, design)
        if problem:
            notes.append(problem)
    if probability is None:
        probability = np.full(len(cases), np.nan)
    table = pd.DataFrame(
        {
            "case_key": cases["case_key"],
            "group": cases["group"],
            "propensity": probability,
            "weight_overlap": np.where(treated == 1, 1 - probability, probability),
            "weight_iptw": np.where(treated == 1, 1 / probability, 1 / (1 - probability)),
        }
    )
    return PropensityResult(
        cases=cases,
        table=table.assign(note="; ".join(notes) or None),
        covariates=complete.covariates,
        terms=tuple(design.columns),
        weighted=bool(np.isfinite(probability).all() and len(cases) > 0),
        notes=tuple(notes),
    )


def kish_effective_n(weights: np.ndarray) -> float:
    """Kish's effective sample size (sum w)^2 / sum w^2."""
    weights = np.asarray(weights, dtype=float)
    return float(weights.sum() ** 2 / (weights**2).sum()) if len(weights) else float("nan")


def weighted_mean(values: np.ndarray, weights: np.ndarray) -> float:
    """sum w x / sum w (NaN for no values)."""
    return float(np.average(values, weights=weights)) if len(values) else float("nan")


def weighted_variance(values: np.ndarray, weights: np.ndarray) -> float:
    """cobalt's unbiased weighted variance sum w (x - m)^2 W / (W^2 - sum w^2) (n - 1 variance for unit weights)."""
    total = weights.sum()
    denominator = total**2 - (weights**2).sum()
    if len(values) < 2 or denominator <= 0:
        return float("nan")
    return float((weights * (values - weighted_mean(values, weights)) ** 2).sum() * total / denominator)


def weighting_summary(propensity: PropensityResult, arms: Arms) -> pd.DataFrame:
    """``stats.weighting_summary``: n, Kish effective n, weight range and sum per weighting x arm."""
    rows = []
    for weighting in propensity.weightings:
        weights = propensity.weights(weighting)
        for label in arms.labels:
            w = weights[(propensity.cases["group"] == label).to_numpy()]
            rows.append(
                {
                    "weighting": weighting,
                    "group": label,
                    "n": len(w),
                    "effective_n": kish_effective_n(w),
                    "min_weight": float(w.min()) if len(w) else float("nan"),
                    "max_weight": float(w.max()) if len(w) else float("nan"),
                    "sum_weight": float(w.sum()),
                }
            )
    return pd.DataFrame(rows)


def _balance_rows(
    variable: str, level: str | None, x: np.ndarray, arm: np.ndarray, weights: dict[str, np.ndarray], continuous: bool
) -> Iterator[dict[str, object]]:
    """One balance row per weighting; ``arm`` is True for the comparison arm."""
    ref, cmp = ~arm, arm
    if continuous:
        s_ref, s_cmp = (np.var(v, ddof=1) if len(v) > 1 else float("nan") for v in (x[ref], x[cmp]))
    else:
        p_ref, p_cmp = x[ref].mean(), x[cmp].mean()
        s_ref, s_cmp = p_ref * (1 - p_ref), p_cmp * (1 - p_cmp)
    scale = float(np.sqrt((s_ref + s_cmp) / 2))
    for weighting, w in weights.items():
        diff = weighted_mean(x[cmp], w[cmp]) - weighted_mean(x[ref], w[ref])
        ratio = float("nan")
        if continuous:
            v_ref = weighted_variance(x[ref], w[ref])
            ratio = weighted_variance(x[cmp], w[cmp]) / v_ref if v_ref > 0 else float("nan")
        yield {
            "variable": variable,
            "level": level,
            "weighting": weighting,
            "mean_control": weighted_mean(x[ref], w[ref]),
            "mean_mgso4": weighted_mean(x[cmp], w[cmp]),
            "smd": diff / scale if scale > 0 else (0.0 if diff == 0 else float("nan")),
            "variance_ratio": ratio,
        }


def balance_table(propensity: PropensityResult, arms: Arms) -> pd.DataFrame:
    """``stats.balance``: signed SMD (comparison - reference) and variance ratio per covariate (level) x weighting.

    ``mean_control`` / ``mean_mgso4`` are the weighted means (proportions for levels) of the
    reference and comparison arm.
    """
    cases = propensity.cases
    arm = (cases["group"] == arms.comparison).to_numpy()
    weights = {weighting: propensity.weights(weighting) for weighting in propensity.weightings}
    rows: list[dict] = []
    for variable in propensity.covariates:
        if not covariates_module.is_categorical(cases, variable):
            rows.extend(_balance_rows(variable, None, cases[variable].to_numpy(dtype=float), arm, weights, True))
            continue
        for level in covariates_module.ordered_levels(cases, variable):
            indicator = (cases[variable] == level).to_numpy(dtype=float)
            rows.extend(_balance_rows(variable, str(level), indicator, arm, weights, False))
    columns = ["variable", "level", "weighting", "smd", "variance_ratio", "mean_control", "mean_mgso4"]
    return pd.DataFrame(rows, columns=columns)

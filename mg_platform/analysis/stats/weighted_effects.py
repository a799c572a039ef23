"""Weighted mean differences with design-based standard errors (R ``survey::svyglm``).

For ``outcome ~ group`` with weights w treated as known (``svydesign(ids = ~1,
weights = ~w)``, sampling with replacement, no strata): the estimate is the
weighted mean of the comparison arm minus that of the reference arm, and its
covariance is the linearisation (sandwich) estimator

    V = n / (n - 1) (X'WX)^-1 [sum_i w_i^2 e_i^2 x_i x_i'] (X'WX)^-1,

with e the weighted-least-squares residuals. Inference: t with the model's
residual df, n - 2 (``degf(design) - p + 1``), as ``summary.svyglm`` and
``confint.svyglm``. ``weighting = "none"`` is the same estimator with unit
weights (an HC-type SE, not the pooled-variance t-test).

Reference: Lumley T. Complex Surveys: A Guide to Analysis Using R. Wiley 2010,
ch. 5; Binder DA. On the variances of asymptotically normal estimators from
complex surveys. Int Stat Rev 1983;51:279-92.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from mg_platform.analysis.stats.arms import Arms
from mg_platform.analysis.stats.two_group import CONFIDENCE, pooled_sd
from mg_platform.analysis.stats.weighting import PropensityResult


@dataclass(frozen=True)
class WeightedDifference:
    """Comparison - reference weighted mean difference with svyglm inference."""

    estimate: float
    std_error: float
    df: int
    ci_low: float
    ci_high: float
    p_value: float
    n: int


def weighted_difference(
    y: np.ndarray, treated: np.ndarray, weights: np.ndarray, confidence: float = CONFIDENCE
) -> WeightedDifference:
    """svyglm(y ~ treated) with ``weights`` as known sampling weights; the treated coefficient.

    Parameters
    ----------
    y : outcome values (finite).
    treated : 1 for the comparison arm, 0 for the reference arm.
    weights : positive weights (any scale).
    confidence : CI level (default 95 %).
    """
    y, treated, weights = (np.asarray(a, dtype=float) for a in (y, treated, weights))
    n = len(y)
    x = np.column_stack([np.ones(n), treated])
    nan = float("nan")
    if n < 3 or len(set(treated)) < 2:
        return WeightedDifference(nan, nan, max(n - 2, 0), nan, nan, nan, n)
    bread = np.linalg.inv(x.T @ (weights[:, None] * x))
    beta = bread @ (x.T @ (weights * y))
    scores = x * (weights * (y - x @ beta))[:, None]
    cov = n / (n - 1) * bread @ (scores.T @ scores) @ bread
    estimate, se = float(beta[1]), float(np.sqrt(cov[1, 1]))
    df = n - 2
    if not se > 0:
        return WeightedDifference(estimate, se, df, nan, nan, nan, n)
    half = float(stats.t.ppf(0.5 + confidence / 2, df)) * se
    p_value = float(2 * stats.t.sf(abs(estimate / se), df))
    return WeightedDifference(estimate, se, df, estimate - half, estimate + half, p_value, n)


def weighted_effects_table(
    propensity: PropensityResult, outcomes: pd.DataFrame, arms: Arms, names: Sequence[str]
) -> pd.DataFrame:
    """``stats.weighted_effects``: one row per outcome x weighting on the propensity set.

    ``outcomes`` holds ``case_key`` and the outcome columns ``names``; each row uses the
    propensity-set cases with that outcome present (``n`` counts both arms).
    ``pooled_sd`` is the unweighted pooled SD of Cohen's d over the same cases.
    """
    data = propensity.cases[["case_key", "group"]].merge(outcomes, on="case_key", how="left")
    rows = []
    for name in names:
        present = data[name].notna().to_numpy() if name in data.columns else np.zeros(len(data), dtype=bool)
        y = data.loc[present, name].to_numpy(dtype=float) if present.any() else np.array([])
        treated = (data.loc[present, "group"] == arms.comparison).to_numpy(dtype=float)
        sd = pooled_sd(y[treated == 0], y[treated == 1])
        for weighting in propensity.weightings:
            result = weighted_difference(y, treated, propensity.weights(weighting)[present])
            rows.append(
                {
                    "outcome": name,
                    "weighting": weighting,
                    "estimate": result.estimate,
                    "std_error": result.std_error,
                    "ci_low": result.ci_low,
                    "ci_high": result.ci_high,
                    "p_value": result.p_value,
                    "df": result.df,
                    "n": result.n,
                    "n_control": int((treated == 0).sum()),
                    "n_mgso4": int((treated == 1).sum()),
                    "pooled_sd": sd,
                }
            )
    return pd.DataFrame(rows)

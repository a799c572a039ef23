"""E-values for standardised mean differences, clinician-readable sentences and measured-covariate benchmarks.

E-value (VanderWeele and Ding 2017; R ``EValue::evalues.MD``): a mean
difference becomes d = estimate / SD (SD: the unweighted pooled SD of Cohen's
d) with d_std_error = std_error / SD; on the risk-ratio scale rr = exp(0.91 d)
with CI exp(0.91 d -/+ 1.78 d_std_error) (VanderWeele 2017's approximation).
With RR* = rr, or 1 / rr when rr < 1, the E-value is RR* + sqrt(RR* (RR* - 1)):
the minimum strength of association, on the risk-ratio scale, that an
unmeasured confounder would need with both the treatment and the outcome,
above and beyond the measured covariates, to explain away the estimate.
``evalue_ci`` applies the formula to the CI limit closer to 1, and is 1 when
the CI includes 1.

Benchmarks: for each measured covariate (per 1 SD for continuous covariates,
per level for categoricals) the association with the treatment, RR_EU =
exp(0.91 |SMD|) (unweighted balance SMD), and with the outcome, RR_UD =
exp(0.91 |b| s_x / SD) from the covariate-adjusted regression (b its
coefficient, s_x its SD, 1 for a level indicator). The confounding a covariate
of that strength could produce is the bias factor B = RR_EU RR_UD / (RR_EU +
RR_UD - 1) (Ding and VanderWeele 2016), and its strength on the E-value scale
is the E-value of B (the equal associations that give the same bias).

References: VanderWeele TJ, Ding P. Sensitivity analysis in observational
research: introducing the E-value. Ann Intern Med 2017;167:268-74. Ding P,
VanderWeele TJ. Sensitivity analysis without assumptions. Epidemiology
2016;27:368-77. VanderWeele TJ. On a square-root transformation of the odds
ratio for a common outcome. Epidemiology 2017;28:e58-60.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from mg_platform.analysis.stats import covariates as covariates_module
from mg_platform.analysis.stats.weighting import NONE

MD_TO_LOG_RR = 0.91
MD_CI_FACTOR = 1.78
WEIGHTING_WORDS = {NONE: "unweighted", "overlap": "overlap-weighted", "iptw": "IPTW-weighted"}


def evalue(rr: float) -> float:
    """E-value of a risk ratio: RR* + sqrt(RR* (RR* - 1)), RR* = max(rr, 1 / rr)."""
    if not np.isfinite(rr) or rr <= 0:
        return float("nan")
    star = rr if rr >= 1 else 1 / rr
    return float(star + np.sqrt(star * (star - 1)))


def evalue_ci(rr: float, low: float, high: float) -> float:
    """E-value of the CI limit closer to 1; 1 when the CI includes 1."""
    if not (np.isfinite(low) and np.isfinite(high)):
        return float("nan")
    if low <= 1 <= high:
        return 1.0
    return evalue(low if rr > 1 else high)


def md_evalues(estimate: float, std_error: float, sd: float) -> dict[str, float]:
    """d, d_std_error, rr with its CI and the two E-values of a mean difference (``evalues.MD``)."""
    d = estimate / sd if sd > 0 else float("nan")
    d_se = std_error / sd if sd > 0 else float("nan")
    rr = float(np.exp(MD_TO_LOG_RR * d))
    low = float(np.exp(MD_TO_LOG_RR * d - MD_CI_FACTOR * d_se))
    high = float(np.exp(MD_TO_LOG_RR * d + MD_CI_FACTOR * d_se))
    return {
        "d": d,
        "d_std_error": d_se,
        "rr": rr,
        "rr_ci_low": low,
        "rr_ci_high": high,
        "evalue_estimate": evalue(rr),
        "evalue_ci": evalue_ci(rr, low, high),
    }


def bias_factor(rr_exposure: float, rr_outcome: float) -> float:
    """Ding-VanderWeele bounding factor RR_EU RR_UD / (RR_EU + RR_UD - 1)."""
    return rr_exposure * rr_outcome / (rr_exposure + rr_outcome - 1)


def evalue_sentence(outcome_label: str, treatment: str, weighting: str, row: Mapping[str, float]) -> str:
    """One sentence a clinician can read: how strong a confounder must be to explain the estimate away.

    Parameters
    ----------
    outcome_label : the outcome in words, e.g. "pain burden over 0-30 min (NRS AUC)".
    treatment : the treatment in words, e.g. "MgSO4 use" (or "assignment to arm B" when blinded).
    weighting : ``none``, ``overlap`` or ``iptw``.
    row : a ``stats.evalues`` row (``evalue_estimate``, ``evalue_ci``, ``d``).
    """
    point, limit = row["evalue_estimate"], row["evalue_ci"]
    how = WEIGHTING_WORDS.get(weighting, weighting)
    if not np.isfinite(point):
        return f"{outcome_label[:1].upper() + outcome_label[1:]}, {how} estimate: no E-value could be computed."
    head = (
        f"{outcome_label[:1].upper() + outcome_label[1:]}, {how} estimate (standardised difference d = {row['d']:.2f}): an unmeasured "
        f"confounder would need to be associated with both {treatment} and the outcome by a risk ratio of "
        f"{point:.2f} each, above and beyond the measured covariates, to explain away the observed difference"
    )
    if limit == 1:
        return head + "; the 95 % CI already includes no difference, so no confounding is needed to reach it."
    return head + f"; a risk ratio of {limit:.2f} each would move the 95 % CI to include no difference."


def benchmark_rows(
    covariate_frame: pd.DataFrame,
    covariates: tuple[str, ...],
    balance: pd.DataFrame,
    coefficients: Mapping[str, float],
    outcome_sd: float,
) -> list[dict[str, object]]:
    """E-value-scale strength of each measured covariate for one outcome.

    ``covariate_frame`` holds the cases of the adjusted regression, ``balance`` the unweighted
    ``stats.balance`` rows, ``coefficients`` the regression coefficients by patsy term.
    """
    unweighted = balance[balance["weighting"] == NONE]
    smd = {(r.variable, None if pd.isna(r.level) else r.level): r.smd for r in unweighted.itertuples()}
    rows = []
    for variable in covariates:
        if covariates_module.is_categorical(covariate_frame, variable):
            units = [
                (str(level), covariates_module.term_name(variable, level), 1.0)
                for level in covariates_module.ordered_levels(covariate_frame, variable)[1:]
            ]
        else:
            units = [(None, variable, float(np.std(covariate_frame[variable].to_numpy(dtype=float), ddof=1)))]
        for level, term, scale in units:
            if term not in coefficients or (variable, level) not in smd:
                continue
            rr_exposure = float(np.exp(MD_TO_LOG_RR * abs(smd[(variable, level)])))
            rr_outcome = float(np.exp(MD_TO_LOG_RR * abs(coefficients[term]) * scale / outcome_sd))
            factor = bias_factor(rr_exposure, rr_outcome)
            rows.append(
                {
                    "variable": variable,
                    "level": level,
                    "term": term,
                    "rr_exposure": rr_exposure,
                    "rr_outcome": rr_outcome,
                    "bias_factor": factor,
                    "evalue_scale": evalue(factor),
                }
            )
    return rows


def benchmark_sentence(outcome_label: str, treatment: str, row: Mapping[str, object], point: float) -> str:
    """Sentence comparing the strongest measured covariate with the outcome's E-value."""
    name = row["variable"] if pd.isna(row["level"]) else f"{row['variable']} = {row['level']}"
    verdict = "stronger than" if row["evalue_scale"] >= point else "weaker than"
    return (
        f"For {outcome_label}, the strongest measured covariate, {name}, is associated with {treatment} by a "
        f"risk ratio of {row['rr_exposure']:.2f} and with the outcome by {row['rr_outcome']:.2f}, "
        f"{row['evalue_scale']:.2f} on the E-value scale: {verdict} the {point:.2f} needed to explain the "
        "unweighted estimate away."
    )

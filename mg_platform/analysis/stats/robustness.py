"""Could confounding explain the comparison? Propensity weights, balance, weighted effects, E-values.

One call builds the tables of the contract's section "how robust is the
comparison?" (``stats.propensity``, ``stats.balance``,
``stats.weighting_summary``, ``stats.weighted_effects``, ``stats.evalues``)
and two helper tables for the report: ``stats.evalue_benchmarks`` (the
E-value-scale strength of each measured covariate, the strongest flagged,
with a sentence) and ``stats.robustness_estimates`` (per outcome: unadjusted,
covariate-adjusted, overlap-weighted and IPTW estimate with 95 % CI; the
adjusted one is the group term of ``stats.sensitivity_regression``).

Every row of the weighted effects and E-values uses the propensity set (cases
with complete covariates) with the outcome present; the SD behind d is the
pooled SD of Cohen's d over those cases. Conventions in :mod:`weighting`,
:mod:`weighted_effects` and :mod:`evalues`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from mg_platform.analysis.stats import evalues, weighted_effects, weighting
from mg_platform.analysis.stats.arms import Arms, arm_columns
from mg_platform.analysis.stats.pain_auc import pain_auc_per_case
from mg_platform.analysis.stats.sensitivity_regression import sensitivity_regressions
from mg_platform.analysis.stats.variables import PAIN_AUC_OUTCOME, SECONDARY_OUTCOMES, SENSITIVITY_COVARIATES

ROBUSTNESS_OUTCOMES: tuple[str, ...] = (PAIN_AUC_OUTCOME, *SECONDARY_OUTCOMES)
OUTCOME_LABELS = {
    PAIN_AUC_OUTCOME: "pain burden over 0-30 min (NRS AUC)",
    "remifentanil_total_ug": "total remifentanil dose",
    "extubation_time_min": "time to extubation",
    "time_to_mobilization_min": "time to mobilisation",
}
ESTIMATORS = {"unadjusted": "none", "adjusted": None, "overlap-weighted": "overlap", "IPTW": "iptw"}


@dataclass(frozen=True)
class ConfoundingResult:
    """The robustness tables, keyed by ``stats`` table name, and notes."""

    tables: dict[str, pd.DataFrame]
    notes: tuple[str, ...]


def treatment_words(arms: Arms) -> str:
    """How sentences name the treatment: "MgSO4 use", or "assignment to arm B" when blinded."""
    return f"assignment to arm {arms.comparison}" if arms.blinded else f"{arms.comparison} use"


def outcome_frame(analysis: pd.DataFrame, pain: pd.DataFrame, outcomes: Sequence[str]) -> pd.DataFrame:
    """``case_key`` and each outcome: secondary outcomes from the analysis set, the pain AUC from pain_long."""
    frame = analysis[["case_key", *[o for o in outcomes if o in analysis.columns]]]
    if PAIN_AUC_OUTCOME in outcomes:
        frame = frame.merge(pain_auc_per_case(pain)[["case_key", PAIN_AUC_OUTCOME]], on="case_key", how="left")
    return frame


def _evalue_table(effects: pd.DataFrame, arms: Arms) -> pd.DataFrame:
    rows = []
    for row in effects.itertuples(index=False):
        values = evalues.md_evalues(row.estimate, row.std_error, row.pooled_sd)
        label = OUTCOME_LABELS.get(row.outcome, row.outcome)
        sentence = evalues.evalue_sentence(label, treatment_words(arms), row.weighting, values)
        rows.append({"outcome": row.outcome, "weighting": row.weighting} | values | {"sentence": sentence, "n": row.n})
    return pd.DataFrame(rows)


def _benchmarks(
    propensity: weighting.PropensityResult,
    outcomes: pd.DataFrame,
    regression: pd.DataFrame,
    balance: pd.DataFrame,
    effects: pd.DataFrame,
    evalue_table: pd.DataFrame,
    arms: Arms,
) -> pd.DataFrame:
    tables = []
    cases = propensity.cases[["case_key", *propensity.covariates]].merge(outcomes, on="case_key", how="left")
    for outcome in effects["outcome"].unique():
        fit = regression[(regression["outcome"] == outcome) & regression["estimate"].notna()]
        sd = effects.loc[effects["outcome"] == outcome, "pooled_sd"].iloc[0]
        if fit.empty or not sd > 0:
            continue
        used = cases[cases[outcome].notna()]
        coefficients = dict(zip(fit["term"], fit["estimate"], strict=True))
        rows = evalues.benchmark_rows(used, propensity.covariates, balance, coefficients, sd)
        if not rows:
            continue
        table = pd.DataFrame(rows).assign(outcome=outcome)
        table["is_strongest"] = table.index == table["evalue_scale"].idxmax()
        point = evalue_table.loc[
            (evalue_table["outcome"] == outcome) & (evalue_table["weighting"] == weighting.NONE), "evalue_estimate"
        ].iloc[0]
        label = OUTCOME_LABELS.get(outcome, outcome)
        table["sentence"] = [
            evalues.benchmark_sentence(label, treatment_words(arms), r, point) for r in table.to_dict("records")
        ]
        tables.append(table)
    columns = ["outcome", "variable", "level", "term", "rr_exposure", "rr_outcome", "bias_factor", "evalue_scale"]
    if not tables:
        return pd.DataFrame(columns=[*columns, "is_strongest", "sentence"])
    return pd.concat(tables, ignore_index=True)[[*columns, "is_strongest", "sentence"]]


def _estimates(effects: pd.DataFrame, regression: pd.DataFrame, arms: Arms) -> pd.DataFrame:
    group_term = f"group[T.{arms.comparison}]"
    rows = []
    for outcome in effects["outcome"].unique():
        for estimator, weighting_name in ESTIMATORS.items():
            if weighting_name is None:
                source = regression[(regression["outcome"] == outcome) & (regression["term"] == group_term)]
            else:
                source = effects[(effects["outcome"] == outcome) & (effects["weighting"] == weighting_name)]
            if source.empty:
                continue
            first = source.iloc[0]
            rows.append(
                {
                    "outcome": outcome,
                    "estimator": estimator,
                    "estimate": first["estimate"],
                    "ci_low": first["ci_low"],
                    "ci_high": first["ci_high"],
                    "p_value": first["p_value"],
                    "n": first["n"],
                }
            )
    return pd.DataFrame(rows)


def confounding_robustness(
    analysis: pd.DataFrame,
    pain: pd.DataFrame,
    arms: Arms,
    covariates: Sequence[str] = SENSITIVITY_COVARIATES,
    outcomes: Sequence[str] = ROBUSTNESS_OUTCOMES,
) -> ConfoundingResult:
    """Propensity weights, balance, weighted effects, E-values, benchmarks and the four estimates per outcome.

    Parameters
    ----------
    analysis : cohort.analysis_set with analysis labels in ``group``.
    pain : cohort.pain_long with analysis labels (for the pain AUC).
    arms : analysis arms; differences are comparison - reference.
    covariates, outcomes : the propensity covariates and the outcomes (contract defaults).
    """
    propensity = weighting.propensity_weights(analysis, arms, covariates)
    balance = weighting.balance_table(propensity, arms)
    outcome_values = outcome_frame(analysis, pain, outcomes)
    effects = weighted_effects.weighted_effects_table(propensity, outcome_values, arms, outcomes)
    evalue_table = _evalue_table(effects, arms)
    regression = sensitivity_regressions(analysis, arms, outcomes, covariates, pain=pain)
    benchmarks = _benchmarks(propensity, outcome_values, regression.table, balance, effects, evalue_table, arms)
    tables = {
        "propensity": propensity.table,
        "balance": balance,
        "weighting_summary": weighting.weighting_summary(propensity, arms),
        "weighted_effects": effects,
        "evalues": evalue_table,
        "evalue_benchmarks": benchmarks,
        "robustness_estimates": _estimates(effects, regression.table, arms),
    }
    tables = {name: frame.assign(**arm_columns(arms)) for name, frame in tables.items()}
    notes = [*propensity.notes, *(f"adjusted estimate: {n}" for n in regression.notes)]
    return ConfoundingResult(tables=tables, notes=tuple(dict.fromkeys(notes)))

"""Study statistics (schema ``stats``): baseline, pain model, AUC, secondary outcomes, sensitivity, AEs,
and the robustness of the comparison (propensity weighting, balance, E-values, power of a follow-up trial).

Each asset reads ``cohort.analysis_set`` and ``cohort.pain_long``, calls one
function of :mod:`mg_platform.analysis.stats`, replaces its ``stats.*`` tables
in one transaction and reports one materialisation per table. When the run's
``blinding`` resource says ``blinded: true`` (one switch for the whole run) the
group labels are replaced by coded arms A/B (keyed by the pseudonymisation key)
before any statistic is computed; running unblinded is the explicit unblinding
step and records the arm codes.
"""

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

import dagster as dg
import pandas as pd
from pydantic import Field

from mg_platform.analysis.pseudonym import KeyProblem
from mg_platform.analysis.stats import (
    adverse_events,
    baseline,
    contingency,
    covariates,
    evalues,
    figures,
    pain_auc,
    pain_trajectory,
    power,
    random_intercept_reml,
    robustness,
    secondary_outcomes,
    sensitivity_regression,
    smd,
    trial_power,
    two_group,
    variables,
    weighted_effects,
    weighting,
)
from mg_platform.analysis.stats import arms as arm_coding
from mg_platform.assets.metadata import code_version, figure_metadata, table_metadata
from mg_platform.resources.pseudonymiser import Pseudonymiser
from mg_platform.resources.run_settings import Blinding, OutputsFolder
from mg_platform.resources.warehouse import Warehouse

ANALYSIS_SET = dg.AssetKey(["cohort", "analysis_set"])
PAIN_LONG = dg.AssetKey(["cohort", "pain_long"])
SCHEMA = "stats"
WRITE_POOL = "duckdb_write"
COMMON_MODULES: tuple[ModuleType, ...] = (arm_coding, variables, figures)


class StatsConfig(dg.Config):
    """Run configuration of the stats stage; defaults are the study's choices (blinding is the run's resource)."""

    alpha: float = Field(default=two_group.ALPHA, description="Shapiro-Wilk / Levene threshold of the test rule.")
    smd_threshold: float = Field(default=baseline.SMD_THRESHOLD, description="|SMD| flagged as imbalance.")
    max_reml_iterations: int = Field(default=500, description="Iteration limit of the REML optimiser.")


class RobustnessConfig(StatsConfig):
    """Power and simulation settings of the robustness assets; defaults are the contract's."""

    power_alpha: float = Field(default=power.ALPHA, description="Two-sided alpha of the planned trial.")
    power_levels: list[float] = Field(default=list(power.POWER_LEVELS), description="Powers to size the trial for.")
    target_nrs_difference: float = Field(default=1.0, description="Target NRS difference for the pain contrasts.")
    target_cohens_d: float = Field(default=0.5, description="Target Cohen's d for the AUC and secondary outcomes.")
    curve_n_per_arm: list[int] = Field(default=list(power.CURVE_N_PER_ARM), description="n per arm of the curve.")
    n_simulations: int = Field(default=500, description="Simulated trials per n (0: no simulation).")
    simulation_seed: int = Field(default=trial_power.DEFAULT_SEED, description="Seed of the simulated trials.")

    def power_settings(self) -> trial_power.PowerSettings:
        return trial_power.PowerSettings(
            alpha=self.power_alpha,
            levels=tuple(self.power_levels),
            target_nrs_difference=self.target_nrs_difference,
            target_cohens_d=self.target_cohens_d,
            curve_n_per_arm=tuple(self.curve_n_per_arm),
            n_simulations=self.n_simulations,
            seed=self.simulation_seed,
            max_reml_iterations=self.max_reml_iterations,
        )


@dataclass(frozen=True)
class StatsInputs:
    """The two cohort tables with ``group`` relabelled to the analysis arms."""

    analysis: pd.DataFrame
    pain: pd.DataFrame
    arms: arm_coding.Arms
    unblinding: str | None


def _inputs(blinding: Blinding, warehouse: Warehouse, pseudonymiser: Pseudonymiser) -> StatsInputs:
    with warehouse.get_connection() as conn:
        analysis = conn.execute("SELECT * FROM cohort.analysis_set ORDER BY case_key").fetchdf()
        pain = conn.execute("SELECT * FROM cohort.pain_long ORDER BY case_key, minute").fetchdf()
    try:
        key = pseudonymiser.key()
    except KeyProblem as exc:  # a lost key is a data problem with a way out, not a stack trace
        raise dg.Failure(str(exc)) from None
    chosen = arm_coding.analysis_arms(blinding.blinded, key)
    unblinding = None if blinding.blinded else arm_coding.unblinding_record(key)
    return StatsInputs(chosen.relabel(analysis), chosen.relabel(pain), chosen, unblinding)


def _specs(tables: Mapping[str, str], modules: Sequence[ModuleType]) -> list[dg.AssetSpec]:
    version = code_version(*COMMON_MODULES, *modules)
    return [
        dg.AssetSpec(
            key=[SCHEMA, name],
            description=description,
            deps=[ANALYSIS_SET, PAIN_LONG],
            group_name=SCHEMA,
            kinds={"python", "duckdb"},
            code_version=version,
        )
        for name, description in tables.items()
    ]


def stats_asset(tables: Mapping[str, str], modules: Sequence[ModuleType]):
    """Decorator: a multi-asset (named after the function) with one spec per ``stats`` table it writes."""
    return dg.multi_asset(specs=_specs(tables, modules), pool=WRITE_POOL)


def _figure_stem(outputs_folder: OutputsFolder, name: str) -> Path:
    """Figures are replaced like the tables: the latest run (blinded or not) owns them."""
    return outputs_folder.stage(SCHEMA) / name


def _write(
    warehouse: Warehouse,
    inputs: StatsInputs,
    tables: Mapping[str, pd.DataFrame],
    notes: Sequence[str],
    extra: Mapping[str, Mapping[str, object]] | None = None,
) -> Iterator[dg.MaterializeResult]:
    """Replace the tables in one transaction and yield one result per table."""
    warehouse.replace_tables({f"{SCHEMA}.{name}": frame for name, frame in tables.items()})
    common: dict[str, object] = {
        "blinded": inputs.arms.blinded,
        "arms": f"reference {inputs.arms.reference}, comparison {inputs.arms.comparison}",
        "notes": dg.MetadataValue.md("\n".join(f"- {n}" for n in notes) or "none"),
    }
    if inputs.unblinding:
        common["unblinded_arm_codes"] = inputs.unblinding
    for name, frame in tables.items():
        metadata = table_metadata(f"{SCHEMA}.{name}", frame) | common | dict((extra or {}).get(name, {}))
        yield dg.MaterializeResult(asset_key=[SCHEMA, name], metadata=metadata)


@stats_asset(
    {
        "baseline": "One row per baseline variable (per level for categoricals): summaries by arm, test, p, |SMD|.",
        "assumptions": "One row per variable/outcome x arm: Shapiro-Wilk W and p, median-centred Levene p.",
    },
    (baseline, two_group, smd, contingency, pain_auc, secondary_outcomes),
)
def baseline_comparability(config: StatsConfig, blinding: Blinding, warehouse: Warehouse, pseudonymiser: Pseudonymiser):
    """Baseline table and the normality / variance checks behind every test choice."""
    inputs = _inputs(blinding, warehouse, pseudonymiser)
    result = baseline.baseline_and_assumptions(
        inputs.analysis, inputs.pain, inputs.arms, config.alpha, config.smd_threshold
    )
    yield from _write(warehouse, inputs, {"baseline": result.baseline, "assumptions": result.assumptions}, result.notes)


@stats_asset(
    {
        "pain_lmm_fixed": "One row per fixed effect of nrs ~ group * C(minute) + (1 | case), REML, Wald z.",
        "pain_lmm_tests": "One row per type III Wald chi-square test: group, time, group:time.",
        "pain_emmeans": "One row per arm x minute: estimated marginal mean NRS with SE and 95 % CI.",
        "pain_contrasts": "One row per minute: comparison - reference NRS difference, p and Holm-adjusted p.",
    },
    (pain_trajectory, random_intercept_reml),
)
def pain_trajectory_model(
    config: StatsConfig,
    blinding: Blinding,
    warehouse: Warehouse,
    pseudonymiser: Pseudonymiser,
    outputs_folder: OutputsFolder,
):
    """Linear mixed model of PACU pain over 0-30 min with a random intercept per case."""
    inputs = _inputs(blinding, warehouse, pseudonymiser)
    result = pain_trajectory.pain_trajectory_model(inputs.pain, inputs.arms, max_iterations=config.max_reml_iterations)
    figure = figures.pain_trajectory_figure(result.emmeans, _figure_stem(outputs_folder, "pain_trajectory"))
    fit = {k: dg.MetadataValue.float(float(v)) for k, v in result.variance_components.items()}
    if result.fit is not None:
        fit |= {"n_observations": result.fit.n_obs, "n_cases": result.fit.n_clusters, "converged": result.fit.converged}
    tables = {"pain_lmm_fixed": result.fixed, "pain_lmm_tests": result.tests}
    tables |= {"pain_emmeans": result.emmeans, "pain_contrasts": result.contrasts}
    extra = {name: fit for name in tables} | {"pain_emmeans": fit | figure_metadata(figure["png"].stem, dict(figure))}
    yield from _write(warehouse, inputs, tables, result.notes, extra)


@stats_asset(
    {"pain_auc": "One row: AUC of NRS over 0-30 min (trapezoid, NRS x min, complete cases) compared by arm."},
    (pain_auc, two_group),
)
def pain_auc_comparison(config: StatsConfig, blinding: Blinding, warehouse: Warehouse, pseudonymiser: Pseudonymiser):
    """Early pain burden: per-case AUC of NRS, compared between arms by the test rule."""
    inputs = _inputs(blinding, warehouse, pseudonymiser)
    result = pain_auc.pain_auc_comparison(inputs.pain, inputs.arms, alpha=config.alpha)
    yield from _write(warehouse, inputs, {"pain_auc": result.table}, result.notes)


@stats_asset(
    {"secondary_outcomes": "One row per outcome (remifentanil ug, extubation min, mobilisation min) by arm."},
    (secondary_outcomes, two_group),
)
def secondary_outcome_comparisons(
    config: StatsConfig,
    blinding: Blinding,
    warehouse: Warehouse,
    pseudonymiser: Pseudonymiser,
    outputs_folder: OutputsFolder,
):
    """Secondary outcomes: test by the rule, mean difference with CI, Cohen's d; forest plot."""
    inputs = _inputs(blinding, warehouse, pseudonymiser)
    result = secondary_outcomes.compare_outcomes(inputs.analysis, inputs.arms, alpha=config.alpha)
    stem = _figure_stem(outputs_folder, "secondary_outcomes_forest")
    figure = figures.forest_figure(result.table, inputs.arms.difference_label, stem)
    tables = {"secondary_outcomes": result.table}
    yield from _write(
        warehouse,
        inputs,
        tables,
        result.notes,
        {"secondary_outcomes": figure_metadata(figure["png"].stem, dict(figure))},
    )


@stats_asset(
    {"sensitivity_regression": "One row per outcome x term of the covariate-adjusted OLS (complete cases)."},
    (sensitivity_regression, covariates, pain_auc),
)
def sensitivity_regressions(
    config: StatsConfig, blinding: Blinding, warehouse: Warehouse, pseudonymiser: Pseudonymiser
):
    """Sensitivity analysis: each outcome regressed on the arm and the baseline covariates."""
    inputs = _inputs(blinding, warehouse, pseudonymiser)
    outcomes = (*variables.SECONDARY_OUTCOMES, variables.PAIN_AUC_OUTCOME)
    result = sensitivity_regression.sensitivity_regressions(inputs.analysis, inputs.arms, outcomes, pain=inputs.pain)
    yield from _write(warehouse, inputs, {"sensitivity_regression": result.table}, result.notes)


@stats_asset(
    {"adverse_events": "One row per adverse event: cases with the event by arm, Fisher p."},
    (adverse_events, contingency),
)
def adverse_event_comparisons(
    config: StatsConfig, blinding: Blinding, warehouse: Warehouse, pseudonymiser: Pseudonymiser
):
    """Adverse events by arm with Fisher's exact test."""
    inputs = _inputs(blinding, warehouse, pseudonymiser)
    table = adverse_events.adverse_event_table(inputs.analysis, inputs.arms)
    yield from _write(warehouse, inputs, {"adverse_events": table}, list(table["note"].dropna()))


@stats_asset(
    {
        "propensity": "One row per case with complete covariates: propensity of the comparison arm, overlap and IPTW weights.",
        "balance": "One row per covariate (level) x weighting: signed SMD (unweighted pooled SD) and variance ratio.",
        "weighting_summary": "One row per weighting x arm: n, Kish effective n, weight range.",
        "weighted_effects": "One row per outcome x weighting: weighted mean difference with survey::svyglm SE, CI, p.",
        "evalues": "One row per outcome x weighting: d, risk-ratio scale, E-values and a sentence for clinicians.",
        "evalue_benchmarks": "One row per outcome x measured covariate: its strength on the E-value scale.",
        "robustness_estimates": "One row per outcome x estimator: unadjusted, adjusted, overlap-weighted, IPTW.",
    },
    (robustness, weighting, weighted_effects, evalues, covariates, sensitivity_regression, pain_auc, two_group),
)
def confounding_robustness(
    config: RobustnessConfig,
    blinding: Blinding,
    warehouse: Warehouse,
    pseudonymiser: Pseudonymiser,
    outputs_folder: OutputsFolder,
):
    """Could confounding by indication explain the comparison? Weights, balance, weighted effects, E-values."""
    inputs = _inputs(blinding, warehouse, pseudonymiser)
    result = robustness.confounding_robustness(inputs.analysis, inputs.pain, inputs.arms)
    tables = result.tables
    love = figures.love_plot(tables["balance"], _figure_stem(outputs_folder, "love_plot"), config.smd_threshold)
    forest = figures.robustness_forest(
        tables["robustness_estimates"], inputs.arms.difference_label, _figure_stem(outputs_folder, "robustness_forest")
    )
    extra = {
        "balance": figure_metadata(love["png"].stem, dict(love)),
        "robustness_estimates": figure_metadata(forest["png"].stem, dict(forest)),
    }
    yield from _write(warehouse, inputs, tables, result.notes, extra)


@stats_asset(
    {
        "power": "One row per outcome or pain contrast x effect source: power at the study n, n per arm for 80/90 %.",
        "power_curve": "One row per outcome x effect source x n per arm: analytic and simulated power.",
    },
    (
        trial_power,
        power,
        pain_trajectory,
        random_intercept_reml,
        robustness,
        weighting,
        weighted_effects,
        covariates,
        pain_auc,
        two_group,
    ),
)
def follow_up_trial_power(
    config: RobustnessConfig,
    blinding: Blinding,
    warehouse: Warehouse,
    pseudonymiser: Pseudonymiser,
    outputs_folder: OutputsFolder,
):
    """Power and sample size of the follow-up randomised trial, checked by refitting simulated trials."""
    inputs = _inputs(blinding, warehouse, pseudonymiser)
    result = trial_power.trial_power(inputs.pain, inputs.analysis, inputs.arms, config.power_settings())
    figure = figures.power_curve_figure(
        result.curve, _figure_stem(outputs_folder, "power_curve"), tuple(config.power_levels)
    )
    simulation = {f"simulation_{k}": str(v) if isinstance(v, list) else v for k, v in result.simulation.items()}
    extra = {"power": simulation, "power_curve": simulation | figure_metadata(figure["png"].stem, dict(figure))}
    yield from _write(warehouse, inputs, {"power": result.power, "power_curve": result.curve}, result.notes, extra)


assets = [
    baseline_comparability,
    pain_trajectory_model,
    pain_auc_comparison,
    secondary_outcome_comparisons,
    sensitivity_regressions,
    adverse_event_comparisons,
    confounding_robustness,
    follow_up_trial_power,
]

"""How many patients would a follow-up trial need? ``stats.power`` and ``stats.power_curve``.

Rows (``outcome``): ``pain_auc_0_30`` and the three secondary outcomes (t test,
d = effect / pooled SD), ``pain_contrast_<minute>`` for each minute and
``pain_group_average`` (z test from the pain model's variance components);
each for the ``observed`` effect (the study's unweighted estimate) and the
``target`` effect (configured: an NRS difference for the pain rows, a Cohen's d
for the others). Observed AUC and secondary-outcome effects and their SDs come
from the propensity set with the outcome present (as ``stats.weighted_effects``
with ``weighting = "none"``); the pain rows from the random-intercept model
fitted to all pain scores. The study n per arm is the mean of the two arms.
Formulas and the simulation in :mod:`power`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from mg_platform.analysis.stats import power, weighted_effects, weighting
from mg_platform.analysis.stats.arms import Arms, arm_columns
from mg_platform.analysis.stats.pain_trajectory import PainModelResult, cell_design, pain_trajectory_model
from mg_platform.analysis.stats.robustness import ROBUSTNESS_OUTCOMES, outcome_frame
from mg_platform.analysis.stats.variables import PAIN_MINUTES

OBSERVED, TARGET = "observed", "target"
DEFAULT_SEED = 20240501


@dataclass(frozen=True)
class PowerSettings:
    """Power settings; defaults are the contract's."""

    alpha: float = power.ALPHA
    levels: tuple[float, ...] = power.POWER_LEVELS
    target_nrs_difference: float = 1.0
    target_cohens_d: float = 0.5
    curve_n_per_arm: tuple[int, ...] = power.CURVE_N_PER_ARM
    n_simulations: int = 500
    seed: int = DEFAULT_SEED
    max_reml_iterations: int = 500


@dataclass(frozen=True)
class PowerResult:
    """``stats.power``, ``stats.power_curve``, the simulation record and notes."""

    power: pd.DataFrame
    curve: pd.DataFrame
    simulation: dict[str, object]
    notes: tuple[str, ...]


def level_column(level: float) -> str:
    """``n_per_arm_80`` for 0.8."""
    return f"n_per_arm_{round(level * 100)}"


@dataclass(frozen=True)
class _Row:
    outcome: str
    source: str
    test: str  # "z" (pain model) or "t"
    effect: float
    sd: float
    n_study: float
    tau2: float = float("nan")
    sigma2: float = float("nan")

    def power(self, n: float, alpha: float) -> float:
        if not (np.isfinite(self.effect) and self.sd > 0):
            return float("nan")
        if self.test == "z":
            return power.z_power(self.effect, self.sd, n, alpha)
        return power.t_power(self.effect / self.sd, n, alpha)


def _pain_rows(
    pain: pd.DataFrame, arms: Arms, settings: PowerSettings
) -> tuple[list[_Row], PainModelResult, list[str]]:
    model = pain_trajectory_model(pain, arms, max_iterations=settings.max_reml_iterations)
    notes = [f"pain model: {n}" for n in model.notes]
    if model.fit is None:
        return [], model, notes
    tau2, sigma2 = model.fit.tau2, model.fit.sigma2
    k = len(PAIN_MINUTES)
    scored = pain.dropna(subset=["nrs"])
    n_study = float(np.mean([scored.loc[scored["group"] == g, "case_key"].nunique() for g in arms.labels]))
    observed = dict(
        zip(power.pain_row_names(), [*model.contrasts["estimate"], model.contrasts["estimate"].mean()], strict=True)
    )
    rows = []
    for name in power.pain_row_names():
        sd = float(np.sqrt(tau2 + (sigma2 / k if name == "pain_group_average" else sigma2)))
        for source, effect in ((OBSERVED, observed[name]), (TARGET, settings.target_nrs_difference)):
            rows.append(_Row(name, source, "z", float(effect), sd, n_study, tau2, sigma2))
    return rows, model, notes


def _t_rows(analysis: pd.DataFrame, pain: pd.DataFrame, arms: Arms, settings: PowerSettings) -> list[_Row]:
    propensity = weighting.propensity_weights(analysis, arms)
    outcomes = outcome_frame(analysis, pain, ROBUSTNESS_OUTCOMES)
    effects = weighted_effects.weighted_effects_table(propensity, outcomes, arms, ROBUSTNESS_OUTCOMES)
    rows = []
    for r in effects[effects["weighting"] == weighting.NONE].itertuples(index=False):
        n_study = (r.n_control + r.n_mgso4) / 2
        rows.append(_Row(r.outcome, OBSERVED, "t", float(r.estimate), float(r.pooled_sd), n_study))
        rows.append(
            _Row(r.outcome, TARGET, "t", settings.target_cohens_d * float(r.pooled_sd), float(r.pooled_sd), n_study)
        )
    return rows


def simulate_pain_trials(
    model: PainModelResult, arms: Arms, settings: PowerSettings, sizes: Sequence[int]
) -> dict[int, power.SimulatedPower]:
    """Simulated power of the pain rows at each n per arm of ``sizes``, from the fitted pain model.

    The generating model is the fit's reference-arm cell means, the comparison arm shifted by
    ``settings.target_nrs_difference``, and the fit's tau^2 and sigma^2.
    """
    _, cells = cell_design(arms, PAIN_MINUTES)
    reference_means = cells[: len(PAIN_MINUTES)] @ model.fit.beta
    return {
        n: power.simulate_pain_power(
            reference_means,
            settings.target_nrs_difference,
            model.fit.tau2,
            model.fit.sigma2,
            n,
            arms,
            settings.n_simulations,
            settings.seed,
            alpha=settings.alpha,
        )
        for n in sorted(set(sizes))
    }


def _power_record(row: _Row, settings: PowerSettings) -> dict[str, object]:
    record: dict[str, object] = {
        "outcome": row.outcome,
        "effect_source": row.source,
        "test": row.test,
        "effect": row.effect,
        "sd": row.sd,
        "d": row.effect / row.sd if row.sd > 0 else float("nan"),
        "tau2": row.tau2,
        "sigma2": row.sigma2,
        "n_per_arm_study": row.n_study,
        "power_at_study_n": row.power(row.n_study, settings.alpha) if row.n_study >= 2 else float("nan"),
    }
    estimable = np.isfinite(row.power(2, settings.alpha))
    for level in settings.levels:
        needed = power.smallest_n(lambda n: row.power(n, settings.alpha), level) if estimable else None
        record[level_column(level)] = needed
    return record


def _simulated(row: _Row, n: object, simulations: dict[int, power.SimulatedPower]) -> tuple[float, float]:
    """(simulated power, MC SE) of a pain target row at n per arm; NaN where not simulated."""
    if row.test != "z" or row.source != TARGET or pd.isna(n) or int(n) not in simulations:
        return float("nan"), float("nan")
    result = simulations[int(n)]
    return result.power[row.outcome], result.mc_std_error[row.outcome]


def trial_power(
    pain: pd.DataFrame, analysis: pd.DataFrame, arms: Arms, settings: PowerSettings = PowerSettings()
) -> PowerResult:
    """``stats.power`` and ``stats.power_curve`` with the simulation check of the pain rows (target effect).

    The simulation runs at every n of the curve and at the planned n (``n_per_arm`` for the first
    power level) of each pain target row; ``power_simulated_at_n_per_arm_80`` and
    ``mc_std_error_at_n_per_arm_80`` (named after the first level) report the latter.

    Parameters
    ----------
    pain : cohort.pain_long with analysis labels.
    analysis : cohort.analysis_set with analysis labels.
    arms : analysis arms; effects are comparison - reference.
    settings : alpha, power levels, target effects, curve sizes, simulation count and seed.
    """
    pain_rows, model, notes = _pain_rows(pain, arms, settings)
    rows = [*_t_rows(analysis, pain, arms, settings), *pain_rows]
    table = pd.DataFrame([_power_record(row, settings) for row in rows])
    for level in settings.levels:
        table[level_column(level)] = table[level_column(level)].astype("Int64")
    planned_column = level_column(settings.levels[0])
    simulations: dict[int, power.SimulatedPower] = {}
    if model.fit is not None and settings.n_simulations > 0:
        is_target = (table["test"] == "z") & (table["effect_source"] == TARGET)
        planned = [int(n) for n in table.loc[is_target, planned_column].dropna()]
        simulations = simulate_pain_trials(model, arms, settings, [*settings.curve_n_per_arm, *planned])
    at_plan = [_simulated(row, n, simulations) for row, n in zip(rows, table[planned_column], strict=True)]
    table[f"power_simulated_at_{planned_column}"] = [p for p, _ in at_plan]
    table[f"mc_std_error_at_{planned_column}"] = [se for _, se in at_plan]
    curve = pd.DataFrame(
        [
            {
                "outcome": row.outcome,
                "effect_source": row.source,
                "n_per_arm": n,
                "power_analytic": row.power(n, settings.alpha),
                **dict(zip(("power_simulated", "mc_std_error"), _simulated(row, n, simulations), strict=True)),
            }
            for row in rows
            for n in settings.curve_n_per_arm
        ]
    )
    failed = sum(s.n_failed for s in simulations.values())
    if failed:
        notes.append(f"simulation: {failed} simulated trial(s) could not be fitted and were left out")
    record = {
        "n_simulations": settings.n_simulations,
        "seed": settings.seed,
        "random_stream": "numpy.random.default_rng([seed, n_per_arm])",
        "n_per_arm_simulated": sorted(simulations),
        "failed_fits": failed,
    }
    return PowerResult(
        power=table.assign(**arm_columns(arms)),
        curve=curve.assign(**arm_columns(arms)),
        simulation=record,
        notes=tuple(notes),
    )

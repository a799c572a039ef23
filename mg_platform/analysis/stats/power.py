"""Power and sample size of a two-arm follow-up trial (equal arms, two-sided alpha).

Pain contrasts (z test, from the fitted random-intercept model's variance
components tau^2 and sigma^2): SE = sqrt(2 (tau^2 + sigma^2) / n) for the
difference at one minute and sqrt(2 (tau^2 + sigma^2 / k) / n) for the group
effect averaged over the k = 5 minutes; power = Phi(|delta| / SE - z) +
Phi(-|delta| / SE - z) with z = Phi^-1(1 - alpha / 2) (both tails, so power =
alpha at delta = 0).

AUC and secondary outcomes: two-sample t test with d = effect / pooled SD,
noncentral t with df = 2n - 2 and ncp = d sqrt(n / 2), both tails, as R
``pwr::pwr.t.test(type = "two.sample", alternative = "two.sided")``.

``n_per_arm_<p>`` is the smallest integer n per arm whose power reaches p.

Simulation check: trials of n per arm are simulated from the fitted model
(reference-arm cell means of the fit, the comparison arm shifted by the
target effect at every minute, random intercepts N(0, tau^2), residuals
N(0, sigma^2), complete data) and each is refitted with the platform's own
REML model (the criterion of :func:`random_intercept_reml.fit_random_intercept_reml`,
all trials of one size at once by :func:`random_intercept_reml.fit_random_intercept_reml_batch`); power
is the share of trials whose Wald z test rejects at alpha, with Monte Carlo SE
sqrt(p (1 - p) / n_simulations). Trial n uses the random stream
``numpy.random.default_rng([seed, n])``, so a power value does not depend on
the other n simulated.

References: Chow S-C, Shao J, Wang H. Sample Size Calculations in Clinical
Research, 2nd ed. 2008, ch. 3; Champely S. pwr: Basic Functions for Power
Analysis (R); Green P, MacLeod CJ. simr: power analysis for generalised
linear mixed models by simulation. Methods Ecol Evol 2016;7:493-8.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from scipy import stats

from mg_platform.analysis.stats.arms import Arms
from mg_platform.analysis.stats.pain_trajectory import cell_design, design_matrix, joint_hypotheses
from mg_platform.analysis.stats.random_intercept_reml import ModelFitError, fit_random_intercept_reml_batch
from mg_platform.analysis.stats.variables import PAIN_MINUTES

ALPHA = 0.05
POWER_LEVELS = (0.8, 0.9)
CURVE_N_PER_ARM = tuple(range(10, 201, 10))
MAX_N_PER_ARM = 10_000_000


def z_power(effect: float, sd: float, n_per_arm: float, alpha: float = ALPHA) -> float:
    """Two-sided z-test power for a difference ``effect`` between two arms of ``n_per_arm``, unit SD ``sd``."""
    se = sd * np.sqrt(2.0 / n_per_arm)
    z = stats.norm.isf(alpha / 2)
    shift = abs(effect) / se
    return float(stats.norm.cdf(shift - z) + stats.norm.cdf(-shift - z))


def t_power(d: float, n_per_arm: float, alpha: float = ALPHA) -> float:
    """Two-sided two-sample t-test power (``pwr.t.test``): noncentral t, df = 2n - 2, ncp = d sqrt(n / 2)."""
    df = 2.0 * n_per_arm - 2.0
    ncp = abs(d) * np.sqrt(n_per_arm / 2.0)
    q = stats.t.isf(alpha / 2, df)
    return float(stats.nct.sf(q, df, ncp) + stats.nct.cdf(-q, df, ncp))


def smallest_n(power: Callable[[float], float], target: float, start: int = 2) -> int | None:
    """Smallest integer n >= ``start`` with power(n) >= target (power increasing in n); None if beyond the cap."""
    if power(start) >= target:
        return start
    high = start
    while power(high) < target:
        if high >= MAX_N_PER_ARM:
            return None
        high = min(2 * high, MAX_N_PER_ARM)
    low = high // 2 if high > start else start
    while high - low > 1:
        middle = (low + high) // 2
        low, high = (low, middle) if power(middle) >= target else (middle, high)
    return high


@dataclass(frozen=True)
class SimulatedPower:
    """Rejection rates per pain row (``pain_contrast_<minute>``, ``pain_group_average``) at one n per arm."""

    n_per_arm: int
    power: dict[str, float]
    mc_std_error: dict[str, float]
    n_simulations: int
    n_failed: int


def pain_row_names(minutes: Sequence[int] = PAIN_MINUTES) -> list[str]:
    """Power-table names of the pain rows: one per minute, then the time-averaged group effect."""
    return [f"pain_contrast_{m}" for m in minutes] + ["pain_group_average"]


def simulate_pain_power(
    reference_means: np.ndarray,
    effect: float,
    tau2: float,
    sigma2: float,
    n_per_arm: int,
    arms: Arms,
    n_simulations: int,
    seed: int,
    alpha: float = ALPHA,
    minutes: Sequence[int] = PAIN_MINUTES,
) -> SimulatedPower:
    """Power of the per-minute contrasts and the averaged group effect by refitting simulated trials.

    Parameters
    ----------
    reference_means : reference-arm mean NRS at each minute (the fitted model's cell means).
    effect : comparison - reference difference added at every minute (NRS points).
    tau2, sigma2 : random-intercept and residual variances of the generating model.
    n_per_arm : cases per arm; every case has all ``minutes``.
    n_simulations, seed : number of simulated trials and the seed (stream ``[seed, n_per_arm]``).
    """
    minutes = tuple(int(m) for m in minutes)
    k = len(minutes)
    _, rows = cell_design(arms, minutes)
    tests = np.vstack([rows[k:] - rows[:k], joint_hypotheses(rows, k)["group"]])
    groups = np.repeat(np.array(arms.labels), n_per_arm * k)
    minute = np.tile(np.array(minutes), 2 * n_per_arm)
    x = design_matrix(groups, minute, arms, minutes)
    cluster = np.repeat(np.arange(2 * n_per_arm), k)
    mean = np.tile(np.asarray(reference_means, dtype=float), 2 * n_per_arm) + effect * (groups == arms.comparison)
    rng = np.random.default_rng([seed, n_per_arm])
    intercepts = np.repeat(rng.normal(0.0, np.sqrt(tau2), (2 * n_per_arm, n_simulations)), k, axis=0)
    ys = mean[:, None] + intercepts + rng.normal(0.0, np.sqrt(sigma2), (len(mean), n_simulations))
    try:
        fit = fit_random_intercept_reml_batch(x, ys, cluster)
        estimate = fit.beta @ tests.T
        se = np.sqrt(np.einsum("ij,sjk,ik->si", tests, fit.cov_beta, tests))
    except (ModelFitError, np.linalg.LinAlgError):
        estimate = se = np.full((n_simulations, len(tests)), np.nan)
    usable = np.isfinite(se).all(axis=1) & (se > 0).all(axis=1)
    used = int(usable.sum())
    failed = n_simulations - used
    rejections = (np.abs(estimate[usable] / se[usable]) > stats.norm.isf(alpha / 2)).sum(axis=0)
    names = pain_row_names(minutes)
    power = rejections / used if used else np.full(len(tests), np.nan)
    mc_se = np.sqrt(power * (1 - power) / used) if used else np.full(len(tests), np.nan)
    return SimulatedPower(
        n_per_arm=n_per_arm,
        power=dict(zip(names, power.tolist(), strict=True)),
        mc_std_error=dict(zip(names, mc_se.tolist(), strict=True)),
        n_simulations=n_simulations,
        n_failed=failed,
    )

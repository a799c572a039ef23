"""Robustness tables and the power simulation on the demo cohort: timings and the REML per-fit time.

Usage: python benchmarks/stats_power_simulation.py [--simulations 500] [--seed 20240501] [--curve]

Lands the default demo cohort in a temporary data dir and materialises the
cohort tables (selection ``+group:cohort``), then times on
the in-memory frames:

- the confounding tables (propensity, balance, weighted effects, E-values,
  benchmarks) plus the analytic power tables (issue target: under 10 s);
- the simulation check at the planned trial size: ``--simulations`` trials of
  n per arm = the analytic n for 80 % power to detect the target NRS
  difference at 30 min, each refitted with the platform's REML model (issue
  target: 500 trials under 60 s on the 2-core machine), with the per-fit time of the
  batched refits and of one single fit (``fit_random_intercept_reml``) of the demo model;
- with ``--curve``, the default power curve simulation (n = 10..200, 20 sizes).

Prints the analytic and simulated power at the planned size with its Monte
Carlo SE.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import duckdb

from mg_platform.analysis.demo_cohort import generate_cohort, write_landing
from mg_platform.analysis.stats import power
from mg_platform.analysis.stats.arms import study_arms
from mg_platform.analysis.stats.pain_trajectory import design_matrix, pain_trajectory_model
from mg_platform.analysis.stats.random_intercept_reml import fit_random_intercept_reml
from mg_platform.analysis.stats.robustness import confounding_robustness
from mg_platform.analysis.stats.trial_power import PowerSettings, simulate_pain_trials, trial_power
from mg_platform.analysis.stats.variables import PAIN_MINUTES
from mg_platform.runner import materialize_all, quiet_api_maturity_warnings

SINGLE_FITS = 50


def _cohort_frames(root: Path):
    quiet_api_maturity_warnings()
    write_landing(generate_cohort(), root / "landing")
    outcome = materialize_all(selection="+group:cohort", data_dir=root)
    if outcome.failures:
        raise SystemExit(f"materialisation failed: {outcome.failures}")
    with duckdb.connect(str(root / "warehouse.duckdb"), read_only=True) as conn:
        analysis = conn.execute("SELECT * FROM cohort.analysis_set ORDER BY case_key").fetchdf()
        pain = conn.execute("SELECT * FROM cohort.pain_long ORDER BY case_key, minute").fetchdf()
    return analysis, pain


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--simulations", type=int, default=500)
    parser.add_argument("--seed", type=int, default=20240501)
    parser.add_argument("--curve", action="store_true", help="also time the default power-curve simulation")
    args = parser.parse_args()
    arms = study_arms()
    with tempfile.TemporaryDirectory() as tmp:
        analysis, pain = _cohort_frames(Path(tmp))
    print(f"demo cohort: {len(analysis)} cases, {len(pain)} pain scores")

    start = time.perf_counter()
    confounding_robustness(analysis, pain, arms)
    analytic = trial_power(pain, analysis, arms, PowerSettings(n_simulations=0))
    print(f"robustness tables + analytic power: {time.perf_counter() - start:.2f} s")

    row = analytic.power.set_index(["outcome", "effect_source"]).loc[("pain_contrast_30", "target")]
    planned = int(row["n_per_arm_80"])
    settings = PowerSettings(n_simulations=args.simulations, seed=args.seed)
    model = pain_trajectory_model(pain, arms)
    start = time.perf_counter()
    simulated = simulate_pain_trials(model, arms, settings, [planned])[planned]
    elapsed = time.perf_counter() - start
    print(
        f"simulation at the planned size (n = {planned} per arm, {args.simulations} trials, seed {args.seed}): "
        f"{elapsed:.1f} s, {1000 * elapsed / args.simulations:.1f} ms per REML fit"
    )
    x = design_matrix(pain["group"].to_numpy(), pain["minute"].to_numpy(), arms, PAIN_MINUTES)
    y, cases = pain["nrs"].to_numpy(float), pain["case_key"].to_numpy()
    start = time.perf_counter()
    for _ in range(SINGLE_FITS):
        fit_random_intercept_reml(x, y, cases)
    single = (time.perf_counter() - start) / SINGLE_FITS
    print(f"one single REML fit of the demo pain model (fit_random_intercept_reml): {1000 * single:.1f} ms")
    analytic_power = power.z_power(1.0, row["sd"], planned)
    print(
        f"power at 30 min for a 1-point difference: analytic {analytic_power:.3f}, simulated "
        f"{simulated.power['pain_contrast_30']:.3f} (MC SE {simulated.mc_std_error['pain_contrast_30']:.3f})"
    )
    if args.curve:
        start = time.perf_counter()
        trial_power(pain, analysis, arms, settings)
        print(
            f"default power curve with simulation (20 sizes x {args.simulations}): {time.perf_counter() - start:.1f} s"
        )


if __name__ == "__main__":
    main()

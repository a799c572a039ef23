"""Power and sample size against R pwr / the lmer variance components, invariants, and the simulation check."""

from __future__ import annotations

from functools import cache

import numpy as np
import pytest
from stats_r_values import fixture_frames, r_robustness_values

from mg_platform.analysis.stats import power
from mg_platform.analysis.stats.arms import study_arms
from mg_platform.analysis.stats.trial_power import PowerSettings, trial_power

# lme4 and the platform's REML agree on the variance components to ~1e-6 relative.
LMM_TOL = 1e-5


@cache
def fixture_power():
    analysis, pain = fixture_frames()
    return trial_power(pain, analysis, study_arms(), PowerSettings(n_simulations=0))


def test_t_power_matches_pwr():
    r = r_robustness_values()
    assert power.t_power(0.5, 64) == pytest.approx(r["pwr:d0.5:n64"], abs=1e-10)
    assert power.t_power(0.0, 20) == pytest.approx(0.05, abs=1e-12)
    n = power.smallest_n(lambda n: power.t_power(0.5, n), 0.8)
    assert n == int(np.ceil(r["pwr:d0.5:power0.8:n"])) == 64


def test_power_table_matches_r():
    r = r_robustness_values()
    table = fixture_power().power
    assert len(table) == 2 * (4 + 6)
    for row in table.itertuples():
        key = f"{row.outcome}:{row.effect_source}"
        tol = LMM_TOL if row.test == "z" else 1e-8
        assert row.power_at_study_n == pytest.approx(r[f"power_study:{key}"], rel=tol), key
        assert row.n_per_arm_80 == r[f"n80:{key}"], key
        assert row.n_per_arm_90 == r[f"n90:{key}"], key
        if row.test == "z":
            assert row.sd == pytest.approx(r[f"power_sd:{key}"], rel=LMM_TOL)
    curve = fixture_power().curve.set_index(["outcome", "effect_source", "n_per_arm"])
    assert len(curve) == len(table) * 20
    for outcome in ("pain_auc_0_30", "extubation_time_min"):
        for source in ("observed", "target"):
            for n in (10, 50, 200):
                expected = r[f"power_curve:{outcome}:{source}:{n}"]
                assert curve.loc[(outcome, source, n), "power_analytic"] == pytest.approx(expected, rel=1e-8)


def test_power_invariants():
    curve = fixture_power().curve
    for _, rows in curve.groupby(["outcome", "effect_source"]):
        assert np.all(np.diff(rows["power_analytic"].to_numpy()) >= -1e-12)
    for n in (5, 40, 300):
        assert power.z_power(0.0, 1.3, n, alpha=0.05) == pytest.approx(0.05, abs=1e-12)
        assert power.t_power(0.0, n, alpha=0.01) == pytest.approx(0.01, abs=1e-10)
    table = fixture_power().power
    assert (table["n_per_arm_90"] >= table["n_per_arm_80"]).all()
    for row in table.itertuples():
        n80 = row.n_per_arm_80
        powered = (
            (lambda n, r=row: power.z_power(r.effect, r.sd, n))
            if row.test == "z"
            else (lambda n, r=row: power.t_power(r.d, n))
        )
        assert powered(n80) >= 0.8 > powered(n80 - 1) or n80 == 2


def test_simulated_power_agrees_with_analytic_within_3_mc_se():
    """Refit the platform's REML model on 100 simulated trials per n (the full 500 run in the e2e test)."""
    analysis, pain = fixture_frames()
    settings = PowerSettings(n_simulations=100, curve_n_per_arm=(10, 30))
    result = trial_power(pain, analysis, study_arms(), settings)
    simulated = result.curve.dropna(subset=["power_simulated"])
    assert set(simulated["outcome"]) == {f"pain_contrast_{m}" for m in (0, 5, 10, 15, 30)} | {"pain_group_average"}
    assert set(simulated["effect_source"]) == {"target"}
    analytic = simulated["power_analytic"].to_numpy()
    mc_se = np.sqrt(analytic * (1 - analytic) / settings.n_simulations)
    assert np.all(np.abs(simulated["power_simulated"].to_numpy() - analytic) <= 3 * mc_se)
    planned = result.power[(result.power["effect_source"] == "target") & (result.power["test"] == "z")]
    assert planned["power_simulated_at_n_per_arm_80"].between(0.8 - 3 * 0.04, 0.8 + 0.1 + 3 * 0.04).all()
    assert result.simulation["n_simulations"] == 100 and result.simulation["failed_fits"] == 0

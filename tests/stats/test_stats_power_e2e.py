"""The full simulation check (default config: 500 REML refits per n, n = 10..200) through the Dagster asset."""

from __future__ import annotations

import dagster as dg
import numpy as np
import pytest
from scipy import stats
from stats_r_values import fixture_frames

from mg_platform.analysis.stats import power
from mg_platform.assets.stats import RobustnessConfig, follow_up_trial_power
from mg_platform.resources.bundle import default_resources


@pytest.mark.e2e
def test_full_simulation_agrees_with_analytic_power(tmp_path):
    resources = default_resources(tmp_path)
    analysis, pain = fixture_frames()
    resources["warehouse"].replace_tables({"cohort.analysis_set": analysis, "cohort.pain_long": pain})
    resources["pseudonymiser"].key(create=True)  # the key a raw load would have created (arm codes derive from it)
    config = RobustnessConfig()
    result = dg.materialize(
        [follow_up_trial_power],
        resources=resources,
        run_config=dg.RunConfig(ops={follow_up_trial_power.op.name: config}),
    )
    assert result.success
    curve = resources["warehouse"].query_df("SELECT * FROM stats.power_curve")
    table = resources["warehouse"].query_df("SELECT * FROM stats.power")
    simulated = curve.dropna(subset=["power_simulated"])
    assert len(simulated) == 6 * 20 and (simulated["effect_source"] == "target").all()
    # The whole curve (120 points, powers up to ~1 where an MC SE is ~0): exact binomial test of
    # each simulated count against the analytic power, 5 % family-wise (Bonferroni).
    p_values = [
        stats.binomtest(round(r.power_simulated * config.n_simulations), config.n_simulations, r.power_analytic).pvalue
        for r in simulated.itertuples()
    ]
    assert min(p_values) >= 0.05 / len(simulated), simulated.assign(p=p_values).sort_values("p").head()
    planned = table[(table["effect_source"] == "target") & (table["test"] == "z")]
    assert len(planned) == 6
    for row in planned.itertuples():
        # At the planned trial size (the analytic n for 80 %): within 3 Monte Carlo SE.
        analytic = power.z_power(row.effect, row.sd, row.n_per_arm_80)
        mc_se = np.sqrt(analytic * (1 - analytic) / config.n_simulations)
        assert abs(row.power_simulated_at_n_per_arm_80 - analytic) <= 3 * mc_se, row
    meta = result.asset_materializations_for_node("follow_up_trial_power")[0].metadata
    assert meta["simulation_n_simulations"].value == 500 and meta["simulation_seed"].value == config.simulation_seed

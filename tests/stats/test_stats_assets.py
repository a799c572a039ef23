"""Materialise the stats assets on a tmp warehouse holding a synthetic cohort."""

from __future__ import annotations

import dagster as dg
import numpy as np
import pytest
from stats_synthetic_cohort import synthetic_cohort

from mg_platform.assets.stats import RobustnessConfig, StatsConfig, assets
from mg_platform.resources.bundle import default_resources
from mg_platform.resources.run_settings import Blinding

CONTRACT_COLUMNS = {
    "baseline": {"variable", "level", "control_summary", "mgso4_summary", "test", "p_value", "smd"},
    "assumptions": {"outcome", "group", "shapiro_w", "shapiro_p", "levene_p"},
    "pain_lmm_fixed": {"term", "estimate", "std_error", "statistic", "p_value", "ci_low", "ci_high"},
    "pain_lmm_tests": {"effect", "statistic", "df", "p_value"},
    "pain_emmeans": {"group", "minute", "emmean", "std_error", "ci_low", "ci_high"},
    "pain_contrasts": {"minute", "estimate", "std_error", "ci_low", "ci_high", "p_value", "p_holm"},
    "pain_auc": {"n_control", "n_mgso4", "mean_control", "mean_mgso4", "mean_difference", "ci_low", "ci_high"}
    | {"test", "p_value"},
    "secondary_outcomes": {"outcome", "test", "mean_control", "sd_control", "mean_mgso4", "sd_mgso4"}
    | {"median_control", "iqr_control", "median_mgso4", "iqr_mgso4", "mean_difference", "ci_low", "ci_high"}
    | {"statistic", "p_value", "cohens_d", "n_control", "n_mgso4"},
    "sensitivity_regression": {"outcome", "term", "estimate", "std_error", "ci_low", "ci_high", "p_value", "n"},
    "adverse_events": {"event", "n_control", "n_mgso4", "test", "p_value"},
    "propensity": {"case_key", "group", "propensity", "weight_overlap", "weight_iptw"},
    "balance": {"variable", "level", "weighting", "smd", "variance_ratio"},
    "weighting_summary": {"weighting", "group", "n", "effective_n", "min_weight", "max_weight"},
    "weighted_effects": {"outcome", "weighting", "estimate", "std_error", "ci_low", "ci_high", "p_value", "n"},
    "evalues": {"outcome", "weighting", "d", "d_std_error", "rr", "rr_ci_low", "rr_ci_high", "evalue_estimate"}
    | {"evalue_ci", "sentence"},
    "evalue_benchmarks": {"outcome", "variable", "level", "evalue_scale", "is_strongest", "sentence"},
    "robustness_estimates": {"outcome", "estimator", "estimate", "ci_low", "ci_high"},
    "power": {"outcome", "effect_source", "effect", "sd", "power_at_study_n", "n_per_arm_80", "n_per_arm_90"},
    "power_curve": {"outcome", "effect_source", "n_per_arm", "power_analytic", "power_simulated", "mc_std_error"},
}
FIGURES = ("pain_trajectory", "secondary_outcomes_forest")
PNG_FIGURES = ("love_plot", "robustness_forest", "power_curve")
ROBUSTNESS_OPS = {"confounding_robustness", "follow_up_trial_power"}
# A quick simulation for make test; the full 500 trials per n run in the e2e test.
QUICK_POWER = {"n_simulations": 5, "curve_n_per_arm": [10, 20, 40]}


@pytest.fixture(scope="module")
def resources(tmp_path_factory):
    root = tmp_path_factory.mktemp("stats_wh")
    resources = default_resources(root)
    analysis, pain = synthetic_cohort(n_control=30, n_mgso4=1, seed=7)
    analysis_big, pain_big = synthetic_cohort(n_control=35, n_mgso4=33, seed=11)
    resources["warehouse"].replace_tables({"cohort.analysis_set": analysis_big, "cohort.pain_long": pain_big})
    resources["pseudonymiser"].key(create=True)  # the key a raw load would have created (arm codes derive from it)
    return resources, root, (analysis, pain)


def _run(resources, blinded: bool, robustness: bool = True, **settings):
    config = StatsConfig(**settings)
    robust = RobustnessConfig(**settings, **QUICK_POWER)
    chosen = [a for a in assets if robustness or a.op.name not in ROBUSTNESS_OPS]
    run_config = dg.RunConfig(ops={a.op.name: robust if a.op.name in ROBUSTNESS_OPS else config for a in chosen})
    return dg.materialize(chosen, resources={**resources, "blinding": Blinding(blinded=blinded)}, run_config=run_config)


def _tables(warehouse):
    return {name: warehouse.query_df(f"SELECT * FROM stats.{name}") for name in CONTRACT_COLUMNS}


def test_materialize_unblinded_then_blinded(resources):
    res, root, _ = resources
    result = _run(res, blinded=False)
    assert result.success
    tables = _tables(res["warehouse"])
    for name, columns in CONTRACT_COLUMNS.items():
        assert columns <= set(tables[name].columns), name
        assert len(tables[name]) > 0, name
    assert set(tables["pain_emmeans"]["group"]) == {"Control", "MgSO4"}
    assert "group[T.MgSO4]:C(minute)[T.30]" in set(tables["pain_lmm_fixed"]["term"])
    assert list(tables["pain_lmm_tests"]["effect"]) == ["group", "time", "group:time"]
    materialization = result.asset_materializations_for_node("pain_trajectory_model")
    emm = next(m for m in materialization if m.asset_key.path[-1] == "pain_emmeans").metadata
    assert emm["blinded"].value is False and "unblinded_arm_codes" in emm
    assert emm["pain_trajectory"].value.startswith("![pain_trajectory](data:image/png;base64,")
    for stem in FIGURES:
        for ext in ("png", "svg"):
            assert (root / "outputs" / "stats" / f"{stem}.{ext}").stat().st_size > 1000
    for stem in PNG_FIGURES:
        assert (root / "outputs" / "stats" / f"{stem}.png").stat().st_size > 1000
    svg = (root / "outputs" / "stats" / "pain_trajectory.svg").read_bytes()

    assert _run(res, blinded=False).success  # deterministic re-materialisation
    again = _tables(res["warehouse"])
    for name in CONTRACT_COLUMNS:
        assert again[name].equals(tables[name]), name
    assert (root / "outputs" / "stats" / "pain_trajectory.svg").read_bytes() == svg

    blinded_result = _run(res, blinded=True)
    blinded = _tables(res["warehouse"])
    assert set(blinded["pain_emmeans"]["group"]) == {"A", "B"}
    assert "group[T.B]" in set(blinded["pain_lmm_fixed"]["term"])
    assert set(blinded["secondary_outcomes"]["reference_arm"]) == {"A"}
    control_is_a = blinded["pain_auc"]["n_control"].iloc[0] == tables["pain_auc"]["n_control"].iloc[0]
    sign = 1.0 if control_is_a else -1.0
    np.testing.assert_allclose(blinded["pain_contrasts"]["estimate"], sign * tables["pain_contrasts"]["estimate"])
    meta = blinded_result.asset_materializations_for_node("adverse_event_comparisons")[0].metadata
    assert meta["blinded"].value is True and "unblinded_arm_codes" not in meta
    assert (root / "outputs" / "stats" / "pain_trajectory.svg").read_bytes() != svg  # A/B labels now
    expected = [f"{stem}.{ext}" for stem in FIGURES for ext in ("png", "svg")] + [f"{s}.png" for s in PNG_FIGURES]
    assert sorted(p.name for p in (root / "outputs" / "stats").iterdir()) == sorted(expected)
    assert set(blinded["propensity"]["group"]) == {"A", "B"}
    assert not blinded["evalues"]["sentence"].str.contains("MgSO4").any()


def test_small_arm_still_materialises_with_notes(resources):
    res, _, (analysis, pain) = resources
    res["warehouse"].replace_tables({"cohort.analysis_set": analysis, "cohort.pain_long": pain})
    result = _run(res, blinded=False)
    assert result.success
    secondary = res["warehouse"].query_df("SELECT * FROM stats.secondary_outcomes")
    assert (secondary["test"] == "not_tested").all()
    assert secondary["note"].str.contains("fewer than two").all()
    assert len(res["warehouse"].query_df("SELECT * FROM stats.pain_emmeans")) == 10
    propensity = res["warehouse"].query_df("SELECT * FROM stats.propensity")
    assert "separation" in propensity["note"].iloc[0] and propensity["weight_overlap"].isna().all()
    effects = res["warehouse"].query_df("SELECT * FROM stats.weighted_effects")
    assert set(effects["weighting"]) == {"none"} and (effects["n_mgso4"] <= 1).all()
    assert len(res["warehouse"].query_df("SELECT * FROM stats.power")) == 20


def test_degenerate_outcomes_and_non_convergence_are_reported(resources):
    res, _, _ = resources
    analysis, pain = synthetic_cohort(n_control=25, n_mgso4=24, seed=5)
    analysis["extubation_time_min"] = 6.0
    analysis["time_to_mobilization_min"] = float("nan")
    res["warehouse"].replace_tables({"cohort.analysis_set": analysis, "cohort.pain_long": pain})
    result = _run(res, blinded=False, robustness=False, max_reml_iterations=1)
    assert result.success
    secondary = res["warehouse"].query_df("SELECT * FROM stats.secondary_outcomes").set_index("outcome")
    assert "no variance" in secondary.loc["extubation_time_min", "note"]
    assert "fewer than two" in secondary.loc["time_to_mobilization_min", "note"]
    assert secondary.loc["remifentanil_total_ug", "p_value"] > 0
    fixed = res["warehouse"].query_df("SELECT * FROM stats.pain_lmm_fixed")
    assert fixed["note"].str.contains("did not converge").all()
    notes = result.asset_materializations_for_node("pain_trajectory_model")[0].metadata["notes"].value
    assert "did not converge" in notes


def test_definitions_load(tmp_path):
    dg.Definitions.validate_loadable(dg.Definitions(assets=assets, resources=default_resources(tmp_path)))

"""Propensity weights, balance, weighted effects and E-values against R (glm, survey::svyglm) and invariants."""

from __future__ import annotations

from functools import cache

import numpy as np
import pandas as pd
import pytest
from stats_r_values import fixture_frames, r_robustness_values
from stats_synthetic_cohort import synthetic_cohort

from mg_platform.analysis.stats import evalues
from mg_platform.analysis.stats.arms import blinded_arms, study_arms
from mg_platform.analysis.stats.covariates import covariate_columns
from mg_platform.analysis.stats.robustness import confounding_robustness
from mg_platform.analysis.stats.weighting import propensity_weights

OUTCOMES = ("pain_auc_0_30", "remifentanil_total_ug", "extubation_time_min", "time_to_mobilization_min")
# glm's IRLS stops at a relative deviance change of 1e-8: fitted probabilities agree to ~1e-7.
GLM_TOL = 1e-6


@cache
def fixture_result():
    analysis, pain = fixture_frames()
    return confounding_robustness(analysis, pain, study_arms())


def test_propensity_and_weights_match_r_glm():
    r = r_robustness_values()
    tables = fixture_result().tables
    propensity = tables["propensity"]
    assert len(propensity) == r["propensity:n"]
    expected = np.array([r[f"propensity:{k}"] for k in propensity["case_key"]])
    np.testing.assert_allclose(propensity["propensity"], expected, atol=GLM_TOL)
    treated = propensity["group"] == "MgSO4"
    np.testing.assert_allclose(propensity["weight_overlap"], np.where(treated, 1 - expected, expected), atol=GLM_TOL)
    np.testing.assert_allclose(
        propensity["weight_iptw"], np.where(treated, 1 / expected, 1 / (1 - expected)), rtol=1e-5
    )
    summary = tables["weighting_summary"].set_index(["weighting", "group"])
    for (weighting, group), row in summary.iterrows():
        assert row["effective_n"] == pytest.approx(r[f"ess:{weighting}:{group}"], rel=1e-5)
        assert row["sum_weight"] == pytest.approx(r[f"weight_sum:{weighting}:{group}"], rel=1e-5)
        assert row["max_weight"] == pytest.approx(r[f"weight_max:{weighting}:{group}"], rel=1e-5)
    assert "dropped preop_analgesic: constant (NSAID)" in fixture_result().notes


def test_balance_matches_cobalt_convention_computed_in_r():
    r = r_robustness_values()
    balance = fixture_result().tables["balance"]
    assert set(balance["weighting"]) == {"none", "overlap", "iptw"}
    checked = 0
    for row in balance.itertuples():
        name = row.variable if pd.isna(row.level) else f"{row.variable}={row.level}"
        assert row.smd == pytest.approx(r[f"smd:{name}:{row.weighting}"], abs=1e-6), (name, row.weighting)
        if pd.isna(row.level):
            assert row.variance_ratio == pytest.approx(r[f"variance_ratio:{name}:{row.weighting}"], rel=1e-5)
        else:
            assert np.isnan(row.variance_ratio)
        checked += 1
    assert checked == sum(k.startswith("smd:") for k in r)
    assert {"1", "2"} <= set(balance.loc[balance["variable"] == "asa_class", "level"])


def test_weighted_effects_match_survey_svyglm():
    r = r_robustness_values()
    effects = fixture_result().tables["weighted_effects"]
    assert len(effects) == len(OUTCOMES) * 3
    for row in effects.itertuples():
        key = f"{row.outcome}:{row.weighting}"
        tol = 1e-8 if row.weighting == "none" else 1e-5  # weighted rows inherit the glm tolerance
        assert row.estimate == pytest.approx(r[f"svy_estimate:{key}"], rel=tol, abs=tol)
        assert row.std_error == pytest.approx(r[f"svy_se:{key}"], rel=tol)
        assert row.ci_low == pytest.approx(r[f"svy_ci_low:{key}"], rel=tol, abs=tol)
        assert row.ci_high == pytest.approx(r[f"svy_ci_high:{key}"], rel=tol, abs=tol)
        assert row.p_value == pytest.approx(r[f"svy_p:{key}"], rel=1e-4, abs=1e-9)
        assert row.df == r[f"svy_df:{key}"]
        assert row.n == r[f"n:{row.outcome}"]
        assert row.pooled_sd == pytest.approx(r[f"pooled_sd:{row.outcome}"], rel=1e-10)


def test_evalues_match_the_evalues_md_formula():
    r = r_robustness_values()
    table = fixture_result().tables["evalues"]
    for row in table.itertuples():
        key = f"{row.outcome}:{row.weighting}"
        assert row.evalue_estimate == pytest.approx(r[f"evalue:{key}"], rel=1e-5)
        assert row.evalue_ci == pytest.approx(r[f"evalue_ci:{key}"], rel=1e-5)
        assert row.rr_ci_low == pytest.approx(r[f"rr_ci_low:{key}"], rel=1e-5)
        assert "risk ratio of" in row.sentence and "MgSO4 use" in row.sentence


def test_published_evalue_examples():
    # VanderWeele and Ding (2017), Ann Intern Med: RR 3.9 (CI 1.8 to 8.7) -> E-values 7.26 and 3.0.
    assert evalues.evalue(3.9) == pytest.approx(7.26, abs=0.005)
    assert evalues.evalue_ci(3.9, 1.8, 8.7) == pytest.approx(3.0, abs=1e-12)  # 1.8 + sqrt(1.8 * 0.8) = 3
    assert evalues.evalue(1 / 3.9) == pytest.approx(evalues.evalue(3.9))
    assert evalues.evalue_ci(0.8, 0.6, 1.1) == 1.0
    # evalues.MD(est = 0.5, se = 0.2) by hand: RR = exp(0.455), lower limit exp(0.455 - 0.356).
    md = evalues.md_evalues(0.5, 0.2, 1.0)
    rr, low = np.exp(0.455), np.exp(0.099)
    assert md["rr"] == pytest.approx(rr) and md["rr_ci_low"] == pytest.approx(low)
    assert md["evalue_estimate"] == pytest.approx(rr + np.sqrt(rr * (rr - 1)))
    assert md["evalue_ci"] == pytest.approx(low + np.sqrt(low * (low - 1)))


def test_benchmarks_and_four_estimates_per_outcome():
    tables = fixture_result().tables
    benchmarks = tables["evalue_benchmarks"]
    assert set(benchmarks["outcome"]) == set(OUTCOMES)
    assert benchmarks.groupby("outcome")["is_strongest"].sum().eq(1).all()
    assert {"age_years", "sex", "disc_level", "asa_class"} <= set(benchmarks["variable"])
    assert not benchmarks["sentence"].str.contains("nan").any()
    continuous = benchmarks[benchmarks["variable"] == "age_years"].iloc[0]
    assert "strongest measured covariate, age_years," in evalues.benchmark_sentence("x", "MgSO4 use", continuous, 2.0)
    row = benchmarks.iloc[0]
    factor = row.rr_exposure * row.rr_outcome / (row.rr_exposure + row.rr_outcome - 1)
    assert row.evalue_scale == pytest.approx(factor + np.sqrt(factor * (factor - 1)))
    estimates = tables["robustness_estimates"]
    assert estimates.groupby("outcome")["estimator"].apply(list).map(len).eq(4).all()
    sensitivity = tables["weighted_effects"].set_index(["outcome", "weighting"])
    unadjusted = estimates[estimates["estimator"] == "unadjusted"].set_index("outcome")["estimate"]
    assert unadjusted["extubation_time_min"] == sensitivity.loc[("extubation_time_min", "none"), "estimate"]


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5])
def test_weighting_invariants(seed):
    """Overlap weights: equal sums per arm and exact mean balance of every model term (Li et al. 2018)."""
    analysis, pain = synthetic_cohort(n_control=30, n_mgso4=26, seed=seed)
    result = propensity_weights(analysis, study_arms())
    assert result.weighted
    cases, table = result.cases, result.table
    treated = (cases["group"] == "MgSO4").to_numpy()
    for name in ("weight_overlap", "weight_iptw"):
        assert (table[name] > 0).all()
    w = table["weight_overlap"].to_numpy()
    assert w[treated].sum() == pytest.approx(w[~treated].sum(), rel=1e-6)
    design = covariate_columns(cases, result.covariates)[[t for t in result.terms if t != "Intercept"]]
    for column in design.columns:
        x = design[column].to_numpy()
        diff = np.average(x[treated], weights=w[treated]) - np.average(x[~treated], weights=w[~treated])
        assert diff == pytest.approx(0.0, abs=1e-6 * max(1.0, np.abs(x).max())), column
    tables = confounding_robustness(analysis, pain, study_arms()).tables
    summary = tables["weighting_summary"]
    assert (summary["effective_n"] <= summary["n"] + 1e-9).all()
    overlap = tables["balance"][tables["balance"]["weighting"] == "overlap"]
    assert overlap.loc[overlap["level"].isna(), "smd"].abs().max() < 1e-6


def test_separation_gives_a_note_and_no_weights():
    analysis, pain = synthetic_cohort(n_control=20, n_mgso4=20, seed=9)
    analysis["surgery_duration_min"] = np.where(analysis["group"] == "MgSO4", 120.0, 60.0) + np.arange(40) % 3
    result = confounding_robustness(analysis, pain, study_arms())
    assert any("separation" in n or "did not converge" in n for n in result.notes)
    assert result.tables["propensity"]["weight_overlap"].isna().all()
    assert set(result.tables["weighted_effects"]["weighting"]) == {"none"}
    assert set(result.tables["balance"]["weighting"]) == {"none"}
    assert result.tables["evalues"]["evalue_estimate"].notna().all()


def test_constant_and_collinear_covariates_are_dropped_with_notes():
    analysis, pain = synthetic_cohort(n_control=30, n_mgso4=30, seed=4)
    analysis = analysis.assign(bmi=2.0 * analysis["age_years"] + 1.0, asa_class=1)
    analysis.loc[3, "preop_analgesic"] = None
    result = propensity_weights(analysis, study_arms())
    assert "bmi" not in result.terms and "age_years" in result.terms
    assert "dropped bmi: collinear with earlier terms" in result.notes
    assert "dropped asa_class: constant (1)" in result.notes
    assert "dropped preop_analgesic: constant (NSAID)" in result.notes
    assert (
        result.weighted
        and len(result.cases)
        == analysis.dropna(subset=["preop_nrs", "symptom_duration_months", "preop_analgesic"]).shape[0]
    )


def test_blinded_codes_the_arms_and_flips_the_sign():
    analysis, pain = fixture_frames()
    key = b"k1"
    arms = blinded_arms(key)
    tables = confounding_robustness(arms.relabel(analysis), arms.relabel(pain), arms).tables
    assert set(tables["propensity"]["group"]) == {"A", "B"}
    sign = 1.0 if dict(arms.mapping)["Control"] == "A" else -1.0
    unblinded = fixture_result().tables["weighted_effects"]
    np.testing.assert_allclose(tables["weighted_effects"]["estimate"], sign * unblinded["estimate"], rtol=1e-5)
    np.testing.assert_allclose(
        tables["evalues"]["evalue_estimate"], fixture_result().tables["evalues"]["evalue_estimate"], rtol=1e-5
    )
    assert "assignment to arm B" in tables["evalues"]["sentence"].iloc[0]
    assert not tables["evalues"]["sentence"].str.contains("MgSO4").any()


def test_no_complete_case_is_reported_not_raised():
    analysis, pain = synthetic_cohort(n_control=10, n_mgso4=10, seed=3)
    analysis["bmi"] = np.nan
    result = confounding_robustness(analysis, pain, study_arms())
    assert "no case is complete over the covariates" in result.notes
    assert result.tables["propensity"].empty and result.tables["evalue_benchmarks"].empty
    assert result.tables["evalues"]["sentence"].str.contains("no E-value could be computed").all()

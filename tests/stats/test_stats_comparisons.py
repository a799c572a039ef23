"""Two-group comparisons, SMD, contingency tests and adverse events against R and hand values."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from stats_r_values import fixture_frames, r_values

from mg_platform.analysis.stats.adverse_events import adverse_event_table
from mg_platform.analysis.stats.arms import blinded_arms, study_arms
from mg_platform.analysis.stats.baseline import baseline_and_assumptions
from mg_platform.analysis.stats.contingency import fisher_exact_p, fisher_test
from mg_platform.analysis.stats.pain_auc import pain_auc_comparison
from mg_platform.analysis.stats.secondary_outcomes import compare_outcomes
from mg_platform.analysis.stats.smd import smd_categorical
from mg_platform.analysis.stats.two_group import compare_two_groups

TOL = 1e-6
R_TEST = {"student_t": ("student_t", "student_p"), "welch_t": ("welch_t", "welch_p")}


def _check_against_r(name: str, row: pd.Series) -> None:
    r = r_values()
    assert row["n_control"] == r[f"{name}:n_control"] and row["n_mgso4"] == r[f"{name}:n_mgso4"]
    assert row["mean_control"] == pytest.approx(r[f"{name}:mean_control"], abs=TOL)
    assert row["sd_mgso4"] == pytest.approx(r[f"{name}:sd_mgso4"], abs=TOL)
    assert row["median_mgso4"] == pytest.approx(r[f"{name}:median_mgso4"], abs=TOL)
    assert row["iqr_control"] == pytest.approx(r[f"{name}:iqr_control"], abs=TOL)
    assert row["levene_p"] == pytest.approx(r[f"{name}:levene_p"], abs=TOL)
    assert row["cohens_d"] == pytest.approx(r[f"{name}:cohens_d"], abs=TOL)
    normal = r[f"{name}:shapiro_p_control"] > 0.05 and r[f"{name}:shapiro_p_mgso4"] > 0.05
    expected = ("student_t" if r[f"{name}:levene_p"] >= 0.05 else "welch_t") if normal else "mann_whitney_u"
    assert row["test"] == expected
    if expected == "mann_whitney_u":
        assert row["statistic"] == pytest.approx(r[f"{name}:mann_whitney_u"], abs=TOL)
        assert row["p_value"] == pytest.approx(r[f"{name}:mann_whitney_p"], abs=TOL)
        ci = (r[f"{name}:welch_ci_low"], r[f"{name}:welch_ci_high"])
    else:
        stat, p = R_TEST[expected]
        assert row["statistic"] == pytest.approx(r[f"{name}:{stat}"], abs=TOL)
        assert row["p_value"] == pytest.approx(r[f"{name}:{p}"], abs=TOL)
        prefix = "student" if expected == "student_t" else "welch"
        ci = (r[f"{name}:{prefix}_ci_low"], r[f"{name}:{prefix}_ci_high"])
    assert (row["ci_low"], row["ci_high"]) == pytest.approx(ci, abs=TOL)


def test_secondary_outcomes_and_auc_match_r():
    analysis, pain = fixture_frames()
    table = compare_outcomes(analysis, study_arms()).table.set_index("outcome")
    assert set(table["test"]) >= {"mann_whitney_u"} and len(set(table["test"])) >= 2
    for outcome, row in table.iterrows():
        _check_against_r(outcome, row)
    auc = pain_auc_comparison(pain, study_arms()).table.iloc[0]
    _check_against_r("pain_auc_0_30", auc)


def test_every_branch_of_the_rule_against_r():
    r = r_values()
    analysis, _ = fixture_frames()
    for name in ("age_years", "bmi", "remifentanil_total_ug"):
        ref = analysis.loc[analysis["group"] == "Control", name]
        cmp = analysis.loc[analysis["group"] == "MgSO4", name]
        result = compare_two_groups(ref, cmp)
        assert result.reference.shapiro_w == pytest.approx(r[f"{name}:shapiro_w_control"], abs=TOL)
        assert result.comparison.shapiro_p == pytest.approx(r[f"{name}:shapiro_p_mgso4"], abs=TOL)
        # force each test by the rule's inputs: Student/Welch CIs must equal R's t.test.
        for var_equal, prefix in ((True, "student"), (False, "welch")):
            t = stats.ttest_ind(cmp, ref, equal_var=var_equal)
            assert t.pvalue == pytest.approx(r[f"{name}:{prefix}_p"], abs=TOL)


def test_cohens_d_ci_is_hedges_olkin():
    rng = np.random.default_rng(0)
    ref, cmp = rng.normal(0, 1, 20), rng.normal(0.5, 1, 25)
    result = compare_two_groups(ref, cmp)
    d = result.cohens_d
    se = np.sqrt(45 / (20 * 25) + d**2 / 90)
    assert (result.cohens_d_ci_low, result.cohens_d_ci_high) == pytest.approx((d - 1.959964 * se, d + 1.959964 * se))


def test_edge_cases_give_notes_not_errors():
    one = compare_two_groups([5.0], [1.0, 2.0, 3.0])
    assert one.test == "not_tested" and np.isnan(one.p_value) and "fewer than two" in one.note
    flat = compare_two_groups([2.0, 2.0, 2.0], [2.0, 2.0])
    assert flat.test == "not_tested" and "no variance" in flat.note
    missing = compare_two_groups([1.0, np.nan, 3.0, 4.0, 2.5], [2.0, 5.0, np.nan, 4.0])
    assert (missing.reference.n, missing.reference.n_missing, missing.comparison.n) == (4, 1, 3)


def test_fisher_and_chi_square_match_r():
    r = r_values()
    analysis, _ = fixture_frames()
    for variable in ("sex", "asa_class", "disc_level", "ae_hemodynamic_instability", "ae_delayed_nm_recovery"):
        table = pd.crosstab(analysis[variable], analysis["group"]).to_numpy()
        assert fisher_exact_p(table) == pytest.approx(r[f"{variable}:fisher_p"], abs=1e-8)
    assert fisher_exact_p([[6, 1], [2, 4]]) == pytest.approx(stats.fisher_exact([[6, 2], [1, 4]]).pvalue)


def test_baseline_rows_tests_and_smd():
    r = r_values()
    analysis, pain = fixture_frames()
    result = baseline_and_assumptions(analysis, pain, study_arms())
    base = result.baseline
    disc = base[base["variable"] == "disc_level"]
    assert list(disc["level"]) == ["L3-L4", "L4-L5", "L5-S1"]
    counts = pd.crosstab(analysis["disc_level"], analysis["group"]).to_numpy()
    small = (np.outer(counts.sum(1), counts.sum(0)) / counts.sum() < 5).any()
    assert small and disc["test"].iloc[0] == "fisher_exact"
    assert disc["p_value"].iloc[0] == pytest.approx(r["disc_level:fisher_p"], abs=1e-8)
    sex = base[base["variable"] == "sex"].iloc[0]
    assert sex["test"] == "chi_square" and sex["p_value"] == pytest.approx(r["sex:chisq_p"], abs=1e-8)
    # binary SMD by the two-proportion formula
    p = analysis.groupby("group")["sex"].apply(lambda s: (s == "M").mean())
    binary = abs(p["MgSO4"] - p["Control"]) / np.sqrt(
        (p["MgSO4"] * (1 - p["MgSO4"]) + p["Control"] * (1 - p["Control"])) / 2
    )
    assert sex["smd"] == pytest.approx(binary)
    age = base[base["variable"] == "age_years"].iloc[0]
    a = analysis.groupby("group")["age_years"]
    assert age["smd"] == pytest.approx(abs(a.mean().diff().iloc[-1]) / np.sqrt(a.var().mean()))
    assert (base["imbalanced"] == (base["smd"].abs() >= 0.1)).all()
    assert base.loc[base["variable"] == "preop_analgesic", "test"].iloc[0] == "not_tested"
    assumptions = result.assumptions
    assert set(assumptions["outcome"]) >= {"pain_auc_0_30", "remifentanil_total_ug", "age_years"}
    assert (assumptions["levene_center"] == "median").all()
    assert assumptions.groupby("outcome").size().eq(2).all()


def test_yang_dalton_smd_by_hand():
    ref, cmp = np.array([50, 30, 20]), np.array([40, 40, 20])
    p1, p2 = np.array([0.3, 0.2]), np.array([0.4, 0.2])
    s = (np.array([[0.21, -0.06], [-0.06, 0.16]]) + np.array([[0.24, -0.08], [-0.08, 0.16]])) / 2
    expected = np.sqrt((p2 - p1) @ np.linalg.inv(s) @ (p2 - p1))
    assert smd_categorical(ref, cmp) == pytest.approx(expected)
    assert smd_categorical([70, 30], [60, 40]) == pytest.approx(0.1 / np.sqrt((0.21 + 0.24) / 2))


def test_adverse_events_and_blinded_labels():
    r = r_values()
    analysis, _ = fixture_frames()
    table = adverse_event_table(analysis, study_arms()).set_index("event")
    row = table.loc["ae_hemodynamic_instability"]
    assert row["p_value"] == pytest.approx(r["ae_hemodynamic_instability:fisher_p"], abs=1e-8)
    assert row["n_control"] == analysis.loc[analysis["group"] == "Control", "ae_hemodynamic_instability"].sum()
    arms = blinded_arms(b"some key")
    blinded = adverse_event_table(arms.relabel(analysis), arms)
    assert set(blinded["reference_arm"]) == {"A"} and set(blinded["comparison_arm"]) == {"B"}
    np.testing.assert_allclose(blinded["p_value"], table["p_value"].to_numpy())
    assert "mgso4_bolus_mg_per_kg" not in arms.relabel(analysis).columns


def test_large_tables_fall_back_to_seeded_monte_carlo():
    table = np.array([[3, 1], [4000, 4100], [3900, 3950]])
    exact = fisher_exact_p(table)
    p, note = fisher_test(table, max_tables=1000)
    assert "Monte Carlo" in note and "seed" in note
    assert p == pytest.approx(exact, abs=0.01)
    assert fisher_test(table, max_tables=1000) == (p, note)
    big = np.array([[40_000, 39_000], [60_000, 61_000]])
    assert fisher_exact_p(big) == pytest.approx(stats.fisher_exact(big).pvalue, rel=1e-6)

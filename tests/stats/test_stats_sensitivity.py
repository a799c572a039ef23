"""Sensitivity OLS against R's lm, and dropping of constant or collinear covariates."""

from __future__ import annotations

import numpy as np
import pytest
from stats_r_values import fixture_frames, r_robustness_values, r_values

from mg_platform.analysis.stats.arms import study_arms
from mg_platform.analysis.stats.sensitivity_regression import sensitivity_regressions


def test_ols_matches_r_lm_with_contract_term_names():
    r = r_values()
    analysis, pain = fixture_frames()
    table = sensitivity_regressions(analysis, study_arms(), ["extubation_time_min", "pain_auc_0_30"], pain=pain).table
    rows = table[table["outcome"] == "extubation_time_min"].set_index("term")
    assert rows["n"].iloc[0] == r["ols:n"]
    group = rows.loc["group[T.MgSO4]"]
    assert group["estimate"] == pytest.approx(r["ols:group_estimate"], abs=1e-8)
    assert group["std_error"] == pytest.approx(r["ols:group_se"], abs=1e-8)
    assert group["p_value"] == pytest.approx(r["ols:group_p"], abs=1e-8)
    assert group["ci_low"] == pytest.approx(r["ols:group_ci_low"], abs=1e-8)
    assert rows.loc["disc_level[T.L5-S1]", "estimate"] == pytest.approx(r["ols:disc_level_L5-S1_estimate"], abs=1e-8)
    assert rows.loc["C(asa_class)[T.2]", "estimate"] == pytest.approx(r["ols:asa_2_estimate"], abs=1e-8)
    assert {"sex[T.M]", "Intercept", "preop_nrs"} <= set(rows.index)
    assert "dropped preop_analgesic: constant (NSAID)" in rows["note"].iloc[0]
    assert (table["outcome"] == "pain_auc_0_30").any()


def test_constant_and_collinear_covariates_are_dropped_with_notes():
    analysis, _ = fixture_frames()
    analysis = analysis.assign(
        bmi=2.0 * analysis["age_years"] + 1.0,
        preop_analgesic=np.where(np.arange(len(analysis)) % 3 == 0, "opioid", "NSAID"),
        asa_class=1,
    )
    result = sensitivity_regressions(analysis, study_arms(), ["remifentanil_total_ug"])
    terms = set(result.table["term"])
    assert "bmi" not in terms and "age_years" in terms and "preop_analgesic[T.opioid]" in terms
    note = result.table["note"].iloc[0]
    assert "dropped bmi: collinear" in note and "dropped asa_class: constant (1)" in note
    assert result.table["estimate"].notna().all()


def test_single_arm_outcome_is_reported_not_raised():
    analysis, _ = fixture_frames()
    only_control = analysis[analysis["group"] == "Control"]
    result = sensitivity_regressions(only_control, study_arms(), ["extubation_time_min"])
    assert result.table["estimate"].isna().all()
    assert "not estimable" in result.table["note"].iloc[0]


def test_preop_analgesic_enters_with_the_level_first_alphabetically_as_reference():
    """Against R's lm with factor(): reference "none" (before "NSAID" and "opioid", case-insensitive)."""
    r = r_robustness_values()
    analysis, _ = fixture_frames()
    analysis["preop_analgesic"] = np.array(["NSAID", "none", "opioid"])[np.arange(len(analysis)) % 3]
    table = sensitivity_regressions(analysis, study_arms(), ["extubation_time_min"]).table.set_index("term")
    assert r["analgesic_ols:reference_is_none"] == 1
    assert table.loc["group[T.MgSO4]", "estimate"] == pytest.approx(r["analgesic_ols:group"], abs=1e-8)
    assert table.loc["preop_analgesic[T.NSAID]", "estimate"] == pytest.approx(r["analgesic_ols:NSAID"], abs=1e-8)
    assert table.loc["preop_analgesic[T.opioid]", "estimate"] == pytest.approx(r["analgesic_ols:opioid"], abs=1e-8)
    assert table["n"].iloc[0] == r["analgesic_ols:n"]

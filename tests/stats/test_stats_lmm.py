"""The pain mixed model against lme4 + emmeans (recorded fixture) and its edge cases."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from stats_r_values import fixture_frames, r_values

from mg_platform.analysis.stats.arms import blinded_arms, study_arms
from mg_platform.analysis.stats.pain_trajectory import design_matrix, pain_trajectory_model
from mg_platform.analysis.stats.random_intercept_reml import fit_random_intercept_reml, fit_random_intercept_reml_batch
from mg_platform.analysis.stats.variables import PAIN_MINUTES

TOL = 1e-4
# Precision of one REML fit, from its convergence: the criterion is flat at its optimum (curvature about 32 per
# unit (log gamma)^2 on this fixture), so its floating-point noise (~1e-13) leaves log gamma determined to about
# sqrt(2e-13 / 32) ~ 1e-7, whatever xatol asks. Shifting the optimum by d moves the Wald statistics by 0.61 d
# (relative) and the contrasts by 0.02 d (absolute), measured by shifting scipy's optimum. Two fits of the same
# data in another label order may stop anywhere in that window, so they agree to ~1e-7 relative, not to 1e-8.
REFIT_RTOL = 1e-6
REFIT_ATOL = 1e-7


@pytest.fixture(scope="module")
def fitted():
    _, pain = fixture_frames()
    return pain_trajectory_model(pain, study_arms())


def test_fixed_effects_and_variances_match_lme4(fitted):
    r = r_values()
    for row in fitted.fixed.itertuples():
        assert row.estimate == pytest.approx(r[f"estimate:{row.term}"], abs=TOL)
        assert row.std_error == pytest.approx(r[f"std_error:{row.term}"], abs=TOL)
    assert fitted.fit.tau2 == pytest.approx(r["variance:case_key"], abs=TOL)
    assert fitted.fit.sigma2 == pytest.approx(r["variance:residual"], abs=TOL)
    assert fitted.fit.reml_criterion == pytest.approx(r["reml_criterion"], abs=TOL)
    assert fitted.fit.converged and not fitted.fit.boundary


def test_emmeans_contrasts_and_joint_tests_match_emmeans(fitted):
    r = r_values()
    for row in fitted.emmeans.itertuples():
        key = f"{row.group}:{row.minute}"
        assert row.emmean == pytest.approx(r[f"emmean:{key}"], abs=TOL)
        assert row.std_error == pytest.approx(r[f"emmean_se:{key}"], abs=TOL)
        assert row.ci_low == pytest.approx(r[f"emmean_ci_low:{key}"], abs=TOL)
        assert row.ci_high == pytest.approx(r[f"emmean_ci_high:{key}"], abs=TOL)
    for row in fitted.contrasts.itertuples():
        m = row.minute
        assert row.estimate == pytest.approx(r[f"contrast:{m}"], abs=TOL)
        assert row.std_error == pytest.approx(r[f"contrast_se:{m}"], abs=TOL)
        assert (row.ci_low, row.ci_high) == pytest.approx(
            (r[f"contrast_ci_low:{m}"], r[f"contrast_ci_high:{m}"]), abs=TOL
        )
        assert row.p_value == pytest.approx(r[f"contrast_p:{m}"], abs=TOL)
        assert row.p_holm == pytest.approx(r[f"contrast_p_holm:{m}"], abs=TOL)
    for row in fitted.tests.itertuples():
        assert row.statistic == pytest.approx(r[f"chisq:{row.effect}"], abs=TOL)
        assert row.df == r[f"chisq_df:{row.effect}"]
        assert row.p_value == pytest.approx(r[f"chisq_p:{row.effect}"], abs=TOL)
        assert row.p_value == pytest.approx(r[f"joint_tests_p:{row.effect}"], abs=TOL)


def test_blinded_model_is_the_same_fit_relabelled(fitted):
    _, pain = fixture_frames()
    for key in (b"k1", b"k2", b"k3", b"k4"):
        arms = blinded_arms(key)
        blinded = pain_trajectory_model(arms.relabel(pain), arms)
        assert blinded.fixed["term"].tolist()[1] == "group[T.B]"
        assert set(blinded.emmeans["group"]) == {"A", "B"}
        sign = 1.0 if dict(arms.mapping)["Control"] == "A" else -1.0
        np.testing.assert_allclose(blinded.contrasts["estimate"], sign * fitted.contrasts["estimate"], atol=REFIT_ATOL)
        np.testing.assert_allclose(blinded.tests["statistic"], fitted.tests["statistic"], rtol=REFIT_RTOL)
        assert blinded.fit.reml_criterion == pytest.approx(fitted.fit.reml_criterion, abs=1e-8)


def test_boundary_fit_equals_ols():
    # Negative within-case correlation: the REML variance ratio sits at 0 and GLS is OLS.
    rng = np.random.default_rng(3)
    rows = []
    for case in range(30):
        shift = rng.normal()
        for t, minute in enumerate(PAIN_MINUTES):
            rows.append(
                (f"c{case}", "MgSO4" if case % 2 else "Control", minute, shift * (-1) ** t + rng.normal(0, 0.1))
            )
    pain = pd.DataFrame(rows, columns=["case_key", "group", "minute", "nrs"])
    result = pain_trajectory_model(pain, study_arms())
    assert result.fit.boundary and result.fit.tau2 == 0.0
    x = design_matrix(pain["group"].to_numpy(), pain["minute"].to_numpy(), study_arms(), PAIN_MINUTES)
    ols = sm.OLS(pain["nrs"].to_numpy(), x).fit()
    np.testing.assert_allclose(result.fixed["estimate"], ols.params, atol=1e-10)
    np.testing.assert_allclose(result.fixed["std_error"], ols.bse, rtol=1e-8)
    assert "singular" in result.fixed["note"].iloc[0]


def test_non_convergence_and_empty_cell_are_reported_not_raised():
    _, pain = fixture_frames()
    capped = pain_trajectory_model(pain, study_arms(), max_iterations=1)
    assert "did not converge" in capped.fixed["note"].iloc[0]
    assert capped.fixed["estimate"].notna().all()
    no_late_mgso4 = pain[~((pain["group"] == "MgSO4") & (pain["minute"] == 30))]
    empty = pain_trajectory_model(no_late_mgso4, study_arms())
    assert empty.fit is None
    assert "rank deficient" in empty.tests["note"].iloc[0]
    assert len(empty.emmeans) == 10 and empty.emmeans["emmean"].isna().all()


def test_reml_criterion_is_minimised_at_the_estimate():
    _, pain = fixture_frames()
    x = design_matrix(pain["group"].to_numpy(), pain["minute"].to_numpy(), study_arms(), PAIN_MINUTES)
    fit = fit_random_intercept_reml(x, pain["nrs"].to_numpy(float), pain["case_key"].to_numpy())
    from mg_platform.analysis.stats.random_intercept_reml import _moments, _solve_at

    m = _moments(x, pain["nrs"].to_numpy(float), pain["case_key"].to_numpy())
    for factor in (0.9, 1.1):
        assert _solve_at(m, fit.gamma * factor)[0] > fit.reml_criterion


def test_satterthwaite_columns_match_lmertest_and_emmeans(fitted):
    r = r_values()
    for row in fitted.fixed.itertuples():
        assert row.df_satterthwaite == pytest.approx(r[f"df_satterthwaite:{row.term}"], abs=TOL)
        assert row.p_satterthwaite == pytest.approx(r[f"p_satterthwaite:{row.term}"], abs=TOL)
    for row in fitted.contrasts.itertuples():
        assert row.df_satterthwaite == pytest.approx(r[f"contrast_df_satterthwaite:{row.minute}"], abs=TOL)
        assert row.p_satterthwaite == pytest.approx(r[f"contrast_p_satterthwaite:{row.minute}"], abs=TOL)


def test_batch_fit_is_the_single_fit_for_every_response():
    """The simulation's batched REML equals the single fit (lme4-checked) on the fixture and on 60 random responses."""
    r = r_values()
    _, pain = fixture_frames()
    arms = study_arms()
    x = design_matrix(pain["group"].to_numpy(), pain["minute"].to_numpy(), arms, PAIN_MINUTES)
    rng = np.random.default_rng(8)
    cases = pain["case_key"].to_numpy()
    _, index = np.unique(cases, return_inverse=True)
    # Random intercepts switched off in a third of the responses: about half of those fits sit at gamma = 0.
    scale = np.where(np.arange(60) % 3 == 0, 0.0, 1.0)
    noise = rng.normal(0, 1.0, (index.max() + 1, 60))[index] * scale + rng.normal(0, 1.1, (len(pain), 60))
    ys = np.column_stack([pain["nrs"].to_numpy(float), (x @ rng.normal(0, 1, x.shape[1]))[:, None] + noise[:, :59]])
    batch = fit_random_intercept_reml_batch(x, ys, cases)
    assert batch.tau2[0] == pytest.approx(r["variance:case_key"], abs=TOL)
    assert batch.sigma2[0] == pytest.approx(r["variance:residual"], abs=TOL)
    assert batch.reml_criterion[0] == pytest.approx(r["reml_criterion"], abs=TOL)
    for s in range(ys.shape[1]):
        single = fit_random_intercept_reml(x, ys[:, s], cases)
        assert batch.boundary[s] == single.boundary
        assert batch.reml_criterion[s] == pytest.approx(single.reml_criterion, abs=1e-8)
        # Both optimisers stop within ~1e-8 of the optimum in log(gamma).
        np.testing.assert_allclose(batch.beta[s], single.beta, atol=1e-7)
        np.testing.assert_allclose(batch.cov_beta[s], single.cov_beta, rtol=1e-6, atol=1e-10)
        # Near gamma = 0 the criterion is flat in log(gamma): tau^2 agrees to 1e-6 of sigma^2.
        assert batch.tau2[s] == pytest.approx(single.tau2, rel=1e-6, abs=1e-6 * single.sigma2)
    assert batch.boundary.any() and not batch.boundary.all()

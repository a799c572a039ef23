"""The default demo cohort tells the paper's story; ``effect="strong"`` tells a positive one.

Expectations are the paper's qualitative findings (Discussion and Conclusions): pain rises over the
30 PACU minutes in both groups; MgSO4 shows modest, non-significant trends towards lower pain and
lower remifentanil; no group x time interaction and no significant Holm-corrected contrast. They are
checked with statsmodels' own MixedLM and scipy on the generated records, filtered by a plain pandas
reading of the eligibility criteria (independent of the platform's SQL models and REML code).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.formula.api as smf
from scipy import stats
from statsmodels.stats.multitest import multipletests

from mg_platform.analysis.demo_cohort import generate_cohort

MINUTES = (0, 5, 10, 15, 30)


def _eligible(records: pd.DataFrame) -> pd.DataFrame:
    clearance = records["creatinine_clearance_ml_min"]
    keep = (
        records["age_years"].between(18, 70)
        & (records["asa_class"] <= 2)
        & records["elective"]
        & (records["levels_operated"] == 1)
        & (records["procedure"] == "lumbar microdiscectomy")
        & (clearance.isna() | (clearance >= 30))
        & (records["chronic_opioid_use_months"] <= 3)
        & ~records[
            [
                "neuromuscular_disorder",
                "pregnant",
                "repeat_spinal_surgery",
                "av_block_or_arrhythmia",
                "interacting_medication",
                "contraindication_morphine_mgso4",
            ]
        ].any(axis=1)
    )
    out = records[keep].copy()
    out["group"] = np.where(out["mgso4_administered"], "MgSO4", "Control")
    return out


def _story(effect: str) -> dict[str, object]:
    cohort = generate_cohort(effect=effect)
    included = _eligible(cohort.records)
    pain = cohort.pain.merge(included[["case_id", "group"]], on="case_id")
    fit = smf.mixedlm("nrs ~ C(group, Treatment('Control')) * C(minute)", pain, groups=pain["case_id"]).fit(reml=True)
    group = "C(group, Treatment('Control'))[T.MgSO4]"
    names = list(fit.params.index)
    interaction = [n for n in names if n.startswith(group + ":")]
    wald = fit.wald_test(np.eye(len(names))[[names.index(n) for n in interaction]], scalar=True)
    cov = fit.cov_params()
    contrasts, p_values = [], []
    for minute in MINUTES:
        terms = [group] + ([f"{group}:C(minute)[T.{minute}]"] if minute else [])
        weights = pd.Series(0.0, index=cov.index)
        weights[terms] = 1.0
        estimate = float(weights @ fit.params[cov.index])
        se = float(np.sqrt(weights @ cov @ weights))
        contrasts.append(estimate)
        p_values.append(2 * stats.norm.sf(abs(estimate / se)))
    means = pain.groupby(["group", "minute"])["nrs"].mean().unstack()
    remi = [included.loc[included["group"] == g, "remifentanil_total_ug"] for g in ("MgSO4", "Control")]
    return {
        "groups": included["group"].value_counts().to_dict(),
        "means": means,
        "contrasts": np.array(contrasts),
        "p_holm": multipletests(p_values, method="holm")[1],
        "interaction_p": float(wald.pvalue),
        "remifentanil_difference": float(remi[0].mean() - remi[1].mean()),
        "remifentanil_p": float(stats.ttest_ind(*remi).pvalue),
    }


def test_default_cohort_reproduces_the_papers_findings():
    story = _story("paper")
    assert story["groups"] == {"Control": 19, "MgSO4": 19}
    means = story["means"]
    for group in ("Control", "MgSO4"):
        assert means.loc[group, 30] > means.loc[group, 0] + 1.5, "pain rises over the 30 PACU minutes"
    assert (story["contrasts"] < 0).sum() >= 4, "a trend towards lower pain with MgSO4"
    assert np.all(story["p_holm"] > 0.05), "no Holm-corrected contrast is significant"
    assert story["interaction_p"] > 0.05, "no group x time interaction"
    assert story["remifentanil_difference"] < 0 and story["remifentanil_p"] > 0.05


def test_strong_option_gives_a_positive_study_from_the_same_draws():
    story = _story("strong")
    assert story["groups"] == {"Control": 19, "MgSO4": 19}
    assert np.all(story["contrasts"] < 0) and np.any(story["p_holm"] < 0.05)
    assert story["remifentanil_p"] < 0.05 and story["remifentanil_difference"] < -50
    paper, strong = generate_cohort(), generate_cohort(effect="strong")
    assert paper.records["case_id"].equals(strong.records["case_id"])
    assert paper.truth["excluded_by_reason"] == strong.truth["excluded_by_reason"]
    assert (paper.truth["effect"], strong.truth["effect"]) == ("paper", "strong")


def test_unknown_effect_is_refused():
    with pytest.raises(ValueError, match="paper, strong"):
        generate_cohort(effect="huge")

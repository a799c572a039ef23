"""Hand-written warehouse tables (contract columns, a few rows each) for the report's tests.

Values are chosen so that the expected sentences and flags can be written down by hand: the pain
contrast at 30 min is the issue's example (-0.80, 95 % CI -1.53 to -0.07, Holm p = 0.031).
"""

from __future__ import annotations

import pandas as pd

MINUTES = (0, 5, 10, 15, 30)


def _arms(frame: pd.DataFrame, blinded: bool) -> pd.DataFrame:
    ref, cmp = ("A", "B") if blinded else ("Control", "MgSO4")
    out = frame.copy()
    out["reference_arm"], out["comparison_arm"] = ref, cmp
    return out


def stats_tables(blinded: bool = False) -> dict[str, pd.DataFrame]:
    ref, cmp = ("A", "B") if blinded else ("Control", "MgSO4")
    baseline = pd.DataFrame(
        {
            "variable": ["age_years", "bmi", "sex", "sex", "asa_class", "asa_class"],
            "level": [None, None, "F", "M", "1", "2"],
            "control_summary": ["53.0 (42.5–62.0)", "26.8 ± 2.8", "6 (31.6%)", "13 (68.4%)", "8 (42.1%)", "11 (57.9%)"],
            "mgso4_summary": ["40.0 (31.0–56.0)", "26.7 ± 2.4", "8 (42.1%)", "11 (57.9%)", "9 (47.4%)", "10 (52.6%)"],
            "summary_type": ["median_iqr", "mean_sd", "n_pct", "n_pct", "n_pct", "n_pct"],
            "n_control": [19, 19, 19, 19, 19, 19],
            "n_mgso4": [19, 18, 19, 19, 19, 19],
            "test": ["mann_whitney_u", "student_t", "chi_square", "chi_square", "chi_square", "chi_square"],
            "p_value": [0.0772, 0.870, 0.501, 0.501, 0.744, 0.744],
            "smd": [0.627, 0.053, 0.2195, 0.2195, 0.106, 0.106],
            "imbalanced": [True, False, True, True, True, True],
        }
    )
    assumptions = pd.DataFrame(
        {
            "outcome": ["age_years", "age_years"],
            "group": [ref, cmp],
            "n": [19, 19],
            "shapiro_w": [0.874, 0.938],
            "shapiro_p": [0.0171, 0.243],
            "levene_p": [0.492, 0.492],
            "test": ["mann_whitney_u", "mann_whitney_u"],
        }
    )
    emmeans = pd.DataFrame(
        [
            {"group": g, "minute": m, "emmean": base + 0.5 * i, "std_error": 0.26}
            for g, base in ((ref, 2.6), (cmp, 2.2))
            for i, m in enumerate(MINUTES)
        ]
    )
    emmeans["ci_low"], emmeans["ci_high"] = emmeans["emmean"] - 0.51, emmeans["emmean"] + 0.51
    contrasts = pd.DataFrame(
        {
            "minute": list(MINUTES),
            "estimate": [-0.40, -0.42, -0.45, -0.60, -0.80],
            "std_error": [0.37] * 5,
            "ci_low": [-1.13, -1.15, -1.18, -1.33, -1.53],
            "ci_high": [0.33, 0.31, 0.28, 0.13, -0.07],
            "p_value": [0.28, 0.26, 0.22, 0.11, 0.0062],
            "p_holm": [0.56, 0.56, 0.56, 0.33, 0.031],
        }
    )
    tests = pd.DataFrame(
        {
            "effect": ["group", "time", "group:time"],
            "statistic": [1.9, 262.24, 2.71],
            "df": [1, 4, 4],
            "p_value": [0.168, 1.5e-55, 0.607],
        }
    )
    fixed = pd.DataFrame(
        {
            "term": ["Intercept", f"group[T.{cmp}]", "C(minute)[T.30]", f"group[T.{cmp}]:C(minute)[T.30]"],
            "estimate": [2.6, -0.4, 2.4, -0.4],
            "std_error": [0.26, 0.37, 0.28, 0.39],
            "statistic": [10.1, -1.08, 8.6, -1.03],
            "p_value": [3.7e-24, 0.28, 1.2e-17, 0.30],
            "ci_low": [2.1, -1.13, 1.85, -1.16],
            "ci_high": [3.1, 0.33, 2.95, 0.36],
        }
    )
    two_group = {
        "n_control": 14,
        "n_mgso4": 14,
        "mean_control": 129.3,
        "sd_control": 22.1,
        "mean_mgso4": 117.9,
        "sd_mgso4": 30.8,
        "median_control": 128.8,
        "q1_control": 113.8,
        "q3_control": 149.4,
        "iqr_control": 35.6,
        "median_mgso4": 118.0,
        "q1_mgso4": 100.0,
        "q3_mgso4": 140.0,
        "iqr_mgso4": 40.0,
    }
    auc = pd.DataFrame(
        [
            {
                "outcome": "pain_auc_0_30",
                **two_group,
                "mean_difference": -11.4,
                "ci_low": -32.3,
                "ci_high": 9.4,
                "test": "student_t",
                "statistic": -1.13,
                "p_value": 0.270,
                "cohens_d": -0.43,
                "cohens_d_ci_low": -1.18,
                "cohens_d_ci_high": 0.32,
            }
        ]
    )
    secondary = pd.DataFrame(
        {
            "outcome": ["remifentanil_total_ug", "extubation_time_min", "time_to_mobilization_min"],
            "test": ["student_t", "mann_whitney_u", "welch_t"],
            "n_control": [19, 19, 19],
            "n_mgso4": [19, 19, 19],
            "mean_control": [725.4, 7.0, 186.2],
            "sd_control": [133.9, 2.6, 29.6],
            "mean_mgso4": [648.0, 6.8, 189.5],
            "sd_mgso4": [135.3, 1.9, 28.4],
            "median_control": [713.2, 6.5, 186.0],
            "q1_control": [644.5, 5.3, 171.0],
            "q3_control": [824.6, 8.35, 208.0],
            "iqr_control": [180.1, 3.05, 37.0],
            "median_mgso4": [652.1, 6.5, 190.0],
            "q1_mgso4": [592.7, 5.55, 180.0],
            "q3_mgso4": [742.9, 8.0, 201.5],
            "iqr_mgso4": [150.2, 2.45, 21.5],
            "mean_difference": [-77.4, -0.14, 3.3],
            "ci_low": [-166.0, -1.63, -15.8],
            "ci_high": [11.1, 1.36, 22.3],
            "statistic": [-1.77, 170.0, 0.35],
            "p_value": [0.0847, 0.854, 0.731],
            "cohens_d": [-0.575, -0.06, 0.11],
            "cohens_d_ci_low": [-1.22, -0.70, -0.52],
            "cohens_d_ci_high": [0.07, 0.58, 0.75],
        }
    )
    sensitivity = pd.DataFrame(
        {
            "outcome": ["remifentanil_total_ug", "remifentanil_total_ug", "pain_auc_0_30"],
            "term": [f"group[T.{cmp}]", "age_years", f"group[T.{cmp}]"],
            "estimate": [-37.9, 2.4, 1.36],
            "std_error": [58.4, 2.1, 11.1],
            "ci_low": [-159.0, -1.9, -22.2],
            "ci_high": [83.3, 6.7, 24.9],
            "p_value": [0.523, 0.255, 0.904],
            "n": [34, 34, 27],
            "note": ["dropped preop_analgesic: constant (NSAID)"] * 3,
        }
    )
    events = pd.DataFrame(
        {
            "event": ["ae_hemodynamic_instability", "ae_arrhythmia"],
            "n_control": [1, 0],
            "n_mgso4": [3, 2],
            "total_control": [19, 19],
            "total_mgso4": [19, 19],
            "test": ["fisher_exact", "fisher_exact"],
            "p_value": [0.604, 0.486],
        }
    )
    tables = {
        "stats.baseline": baseline,
        "stats.assumptions": assumptions,
        "stats.pain_emmeans": emmeans,
        "stats.pain_contrasts": contrasts,
        "stats.pain_lmm_tests": tests,
        "stats.pain_lmm_fixed": fixed,
        "stats.pain_auc": auc,
        "stats.secondary_outcomes": secondary,
        "stats.sensitivity_regression": sensitivity,
        "stats.adverse_events": events,
    }
    arm_tables = ("stats.baseline", "stats.pain_contrasts", "stats.pain_auc", "stats.secondary_outcomes")
    arm_tables += ("stats.sensitivity_regression", "stats.adverse_events")
    return {name: _arms(frame, blinded) if name in arm_tables else frame for name, frame in tables.items()}


def robustness_tables() -> dict[str, pd.DataFrame]:
    outcomes = ["pain_auc_0_30", "remifentanil_total_ug"]
    effects = pd.DataFrame(
        [
            {
                "outcome": o,
                "weighting": w,
                "estimate": e,
                "std_error": 20.0,
                "ci_low": e - 40,
                "ci_high": e + 40,
                "p_value": 0.3,
                "n": 34,
            }
            for o in outcomes
            for w, e in (("none", -10.0), ("overlap", -8.0), ("iptw", -7.0))
        ]
    )
    evalues = effects[["outcome", "weighting"]].assign(
        d=-0.3, d_std_error=0.33, rr=0.76, rr_ci_low=0.4, rr_ci_high=1.4, evalue_estimate=1.96, evalue_ci=1.0
    )
    evalues["sentence"] = [
        f"To explain away the {o} difference, an unmeasured confounder would need RR 1.96 with both arm and outcome."
        for o in evalues["outcome"]
    ]
    power = pd.DataFrame(
        {
            "outcome": ["pain_contrast_30", "remifentanil_total_ug"],
            "effect_source": ["target", "observed"],
            "effect": [1.0, -77.4],
            "sd": [1.2, 134.6],
            "power_at_study_n": [0.71, 0.43],
            "n_per_arm_80": [24, 48],
            "n_per_arm_90": [32, 64],
        }
    )
    estimates = pd.DataFrame(
        [
            {"outcome": o, "estimator": e, "estimate": v, "ci_low": v - 40, "ci_high": v + 40, "p_value": 0.3, "n": 34}
            for o in outcomes
            for e, v in (("unadjusted", -10.0), ("adjusted", -9.0), ("overlap-weighted", -8.0), ("IPTW", -7.0))
        ]
    )
    benchmarks = pd.DataFrame(
        {
            "outcome": outcomes,
            "variable": ["age_years", "surgery_duration_min"],
            "level": [None, None],
            "evalue_scale": [1.5, 1.2],
            "is_strongest": [True, True],
            "sentence": [f"For {o}, the strongest measured covariate, age_years, is weaker." for o in outcomes],
        }
    )
    return {
        "stats.robustness_estimates": estimates,
        "stats.evalue_benchmarks": benchmarks,
        "stats.propensity": pd.DataFrame({"case_key": [f"k{i}" for i in range(34)], "propensity": 0.5}),
        "stats.weighted_effects": effects,
        "stats.evalues": evalues,
        "stats.power": power,
        "stats.balance": pd.DataFrame(
            {
                "variable": ["age_years"] * 3,
                "level": [None] * 3,
                "weighting": ["none", "overlap", "iptw"],
                "smd": [0.6, 0.0, 0.05],
            }
        ),
    }


def strobe_flow() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "step": ["screened", "excluded", "excluded", "excluded_total", "included", "included", "included"],
            "reason": [None, "asa_above_2", "pregnancy", None, None, None, None],
            "group": [None, None, None, None, None, "Control", "MgSO4"],
            "n": [76, 25, 17, 38, 38, 19, 19],
        }
    )


def network_tables() -> dict[str, pd.DataFrame]:
    proteins = ["GRIN2B", "CREB1", "BDNF", "GRIN1", "OPRM1"]
    return {
        "network.summary": pd.DataFrame(
            {
                "nodes": [13],
                "edges": [40],
                "average_degree": [6.15],
                "clustering_coefficient": [0.71],
                "expected_edges": [9.0],
                "ppi_enrichment_p": [1.2e-16],
            }
        ),
        "network.centrality": pd.DataFrame(
            {
                "protein": proteins,
                "degree": [10, 9, 9, 8, 4],
                "betweenness": [0.21, 0.12, 0.11, 0.05, 0.0],
                "closeness": [0.92, 0.86, 0.86, 0.8, 0.6],
                "mcc": [4000.0, 3000.0, 2900.0, 2000.0, 6.0],
                "mcc_rank": [1, 2, 3, 4, 5],
            }
        ),
        "network.enrichment": pd.DataFrame(
            {
                "category": ["GO BP", "KEGG"],
                "term_id": ["GO:0007268", "hsa04724"],
                "description": ["chemical synaptic transmission", "Glutamatergic synapse"],
                "genes_in_set": [700, 114],
                "genes_observed": [9, 5],
                "fdr": [3.2e-9, 1.1e-6],
                "genes": [
                    "GRIN1,GRIN2B,GRIA1,GRIA2,CACNA1A,CACNA1B,CAMK2A,BDNF,OPRM1",
                    "GRIN1,GRIN2B,GRIA1,GRIA2,CAMK2A",
                ],
            }
        ),
        "network.edges": pd.DataFrame({"protein_a": ["GRIN1"], "protein_b": ["GRIN2B"], "combined_score": [0.999]}),
        "network.provenance": pd.DataFrame(
            {
                "source": ["offline snapshot"],
                "string_version": ["12.0"],
                "score_threshold_requested": [0.4],
                "score_threshold_applied": [0.4],
                "resource": ["string/edges.tsv"],
                "sha256": ["ab" * 32],
            }
        ),
    }


def docking_tables() -> dict[str, pd.DataFrame]:
    return {
        "docking.best": pd.DataFrame(
            {
                "receptor": ["MOR", "DOR"],
                "pdb_id": ["8EF6", "6PT2"],
                "best_affinity_kcal_mol": [-7.579, -7.974],
                "mean_best_affinity_kcal_mol": [-7.5787, -7.974],
                "sd_best_affinity_kcal_mol": [0.0005, 0.0],
                "runs": [20, 20],
                "box_center": ["[138.74, 125.343, 134.161]", "[-20.035, 40.977, -28.746]"],
                "box_size": ["[13.035, 12.567, 15.604]", "[21.789, 18.604, 21.232]"],
                "redock_rmsd_a": [5.046, None],
            }
        ),
        "docking.contacts": pd.DataFrame(
            {
                "receptor": ["MOR"],
                "chain": ["R"],
                "residue": ["ASP"],
                "residue_number": [149],
                "min_distance_a": [3.267],
                "interaction": ["hydrogen bond"],
            }
        ),
        "docking.mg_pore": pd.DataFrame(
            {
                "pdb_id": ["7EU8"],
                "site": ["N-site"],
                "residues": ["ASN616,ASN615"],
                "min_distance_a": [2.1],
                "coordination": ["4 Asn"],
            }
        ),
    }


def all_tables(blinded: bool = False, robustness: bool = False) -> dict[str, pd.DataFrame]:
    tables = {"cohort.strobe_flow": strobe_flow(), **stats_tables(blinded), **network_tables(), **docking_tables()}
    return tables | (robustness_tables() if robustness else {})

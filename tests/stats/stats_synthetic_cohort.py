"""Synthetic cohort.analysis_set and cohort.pain_long frames for the stats tests."""

from __future__ import annotations

import numpy as np
import pandas as pd

MINUTES = (0, 5, 10, 15, 30)


def synthetic_cohort(
    n_control: int = 40, n_mgso4: int = 38, seed: int = 20240501, missing_pain: float = 0.08
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(analysis_set, pain_long) with realistic ranges, some missing values and time points."""
    rng = np.random.default_rng(seed)
    n = n_control + n_mgso4
    group = np.array(["Control"] * n_control + ["MgSO4"] * n_mgso4)
    treated = group == "MgSO4"
    weight = rng.normal(78, 12, n).round(1)
    height = rng.normal(171, 9, n).round(1)
    preop_nrs = rng.integers(4, 10, n).astype(float)
    preop_nrs[rng.random(n) < 0.05] = np.nan
    symptom = rng.gamma(3.0, 4.0, n).round(1)
    symptom[rng.random(n) < 0.05] = np.nan
    analysis = pd.DataFrame(
        {
            "case_key": [f"c{i:05d}" for i in range(n)],
            "month": [f"2023-{(i % 12) + 1:02d}" for i in range(n)],
            "group": group,
            "surgery_date": pd.to_datetime("2023-01-15") + pd.to_timedelta(rng.integers(0, 360, n), unit="D"),
            "age_years": rng.integers(22, 70, n).astype("int64"),
            "sex": rng.choice(["F", "M"], n),
            "weight_kg": weight,
            "height_cm": height,
            "bmi": (weight / (height / 100) ** 2).round(2),
            "asa_class": rng.choice([1, 2], n, p=[0.6, 0.4]).astype("int64"),
            "preop_nrs": pd.array(preop_nrs, dtype="Int64"),
            "symptom_duration_months": symptom,
            "disc_level": rng.choice(["L3-L4", "L4-L5", "L5-S1"], n, p=[0.1, 0.5, 0.4]),
            "surgery_duration_min": rng.normal(85, 15, n).round(0),
            "comorbidity_count": rng.poisson(0.8, n).astype("int64"),
            "preop_analgesic": "NSAID",
            "creatinine_clearance_ml_min": rng.normal(95, 15, n).round(1),
            "chronic_opioid_use_months": np.where(rng.random(n) < 0.8, 0.0, rng.uniform(0, 3, n).round(1)),
            "mgso4_bolus_mg_per_kg": np.where(treated, 30.0, np.nan),
            "mgso4_infusion_mg_per_kg_h": np.where(treated, 10.0, np.nan),
            "remifentanil_total_ug": (rng.lognormal(6.6, 0.25, n) - 60 * treated).round(0),
            "extubation_time_min": (rng.normal(8, 2.5, n) + 0.8 * treated).round(1),
            "time_to_mobilization_min": rng.lognormal(5.3, 0.3, n).round(0),
            "ae_hemodynamic_instability": rng.random(n) < 0.08,
            "ae_arrhythmia": rng.random(n) < 0.03,
            "ae_delayed_nm_recovery": rng.random(n) < 0.05 + 0.05 * treated,
            "ae_respiratory_complication": rng.random(n) < 0.02,
        }
    )
    for column in ("extubation_time_min", "time_to_mobilization_min"):
        analysis.loc[rng.random(n) < 0.04, column] = np.nan
    case_effect = rng.normal(0, 1.0, n)
    rows = []
    for i in range(n):
        for t, minute in enumerate(MINUTES):
            if rng.random() < missing_pain and t > 0:
                continue
            mean = 2.0 + 0.35 * t + case_effect[i] - 0.4 * treated[i] - 0.1 * t * treated[i]
            nrs = int(np.clip(np.rint(mean + rng.normal(0, 1.1)), 0, 10))
            rows.append((analysis.at[i, "case_key"], group[i], minute, nrs))
    pain = pd.DataFrame(rows, columns=["case_key", "group", "minute", "nrs"]).astype(
        {"minute": "int64", "nrs": "int64"}
    )
    return analysis, pain

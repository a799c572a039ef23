"""The study's analysed variables, named as in ``cohort.analysis_set``."""

from __future__ import annotations

BASELINE_CONTINUOUS: tuple[str, ...] = (
    "age_years",
    "weight_kg",
    "height_cm",
    "bmi",
    "preop_nrs",
    "symptom_duration_months",
    "surgery_duration_min",
    "comorbidity_count",
    "creatinine_clearance_ml_min",
    "chronic_opioid_use_months",
)
BASELINE_CATEGORICAL: tuple[str, ...] = ("sex", "asa_class", "disc_level", "preop_analgesic")

SECONDARY_OUTCOMES: tuple[str, ...] = ("remifentanil_total_ug", "extubation_time_min", "time_to_mobilization_min")
PAIN_AUC_OUTCOME = "pain_auc_0_30"

ADVERSE_EVENTS: tuple[str, ...] = (
    "ae_hemodynamic_instability",
    "ae_arrhythmia",
    "ae_delayed_nm_recovery",
    "ae_respiratory_complication",
)

PAIN_MINUTES: tuple[int, ...] = (0, 5, 10, 15, 30)

# Sensitivity covariates in model order; categorical ones with their reference level.
SENSITIVITY_COVARIATES: tuple[str, ...] = (
    "age_years",
    "sex",
    "bmi",
    "preop_nrs",
    "symptom_duration_months",
    "disc_level",
    "surgery_duration_min",
    "asa_class",
    "comorbidity_count",
    "preop_analgesic",
)
CATEGORICAL_REFERENCE: dict[str, object] = {"sex": "F", "disc_level": "L4-L5", "asa_class": 1}
# Integer-coded categoricals are named as patsy's C(x) terms, e.g. ``C(asa_class)[T.2]``.
CODED_CATEGORICALS: tuple[str, ...] = ("asa_class",)

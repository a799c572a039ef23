-- One row per included case: the exposure group (Control | MgSO4) and every analysed variable.
SELECT
    s.case_key,
    s.month,
    e."group",
    s.surgery_date,
    s.age_years,
    s.sex,
    s.weight_kg,
    s.height_cm,
    s.bmi,
    s.asa_class,
    s.preop_nrs,
    s.symptom_duration_months,
    s.disc_level,
    s.surgery_duration_min,
    s.comorbidity_count,
    s.preop_analgesic,
    s.creatinine_clearance_ml_min,
    s.chronic_opioid_use_months,
    s.mgso4_bolus_mg_per_kg,
    s.mgso4_infusion_mg_per_kg_h,
    s.remifentanil_total_ug,
    s.extubation_time_min,
    s.time_to_mobilization_min,
    s.ae_hemodynamic_instability,
    s.ae_arrhythmia,
    s.ae_delayed_nm_recovery,
    s.ae_respiratory_complication
FROM staging.perioperative_records AS s
JOIN cohort.eligibility AS e ON e.case_key = s.case_key
WHERE e.eligible
ORDER BY s.case_key

-- One row per screened case with one boolean per exclusion reason (raw-records.md reason keys)
-- and the resulting eligibility; thresholds come from config.eligibility_criteria.
WITH flags AS (
    SELECT
        s.case_key,
        s.month,
        s.mgso4_administered,
        NOT (s.age_years BETWEEN c.age_min AND c.age_max) AS age_outside_18_70,
        s.asa_class > c.asa_max AS asa_above_2,
        NOT s.elective AS not_elective,
        s.levels_operated <> c.required_levels AS not_single_level,
        lower(trim(s.procedure)) <> lower(c.required_procedure) AS not_lumbar_microdiscectomy,
        coalesce(s.creatinine_clearance_ml_min < c.creatinine_clearance_min, false) AS creatinine_clearance_below_30,
        s.neuromuscular_disorder AS neuromuscular_disorder,
        s.chronic_opioid_use_months > c.chronic_opioid_max_months AS chronic_opioid_use_over_3_months,
        s.pregnant AS pregnancy,
        s.repeat_spinal_surgery AS repeat_spinal_surgery,
        s.av_block_or_arrhythmia AS av_block_or_arrhythmia,
        s.interacting_medication AS interacting_medication,
        s.contraindication_morphine_mgso4 AS contraindication_morphine_mgso4
    FROM staging.perioperative_records AS s
    CROSS JOIN config.eligibility_criteria AS c
)
SELECT
    *,
    NOT (
        age_outside_18_70 OR asa_above_2 OR not_elective OR not_single_level OR not_lumbar_microdiscectomy
        OR creatinine_clearance_below_30 OR neuromuscular_disorder OR chronic_opioid_use_over_3_months
        OR pregnancy OR repeat_spinal_surgery OR av_block_or_arrhythmia OR interacting_medication
        OR contraindication_morphine_mgso4
    ) AS eligible,
    CASE WHEN mgso4_administered THEN 'MgSO4' ELSE 'Control' END AS "group"
FROM flags

-- STROBE flow: screened -> excluded by reason (a case counts under every reason that applies)
-- -> excluded_total -> included, overall and per group. `step_order` orders the rows for display.
WITH reasons AS (
    UNPIVOT cohort.eligibility
    ON age_outside_18_70, asa_above_2, not_elective, not_single_level, not_lumbar_microdiscectomy,
       creatinine_clearance_below_30, neuromuscular_disorder, chronic_opioid_use_over_3_months, pregnancy,
       repeat_spinal_surgery, av_block_or_arrhythmia, interacting_medication, contraindication_morphine_mgso4
    INTO NAME reason VALUE applies
)
SELECT 1 AS step_order, 'screened' AS step, CAST(NULL AS VARCHAR) AS reason, CAST(NULL AS VARCHAR) AS "group",
       count(*) AS n
FROM cohort.eligibility
UNION ALL
SELECT 2, 'excluded', reason, NULL, count(*) FILTER (WHERE applies)
FROM reasons GROUP BY reason
UNION ALL
SELECT 3, 'excluded_total', NULL, NULL, count(*) FILTER (WHERE NOT eligible)
FROM cohort.eligibility
UNION ALL
SELECT 4, 'included', NULL, NULL, count(*) FILTER (WHERE eligible)
FROM cohort.eligibility
UNION ALL
SELECT 5, 'included', NULL, g."group", count(e.case_key)
FROM (VALUES ('Control'), ('MgSO4')) AS g ("group")
LEFT JOIN cohort.eligibility AS e ON e."group" = g."group" AND e.eligible
GROUP BY g."group"
ORDER BY step_order, reason, "group"

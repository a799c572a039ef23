-- One row per observed PACU pain score of an included case (long format for the mixed model).
SELECT
    a.case_key,
    a."group",
    p.minute,
    p.nrs
FROM cohort.analysis_set AS a
JOIN staging.pain_scores AS p ON p.case_key = a.case_key
ORDER BY a.case_key, p.minute

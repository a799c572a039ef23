-- One row per accepted PACU pain score whose case is an accepted screened case of the same month.
SELECT
    p.month,
    p.case_key,
    p.minute,
    p.nrs,
    p.recorded_at
FROM raw.pain_scores AS p
JOIN staging.perioperative_records AS s ON s.case_key = p.case_key AND s.month = p.month

-- Later copies of a case_key already delivered in an earlier month: rejected (raw-records.md).
SELECT
    r.month,
    r.source_file AS file,
    r.line,
    'case_id' AS column_name,
    'duplicate_key_across_months' AS rule,
    'case_id was already delivered in month ' || s.month AS message,
    r.case_key
FROM raw.perioperative_records AS r
JOIN staging.perioperative_records AS s ON s.case_key = r.case_key
WHERE r.month > s.month

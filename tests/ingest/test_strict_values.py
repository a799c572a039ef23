"""Nothing changed: values are read exactly, never coerced, in both dialects (issue 10.2).

One file per dialect carries every near miss on its own line; the expected rule of
each line is stated by hand from the contract's "Values are read exactly".
"""

from __future__ import annotations

import datetime as dt

import pytest
from landed_files import MONTH, PAIN, RECORDS, csv_text, load, quarantine, query, read_rows, set_value

# (column, text, expected rule or None when the value loads) - the same in both dialects
COMMON = [
    ("asa_class", "4.5", "type"),
    ("asa_class", "2.4", "type"),  # never rounded to 2 (which would make an ineligible case eligible)
    ("asa_class", "2.0", "type"),
    ("asa_class", "0x1F", "type"),
    ("asa_class", "4_5", "type"),
    ("asa_class", "1e1", "type"),
    ("asa_class", " 2", "type"),
    ("age_years", "99999999999999999999", "type"),  # does not fit: never wrapped or clipped
    ("age_years", "-7", "range"),  # a valid int, out of range
    ("surgery_date", "2025-3-9", "type"),
    ("surgery_date", "2025-03-09T00:00", "type"),
    ("surgery_date", "2025-02-30", "type"),
    ("weight_kg", "NaN", "type"),
    ("weight_kg", "inf", "type"),
    ("weight_kg", "Infinity", "type"),
    ("weight_kg", "-Infinity", "type"),
    ("weight_kg", "1e999", "type"),  # overflows to infinity
    ("elective", "maybe", "type"),
    ("elective", "TRUE", None),
    ("elective", "Y", None),
]
BY_DIALECT = {
    ",": [("height_cm", "172.5", None), ("height_cm", "1.725e2", None), ("weight_kg", "72,5", "type")],
    ";": [("height_cm", "172,5", None), ("height_cm", "1,725e2", None), ("weight_kg", "1.250", "type")],
}


@pytest.mark.parametrize("delimiter", [",", ";"], ids=["comma", "semicolon"])
def test_each_near_miss_is_a_type_error_and_valid_values_load_exactly(tmp_path, small_cohort, delimiter):
    from mg_platform.analysis.demo_cohort import write_landing

    small_landing = tmp_path / "landing"
    write_landing(small_cohort, small_landing, dialect="comma" if delimiter == "," else "semicolon")
    path = small_landing / MONTH / RECORDS
    rows = read_rows(path, delimiter)
    cases = COMMON + BY_DIALECT[delimiter]
    assert len(cases) < len(rows) - 1
    for index, (column, text, _) in enumerate(cases, start=1):
        set_value(rows, index, column, text)
    path.write_text(csv_text(rows, delimiter), encoding="utf-8")
    db = tmp_path / "w.duckdb"

    load(small_landing, db)

    got = {(line, column): rule for _, line, column, rule in quarantine(db) if _ == RECORDS}
    for index, (column, text, rule) in enumerate(cases, start=1):
        line = index + 1
        assert got.get((line, column)) == rule, (column, text)
    stored = dict(query(db, "SELECT line, height_cm FROM raw.perioperative_records WHERE line > ?", [len(COMMON) + 1]))
    assert stored[len(COMMON) + 2] == 172.5 and stored[len(COMMON) + 3] == 172.5
    elective = dict(query(db, "SELECT line, elective FROM raw.perioperative_records WHERE line IN (20, 21)"))
    assert elective == {20: True, 21: True}


def test_timestamp_offsets_are_converted_to_utc_and_far_years_are_range_errors(small_landing, tmp_path):
    path = small_landing / MONTH / PAIN
    rows = read_rows(path)
    values = {
        1: "2025-03-09T10:00:00+05:00",  # 05:00 UTC
        2: "2025-03-09T10:00:00-0130",  # 11:30 UTC
        3: "2025-03-09T10:00:00Z",
        4: "2025-03-09 10:00",  # no offset: as given
        5: "infinity",
        6: "1899-12-31T23:00:00",
        7: "2101-01-01T00:00:00",
        8: "2025-03-09T10:00:00+05:00 garbage",
        9: "2025-03-09T25:00:00",
    }
    for index, text in values.items():
        set_value(rows, index, "recorded_at", text)
    path.write_text(csv_text(rows))
    db = tmp_path / "w.duckdb"

    load(small_landing, db)

    got = {line: rule for file, line, column, rule in quarantine(db) if file == PAIN and column == "recorded_at"}
    assert got == {6: "type", 7: "range", 8: "range", 9: "type", 10: "type"}
    stored = dict(query(db, "SELECT line, recorded_at FROM raw.pain_scores WHERE line <= 5"))
    expected = {
        2: dt.datetime(2025, 3, 9, 5, 0),
        3: dt.datetime(2025, 3, 9, 11, 30),
        4: dt.datetime(2025, 3, 9, 10, 0),
        5: dt.datetime(2025, 3, 9, 10, 0),
    }
    assert stored == expected  # every record is valid, so every pain score of lines 2-5 loads

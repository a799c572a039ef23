"""Loader messages that say what is probably wrong, and every rejection in raw.quarantine (issue 10.8)."""

from __future__ import annotations

import pytest
from landed_files import MONTH, RECORDS, csv_text, load, query, read_rows, set_value


def _tab_delimited(path):
    path.write_text(csv_text(read_rows(path), "\t"))


def _upper_case_header(path):
    lines = path.read_text().splitlines(keepends=True)
    path.write_text(lines[0].upper() + "".join(lines[1:]))


def _trailing_delimiter(path):
    path.write_text("".join(line.rstrip("\n") + ",\n" for line in path.read_text().splitlines(keepends=True)))


def _upper_case_extension(path):
    path.rename(path.with_name("perioperative_records.CSV"))


def _quote_in_header(path):
    path.write_text('"' + path.read_text())


HINTS = {
    "quote": (_quote_in_header, "wrong header: the header line cannot be split (unbalanced quotes)"),
    "tab": (_tab_delimited, "wrong header: the file is tab-delimited; the contract allows ',' or ';'"),
    "upper": (_upper_case_header, "column names are case-sensitive and lower case in the contract (CASE_ID, MRN,"),
    "trailing": (_trailing_delimiter, "the header ends with a delimiter, giving an empty column name: remove the"),
    "extension": (_upper_case_extension, "found perioperative_records.CSV: file names are case-sensitive, rename it"),
}


@pytest.mark.parametrize("case", sorted(HINTS))
def test_near_misses_get_a_hint_instead_of_a_list_of_37_columns(small_landing, tmp_path, case):
    corrupt, hint = HINTS[case]
    corrupt(small_landing / MONTH / RECORDS)
    records, pain = load(small_landing, tmp_path / "w.duckdb")
    assert hint in records.rejected and "missing column(s)" not in records.rejected
    assert len(records.rejected) < 200 and pain.rejected is None


def _redeliver(small_landing, line_index: int, age: str | None) -> str:
    """Copy March's record at ``line_index`` into April (optionally with another age); return its case_id."""
    march = read_rows(small_landing / MONTH / RECORDS)
    april_path = small_landing / "2025-04" / RECORDS
    april = read_rows(april_path)
    copy = list(march[line_index])
    copy[march[0].index("surgery_date")] = "2025-04-15"  # inside April, so only the cross-month rule applies
    april.append(copy)
    if age is not None:
        set_value(april, len(april) - 1, "age_years", age)
    april_path.write_text(csv_text(april))
    return copy[0]


@pytest.mark.parametrize("order", [("2025-03", "2025-04"), ("2025-04", "2025-03")], ids=["in_order", "reversed"])
def test_cross_month_duplicates_are_listed_in_raw_quarantine_whatever_the_load_order(small_landing, tmp_path, order):
    _redeliver(small_landing, 2, age="99")
    _redeliver(small_landing, 3, age=None)
    april_lines = len(read_rows(small_landing / "2025-04" / RECORDS))
    db = tmp_path / "w.duckdb"
    for month in order:
        load(small_landing, db, month)
    rows = query(
        db,
        "SELECT month, file, line, column_name, rule, message, value_is_pseudonym FROM raw.quarantine "
        "WHERE rule = 'duplicate_key_across_months' ORDER BY line",
    )
    assert rows == [
        (
            "2025-04",
            RECORDS,
            april_lines - 1,
            "case_id",
            "duplicate_key_across_months",
            "case_id was already delivered in month 2025-03 with different values in: surgery_date, age_years",
            True,
        ),
        (
            "2025-04",
            RECORDS,
            april_lines,
            "case_id",
            "duplicate_key_across_months",
            "case_id was already delivered in month 2025-03 with different values in: surgery_date",
            True,
        ),
    ]

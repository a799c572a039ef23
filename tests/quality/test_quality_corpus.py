"""Malformed-file corpus: every bad row lands in raw.quarantine with the right rule; valid rows load.

The corpus is written programmatically from the demo cohort: each test edits known
lines of a landed CSV, so the expected quarantine rows (file, line, column, rule)
and accepted counts are stated by hand, not computed by the code under test.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import duckdb
import pytest

from mg_platform.analysis import ingest
from mg_platform.analysis.demo_cohort import write_landing
from mg_platform.analysis.pseudonym import hmac_pads, pseudonym

MONTH = "2025-03"
RECORDS = "perioperative_records.csv"
PAIN = "pacu_pain_scores.csv"
PADS = hmac_pads(b"k" * 32)


def read_rows(path: Path, delimiter: str = ",") -> list[list[str]]:
    with path.open(newline="", encoding="utf-8-sig") as handle:
        return list(csv.reader(handle, delimiter=delimiter))


def write_rows(path: Path, rows: list[list[str]], delimiter: str = ",", extra_lines: tuple[str, ...] = ()) -> None:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator="\n").writerows(rows)
    path.write_text(buffer.getvalue() + "".join(line + "\n" for line in extra_lines), encoding="utf-8")


def set_value(rows: list[list[str]], line: int, column: str, value: str) -> None:
    """Set ``column`` on physical ``line`` (header = line 1)."""
    rows[line - 1][rows[0].index(column)] = value


def load(landing: Path, db: Path, month: str = MONTH) -> list[ingest.FileLoad]:
    with duckdb.connect(str(db)) as conn:
        return ingest.load_month(conn, month, landing / month, PADS)


def quarantine(db: Path, month: str = MONTH) -> set[tuple]:
    with duckdb.connect(str(db), read_only=True) as conn:
        return set(
            conn.execute("SELECT file, line, column_name, rule FROM raw.quarantine WHERE month = ?", [month]).fetchall()
        )


def count(db: Path, table: str, month: str = MONTH) -> int:
    with duckdb.connect(str(db), read_only=True) as conn:
        return conn.execute(f"SELECT count(*) FROM raw.{table} WHERE month = ?", [month]).fetchone()[0]


def test_each_bad_row_is_quarantined_with_its_rule_and_valid_rows_are_kept(small_landing, tmp_path):
    records_path, pain_path = small_landing / MONTH / RECORDS, small_landing / MONTH / PAIN
    rows = read_rows(records_path)
    n_records = len(rows) - 1
    case_of_line = {line: rows[line - 1][0] for line in range(2, n_records + 2)}
    set_value(rows, 2, "age_years", "abc")  # type
    set_value(rows, 3, "elective", "maybe")  # type (bad boolean)
    set_value(rows, 4, "age_years", "130")  # range
    set_value(rows, 5, "sex", "X")  # allowed_values
    set_value(rows, 6, "surgery_date", "2025-04-02")  # date_outside_month
    set_value(rows, 7, "weight_kg", "")  # missing
    set_value(rows, 8, "disc_level", "L2-L3")  # allowed_values, and on the same row
    set_value(rows, 8, "asa_class", "7")  # range
    set_value(rows, 10, "surgery_duration_min", "0")  # range (> 0 strict)
    set_value(rows, 11, "extubation_time_min", "150")  # warning only: plausibility
    set_value(rows, 12, "mgso4_administered", "true")  # warning only: dose protocol
    set_value(rows, 12, "mgso4_bolus_mg_per_kg", "45")
    set_value(rows, 12, "mgso4_infusion_mg_per_kg_h", "10")
    duplicate = list(rows[9 - 1])  # a second copy of line 9: both copies are rejected
    write_rows(records_path, [*rows, duplicate], extra_lines=("only,three,fields",))
    dup_line, ragged_line = n_records + 2, n_records + 3

    pain = read_rows(pain_path)
    n_pain = len(pain) - 1
    set_value(pain, 2, "nrs", "11")  # range
    set_value(pain, 3, "minute", "7")  # allowed_values
    set_value(pain, 4, "nrs", "x")  # type
    rejected_cases = {case_of_line[line] for line in (2, 3, 4, 5, 6, 7, 8, 9, 10)}
    orphan_lines = {
        line for line in range(5, n_pain + 2) if pain[line - 1][0] in rejected_cases
    }  # pain of a rejected case
    keep = next(line for line in range(5, n_pain + 2) if line not in orphan_lines)
    pain_duplicate = list(pain[keep - 1])  # (case_id, minute) twice
    write_rows(pain_path, [*pain, pain_duplicate, ["SC-UNKNOWN", "0", "3", ""]])
    pain_dup_line, unknown_line = n_pain + 2, n_pain + 3

    db = tmp_path / "warehouse.duckdb"
    records, pain_load = load(small_landing, db)

    expected_records = {
        (RECORDS, 2, "age_years", "type"),
        (RECORDS, 3, "elective", "type"),
        (RECORDS, 4, "age_years", "range"),
        (RECORDS, 5, "sex", "allowed_values"),
        (RECORDS, 6, "surgery_date", "date_outside_month"),
        (RECORDS, 7, "weight_kg", "missing"),
        (RECORDS, 8, "disc_level", "allowed_values"),
        (RECORDS, 8, "asa_class", "range"),
        (RECORDS, 9, "case_id", "duplicate_key"),
        (RECORDS, dup_line, "case_id", "duplicate_key"),
        (RECORDS, 10, "surgery_duration_min", "range"),
        (RECORDS, ragged_line, "*", "unparseable_row"),
    }
    expected_pain = {
        (PAIN, 2, "nrs", "range"),
        (PAIN, 3, "minute", "allowed_values"),
        (PAIN, 4, "nrs", "type"),
        (PAIN, keep, "case_id", "duplicate_key"),
        (PAIN, pain_dup_line, "case_id", "duplicate_key"),
        (PAIN, unknown_line, "case_id", "orphan_pain_score"),
        *((PAIN, line, "case_id", "orphan_pain_score") for line in orphan_lines),
    }
    # pain rows 2-4 may also belong to rejected cases: then they are orphans as well
    expected_pain |= {
        (PAIN, line, "case_id", "orphan_pain_score") for line in (2, 3, 4) if pain[line - 1][0] in rejected_cases
    }
    assert quarantine(db) == expected_records | expected_pain

    assert records.rows_read == n_records + 2
    assert records.rows_quarantined == 11  # lines 2-10, the duplicate copy, the ragged line
    assert count(db, "perioperative_records") == records.rows_accepted == n_records - 9
    pain_bad_lines = {line for _, line, _, _ in expected_pain}
    assert count(db, "pain_scores") == pain_load.rows_accepted == n_pain + 2 - len(pain_bad_lines)

    warnings = {(w.line, w.column, w.rule) for w in records.warnings}
    assert (11, "extubation_time_min", "plausibility") in warnings
    assert (12, "mgso4_bolus_mg_per_kg", "mgso4_dose_protocol") in warnings
    assert all(line not in range(2, 11) for line, _, _ in warnings)  # quarantined rows carry no warnings

    with duckdb.connect(str(db), read_only=True) as conn:
        values = dict(
            conn.execute(
                "SELECT column_name || ':' || line, value FROM raw.quarantine WHERE month = ? AND file = ?",
                [MONTH, RECORDS],
            ).fetchall()
        )
        clear_identifiers = conn.execute(
            "SELECT count(*) FROM raw.quarantine WHERE month = ? AND column_name = 'case_id' "
            "AND NOT value_is_pseudonym",
            [MONTH],
        ).fetchone()[0]
        message = conn.execute(
            "SELECT message FROM raw.quarantine WHERE month = ? AND line = 4 AND file = ?", [MONTH, RECORDS]
        ).fetchone()[0]
    assert values["age_years:2"] == "abc" and values["age_years:4"] == "130" and values["sex:5"] == "X"
    # identifiers are never stored in clear: the quarantined case_id is its pseudonym, marked as such (contract)
    assert values["case_id:9"] == pseudonym(b"k" * 32, case_of_line[9]) and clear_identifiers == 0
    assert message.startswith("expect_column_values_to_be_between")


def test_semicolon_file_with_decimal_comma_and_quoted_delimiter(tmp_path, small_cohort):
    landing = tmp_path / "landing"
    write_landing(small_cohort, landing, dialect="semicolon")
    path = landing / MONTH / RECORDS
    rows = read_rows(path, delimiter=";")
    set_value(rows, 2, "comorbidities", "asthma;hypothyroidism")  # contains the delimiter: quoted
    set_value(rows, 2, "weight_kg", "72,5")  # decimal comma
    set_value(rows, 3, "weight_kg", "7x,5")  # type error
    write_rows(path, rows, delimiter=";")
    assert '"asthma;hypothyroidism"' in path.read_text()
    db = tmp_path / "warehouse.duckdb"
    records, _ = load(landing, db)
    assert records.dialect == "semicolon-decimal-comma"
    assert quarantine(db) >= {(RECORDS, 3, "weight_kg", "type")}
    assert {q for q in quarantine(db) if q[0] == RECORDS} == {(RECORDS, 3, "weight_kg", "type")}
    with duckdb.connect(str(db), read_only=True) as conn:
        line2 = conn.execute(
            "SELECT comorbidities, weight_kg FROM raw.perioperative_records WHERE month = ? AND line = 2", [MONTH]
        ).fetchone()
    assert line2 == ("asthma;hypothyroidism", 72.5)
    assert records.rows_accepted == len(rows) - 2


def _drop_column(path: Path, column: str) -> None:
    rows = read_rows(path)
    index = rows[0].index(column)
    write_rows(path, [r[:index] + r[index + 1 :] for r in rows])


def _add_column(path: Path, column: str) -> None:
    rows = read_rows(path)
    write_rows(path, [rows[0] + [column]] + [r + ["1"] for r in rows[1:]])


def _latin1(path: Path, column: str) -> None:
    rows = read_rows(path)
    set_value(rows, 3, column, "Müller")
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    path.write_bytes(buffer.getvalue().encode("latin-1"))


FILE_LEVEL_CASES = {  # corruption, problem, line where the problem starts (header = 1)
    "missing_column": (lambda p: _drop_column(p, "asa_class"), "wrong header: missing column(s) asa_class", 1),
    "unknown_column": (lambda p: _add_column(p, "ward"), "wrong header: unknown column(s) ward", 1),
    "non_utf8": (lambda p: _latin1(p, "preop_analgesic"), "not valid UTF-8: byte 0xfc at line 3", 3),
    "empty_file": (lambda p: p.write_bytes(b""), "empty file or empty header line", 1),
}


@pytest.mark.parametrize("case", sorted(FILE_LEVEL_CASES))
def test_file_level_failure_rejects_the_file_keeps_its_previous_rows_and_loads_the_other(small_landing, tmp_path, case):
    db = tmp_path / "warehouse.duckdb"
    load(small_landing, db)
    before = count(db, "perioperative_records")
    corrupt, problem, line = FILE_LEVEL_CASES[case]
    corrupt(small_landing / MONTH / RECORDS)
    records, pain = load(small_landing, db)
    assert records.rejected is not None and problem in records.rejected
    assert pain.rejected is None and pain.rows_quarantined == 0
    assert count(db, "perioperative_records") == before  # previous delivery kept
    with duckdb.connect(str(db), read_only=True) as conn:
        rows = conn.execute(
            "SELECT file, line, column_name, rule, message FROM raw.quarantine WHERE month = ?", [MONTH]
        ).fetchall()
    assert [r[:4] for r in rows] == [(RECORDS, line, "*", "file_rejected")]
    assert problem in rows[0][4]


def test_corrected_redelivery_clears_the_stale_quarantine_entries(small_landing, tmp_path):
    path = small_landing / MONTH / RECORDS
    original = path.read_bytes()
    rows = read_rows(path)
    set_value(rows, 2, "age_years", "abc")
    set_value(rows, 3, "sex", "X")
    write_rows(path, rows)
    db = tmp_path / "warehouse.duckdb"
    first, _ = load(small_landing, db)
    assert first.rows_quarantined == 2 and {q[3] for q in quarantine(db)} >= {"type", "allowed_values"}
    load(small_landing, db, "2025-04")
    april = quarantine(db, "2025-04")

    _drop_column(path, "sex")  # a broken re-delivery keeps the rows and their quarantine entries
    load(small_landing, db)
    assert {q[3] for q in quarantine(db)} >= {"type", "allowed_values", "file_rejected"}

    path.write_bytes(original)  # the hospital's corrected export
    corrected, pain = load(small_landing, db)
    assert quarantine(db) == set()
    assert corrected.rows_quarantined == 0 and corrected.rows_accepted == len(rows) - 1
    assert count(db, "perioperative_records") == len(rows) - 1
    assert count(db, "pain_scores") == pain.rows_read
    assert quarantine(db, "2025-04") == april

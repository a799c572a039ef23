"""Nothing lost: every record of a file is accepted or quarantined, or the file is rejected whole (issue 10.1).

Expected lines and counts are stated by hand from the edits each test makes.
"""

from __future__ import annotations

import dagster as dg
import duckdb
from landed_files import MONTH, PAIN, RECORDS, count, csv_text, load, quarantine, query, read_rows, set_value

from mg_platform.assets.raw import raw_month
from mg_platform.resources.bundle import default_resources


def test_unterminated_quote_rejects_the_file_at_its_line_and_keeps_the_previous_delivery(small_landing, tmp_path):
    db = tmp_path / "w.duckdb"
    path = small_landing / MONTH / RECORDS
    load(small_landing, db)
    before = count(db, "perioperative_records")
    lines = path.read_text().splitlines(keepends=True)
    fields = lines[4].split(",")
    fields[3] = '"' + fields[3]  # line 5: a quote opened and never closed
    lines[4] = ",".join(fields)
    path.write_text("".join(lines))

    records, pain = load(small_landing, db)

    assert records.rejected is not None and records.rejected_line == 5
    assert "unterminated quote in the record starting at line 5" in records.rejected
    assert count(db, "perioperative_records") == before  # nothing silently lost: the old rows stay
    assert query(db, "SELECT line, rule FROM raw.quarantine WHERE file = ? AND rule = 'file_rejected'", [RECORDS]) == [
        (5, "file_rejected")
    ]
    assert pain.rejected is None and pain.rows_read == pain.rows_accepted + pain.rows_quarantined


def test_first_delivery_with_a_broken_records_file_holds_pain_scores_back_in_one_entry(small_landing, tmp_path):
    db = tmp_path / "w.duckdb"
    path = small_landing / MONTH / RECORDS
    lines = path.read_text().splitlines(keepends=True)
    lines[4] = lines[4].replace(",", ',"', 1)
    path.write_text("".join(lines))
    n_pain = len(read_rows(small_landing / MONTH / PAIN)) - 1

    records, pain = load(small_landing, db)

    assert records.rejected is not None
    rows = query(db, "SELECT line, column_name, rule, message FROM raw.quarantine WHERE file = ?", [PAIN])
    assert rows == [
        (
            None,
            "*",
            "records_file_rejected",
            f"{n_pain} pain scores not loaded because their records file {RECORDS} was rejected",
        )
    ]
    assert (pain.rows_read, pain.rows_accepted, pain.rows_quarantined, pain.held_back) == (n_pain, 0, n_pain, n_pain)
    assert count(db, "pain_scores") == 0


def test_quoted_newline_keeps_physical_line_numbers(small_landing, tmp_path):
    path = small_landing / MONTH / RECORDS
    rows = read_rows(path)
    set_value(rows, 2, "comorbidities", "asthma\nhypertension")  # record 2 starts on line 3 and spans lines 3-4
    set_value(rows, 6, "age_years", "abc")  # record 6 starts on physical line 8 (not 7)
    path.write_text(csv_text(rows))
    db = tmp_path / "w.duckdb"

    records, _ = load(small_landing, db)

    assert quarantine(db) >= {(RECORDS, 8, "age_years", "type")}
    assert {q for q in quarantine(db) if q[0] == RECORDS} == {(RECORDS, 8, "age_years", "type")}
    stored = query(db, "SELECT line, comorbidities FROM raw.perioperative_records WHERE line IN (3, 4, 5)")
    assert sorted(stored) == [(3, "asthma\nhypertension"), (5, rows[3][rows[0].index("comorbidities")] or None)]
    assert records.rows_read == len(rows) - 1 == records.rows_accepted + records.rows_quarantined


def test_text_after_a_closing_quote_rejects_the_file_with_its_line(small_landing, tmp_path):
    path = small_landing / MONTH / RECORDS
    lines = path.read_text().splitlines(keepends=True)
    lines[6] = '"x"y,' + lines[6].split(",", 1)[1]  # line 7 cannot be split
    path.write_text("".join(lines))
    records, _ = load(small_landing, tmp_path / "w.duckdb")
    assert records.rejected_line == 7 and "line 7 cannot be split" in records.rejected


def test_header_without_records_is_a_file_error_and_never_deletes_the_month(small_landing, tmp_path):
    db = tmp_path / "w.duckdb"
    load(small_landing, db)
    before = (count(db, "perioperative_records"), count(db, "pain_scores"))
    for name in (RECORDS, PAIN):
        path = small_landing / MONTH / name
        path.write_text(path.read_text().splitlines(keepends=True)[0] + "\n\n")  # header and blank lines only

    records, pain = load(small_landing, db)

    assert "header but no records" in records.rejected and "header but no records" in pain.rejected
    assert (count(db, "perioperative_records"), count(db, "pain_scores")) == before > (0, 0)


def test_blank_lines_are_not_records_and_do_not_shift_line_numbers(small_landing, tmp_path):
    path = small_landing / MONTH / RECORDS
    rows = read_rows(path)
    set_value(rows, 3, "sex", "X")
    text = csv_text(rows).splitlines(keepends=True)
    path.write_text("".join(text[:2]) + "\n" + "".join(text[2:]) + "\n\n")  # a blank line 3: record 3 is on line 5
    db = tmp_path / "w.duckdb"
    records, _ = load(small_landing, db)
    assert {q for q in quarantine(db) if q[0] == RECORDS} == {(RECORDS, 5, "sex", "allowed_values")}
    assert records.rows_read == len(rows) - 1


def test_raw_materialisation_records_the_accounting_of_each_file(small_landing, tmp_path, monkeypatch):
    monkeypatch.setenv("MG_PSEUDONYM_KEY", "ab" * 32)
    path = small_landing / MONTH / RECORDS
    rows = read_rows(path)
    set_value(rows, 2, "asa_class", "2.4")  # type: never rounded to 2
    set_value(rows, 3, "weight_kg", "NaN")  # type
    path.write_text(csv_text(rows) + "only,three,fields\n")  # a record with the wrong field count
    n_records = len(rows)  # data rows + the ragged one
    result = dg.materialize(
        [raw_month], partition_key=MONTH, resources=default_resources(tmp_path), raise_on_error=False
    )
    meta = {
        m.asset_key.path[-1]: {k: v.value for k, v in m.metadata.items()}
        for m in result.get_asset_materialization_events()
        if m.asset_key.path[-1] != "quarantine"
        for m in [m.materialization]
    }
    records = meta["perioperative_records"]
    assert (records["status"], records["records"], records["accepted"], records["quarantined"]) == (
        "accepted",
        n_records,
        n_records - 3,
        3,
    )
    pain = meta["pain_scores"]
    assert pain["records"] == pain["accepted"] + pain["quarantined"] == len(read_rows(small_landing / MONTH / PAIN)) - 1
    with duckdb.connect(str(tmp_path / "warehouse.duckdb"), read_only=True) as conn:
        loads = conn.execute("SELECT file, records, accepted, quarantined, sha256 FROM raw.file_loads").fetchall()
    assert (RECORDS, n_records, n_records - 3, 3, records["source_sha256"]) in loads

"""Nothing leaked: identifiers never reach storage, pages or logs in clear; symbolic links are refused (issue 10.3)."""

from __future__ import annotations

import os

import dagster as dg
import duckdb
import pytest
from landed_files import KEY, MONTH, RECORDS, all_text_in_warehouse, csv_text, load, query, read_rows, set_value

from mg_platform.analysis.pseudonym import pseudonym
from mg_platform.assets.raw import raw_month
from mg_platform.resources.bundle import default_resources


def _shift_identifiers(path) -> tuple[list[str], dict[int, str]]:
    """Put line 2's MRN into its sex and age columns and line 3's case_id into surgeon_id; return the secrets."""
    rows = read_rows(path)
    mrn, case_id = rows[1][rows[0].index("mrn")], rows[2][rows[0].index("case_id")]
    set_value(rows, 1, "sex", mrn)  # allowed_values, decided by GX
    set_value(rows, 1, "age_years", mrn)  # type, decided by the reader
    set_value(rows, 2, "surgeon_id", case_id)  # a string column without a rule: only the shift shows it
    path.write_text(csv_text(rows))
    return [mrn, case_id], {2: mrn, 3: case_id}


def test_a_shifted_identifier_is_quarantined_as_its_pseudonym(small_landing, tmp_path):
    secrets, by_line = _shift_identifiers(small_landing / MONTH / RECORDS)
    db = tmp_path / "w.duckdb"
    load(small_landing, db)
    rows = query(
        db,
        "SELECT line, column_name, value, value_is_pseudonym, rule FROM raw.quarantine WHERE file = ? ORDER BY ALL",
        [RECORDS],
    )
    got: dict[tuple, set] = {}
    for line, column, value, marked, rule in rows:
        got.setdefault((line, column), set()).add((value, marked, rule))
    shifted = "identifier_in_wrong_column"
    assert got[(2, "sex")] == {(pseudonym(KEY, by_line[2]), True, r) for r in ("allowed_values", shifted)}
    assert got[(2, "age_years")] == {(pseudonym(KEY, by_line[2]), True, r) for r in ("type", shifted)}
    assert got[(3, "surgeon_id")] == {(pseudonym(KEY, by_line[3]), True, shifted)}
    assert not any(s in v for v in all_text_in_warehouse(db) for s in secrets)


def test_identifiers_stay_out_of_the_quality_page_and_the_dagster_event_log(small_landing, tmp_path, monkeypatch):
    monkeypatch.setenv("MG_PSEUDONYM_KEY", KEY.hex())
    secrets, _ = _shift_identifiers(small_landing / MONTH / RECORDS)
    instance = dg.DagsterInstance.ephemeral()
    result = dg.materialize([raw_month], partition_key=MONTH, resources=default_resources(tmp_path), instance=instance)
    assert result.success
    page = (tmp_path / "outputs" / "quality" / f"{MONTH}.html").read_text()
    events = "".join(str(e) for e in instance.all_logs(result.run_id))
    assert pseudonym(KEY, secrets[0]) in page  # the row is shown, by its pseudonym
    for secret in secrets:
        assert secret not in page and secret not in events


def test_a_symlinked_records_file_is_refused_without_echoing_its_content(small_landing, tmp_path):
    target = tmp_path / "system_file"
    target.write_text("root:x:0:0:SECRET-FIRST-LINE:/root:/bin/bash\n")
    path = small_landing / MONTH / RECORDS
    path.unlink()
    path.symlink_to(target)
    db = tmp_path / "w.duckdb"
    records, pain = load(small_landing, db)
    assert "symbolic link; refused" in records.rejected and pain.rejected is None
    assert not any("SECRET" in v or "root:" in v for v in all_text_in_warehouse(db))


def test_a_symlinked_month_folder_is_refused_and_other_months_load(small_landing, tmp_path, monkeypatch):
    monkeypatch.setenv("MG_PSEUDONYM_KEY", KEY.hex())
    outside = tmp_path / "elsewhere"
    os.rename(small_landing / MONTH, outside)
    (small_landing / MONTH).symlink_to(outside, target_is_directory=True)
    resources = default_resources(tmp_path)
    assert resources["landing"].months() == ["2025-04"]
    assert "symbolic link" in resources["landing"].refusals()[MONTH]
    refused = dg.materialize([raw_month], partition_key=MONTH, resources=resources, raise_on_error=False)
    assert not refused.success
    message = refused.get_step_failure_events()[0].event_specific_data.error.message
    assert "landing folder '2025-03' is a symbolic link; refused" in message
    assert dg.materialize([raw_month], partition_key="2025-04", resources=resources).success
    with duckdb.connect(str(tmp_path / "warehouse.duckdb"), read_only=True) as conn:
        months = conn.execute("SELECT DISTINCT month FROM raw.perioperative_records").fetchall()
    assert months == [("2025-04",)]


@pytest.mark.parametrize("header_name", ["MRN000123456-and-a-long-tail-of-text", "x" * 200])
def test_unknown_header_names_are_shortened_in_messages(small_landing, tmp_path, header_name):
    path = small_landing / MONTH / RECORDS
    rows = read_rows(path)
    rows[0].append(header_name)
    for row in rows[1:]:
        row.append("1")
    path.write_text(csv_text(rows))
    records, _ = load(small_landing, tmp_path / "w.duckdb")
    assert "unknown column(s)" in records.rejected
    assert header_name not in records.rejected and header_name[:23] in records.rejected

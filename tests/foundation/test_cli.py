"""The command line: demo data, materialise into one data dir only, blocked months, exit codes."""

from __future__ import annotations

import duckdb
import pytest

from mg_platform.analysis.demo_cohort import generate_cohort, write_landing
from mg_platform.cli import main
from mg_platform.runner import EXIT_BLOCKED, EXIT_OK


def _tables(database) -> set[str]:
    with duckdb.connect(str(database), read_only=True) as conn:
        return {f"{s}.{t}" for s, t in conn.execute("SELECT schema_name, table_name FROM duckdb_tables()").fetchall()}


def _screened(database) -> int:
    with duckdb.connect(str(database), read_only=True) as conn:
        return conn.execute("SELECT n FROM cohort.strobe_flow WHERE step = 'screened'").fetchone()[0]


@pytest.mark.e2e  # whole-pipeline CLI/Dagster run: make test-e2e (CI runs it)
def test_demo_data_then_materialise_a_selection(tmp_path, monkeypatch, capfd):
    data, other = tmp_path / "data", tmp_path / "other"
    other.mkdir()
    monkeypatch.setenv("MG_DATA_DIR", str(data))
    assert main(["demo-data", "--months", "2025-03..2025-04", "--screened", "20"]) == 0
    assert sorted(p.name for p in (data / "landing").iterdir()) == ["2025-03", "2025-04"]
    assert main(["demo-data", "--if-empty"]) == 0
    assert "already holds data" in capfd.readouterr().out
    assert main(["materialize", "--select", '+key:"cohort/strobe_flow"']) == EXIT_OK
    out = capfd.readouterr().out
    assert "screened" in out and "months loaded: 2 (2025-03..2025-04)" in out
    assert "monthly_refresh [2025-03]" in out and "done    raw_month" in out  # progress while it works
    assert "2025-03/perioperative_records.csv: " in out and " accepted, 0 quarantined" in out  # the asset's log
    assert "[pipes]" not in out
    assert "report:    not built yet" in out and "report.html" not in out
    assert "cohort.strobe_flow" in _tables(data / "warehouse.duckdb")
    assert "stats.baseline" not in _tables(data / "warehouse.duckdb")
    assert list(other.iterdir()) == []


@pytest.mark.e2e  # whole-pipeline CLI/Dagster run: make test-e2e (CI runs it)
def test_a_rejected_file_blocks_the_refresh_unless_excluded(tmp_path, monkeypatch, capfd):
    landed = tmp_path
    cohort = generate_cohort(seed=9, screened=45, months=["2025-03", "2025-04", "2025-05"])
    write_landing(cohort, landed / "landing")
    monkeypatch.setenv("MG_DATA_DIR", str(landed))
    path = landed / "landing" / "2025-05" / "perioperative_records.csv"
    lines = path.read_text().splitlines()
    path.write_text("\n".join(line.rsplit(",", 1)[0] for line in lines) + "\n")
    assert main(["materialize", "--select", "group:raw or group:cohort or group:staging"]) == EXIT_BLOCKED
    out = capfd.readouterr().out
    rejected = [line for line in out.splitlines() if line.startswith("REJECTED ")]
    assert len(rejected) == 1 and "2025-05/perioperative_records.csv" in rejected[0]
    assert "ae_respiratory_complication" in rejected[0]
    assert "BLOCKED: not refreshed until corrected files arrive" in out and "--exclude-blocked" in out
    assert "Traceback" not in out and "DagsterAssetCheckFailedError" not in out and "FAILED" not in out
    tables = _tables(landed / "warehouse.duckdb")
    assert "raw.perioperative_records" in tables and "cohort.strobe_flow" not in tables

    # The block is remembered (raw.quarantine), so a later selection without raw still honours it ...
    assert main(["materialize", "--select", "group:cohort or group:staging"]) == EXIT_BLOCKED
    assert "cohort.strobe_flow" not in _tables(landed / "warehouse.duckdb")
    # ... until the user asks for the analyses from the accepted files only.
    assert main(["materialize", "--select", "group:cohort or group:staging", "--exclude-blocked"]) == EXIT_BLOCKED
    out = capfd.readouterr().out
    assert "EXCLUDED from this refresh (rejected): 2025-05/perioperative_records.csv" in out
    by_month = cohort.truth["screened_by_month"]
    assert _screened(landed / "warehouse.duckdb") == sum(by_month.values()) - by_month["2025-05"]


@pytest.mark.e2e  # whole-pipeline CLI/Dagster run: make test-e2e (CI runs it)
def test_blinded_run_codes_the_arms_and_unblinding_restores_them(landed, monkeypatch, capfd):
    monkeypatch.setenv("MG_DATA_DIR", str(landed))
    select = '+key:"stats/secondary_outcomes"'

    def arms() -> set[str]:
        with duckdb.connect(str(landed / "warehouse.duckdb"), read_only=True) as conn:
            rows = conn.execute("SELECT reference_arm, comparison_arm FROM stats.secondary_outcomes").fetchall()
        return {label for row in rows for label in row}

    assert main(["materialize", "--select", select, "--blinded"]) == EXIT_OK
    assert arms() == {"A", "B"}
    assert main(["materialize", "--select", select]) == EXIT_OK
    assert arms() == {"Control", "MgSO4"}

"""The command line: demo data, materialise into one data dir only, a blocked month stops the chain."""

from __future__ import annotations

import duckdb

from mg_platform.cli import main


def _tables(database) -> set[str]:
    with duckdb.connect(str(database), read_only=True) as conn:
        return {f"{s}.{t}" for s, t in conn.execute("SELECT schema_name, table_name FROM duckdb_tables()").fetchall()}


def test_demo_data_then_materialise_a_selection(tmp_path, monkeypatch, capsys):
    data, other = tmp_path / "data", tmp_path / "other"
    other.mkdir()
    monkeypatch.setenv("MG_DATA_DIR", str(data))
    assert main(["demo-data", "--months", "2025-03..2025-04", "--screened", "20"]) == 0
    assert sorted(p.name for p in (data / "landing").iterdir()) == ["2025-03", "2025-04"]
    assert main(["demo-data", "--if-empty"]) == 0
    assert "already holds data" in capsys.readouterr().out
    assert main(["materialize", "--select", '+key:"cohort/strobe_flow"']) == 0
    out = capsys.readouterr().out
    assert "screened" in out and "months loaded: 2 (2025-03..2025-04)" in out
    assert "cohort.strobe_flow" in _tables(data / "warehouse.duckdb")
    assert "stats.baseline" not in _tables(data / "warehouse.duckdb")
    assert list(other.iterdir()) == []


def test_a_rejected_file_blocks_the_downstream_refresh(landed, monkeypatch, capsys):
    monkeypatch.setenv("MG_DATA_DIR", str(landed))
    path = landed / "landing" / "2025-05" / "perioperative_records.csv"
    lines = path.read_text().splitlines()
    path.write_text("\n".join(line.rsplit(",", 1)[0] for line in lines) + "\n")
    assert main(["materialize", "--select", "group:raw or group:cohort or group:staging"]) == 1
    out = capsys.readouterr().out
    assert "BLOCKED 2025-05" in out and "ae_respiratory_complication" in out
    assert "not refreshed until corrected files arrive" in out
    tables = _tables(landed / "warehouse.duckdb")
    assert "raw.perioperative_records" in tables and "cohort.strobe_flow" not in tables


def test_blinded_run_codes_the_arms_and_unblinding_restores_them(landed, monkeypatch, capsys):
    monkeypatch.setenv("MG_DATA_DIR", str(landed))
    select = '+key:"stats/secondary_outcomes"'

    def arms() -> set[str]:
        with duckdb.connect(str(landed / "warehouse.duckdb"), read_only=True) as conn:
            rows = conn.execute("SELECT reference_arm, comparison_arm FROM stats.secondary_outcomes").fetchall()
        return {label for row in rows for label in row}

    assert main(["materialize", "--select", select, "--blinded"]) == 0
    assert arms() == {"A", "B"}
    assert main(["materialize", "--select", select]) == 0
    assert arms() == {"Control", "MgSO4"}

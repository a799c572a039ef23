"""The MRN (and the hospital case number) never leave the landing zone in clear."""

from __future__ import annotations

import logging
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from mg_platform.definitions import build_definitions

pytestmark = pytest.mark.slow


def _files_outside_landing(*roots: Path) -> list[Path]:
    return [p for root in roots for p in root.rglob("*") if p.is_file() and "landing" not in p.relative_to(root).parts]


@pytest.mark.e2e  # whole-pipeline CLI/Dagster run: make test-e2e (CI runs it)
def test_identifiers_appear_nowhere_downstream(landed, demo_cohort, tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    home = tmp_path / "dagster_home"
    home.mkdir()
    defs = build_definitions(landed)
    job = defs.resolve_job_def("monthly_refresh")
    with dg.instance_for_test(temp_dir=str(home)) as instance:
        for month in demo_cohort.truth["months"]:
            assert job.execute_in_process(partition_key=month, instance=instance).success
        events = "\n".join(
            str(record)
            for record in instance.get_event_records(
                dg.EventRecordsFilter(event_type=dg.DagsterEventType.ASSET_MATERIALIZATION)
            )
        )
        events += "\n".join(str(e) for run in instance.get_runs() for e in instance.all_logs(run.run_id))
    secrets = [*demo_cohort.records["mrn"], *demo_cohort.records["case_id"]]
    files = _files_outside_landing(landed, home)
    assert any(p.name == "report.html" for p in files) and any(p.suffix == ".csv" for p in files)
    assert any(p.name == "warehouse.duckdb" for p in files)
    haystacks = {str(p): p.read_bytes() for p in files}
    haystacks["event log"] = events.encode()
    haystacks["captured logs"] = caplog.text.encode()
    haystacks["warehouse values"] = _warehouse_text(landed / "warehouse.duckdb").encode()
    for name, content in haystacks.items():
        leaked = [s for s in secrets if s.encode() in content]
        assert not leaked, f"{len(leaked)} identifiers in clear in {name}, e.g. {leaked[0][:3]}..."


def _warehouse_text(database: Path) -> str:
    """Every text value of every table, read through SQL (file bytes may be compressed)."""
    with duckdb.connect(str(database), read_only=True) as conn:
        columns = conn.execute(
            "SELECT table_schema, table_name, column_name FROM information_schema.columns WHERE data_type = 'VARCHAR'"
        ).fetchall()
        values = [
            conn.execute(f'SELECT string_agg("{c}", chr(10)) FROM "{s}"."{t}"').fetchone()[0] or ""
            for s, t, c in columns
        ]
    assert len(columns) > 20
    return "\n".join(values)

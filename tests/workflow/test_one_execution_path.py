"""One execution path: a CLI run and a sensor-triggered run give identical tables under the same job names."""

from __future__ import annotations

import shutil

import dagster as dg
import duckdb
import pytest
from conftest import table_digest

from mg_platform.automation import landed_month_sensor
from mg_platform.cli import main
from mg_platform.definitions import build_definitions
from mg_platform.resources.landing import LandingZone

pytestmark = pytest.mark.e2e
SELECTION = "group:raw or group:staging or group:cohort or group:stats"
KEY = "cd" * 32


def _digests(database) -> dict[str, str]:
    with duckdb.connect(str(database), read_only=True) as conn:
        tables = [
            f"{s}.{t}"
            for s, t in conn.execute("SELECT schema_name, table_name FROM duckdb_tables()").fetchall()
            if s in ("raw", "staging", "cohort", "stats")
        ]
    return {t: table_digest(database, t) for t in sorted(tables)}


def test_cli_and_sensor_runs_give_identical_tables_under_the_same_job_names(landed, tmp_path, monkeypatch):
    monkeypatch.setenv("MG_PSEUDONYM_KEY", KEY)
    sensed = tmp_path / "sensed"
    shutil.copytree(landed / "landing", sensed / "landing")

    monkeypatch.setenv("MG_DATA_DIR", str(landed))
    assert main(["materialize", "--select", SELECTION]) in (0, 3)
    with dg.DagsterInstance.from_config(str(landed / "dagster_home")) as instance:
        cli_jobs = {r.job_name for r in instance.get_runs(dg.RunsFilter(tags={"mg/trigger": "cli"}))}

    monkeypatch.setenv("MG_DATA_DIR", str(sensed))
    defs = build_definitions(sensed)
    with dg.instance_for_test() as instance:
        context = dg.build_sensor_context(
            instance=instance, resources={"landing": LandingZone(path=str(sensed / "landing"))}, definitions=defs
        )
        requests = landed_month_sensor.evaluate_tick(context).run_requests
        job = defs.resolve_job_def("monthly_refresh")
        for request in requests:
            result = job.execute_in_process(
                partition_key=request.partition_key, instance=instance, tags=request.tags, raise_on_error=False
            )
            assert result.success
        sensor_jobs = {r.job_name for r in instance.get_runs(dg.RunsFilter(tags={"mg/trigger": "landed_month"}))}

    assert cli_jobs == sensor_jobs == {"monthly_refresh"}
    cli_tables = _digests(landed / "warehouse.duckdb")
    assert len(cli_tables) >= 20 and any(t.startswith("stats.") for t in cli_tables)
    assert _digests(sensed / "warehouse.duckdb") == cli_tables

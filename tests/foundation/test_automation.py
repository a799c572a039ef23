"""The landed-month sensor and the definitions as a whole."""

import json
import os

import dagster as dg

from mg_platform.analysis.sql_models import discover, referenced_tables
from mg_platform.automation import landed_month_sensor, monthly_schedule
from mg_platform.definitions import build_definitions
from mg_platform.resources.landing import LandingZone


def tick(landing_dir, cursor=None, instance=None):
    context = dg.build_sensor_context(
        cursor=cursor,
        instance=instance or dg.DagsterInstance.ephemeral(),
        resources={"landing": LandingZone(path=str(landing_dir))},
    )
    return landed_month_sensor(context)


def test_definitions_load():
    defs = build_definitions()
    dg.Definitions.validate_loadable(defs)
    groups = {
        defs.resolve_assets_def(k).get_asset_spec(k).group_name for k in defs.resolve_asset_graph().get_all_asset_keys()
    }
    assert {"raw", "staging", "cohort"} <= groups


def test_sensor_requests_new_and_changed_months_only(landed):
    landing = landed / "landing"
    first = tick(landing)
    assert sorted(r.partition_key for r in first.run_requests) == [f"2025-0{m}" for m in range(3, 10)]
    second = tick(landing, first.cursor)
    assert second.run_requests == []
    new_month = landing / "2025-10"
    new_month.mkdir()
    (new_month / "perioperative_records.csv").write_text("case_id\n")
    third = tick(landing, second.cursor)
    assert [r.partition_key for r in third.run_requests] == ["2025-10"]
    touched = landing / "2025-04" / "pacu_pain_scores.csv"
    os.utime(touched, ns=(touched.stat().st_atime_ns, touched.stat().st_mtime_ns + 10**9))
    fourth = tick(landing, third.cursor)
    assert [r.partition_key for r in fourth.run_requests] == ["2025-04"]
    assert json.loads(fourth.cursor)["2025-04"]["pacu_pain_scores.csv"] == touched.stat().st_mtime_ns


def test_sensor_refuses_metacharacter_folders(landed):
    landing = landed / "landing"
    (landing / "2025-11; rm -rf ~").mkdir()
    (landing / "2025-12' OR 1=1 --").mkdir()
    months = {r.partition_key for r in tick(landing).run_requests}
    assert all(len(m) == 7 for m in months) and "2025-11" not in months


def test_sql_dependencies_come_from_the_parser(tmp_path):
    assert referenced_tables("WITH x AS (SELECT * FROM raw.a) SELECT * FROM x JOIN staging.b USING (k)") == (
        ("raw", "a"),
        ("staging", "b"),
    )
    (tmp_path / "cohort").mkdir()
    (tmp_path / "cohort" / "new_model.sql").write_text("-- a model\nSELECT count(*) AS n FROM cohort.analysis_set")
    [model] = discover(tmp_path)
    assert model.table == "cohort.new_model" and model.deps == (("cohort", "analysis_set"),)


def test_schedule_targets_the_monthly_refresh():
    schedule = build_definitions().resolve_schedule_def(monthly_schedule.name)
    assert schedule.job_name == "monthly_refresh"
    assert schedule.cron_schedule == "0 6 5 * *"


def test_first_tick_skips_months_already_loaded_by_the_cli(landed):
    from mg_platform.assets.raw import raw_month
    from mg_platform.resources.bundle import default_resources

    instance = dg.DagsterInstance.ephemeral()
    assert dg.materialize(
        [raw_month], partition_key="2025-03", resources=default_resources(landed), instance=instance
    ).success
    first = tick(landed / "landing", instance=instance)
    assert "2025-03" not in {r.partition_key for r in first.run_requests}
    assert len(first.run_requests) == 6
    path = landed / "landing" / "2025-03" / "pacu_pain_scores.csv"
    path.write_text(path.read_text() + "\n")
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 10**9))
    assert [r.partition_key for r in tick(landed / "landing", first.cursor, instance).run_requests] == ["2025-03"]

"""The monthly data's delivery deadline (a check that turns red) and run-failure alerts with their hook."""

from __future__ import annotations

import datetime as dt
import json
import sys

import dagster as dg
import pytest
from dagster._core.test_utils import freeze_time

from mg_platform.automation import due_month, run_failure_alerts
from mg_platform.definitions import build_definitions
from mg_platform.resources.alerts import AlertNotifier

UTC = dt.UTC


@pytest.mark.parametrize(
    ("now", "due"),
    [
        (dt.datetime(2025, 10, 10, tzinfo=UTC), "2025-09"),  # deadline day: last month is due
        (dt.datetime(2025, 10, 9, 23, 59, tzinfo=UTC), "2025-08"),  # one minute before
        (dt.datetime(2026, 1, 15, tzinfo=UTC), "2025-12"),  # across the year
        (dt.datetime(2026, 1, 3, tzinfo=UTC), "2025-11"),
    ],
)
def test_due_month_by_hand(now, due):
    assert due_month(now) == due


def _check(result: dg.ExecuteInProcessResult) -> dg.AssetCheckEvaluation:
    [evaluation] = result.get_asset_check_evaluations()
    return evaluation


def test_the_delivery_check_turns_red_when_a_month_is_overdue(landed):
    defs = build_definitions(landed)
    with dg.instance_for_test() as instance:
        load = defs.resolve_job_def("monthly_refresh")
        raw = [dg.AssetKey(["raw", t]) for t in ("perioperative_records", "pain_scores", "quarantine")]
        assert (
            load.get_subset(asset_selection=set(raw))
            .execute_in_process(partition_key="2025-09", instance=instance)
            .success
        )
        check = defs.resolve_job_def("delivery_deadline")
        with freeze_time(dt.datetime(2025, 10, 12, 7, tzinfo=UTC)):
            on_time = _check(check.execute_in_process(instance=instance))
        with freeze_time(dt.datetime(2025, 11, 12, 7, tzinfo=UTC)):
            overdue = _check(check.execute_in_process(instance=instance, raise_on_error=False))
    assert on_time.passed and on_time.metadata["due_month"].value == "2025-09"
    assert not overdue.passed and overdue.severity == dg.AssetCheckSeverity.ERROR
    assert overdue.metadata["due_month"].value == "2025-10"
    assert overdue.metadata["latest_loaded_partition"].value == "2025-09"


def test_a_failed_run_becomes_an_alert_line_a_record_and_a_hook_call(landed, tmp_path):
    defs = build_definitions(landed)
    hook_out = tmp_path / "hook.json"
    hook = f"{sys.executable} -c \"import sys; open('{hook_out}', 'w').write(sys.stdin.read())\""
    notifier = AlertNotifier(folder=str(tmp_path / "alerts"), command=hook)
    with dg.instance_for_test() as instance:
        failed = defs.resolve_job_def("monthly_refresh").execute_in_process(
            partition_key="2024-01", instance=instance, raise_on_error=False, tags={"mg/trigger": "landed_month"}
        )
        assert not failed.success  # no landing folder for 2024-01
        run = instance.get_run_by_id(failed.run_id)
        [failure] = [e for e in failed.all_events if e.event_type == dg.DagsterEventType.RUN_FAILURE]
        context = dg.build_run_status_sensor_context(
            sensor_name="run_failure_alerts",
            dagster_instance=instance,
            dagster_run=run,
            dagster_event=failure,
            resources={"alert_notifier": notifier},
        ).for_run_failure()
        run_failure_alerts(context)
    [line] = (tmp_path / "alerts" / "alerts.log").read_text().splitlines()
    assert f"ALERT run {failed.run_id[:8]} of monthly_refresh [2024-01] failed:" in line
    [record] = [json.loads(r) for r in (tmp_path / "alerts" / "alerts.jsonl").read_text().splitlines()]
    assert record["run_id"] == failed.run_id and record["partition"] == "2024-01"
    assert record["trigger"] == "landed_month" and record["kind"] == "run_failure"
    assert json.loads(hook_out.read_text()) == record

"""Monthly refresh end to end, driven by Dagster itself: sensor tick -> run -> declarative automation."""

from __future__ import annotations

import shutil

import dagster as dg
import duckdb
import pytest

from mg_platform.automation import landed_month_sensor
from mg_platform.definitions import build_definitions
from mg_platform.resources.landing import LandingZone

pytestmark = pytest.mark.slow

NOT_MONTHLY = ("network", "docking")


def _tick(defs: dg.Definitions, instance, landing: LandingZone, cursor: str | None):
    context = dg.build_sensor_context(
        instance=instance, cursor=cursor, resources={"landing": landing}, definitions=defs
    )
    return landed_month_sensor.evaluate_tick(context)


def _run(defs: dg.Definitions, instance, request: dg.RunRequest) -> dg.ExecuteInProcessResult:
    job = defs.resolve_job_def("monthly_refresh")
    return job.execute_in_process(
        partition_key=request.partition_key, instance=instance, tags=request.tags, raise_on_error=False
    )


def _materialised(result: dg.ExecuteInProcessResult) -> set[str]:
    return {e.asset_key.to_user_string() for e in result.get_asset_materialization_events()}


@pytest.mark.e2e  # whole-pipeline CLI/Dagster run: make test-e2e (CI runs it)
def test_a_landed_month_refreshes_exactly_its_chain(landed, tmp_path):
    landing_dir = landed / "landing"
    parked = tmp_path / "parked"
    parked.mkdir()
    for month in ("2025-06", "2025-07", "2025-08", "2025-09"):
        shutil.move(landing_dir / month, parked / month)
    defs = build_definitions(landed)
    landing = LandingZone(path=str(landing_dir))
    with dg.instance_for_test() as instance:
        first = _tick(defs, instance, landing, None)
        assert sorted(r.partition_key for r in first.run_requests) == ["2025-03", "2025-04", "2025-05"]
        for request in first.run_requests:
            assert _run(defs, instance, request).success

        shutil.move(parked / "2025-06", landing_dir / "2025-06")
        second = _tick(defs, instance, landing, first.cursor)
        assert [r.partition_key for r in second.run_requests] == ["2025-06"]
        result = _run(defs, instance, second.run_requests[0])
        assert result.success
        done = _materialised(result)
        assert {"raw/perioperative_records", "cohort/strobe_flow", "cohort/analysis_set", "report/study_report"} <= done
        assert not [k for k in done if k.split("/")[0] in NOT_MONTHLY]
        raw_partitions = {
            e.partition
            for e in result.get_asset_materialization_events()
            if e.asset_key == dg.AssetKey(["raw", "perioperative_records"])
        }
        assert raw_partitions == {"2025-06"}
        with duckdb.connect(str(landed / "warehouse.duckdb"), read_only=True) as conn:
            screened = conn.execute("SELECT n FROM cohort.strobe_flow WHERE step = 'screened'").fetchone()[0]
        assert screened == 11 * 4

        chain = dg.AssetSelection.all() - dg.AssetSelection.groups(*NOT_MONTHLY, "report")
        evaluation = dg.evaluate_automation_conditions(defs, instance, asset_selection=chain)
        assert evaluation.total_requested == 0

        old = landing_dir / "2025-04" / "perioperative_records.csv"
        old.write_text("\n".join(old.read_text().splitlines()[:-2]) + "\n")
        third = _tick(defs, instance, landing, second.cursor)
        assert [r.partition_key for r in third.run_requests] == ["2025-04"]
        assert _run(defs, instance, third.run_requests[0]).success
        with duckdb.connect(str(landed / "warehouse.duckdb"), read_only=True) as conn:
            screened = conn.execute("SELECT n FROM cohort.strobe_flow WHERE step = 'screened'").fetchone()[0]
        assert screened == 11 * 4 - 2

        shutil.move(parked / "2025-07", landing_dir / "2025-07")
        broken = landing_dir / "2025-07" / "pacu_pain_scores.csv"
        broken.write_text(broken.read_text().replace("nrs", "pain", 1))
        fourth = _tick(defs, instance, landing, third.cursor)
        blocked = _run(defs, instance, fourth.run_requests[0])
        assert not blocked.success
        failed = [e for e in blocked.get_asset_check_evaluations() if not e.passed]
        assert {e.asset_key.to_user_string() for e in failed} == {"raw/pain_scores"}
        assert "pacu_pain_scores.csv" in str(failed[0].metadata)
        assert "cohort/strobe_flow" not in _materialised(blocked)

"""Automation: a sensor for landed months, a monthly schedule, declarative automation downstream."""

from __future__ import annotations

import json
from pathlib import Path

import dagster as dg

from mg_platform.analysis.contract import FILE_CONTRACTS
from mg_platform.assets.cohort import ELIGIBILITY_KEY
from mg_platform.assets.raw import RAW_KEYS, raw_month
from mg_platform.resources.landing import LandingZone

DATA_VERSION_TAG = "dagster/data_version"
MONTHLY_REFRESH_SELECTION = dg.AssetSelection.assets(raw_month).downstream() | dg.AssetSelection.assets(ELIGIBILITY_KEY)

# In-process: the chain is sequential and small, so one process avoids re-importing the code per step.
monthly_refresh_job = dg.define_asset_job(
    "monthly_refresh",
    selection=MONTHLY_REFRESH_SELECTION,
    description="Load one month into raw.*, run its checks, and refresh every model, statistic and report after it.",
    executor_def=dg.in_process_executor,
)


def landing_state(landing: LandingZone) -> dict[str, dict[str, float]]:
    """month -> {file name: mtime_ns} for every valid month folder (cheap: no hashing)."""
    state = {}
    for month in landing.months():
        folder = Path(landing.path) / month
        state[month] = {
            c.file_name: (folder / c.file_name).stat().st_mtime_ns
            for c in FILE_CONTRACTS
            if (folder / c.file_name).is_file()
        }
    return state


def already_loaded(instance: dg.DagsterInstance, landing: LandingZone, month: str) -> bool:
    """True when every file of ``month`` has the sha256 recorded as the data version of its raw partition.

    Lets the sensor's first tick skip months that ``mg-platform materialize`` already loaded.
    """
    hashes = landing.fingerprint(month)
    for contract in FILE_CONTRACTS:
        records = instance.fetch_materializations(
            dg.AssetRecordsFilter(asset_key=RAW_KEYS[contract.table], asset_partitions=[month]), limit=1
        ).records
        loaded = records[0].asset_materialization.tags.get(DATA_VERSION_TAG) if records else None
        if loaded is None or loaded != hashes.get(contract.file_name):
            return False
    return True


@dg.sensor(job=monthly_refresh_job, minimum_interval_seconds=60, default_status=dg.DefaultSensorStatus.RUNNING)
def landed_month_sensor(context: dg.SensorEvaluationContext, landing: LandingZone) -> dg.SensorResult:
    """Request the monthly refresh for each month folder that is new or has a changed file.

    The cursor keeps {month: {file: mtime_ns}} (cheap: no hashing on later ticks); a run
    key of month + mtimes makes a re-delivered month run once per delivery. A month the
    cursor has not seen yet is skipped when its files' sha256 already equal the data
    versions of its raw partitions. Folders not named YYYY-MM are refused and logged.
    """
    previous = json.loads(context.cursor) if context.cursor else {}
    current = landing_state(landing)
    for name in landing.refused_folders():
        context.log.warning(f"landing folder {name!r} is not a YYYY-MM month; refused")
    requests = [
        dg.RunRequest(
            partition_key=month,
            run_key=f"{month}:" + ",".join(f"{f}={m}" for f, m in sorted(files.items())),
            tags={"mg/trigger": "landed_month"},
        )
        for month, files in sorted(current.items())
        if files
        and previous.get(month) != files
        and not (month not in previous and already_loaded(context.instance, landing, month))
    ]
    return dg.SensorResult(run_requests=requests, cursor=json.dumps(current, sort_keys=True))


monthly_schedule = dg.build_schedule_from_partitioned_job(
    monthly_refresh_job,
    description="Refresh the newest month on the 5th of each month, in case a delivery was missed by the sensor.",
    day_of_month=5,
    hour_of_day=6,
)

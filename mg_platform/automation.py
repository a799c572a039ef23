"""Automation: the landed-month sensor, the monthly schedule, the delivery deadline and run-failure alerts."""

import datetime as dt
import json
from pathlib import Path

import dagster as dg

from mg_platform.analysis.contract import FILE_CONTRACTS
from mg_platform.jobs import DELIVERY_CHECK_KEY, monthly_refresh_job
from mg_platform.partitions import split_by_partition_range
from mg_platform.resources.alerts import AlertNotifier
from mg_platform.resources.landing import LandingZone

DATA_VERSION_TAG = "dagster/data_version"
RAW_KEYS = {c.table: dg.AssetKey(["raw", c.table]) for c in FILE_CONTRACTS}
RECORDS_KEY = RAW_KEYS["perioperative_records"]

DELIVERY_DEADLINE_DAY = 10
"""A month's export is due in the landing zone by this day of the following month."""


def landing_state(landing: LandingZone, months: list[str]) -> dict[str, dict[str, float]]:
    """month -> {file name: mtime_ns} for the given month folders (cheap: no hashing)."""
    state = {}
    for month in months:
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
    versions of its raw partitions. Folders not named YYYY-MM, and months outside the
    partition range (before MG_PARTITION_START or in the future), are refused and logged;
    the other months are requested as usual.
    """
    previous = json.loads(context.cursor) if context.cursor else {}
    for name in landing.refused_folders():
        context.log.warning(f"landing folder {name!r} is not a YYYY-MM month; refused")
    months, refused = split_by_partition_range(landing.months())
    for message in refused.values():
        context.log.warning(message)
    current = landing_state(landing, months)
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


def due_month(now: dt.datetime, deadline_day: int = DELIVERY_DEADLINE_DAY) -> str:
    """The latest month whose export is due at ``now``: last month from the deadline day on, else the one before."""
    first = now.date().replace(day=1)
    last_month = (first - dt.timedelta(days=1)).replace(day=1)
    if now.day < deadline_day:
        last_month = (last_month - dt.timedelta(days=1)).replace(day=1)
    return last_month.strftime("%Y-%m")


@dg.asset_check(
    asset=RECORDS_KEY,
    name=DELIVERY_CHECK_KEY.name,
    description=f"Freshness of the monthly data: the previous month is loaded by day {DELIVERY_DEADLINE_DAY} of "
    "the next month. Fails (red) while a due month is missing from raw.perioperative_records.",
)
def previous_month_delivered(context: dg.AssetCheckExecutionContext) -> dg.AssetCheckResult:
    """Checks that the partition of the last due month has been materialised."""
    from dagster._time import get_current_datetime  # Dagster's clock, so tests can freeze it

    month = due_month(get_current_datetime())
    records = context.instance.fetch_materializations(
        dg.AssetRecordsFilter(asset_key=RECORDS_KEY, asset_partitions=[month]), limit=1
    ).records
    latest = context.instance.fetch_materializations(RECORDS_KEY, limit=1).records
    return dg.AssetCheckResult(
        passed=bool(records),
        severity=dg.AssetCheckSeverity.ERROR,
        description=None if records else f"month {month} is overdue: not loaded by day {DELIVERY_DEADLINE_DAY}",
        metadata={
            "due_month": month,
            "deadline_day": DELIVERY_DEADLINE_DAY,
            "latest_loaded_partition": (latest[0].partition_key or "none") if latest else "none",
        },
    )


delivery_check_job = dg.define_asset_job(
    "delivery_deadline",
    selection=dg.AssetSelection.checks(previous_month_delivered),
    description="Evaluate whether the due month has been delivered and loaded.",
)
delivery_schedule = dg.ScheduleDefinition(
    name="delivery_deadline_daily",
    job=delivery_check_job,
    cron_schedule="0 7 * * *",
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="Daily at 07:00: the freshness check of the monthly raw data turns red when a month is overdue.",
)


@dg.run_failure_sensor(
    name="run_failure_alerts", default_status=dg.DefaultSensorStatus.RUNNING, monitor_all_code_locations=False
)
def run_failure_alerts(context: dg.RunFailureSensorContext, alert_notifier: AlertNotifier) -> None:
    """Every failed run, whoever launched it, becomes one alert line and one JSON record (and the hook, if set)."""
    alert_notifier.notify_run_failure(context.dagster_run, context.failure_event.message or "run failed")

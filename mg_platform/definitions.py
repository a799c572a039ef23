"""The platform's one Definitions object: assets, checks, resources, jobs, schedules, sensors, executor."""

from __future__ import annotations

import dagster as dg

from mg_platform.assets import cohort, raw, report, sources
from mg_platform.automation import landed_month_sensor, monthly_refresh_job, monthly_schedule
from mg_platform.resources.bundle import default_resources

ASSET_MODULES = (sources, raw, cohort, report)

defs = dg.Definitions(
    assets=[a for module in ASSET_MODULES for a in module.assets],
    asset_checks=[c for module in ASSET_MODULES for c in getattr(module, "asset_checks", [])],
    jobs=[monthly_refresh_job],
    schedules=[monthly_schedule],
    sensors=[landed_month_sensor],
    resources=default_resources(),
    executor=dg.multiprocess_executor.configured({"max_concurrent": 2}),
)

"""The platform's one Definitions object: assets, checks, resources, jobs, schedules, sensors, executor.

Cross-cutting policy lives here and nowhere else: the executor, and the declarative
automation of the stages that do not follow the monthly chain (network, docking,
the eligibility configuration and the report), which refresh when they are
missing, when their code version changes or when an upstream (reference data)
changes.
"""

from pathlib import Path

import dagster as dg

from mg_platform.assets import cohort, docking, network, raw, report, sources, stats
from mg_platform.automation import landed_month_sensor, monthly_refresh_job, monthly_schedule
from mg_platform.resources.bundle import default_resources

ASSET_MODULES = (sources, raw, cohort, stats, network, docking, report)
SELF_REFRESHING_GROUPS = ("network", "docking", "report")

REFRESH_ON_CHANGE = (
    dg.AutomationCondition.eager().without(dg.AutomationCondition.in_latest_time_window())
    | (dg.AutomationCondition.code_version_changed() & ~dg.AutomationCondition.in_progress())
).with_label("missing, upstream updated or code changed")


def _with_automation(spec: dg.AssetSpec) -> dg.AssetSpec:
    if spec.group_name in SELF_REFRESHING_GROUPS or spec.key == cohort.ELIGIBILITY_KEY:
        return spec.replace_attributes(automation_condition=REFRESH_ON_CHANGE)
    return spec


def build_definitions(data_dir: Path | None = None, reference_dir: Path | None = None) -> dg.Definitions:
    """The Definitions for one data dir (default ``$MG_DATA_DIR``) and reference snapshot."""
    assets = dg.map_asset_specs(_with_automation, [a for module in ASSET_MODULES for a in module.assets])
    automated = dg.AssetSelection.groups(*SELF_REFRESHING_GROUPS) | dg.AssetSelection.assets(cohort.ELIGIBILITY_KEY)
    return dg.Definitions(
        assets=assets,
        asset_checks=[c for module in ASSET_MODULES for c in getattr(module, "asset_checks", [])],
        jobs=[monthly_refresh_job],
        schedules=[monthly_schedule],
        sensors=[
            landed_month_sensor,
            dg.AutomationConditionSensorDefinition(
                "stage_automation",
                target=automated,
                default_status=dg.DefaultSensorStatus.RUNNING,
                minimum_interval_seconds=60,
                description="Refreshes network, docking, configuration and report when missing, stale or re-coded.",
            ),
        ],
        resources=default_resources(data_dir, reference_dir),
        executor=dg.multiprocess_executor.configured({"max_concurrent": 2}),
    )


defs = build_definitions()

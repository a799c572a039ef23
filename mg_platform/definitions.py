"""The platform's one Definitions object: assets, checks, resources, jobs, schedules, sensors, executor.

Cross-cutting policy lives here and nowhere else, applied by mapping over the assets:

- every asset that writes the DuckDB warehouse runs in the pool ``duckdb_write`` (limit 1 in the
  committed instance configuration ``config/dagster.yaml``);
- assets that call STRING or the RCSB retry with exponential backoff;
- the monthly raw data carries a freshness policy, and a check turns red when a month is overdue;
- declarative automation of the stages that do not follow the monthly chain (network, docking,
  the eligibility configuration and the report) waits for every blocking check upstream;
- code references link each asset to its source file in the UI;
- the executor: in-process by default, Celery when ``MG_EXECUTOR=celery``.

``defs`` is lazy: importing this module builds nothing; Dagster (workspace.yaml) calls it on load.
"""

from __future__ import annotations

import datetime as dt
import warnings
from pathlib import Path

import dagster as dg

from mg_platform import settings
from mg_platform.automation import (
    delivery_check_job,
    delivery_schedule,
    landed_month_sensor,
    monthly_schedule,
    previous_month_delivered,
    run_failure_alerts,
)
from mg_platform.jobs import JOBS

WRITE_POOL = "duckdb_write"
WRITER_RESOURCES = frozenset({"warehouse"})
NETWORK_RESOURCES = frozenset({"string_client", "rcsb_client"})
NETWORK_RETRY = dg.RetryPolicy(max_retries=3, delay=5, backoff=dg.Backoff.EXPONENTIAL, jitter=dg.Jitter.PLUS_MINUS)
"""STRING and RCSB calls: 3 retries after about 5, 10 and 20 s."""
SELF_REFRESHING_GROUPS = ("network", "docking", "report")
ELIGIBILITY_KEY = dg.AssetKey(["config", "eligibility_criteria"])
MONTHLY_FRESHNESS = dg.FreshnessPolicy.time_window(fail_window=dt.timedelta(days=41), warn_window=dt.timedelta(days=35))
"""A month's export arrives within the following month: older than ~41 days means a delivery is overdue."""

REFRESH_ON_CHANGE = (
    (
        dg.AutomationCondition.eager().without(dg.AutomationCondition.in_latest_time_window())
        | (dg.AutomationCondition.code_version_changed() & ~dg.AutomationCondition.in_progress())
    )
    & dg.AutomationCondition.all_deps_blocking_checks_passed()
).with_label("missing, upstream updated or code changed, and every upstream blocking check passed")


def _with_spec_policy(spec: dg.AssetSpec) -> dg.AssetSpec:
    if spec.group_name in SELF_REFRESHING_GROUPS or spec.key == ELIGIBILITY_KEY:
        return spec.replace_attributes(automation_condition=REFRESH_ON_CHANGE)
    if spec.key.path[0] == "raw" and spec.partitions_def is not None:
        return spec.replace_attributes(freshness_policy=MONTHLY_FRESHNESS)
    return spec


def _with_op_policy(assets_def: dg.AssetsDefinition) -> dg.AssetsDefinition:
    """Writers join the ``duckdb_write`` pool; STRING/RCSB callers get the retry policy."""
    if not assets_def.is_executable:
        return assets_def
    op = assets_def.op
    needs = set(op.required_resource_keys)
    pool = WRITE_POOL if needs & WRITER_RESOURCES else op.pool
    retry = NETWORK_RETRY if needs & NETWORK_RESOURCES else op.retry_policy
    if (pool, retry) == (op.pool, op.retry_policy):
        return assets_def
    new_op = dg.OpDefinition.dagster_internal_init(
        compute_fn=op.compute_fn,
        name=op.name,
        ins={d.name: dg.In.from_definition(d) for d in op.input_defs},
        outs={d.name: dg.Out.from_definition(d) for d in op.output_defs},
        description=op.description,
        config_schema=op.config_schema,
        required_resource_keys=op.required_resource_keys,
        tags=op.tags,
        version=None,
        retry_policy=retry,
        code_version=op.version,
        pool=pool,
    )
    return dg.AssetsDefinition.dagster_internal_init(**{**assets_def.get_attributes_dict(), "node_def": new_op})


def _executor() -> dg.ExecutorDefinition:
    if settings.executor_kind() == "celery":
        from dagster_celery import celery_executor

        return celery_executor
    return dg.in_process_executor


def build_definitions(data_dir: Path | None = None, reference_dir: Path | None = None) -> dg.Definitions:
    """The Definitions for one data dir (default ``$MG_DATA_DIR``) and reference snapshot."""
    from mg_platform.assets import cohort, docking, network, raw, report, sources, stats
    from mg_platform.resources.bundle import default_resources

    modules = (sources, raw, cohort, stats, network, docking, report)
    assets = dg.map_asset_specs(_with_spec_policy, [a for module in modules for a in module.assets])
    with warnings.catch_warnings():  # code references are a beta API; the notice is for developers
        warnings.simplefilter("ignore", dg.BetaWarning)
        assets = dg.with_source_code_references(
            [_with_op_policy(a) if isinstance(a, dg.AssetsDefinition) else a for a in assets]
        )
    automated = dg.AssetSelection.groups(*SELF_REFRESHING_GROUPS) | dg.AssetSelection.assets(ELIGIBILITY_KEY)
    return dg.Definitions(
        assets=assets,
        asset_checks=[
            *(c for module in modules for c in getattr(module, "asset_checks", [])),
            previous_month_delivered,
        ],
        jobs=[*JOBS, delivery_check_job],
        schedules=[monthly_schedule, delivery_schedule],
        sensors=[
            landed_month_sensor,
            run_failure_alerts,
            dg.AutomationConditionSensorDefinition(
                "stage_automation",
                target=automated,
                default_status=dg.DefaultSensorStatus.RUNNING,
                minimum_interval_seconds=60,
                description="Refreshes network, docking, configuration and report when missing, stale or re-coded, "
                "once every blocking check upstream has passed.",
            ),
        ],
        resources=default_resources(data_dir, reference_dir),
        executor=_executor(),
    )


@dg.definitions
def defs() -> dg.Definitions:
    """What ``dagster dev -w workspace.yaml`` and ``mg-platform materialize`` load (``$MG_DATA_DIR``)."""
    return build_definitions()

"""The Definitions as a whole: a reviewed snapshot, policy applied once, lazy loading, one blinding switch."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import dagster as dg
import pytest

from mg_platform.definitions import WRITE_POOL, build_definitions
from mg_platform.runner import dagster_home
from mg_platform.settings import REPO_ROOT

SNAPSHOT = Path(__file__).parent / "definitions_snapshot.json"


@pytest.fixture(scope="module")
def defs() -> dg.Definitions:
    return build_definitions()


def snapshot(defs: dg.Definitions) -> dict:
    """What a reviewer should see change: assets (group, pool, retries, automation), checks, jobs, sensors."""
    graph = defs.resolve_asset_graph()
    assets = {}
    for key in sorted(graph.get_all_asset_keys(), key=lambda k: k.to_user_string()):
        node = graph.get(key)
        assets_def = defs.resolve_assets_def(key) if node.is_executable else None
        op = assets_def.op if assets_def is not None and assets_def.is_executable else None
        assets[key.to_user_string()] = {
            "group": node.group_name,
            "partitioned": node.partitions_def is not None,
            "pool": op.pool if op else None,
            "retries": op.retry_policy.max_retries if op and op.retry_policy else 0,
            "automation": node.automation_condition.get_label() if node.automation_condition else None,
            "code_reference": "dagster/code_references" in node.metadata,
        }
    return {
        "assets": assets,
        "checks": sorted(f"{c.asset_key.to_user_string()}:{c.name}" for c in graph.asset_check_keys),
        "jobs": sorted(j.name for j in defs.jobs),
        "schedules": sorted(s.name for s in defs.schedules),
        "sensors": sorted(s.name for s in defs.sensors),
    }


def test_definitions_match_the_reviewed_snapshot(defs):
    dg.Definitions.validate_loadable(defs)
    current = snapshot(defs)
    if os.environ.get("MG_UPDATE_SNAPSHOT"):
        SNAPSHOT.write_text(json.dumps(current, indent=1, sort_keys=True) + "\n")
    assert current == json.loads(SNAPSHOT.read_text()), (
        "the Definitions changed: review the diff, then rerun with MG_UPDATE_SNAPSHOT=1 to accept it"
    )


def test_every_warehouse_writer_is_in_the_pool_and_network_callers_retry(defs):
    executable = [a for a in defs.assets if isinstance(a, dg.AssetsDefinition) and a.is_executable]
    writers = [a for a in executable if "warehouse" in a.op.required_resource_keys]
    assert len(writers) >= 15 and all(a.op.pool == WRITE_POOL for a in writers)
    callers = [a for a in executable if a.op.required_resource_keys & {"string_client", "rcsb_client"}]
    assert {a.op.name for a in callers} == {"string_network", "docking_receptor", "docking_redock", "nmda_mg_pore"}
    for a in callers:
        policy = a.op.retry_policy
        assert policy.max_retries == 3 and policy.backoff == dg.Backoff.EXPONENTIAL and policy.delay > 0


def test_blinding_is_one_switch_for_the_whole_run(defs):
    job = defs.resolve_job_def("monthly_refresh")
    stats_ops = {
        defs.resolve_assets_def(k).op.name
        for k in job.asset_layer.asset_graph.get_all_asset_keys()
        if k.path[0] == "stats"
    }
    assert len(stats_ops) == 8  # the six study analyses, confounding robustness and trial power
    half_blinded = {"ops": {sorted(stats_ops)[0]: {"config": {"blinded": True}}}}
    with pytest.raises(dg.DagsterInvalidConfigError, match="blinded"):
        dg.validate_run_config(job, half_blinded)
    dg.validate_run_config(job, {"resources": {"blinding": {"config": {"blinded": True}}}})
    for key in job.asset_layer.asset_graph.get_all_asset_keys():
        if key.path[0] == "stats":
            assert "blinding" in defs.resolve_assets_def(key).op.required_resource_keys


def test_importing_the_definitions_builds_nothing_and_workspace_loads_them():
    code = (
        "import sys, mg_platform.definitions; "
        "assert not [m for m in sys.modules if m.startswith('mg_platform.assets')], 'assets imported'; "
        "from dagster._core.workspace.autodiscovery import loadable_targets_from_python_module as targets; "
        "[t] = targets('mg_platform.definitions', working_directory='.'); "
        "jobs = t.target_definition().resolve_all_job_defs(); "
        "print(t.attribute, sorted(j.name for j in jobs if not j.name.startswith('__')))"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO_ROOT, capture_output=True, text=True, check=True)
    assert (
        out.stdout.strip()
        == "defs ['delivery_deadline', 'docking_receptors', 'docking_validation', 'monthly_refresh', 'reference_analyses']"
    )


def test_the_instance_uses_the_committed_configuration(tmp_path):
    home = dagster_home(tmp_path)
    (home / "dagster.yaml").write_text("telemetry:\n  enabled: true\n")  # a stale or edited copy is replaced
    home = dagster_home(tmp_path)
    with dg.DagsterInstance.from_config(str(home)) as instance:
        assert instance.event_log_storage.get_pool_config().default_pool_limit == 1
        assert instance.run_monitoring_enabled

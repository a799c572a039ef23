"""Materialise the asset graph for every landed month, outside the UI (used by the CLI and `make run`).

Runs go through a persistent Dagster instance in ``<data dir>/dagster_home`` so that
they appear in the UI's run history and asset catalogue afterwards.
"""

from __future__ import annotations

import os
import warnings
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from multiprocessing import get_context
from pathlib import Path

import dagster as dg

from mg_platform.assets.raw import FILE_ACCEPTED_CHECK, raw_month

PARALLEL_PARTITIONS = 2
INSTANCE_CONFIG = """\
# Written by mg-platform. One DuckDB writer at a time: assets in pool duckdb_write run one by one.
concurrency:
  pools:
    default_limit: 1
telemetry:
  enabled: false
"""


def dagster_home(data_dir: Path) -> Path:
    """``<data dir>/dagster_home`` with its dagster.yaml (created when missing)."""
    home = data_dir / "dagster_home"
    home.mkdir(parents=True, exist_ok=True)
    config = home / "dagster.yaml"
    if not config.exists():
        config.write_text(INSTANCE_CONFIG)
    return home


def _partitioned_first(assets: list[dg.AssetsDefinition]) -> list[tuple[dg.PartitionsDefinition | None, list]]:
    by_partitions: dict[int, tuple[dg.PartitionsDefinition | None, list]] = {}
    for asset in assets:
        entry = by_partitions.setdefault(id(asset.partitions_def), (asset.partitions_def, []))
        entry[1].append(asset)
    return sorted(by_partitions.values(), key=lambda item: item[0] is None)


@dataclass
class MaterializeOutcome:
    """What a CLI materialisation did: months found, months blocked by a failed file check, failures."""

    months: list[str] = field(default_factory=list)
    blocked: dict[str, list[str]] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


def _blocking_failures(result: dg.ExecuteInProcessResult) -> list[str]:
    return [
        f"{e.asset_key.to_user_string()}: {e.metadata.get('problem').value if e.metadata.get('problem') else e.check_name}"
        for e in result.get_asset_check_evaluations()
        if not e.passed and e.check_name == FILE_ACCEPTED_CHECK
    ]


def quiet_api_maturity_warnings() -> None:
    """Dagster's beta/preview notices are for developers; CLI users see results and errors."""
    for category in (dg.BetaWarning, dg.PreviewWarning):
        warnings.filterwarnings("ignore", category=category)


def _run_config(defs: dg.Definitions, selection: list[dg.AssetKey], blinded: bool) -> dict:
    """Quiet console logs; with ``blinded``, every selected statistics op runs on coded arms A/B."""
    config: dict = {"loggers": {"console": {"config": {"log_level": "WARNING"}}}}
    if blinded:
        graph = defs.resolve_asset_graph()
        ops = {defs.resolve_assets_def(k).node_def.name for k in selection if graph.get(k).group_name == "stats"}
        config["ops"] = {op: {"config": {"blinded": True}} for op in sorted(ops)}
    return config


def _materialize_one(
    root: Path, selection: list[str], partition_key: str | None, blinded: bool = False
) -> tuple[list[str], list[str]]:
    """One in-process run of ``selection`` for one partition; (blocking check failures, step failures).

    Top-level so that static partitions (docking receptors) can run in parallel worker processes.
    """
    from mg_platform.definitions import build_definitions

    quiet_api_maturity_warnings()
    defs = build_definitions(root)
    assets = [a for a in defs.assets if isinstance(a, dg.AssetsDefinition)]
    keys = [dg.AssetKey.from_user_string(k) for k in selection]
    result = dg.materialize(
        assets,
        selection=keys,
        partition_key=partition_key,
        resources=defs.resources,
        instance=dg.DagsterInstance.get(),
        tags={"mg/trigger": "cli"},
        raise_on_error=False,
        run_config=_run_config(defs, keys, blinded),
    )
    failures = [
        f"{e.step_key}: {e.event_specific_data.error.message.strip()}" for e in result.get_step_failure_events()
    ]
    return _blocking_failures(result), failures


def materialize_all(selection: str = "*", data_dir: Path | None = None, blinded: bool = False) -> MaterializeOutcome:
    """Materialise ``selection`` for all landed months into ``data_dir`` only.

    Partitioned assets run once per partition (monthly assets for the landed months,
    other partitions for all their keys), then unpartitioned assets run once. When a
    month's file is rejected (blocking check ``file_accepted`` failed), nothing
    downstream of raw is refreshed, as the contract requires; other assets still run.
    ``blinded`` runs the statistics on coded arms A/B (the study's blinded analysis).
    """
    from mg_platform import settings

    root = Path(data_dir) if data_dir else settings.data_dir()
    os.environ["MG_DATA_DIR"] = str(root)
    os.environ["DAGSTER_HOME"] = str(dagster_home(root))
    from mg_platform.definitions import build_definitions
    from mg_platform.partitions import monthly_partitions

    defs = build_definitions(root)
    outcome = MaterializeOutcome(months=defs.resources["landing"].months())
    graph = defs.resolve_asset_graph()
    selected = dg.AssetSelection.from_string(selection).required_multi_asset_neighbors().resolve(graph)
    downstream_of_raw = dg.AssetSelection.assets(raw_month).downstream(include_self=False).resolve(graph)
    chosen = [a for a in defs.assets if isinstance(a, dg.AssetsDefinition) and set(a.keys) & selected]
    for partitions_def, group in _partitioned_first(chosen):
        keys = (
            outcome.months
            if partitions_def == monthly_partitions
            else (partitions_def.get_partition_keys() if partitions_def else [None])
        )
        sub_selection = [k for a in group for k in a.keys if k in selected]
        if partitions_def is None and outcome.blocked:
            outcome.skipped = sorted(k.to_user_string() for k in sub_selection if k in downstream_of_raw)
            sub_selection = [k for k in sub_selection if k not in downstream_of_raw]
        if not sub_selection:
            continue
        names = [k.to_user_string() for k in sub_selection]
        if partitions_def is None or partitions_def == monthly_partitions:
            results = [_materialize_one(root, names, key, blinded) for key in keys]
        else:
            with ProcessPoolExecutor(max_workers=PARALLEL_PARTITIONS, mp_context=get_context("spawn")) as pool:
                results = list(pool.map(_materialize_one, [root] * len(keys), [names] * len(keys), keys))
        for key, (blocked, failures) in zip(keys, results, strict=True):
            if blocked:
                outcome.blocked[str(key)] = blocked
            outcome.failures += failures
    return outcome


def summary_text(data_dir: Path) -> str:
    """Months loaded, screened, excluded by reason, included per group, and where the outputs are."""
    import duckdb

    database = data_dir / "warehouse.duckdb"
    if not database.exists():
        return f"no warehouse yet at {database}"
    with duckdb.connect(str(database), read_only=True) as conn:
        present = {
            f"{s}.{t}" for s, t in conn.execute("SELECT schema_name, table_name FROM duckdb_tables()").fetchall()
        }

        def rows(table: str, query: str) -> list[tuple]:
            return conn.execute(query).fetchall() if table in present else []

        months = [
            m
            for (m,) in rows(
                "raw.perioperative_records", "SELECT DISTINCT month FROM raw.perioperative_records ORDER BY 1"
            )
        ]
        flow = rows(
            "cohort.strobe_flow",
            'SELECT step, reason, "group", n FROM cohort.strobe_flow ORDER BY step_order, reason, "group"',
        )
        quarantined = rows("raw.quarantine", "SELECT count(*) FROM raw.quarantine") or [(0,)]
    lines = [f"months loaded: {len(months)} ({months[0]}..{months[-1]})" if months else "months loaded: 0"]
    if not flow:
        lines.append("  cohort.strobe_flow is not materialised yet")
    for step, reason, group, n in flow:
        label = step if not (reason or group) else f"{step}: {reason or group}"
        lines.append(f"  {label:<52} {n:>7}")
    lines.append(f"quarantined values/rows: {quarantined[0][0]}")
    lines.append(f"warehouse: {database}")
    lines.append(f"outputs:   {data_dir / 'outputs'}")
    lines.append(f"report:    {data_dir / 'outputs' / 'report.html'}")
    return "\n".join(lines)

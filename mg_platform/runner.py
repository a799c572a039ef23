"""Run the platform's named jobs from the command line (``mg-platform materialize``, ``make run``).

This module only chooses jobs and partitions and reports what happened; execution, pools,
retries and blocking checks are Dagster's. Runs go through a persistent Dagster instance in
``<data dir>/dagster_home`` (configured by the committed ``config/dagster.yaml``), so they appear
in the UI under the same job names as the sensor's and the UI's runs:

1. ``monthly_refresh``, raw part, once per landed month (its blocking check ``file_accepted``
   decides whether the month's file was accepted);
2. ``docking_receptors`` per receptor and ``docking_validation`` per complex, then ``reference_analyses``;
3. ``monthly_refresh``, unpartitioned part (staging -> cohort -> stats -> report), once; skipped
   while a month is blocked, unless ``exclude_blocked`` (then the analyses use accepted data only).

Crash safety: each CLI run is tagged with the process that runs it (host, pid, start time). Before
launching, runs whose process is gone are marked failed and their ``duckdb_write`` slots freed,
so a killed run never blocks later runs. A step waiting for a slot says which run holds it.
"""

from __future__ import annotations

import datetime as dt
import logging
import multiprocessing
import os
import shutil
import signal
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path

import dagster as dg
import psutil
from rich.console import Console
from rich.markup import escape

from mg_platform import settings
from mg_platform.jobs import (
    DOCKING_RECEPTOR_SELECTION,
    DOCKING_REDOCK_SELECTION,
    MONTHLY_REFRESH_SELECTION,
    REFERENCE_SELECTION,
)
from mg_platform.processes import die_with_parent

INSTANCE_TEMPLATE = settings.CONFIG_DIR / "dagster.yaml"
FILE_ACCEPTED_CHECK = "file_accepted"
HOST_TAG, PID_TAG, PROCESS_START_TAG, SESSION_TAG = "mg/host", "mg/pid", "mg/process_started", "mg/cli_session"
IN_PROGRESS = [dg.DagsterRunStatus.NOT_STARTED, dg.DagsterRunStatus.STARTING, dg.DagsterRunStatus.STARTED]
POLL_SECONDS = 0.5
PIPES_PROTOCOL_PREFIX = "[pipes]"

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_QUARANTINED = 3
EXIT_BLOCKED = 4
EXIT_INTERRUPTED = 130
EXIT_CODES = {
    EXIT_OK: "success: every landed month loaded, nothing quarantined",
    EXIT_QUARANTINED: "success, with quarantined rows (see the summary and outputs/quality/<month>.html)",
    EXIT_BLOCKED: "a file or month folder was rejected or refused: its month is blocked",
    EXIT_FAILED: "a step failed, or there was nothing to load",
    EXIT_INTERRUPTED: "interrupted (Ctrl-C or SIGTERM); runs stopped, nothing left running",
}


def dagster_home(data_dir: Path) -> Path:
    """``<data dir>/dagster_home`` holding the committed instance configuration (kept in sync)."""
    home = data_dir / "dagster_home"
    home.mkdir(parents=True, exist_ok=True)
    config = home / "dagster.yaml"
    if not config.exists() or config.read_text() != INSTANCE_TEMPLATE.read_text():
        shutil.copyfile(INSTANCE_TEMPLATE, config)
    return home


def quiet_api_maturity_warnings() -> None:
    """Dagster's beta/preview notices are for developers; CLI users see results and errors."""
    import warnings

    for category in (dg.BetaWarning, dg.PreviewWarning):
        warnings.filterwarnings("ignore", category=category)


# ---------------------------------------------------------------------------------------------- crash safety
def _process_tags() -> dict[str, str]:
    me = psutil.Process()
    return {HOST_TAG: socket.gethostname(), PID_TAG: str(me.pid), PROCESS_START_TAG: f"{me.create_time():.3f}"}


def _process_alive(tags: dict[str, str]) -> bool:
    try:
        process = psutil.Process(int(tags[PID_TAG]))
        return abs(process.create_time() - float(tags[PROCESS_START_TAG])) < 1.0 and process.is_running()
    except (psutil.NoSuchProcess, KeyError, ValueError):
        return False


def release_abandoned_runs(instance: dg.DagsterInstance) -> list[str]:
    """Fail CLI runs of this host whose process is gone and free every pool slot held by a finished run.

    Returns one message per run released. Runs launched by the UI or the daemon carry no process
    tags and are left to the daemon's run monitoring (``config/dagster.yaml``).
    """
    released = []
    runs = instance.get_runs(dg.RunsFilter(statuses=IN_PROGRESS, tags={HOST_TAG: socket.gethostname()}))
    for run in runs:
        if _process_alive(run.tags):
            continue
        instance.report_run_failed(run, f"its process (pid {run.tags.get(PID_TAG)}) is gone")
        instance.event_log_storage.free_concurrency_slots_for_run(run.run_id)
        released.append(f"run {run.run_id[:8]} of {run.job_name} was left by a process that is gone: marked failed")
    storage = instance.event_log_storage
    for pool in storage.get_concurrency_keys():
        holders = {slot.run_id for slot in storage.get_concurrency_info(pool).claimed_slots}
        holders |= {step.run_id for step in storage.get_concurrency_info(pool).pending_steps}
        for run_id in holders:
            run = instance.get_run_by_id(run_id)
            if run is None or run.is_finished:
                storage.free_concurrency_slots_for_run(run_id)
                released.append(f"pool {pool}: freed the slot of finished run {run_id[:8]}")
    return released


def slot_holders(instance: dg.DagsterInstance, pool: str) -> str:
    """Who holds ``pool``'s slots, for the waiting message."""
    holders = []
    for slot in instance.event_log_storage.get_concurrency_info(pool).claimed_slots:
        run = instance.get_run_by_id(slot.run_id)
        origin = (
            f"mg-platform pid {run.tags[PID_TAG]}"
            if run and PID_TAG in run.tags
            else (run.tags.get("mg/trigger") or "the UI/daemon")
            if run
            else "an unknown run"
        )
        holders.append(f"run {slot.run_id[:8]} ({run.job_name if run else '?'}, step {slot.step_key}, {origin})")
    return ", ".join(holders) or "no run (freeing up)"


@contextmanager
def stop_on_sigterm() -> Iterator[None]:
    """SIGTERM behaves like Ctrl-C: the run stops, children are ended, the command exits."""

    def _raise(signum, frame):
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, _raise)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


# ---------------------------------------------------------------------------------------------- progress
class Progress:
    """Prints each step of a run as it starts, finishes, fails or waits, and the assets' own INFO log lines
    (a file's accounting, docking runs done of runs planned), read from the instance's event log."""

    def __init__(self, instance: dg.DagsterInstance, console: Console, session: str) -> None:
        self.instance, self.console, self.session = instance, console, session
        self._stop = threading.Event()
        self._started: dict[str, float] = {}
        self._run_id: str | None = None
        self._cursor: str | None = None
        self._thread = threading.Thread(target=self._follow, daemon=True)

    def __enter__(self) -> Progress:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def _follow(self) -> None:
        while not self._stop.is_set():
            self._poll()
            self._stop.wait(POLL_SECONDS)
        self._poll()  # the events written between the last poll and the end of the run

    def _poll(self) -> None:
        if self._run_id is None:
            runs = self.instance.get_runs(dg.RunsFilter(tags={SESSION_TAG: self.session}), limit=1)
            self._run_id = runs[0].run_id if runs else None
        if self._run_id is not None:
            conn = self.instance.get_records_for_run(self._run_id, cursor=self._cursor)
            self._cursor = conn.cursor
            for record in conn.records:
                self._show(record.event_log_entry)

    def _show(self, entry) -> None:
        event = entry.dagster_event
        if event is None:  # an asset's own log line: a file's accounting, docking runs done of runs planned
            message = (entry.user_message or "").split("\n")[0]
            if entry.level >= logging.INFO and message and not message.startswith(PIPES_PROTOCOL_PREFIX):
                self.console.print(f"  [dim]{_clock()}[/dim]   {escape(message)}")
            return
        step = event.step_key or ""
        kind = event.event_type
        if kind == dg.DagsterEventType.STEP_START:
            self._started[step] = entry.timestamp
            self.console.print(f"  [dim]{_clock()}[/dim] running {step}")
        elif kind == dg.DagsterEventType.STEP_SUCCESS:
            seconds = entry.timestamp - self._started.get(step, entry.timestamp)
            self.console.print(f"  [dim]{_clock()}[/dim] [green]done[/green]    {step} ({seconds:.1f} s)")
        elif kind == dg.DagsterEventType.STEP_UP_FOR_RETRY:
            data = event.event_specific_data
            wait = f" in {data.seconds_to_wait:.1f} s" if data.seconds_to_wait is not None else ""
            cause = _error_line(data.error) if data.error is not None else _first_line(entry)
            self.console.print(f"  [dim]{_clock()}[/dim] [yellow]retry[/yellow]   {step}{wait}: {escape(cause)}")
        elif kind == dg.DagsterEventType.ENGINE_EVENT and "blocked by limit for pool" in (event.message or ""):
            pool = event.message.rsplit(" ", 1)[-1]
            self.console.print(
                f"  [dim]{_clock()}[/dim] [yellow]waiting[/yellow] {step} for a slot of pool {pool}, held by "
                f"{slot_holders(self.instance, pool)}"
            )


def _clock() -> str:
    return time.strftime("%H:%M:%S")


def _error_line(error) -> str:
    """``Class: message`` of the innermost cause of a serialised error, first line only."""
    while error.cause is not None:
        error = error.cause
    return error.message.strip().splitlines()[0] if error.message.strip() else error.cls_name


def _first_line(entry) -> str:
    return ((entry.dagster_event.message if entry.dagster_event else None) or entry.user_message or "").split("\n")[0]


# ---------------------------------------------------------------------------------------------- runs
@dataclass
class RunReport:
    """One Dagster run launched by the command line."""

    job: str
    partition: str | None
    run_id: str
    success: bool
    seconds: float
    rejected: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class RunOptions:
    """What the command line asks of every run it launches."""

    blinded: bool = False
    """Blinding resource on for the statistics (arms coded A/B)."""
    exclude_blocked: bool = False
    """Refresh the analyses from the accepted files even while a month is blocked."""
    op_config: dict[str, dict] = field(default_factory=dict)
    """Op (asset node) name -> its Dagster config, given to every run whose subset holds that op."""


class RunConfigError(ValueError):
    """A run configuration file the command line cannot use (names the file and what is wrong)."""


def read_op_config(path: Path, defs: dg.Definitions) -> dict[str, dict]:
    """The ``ops`` section of a Dagster run-config YAML file (``ops: {<op>: {config: {...}}}``), checked
    against the op names of ``defs``; values are checked by Dagster when a run starts."""
    import yaml

    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise RunConfigError(f"{path}: cannot read it as YAML ({exc.__class__.__name__})") from exc
    if not isinstance(document, dict) or set(document) - {"ops"}:
        raise RunConfigError(f"{path}: expected only a top-level 'ops' mapping (op name -> {{config: ...}})")
    known = {assets.node_def.name for assets in defs.resolve_asset_graph().assets_defs if assets.is_executable}
    ops = document.get("ops") or {}
    if not isinstance(ops, dict):
        raise RunConfigError(f"{path}: 'ops' must be a mapping of op name -> {{config: ...}}")
    config = {}
    for op, entry in ops.items():
        if op not in known:
            raise RunConfigError(f"{path}: unknown op {op!r}; ops are: {', '.join(sorted(known))}")
        if not isinstance(entry, dict) or set(entry) != {"config"}:
            raise RunConfigError(f"{path}: ops.{op} must be a mapping with one key, 'config'")
        config[op] = entry["config"]
    return config


@dataclass
class MaterializeOutcome:
    """What a CLI materialisation did."""

    months: list[str] = field(default_factory=list)
    refused: dict[str, str] = field(default_factory=dict)
    retracted: dict[str, str] = field(default_factory=dict)
    vanished: list[str] = field(default_factory=list)
    released: list[str] = field(default_factory=list)
    runs: list[RunReport] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    excluded: list[str] = field(default_factory=list)
    interrupted: bool = False

    blocked: dict[str, list[str]] = field(default_factory=dict)
    """month -> rejected files (``month/file: problem``), from this run and earlier ones (raw.quarantine)."""

    @property
    def failures(self) -> list[str]:
        return [f for r in self.runs for f in r.failures]


def _rejections(result: dg.ExecutionResult) -> list[str]:
    rejected = []
    for evaluation in result.get_asset_check_evaluations():
        if evaluation.passed or evaluation.check_name != FILE_ACCEPTED_CHECK:
            continue
        meta = evaluation.metadata
        where = meta["file"].value if "file" in meta else evaluation.asset_key.to_user_string()
        problem = meta["problem"].value if "problem" in meta else "rejected"
        rejected.append(f"{where}: {problem}")
    return rejected


def _step_failures(result: dg.ExecutionResult) -> list[str]:
    """Step failures that are not data problems (a failed blocking check is reported as REJECTED)."""
    failures = []
    for event in result.get_step_failure_events():
        error = event.event_specific_data.error
        if error is not None and error.cls_name == "DagsterAssetCheckFailedError":
            continue
        message = (error.message if error else event.message or "failed").strip().splitlines()[0]
        failures.append(f"{event.step_key}: {message} (run {result.run_id[:8]}; full log in the UI)")
    return failures


def _run_failure(result: dg.ExecutionResult) -> str:
    events = [e for e in result.all_events if e.event_type == dg.DagsterEventType.RUN_FAILURE]
    return (events[0].message or "see the run's log in the UI").strip().splitlines()[0] if events else "unknown"


class Launcher:
    """Submits named jobs of ``mg_platform.definitions`` to the instance, one in-process run each."""

    def __init__(
        self, defs: dg.Definitions, instance: dg.DagsterInstance, console: Console, options: RunOptions
    ) -> None:
        from dagster._core.definitions.reconstruct import ReconstructableRepository

        self.defs, self.instance, self.console, self.options = defs, instance, console, options
        self.repository = ReconstructableRepository.for_module(
            "mg_platform.definitions", "defs", working_directory=str(settings.REPO_ROOT)
        )

    def run(
        self, job: str, keys: list[dg.AssetKey], partition: str | None, tags: dict[str, str] | None = None
    ) -> RunReport:
        label = f"{job} [{partition}]" if partition else job
        self.console.print(f"[bold]{_clock()} {label}[/bold]: {len(keys)} assets")
        session = uuid.uuid4().hex
        run_tags = {"mg/trigger": "cli", SESSION_TAG: session, **_process_tags(), **(tags or {})}
        if partition:
            run_tags["dagster/partition"] = partition
        started = time.monotonic()
        with Progress(self.instance, self.console, session):
            result = dg.execute_job(
                self.repository.get_reconstructable_job(job).get_subset(
                    asset_selection=set(keys), asset_check_selection=self._checks(job, keys)
                ),
                instance=self.instance,
                run_config=self._run_config(keys),
                tags=run_tags,
            )
        report = RunReport(job, partition, result.run_id, result.success, time.monotonic() - started)
        report.rejected, report.failures = _rejections(result), _step_failures(result)
        if not result.success and not report.rejected and not report.failures:
            report.failures = [f"run {result.run_id[:8]} of {job} failed before its steps: {_run_failure(result)}"]
        for rejected in report.rejected:
            self.console.print(f"  [red]rejected[/red] {rejected}")
        self.console.print(f"  {'finished' if result.success else 'stopped'} in {report.seconds:.1f} s")
        for failure in report.failures:
            self._alert(result.run_id, failure)
        return report

    def _checks(self, job: str, keys: list[dg.AssetKey]) -> set[dg.AssetCheckKey]:
        """The checks of ``keys`` that belong to ``job`` (the daily delivery check never runs inside a load)."""
        graph = self.defs.resolve_asset_graph()
        in_job = self.defs.resolve_job_def(job).asset_layer.asset_graph.asset_check_keys
        return {c for c in graph.asset_check_keys if c.asset_key in keys and c in in_job}

    def _run_config(self, keys: list[dg.AssetKey]) -> dict:
        config: dict = {"loggers": {"console": {"config": {"log_level": "CRITICAL"}}}}
        if self.options.blinded and any(k.path[0] == "stats" for k in keys):
            config["resources"] = {"blinding": {"config": {"blinded": True}}}
        ops = {self.defs.resolve_assets_def(k).node_def.name for k in keys}
        if chosen := {op: {"config": c} for op, c in self.options.op_config.items() if op in ops}:
            config["ops"] = chosen
        return config

    def _alert(self, run_id: str, failure: str) -> None:
        from mg_platform.resources.bundle import default_resources

        run = self.instance.get_run_by_id(run_id)
        if run is not None:
            default_resources()["alert_notifier"].notify_run_failure(run, failure)


def _selected(defs: dg.Definitions, selection: str) -> set[dg.AssetKey]:
    graph = defs.resolve_asset_graph()
    chosen = dg.AssetSelection.from_string(selection).required_multi_asset_neighbors().resolve(graph)
    return {k for k in chosen if graph.get(k).is_executable}


def _keys(defs: dg.Definitions, job_selection: dg.AssetSelection, chosen: set[dg.AssetKey], partitioned: bool):
    graph = defs.resolve_asset_graph()
    return sorted(
        (k for k in job_selection.resolve(graph) & chosen if (graph.get(k).partitions_def is not None) == partitioned),
        key=lambda k: k.to_user_string(),
    )


def _landing_audit(root: Path, landed: list[str]) -> tuple[dict[str, str], list[str]]:
    """Retracted months not re-delivered since (month -> note), and loaded months whose folder is gone."""
    import duckdb

    from mg_platform.analysis import landing_audit

    database = root / "warehouse.duckdb"
    if not database.exists():
        return {}, []
    with duckdb.connect(str(database), read_only=True) as conn:
        recorded = landing_audit.retractions(conn)
        vanished = landing_audit.vanished_months(conn, landed)
    retracted = {}
    for item in recorded:
        folder = root / "landing" / item.month
        newest = max((p.stat().st_mtime for p in folder.iterdir()), default=0.0) if folder.is_dir() else 0.0
        if newest <= item.retracted_at.replace(tzinfo=dt.UTC).timestamp():
            retracted[item.month] = f"retracted {item.retracted_at:%Y-%m-%d %H:%M} UTC ({item.reason})"
        else:
            retracted.pop(item.month, None)
    return retracted, [m for m in vanished if m not in retracted]


def _blocked(root: Path, months: list[str]) -> dict[str, list[str]]:
    import duckdb

    from mg_platform.analysis import landing_audit

    database = root / "warehouse.duckdb"
    if not database.exists():
        return {}
    with duckdb.connect(str(database), read_only=True) as conn:
        return landing_audit.rejected_files(conn, months)


def materialize_all(
    selection: str = "*",
    data_dir: Path | None = None,
    blinded: bool = False,
    exclude_blocked: bool = False,
    op_config: dict[str, dict] | None = None,
) -> MaterializeOutcome:
    """Run the named jobs for every landed month in ``data_dir`` (see the module docstring).

    The runs execute in one worker process that this process supervises. Dagster's in-process
    execution defers Ctrl-C and SIGTERM while a step waits for a pool slot, so the supervisor,
    not Dagster, answers them: it stops the worker and everything it started within seconds and
    releases the worker's runs and slots. The worker dies with the supervisor (PR_SET_PDEATHSIG),
    so even a SIGKILL of the command leaves runs that the next command releases.
    ``op_config`` (op name -> config, see :func:`read_op_config`) goes to every run holding the op.
    """
    options = RunOptions(blinded=blinded, exclude_blocked=exclude_blocked, op_config=op_config or {})
    root = Path(data_dir) if data_dir else settings.data_dir()
    os.environ["MG_DATA_DIR"] = str(root)
    os.environ["DAGSTER_HOME"] = str(dagster_home(root))
    context = multiprocessing.get_context("spawn")
    receiver, sender = context.Pipe(duplex=False)
    worker = context.Process(target=_materialize_in_worker, args=(selection, root, options, sender), name="mg-runs")
    with stop_on_sigterm():
        try:
            worker.start()
            sender.close()
            while worker.is_alive() and not receiver.poll(0.2):
                pass
            outcome = receiver.recv() if receiver.poll(0) else None
            worker.join()
        except KeyboardInterrupt:
            outcome = None
            _stop_worker(worker)
            with dg.DagsterInstance.get() as instance:
                release_abandoned_runs(instance)
            return MaterializeOutcome(interrupted=True)
    if outcome is None:
        return MaterializeOutcome(
            runs=[
                RunReport(
                    "mg-platform",
                    None,
                    "-",
                    False,
                    0.0,
                    failures=[f"the worker process ended with exit code {worker.exitcode} before reporting"],
                )
            ]
        )
    return outcome


def _stop_worker(worker: multiprocessing.process.BaseProcess, grace_s: float = 3.0) -> None:
    """SIGTERM the worker and everything it started, SIGKILL what is left after ``grace_s``."""
    if worker.pid is None:
        return
    try:
        family = [psutil.Process(worker.pid), *psutil.Process(worker.pid).children(recursive=True)]
    except psutil.NoSuchProcess:
        return
    for process in family:
        with suppress(psutil.NoSuchProcess):
            process.terminate()
    _, alive = psutil.wait_procs(family, timeout=grace_s)
    for process in alive:
        with suppress(psutil.NoSuchProcess):
            process.kill()
    psutil.wait_procs(alive, timeout=grace_s)
    worker.join(timeout=grace_s)


def _materialize_in_worker(selection: str, root: Path, options: RunOptions, sender) -> None:
    die_with_parent()
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the supervisor decides; Dagster re-installs its own
    quiet_api_maturity_warnings()
    sender.send(_materialize_here(selection, root, options, Console(highlight=False)))
    sender.close()


def _materialize_here(selection: str, root: Path, options: RunOptions, console: Console) -> MaterializeOutcome:
    from mg_platform.definitions import build_definitions
    from mg_platform.partitions import split_by_partition_range

    defs = build_definitions(root)
    landing = defs.resources["landing"]
    outcome = MaterializeOutcome()
    outcome.refused = {
        name: f"landing folder {name!r} is not a YYYY-MM month; refused" for name in landing.refused_folders()
    }
    months, out_of_range = split_by_partition_range(landing.months())
    outcome.refused |= out_of_range
    outcome.retracted, outcome.vanished = _landing_audit(root, landing.months())
    outcome.months = [m for m in months if m not in outcome.retracted]
    chosen = _selected(defs, selection)
    with dg.DagsterInstance.get() as instance:
        outcome.released = release_abandoned_runs(instance)
        launcher = Launcher(defs, instance, console, options)
        raw_keys = _keys(defs, MONTHLY_REFRESH_SELECTION, chosen, partitioned=True)
        for month in outcome.months if raw_keys else []:
            outcome.runs.append(launcher.run("monthly_refresh", raw_keys, month))
        for job, selection, what in (
            ("docking_receptors", DOCKING_RECEPTOR_SELECTION, "docking receptor"),
            ("docking_validation", DOCKING_REDOCK_SELECTION, "redocking complex"),
        ):
            if keys := _keys(defs, selection, chosen, partitioned=True):
                partitions = defs.resolve_assets_def(keys[0]).partitions_def.get_partition_keys()
                for i, partition in enumerate(partitions, 1):
                    console.print(f"[bold]{what} {i} of {len(partitions)}[/bold]")
                    outcome.runs.append(launcher.run(job, keys, partition))
        if keys := _keys(defs, REFERENCE_SELECTION, chosen, partitioned=False):  # after docking: engine summary
            outcome.runs.append(launcher.run("reference_analyses", keys, None))
        outcome.blocked = _blocked(root, outcome.months)
        if keys := _keys(defs, MONTHLY_REFRESH_SELECTION, chosen, partitioned=False):
            outcome.excluded = sorted(f for files in outcome.blocked.values() for f in files)
            if outcome.blocked and not options.exclude_blocked:
                outcome.skipped = [k.to_user_string() for k in keys]
            else:
                tags = {"mg/exclude_blocked": "true"} if outcome.excluded else {}
                outcome.runs.append(launcher.run("monthly_refresh", keys, None, tags))
    return outcome


def exit_code(outcome: MaterializeOutcome, quarantined_rows: int) -> int:
    """The documented exit code of a materialisation (:data:`EXIT_CODES`)."""
    if outcome.interrupted:
        return EXIT_INTERRUPTED
    if outcome.failures or not outcome.months and not outcome.refused:
        return EXIT_FAILED
    if outcome.blocked or outcome.refused:
        return EXIT_BLOCKED
    return EXIT_QUARANTINED if quarantined_rows else EXIT_OK


# ---------------------------------------------------------------------------------------------- summary
def quarantine_summary(data_dir: Path, months: list[str]) -> tuple[list[str], int]:
    """Lines of quarantined rows by file, rule and column for ``months`` (with the quality pages); row total."""
    import duckdb

    database = data_dir / "warehouse.duckdb"
    if not database.exists() or not months:
        return [], 0
    with duckdb.connect(str(database), read_only=True) as conn:
        present = {
            f"{s}.{t}" for s, t in conn.execute("SELECT schema_name, table_name FROM duckdb_tables()").fetchall()
        }
        if "raw.quarantine" not in present:
            return [], 0
        rows = conn.execute(
            "SELECT month, file, rule, column_name, count(*) FROM raw.quarantine "
            "WHERE rule <> 'file_rejected' AND list_contains(?, month) GROUP BY ALL ORDER BY ALL",
            [months],
        ).fetchall()
    if not rows:
        return [], 0
    total = sum(r[-1] for r in rows)
    lines = [f"quarantined: {total} (file, rule, column; details on each month's quality page)"]
    for month, file, rule, column, n in rows:
        lines.append(f"  {month}/{file:<28} {rule:<22} {column or '-':<28} {n:>6}")
    for month in sorted({r[0] for r in rows}):
        lines.append(f"  see {data_dir / 'outputs' / 'quality' / f'{month}.html'}")
    return lines, total


def summary_text(data_dir: Path, report_rebuilt: bool | None = None) -> str:
    """Months loaded, screened, excluded by reason, included per group, and where the outputs are.

    ``report_rebuilt=False`` says that this run did not build the report (an older one may exist).
    """
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
    report = data_dir / "outputs" / "report.html"
    if not report.exists():
        lines.append("report:    not built yet")
    elif report_rebuilt is False:
        lines.append(
            f"report:    not rebuilt by this run; {report} is from {dt.datetime.fromtimestamp(report.stat().st_mtime):%Y-%m-%d %H:%M}"
        )
    else:
        lines.append(f"report:    {report}")
    return "\n".join(lines)

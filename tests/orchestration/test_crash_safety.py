"""Crash safety of `mg-platform materialize`, with real processes: SIGKILL, SIGTERM, Ctrl-C, a held slot."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import dagster as dg
import psutil
import pytest

from mg_platform.analysis.demo_cohort import generate_cohort, write_landing
from mg_platform.definitions import WRITE_POOL
from mg_platform.runner import EXIT_INTERRUPTED, HOST_TAG, PID_TAG, PROCESS_START_TAG, dagster_home
from mg_platform.settings import REPO_ROOT

CLI = str(Path(sys.executable).parent / "mg-platform")


def _interactive_signals() -> None:
    """Ctrl-C as in a terminal: a shell without job control starts background jobs with SIGINT ignored, and a
    Python child keeps an inherited SIG_IGN, so a suite launched with `&` would otherwise never see Ctrl-C."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


class Cli:
    """A real `mg-platform materialize` process whose output is collected line by line."""

    def __init__(self, data: Path, *args: str) -> None:
        env = {**os.environ, "MG_DATA_DIR": str(data), "PYTHONUNBUFFERED": "1"}
        self.process = subprocess.Popen(
            [CLI, "materialize", *args],
            cwd=REPO_ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            preexec_fn=_interactive_signals,
        )
        self.lines: list[str] = []
        self._reader = threading.Thread(target=lambda: self.lines.extend(self.process.stdout), daemon=True)
        self._reader.start()

    @property
    def output(self) -> str:
        return "".join(self.lines)

    def wait_for(self, condition, what: str, timeout: float = 240.0) -> None:
        deadline = time.monotonic() + timeout
        while not condition():
            assert self.process.poll() is None, f"exited before {what}:\n{self.output}"
            assert time.monotonic() < deadline, f"timed out waiting for {what}:\n{self.output}"
            time.sleep(0.05)

    def finish(self, timeout: float = 240.0) -> int:
        code = self.process.wait(timeout=timeout)
        self._reader.join(timeout=5)
        return code


@pytest.fixture
def data(tmp_path: Path) -> Path:
    write_landing(generate_cohort(seed=3, screened=30, months=["2025-03"]), tmp_path / "landing")
    dagster_home(tmp_path)
    return tmp_path


def _instance(data: Path) -> dg.DagsterInstance:
    return dg.DagsterInstance.from_config(str(data / "dagster_home"))


def _claimed(data: Path) -> list:
    with _instance(data) as instance:
        return instance.event_log_storage.get_concurrency_info(WRITE_POOL).claimed_slots


@pytest.mark.e2e  # whole-pipeline CLI/Dagster run: make test-e2e (CI runs it)
def test_a_killed_run_never_blocks_the_next_one(data):
    first = Cli(data, "--select", "group:raw")
    first.wait_for(lambda: _claimed(data), "a step holding the duckdb_write slot")
    first.process.kill()  # SIGKILL: no cleanup at all
    first.finish()
    [held] = _claimed(data)
    with _instance(data) as instance:
        assert instance.get_run_by_id(held.run_id).status == dg.DagsterRunStatus.STARTED

    second = Cli(data, "--select", "group:raw")
    assert second.finish() == 0, second.output
    assert f"RELEASED run {held.run_id[:8]} of monthly_refresh was left by a process that is gone" in second.output
    assert second.output.count("done    raw_month") == 1
    with _instance(data) as instance:
        assert instance.get_run_by_id(held.run_id).status == dg.DagsterRunStatus.FAILURE
    assert _claimed(data) == []


@pytest.mark.e2e  # whole-pipeline CLI/Dagster run: make test-e2e (CI runs it)
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "Ctrl-C"])
def test_sigterm_and_ctrl_c_stop_the_cli_within_seconds_leaving_nothing_running(data, signum):
    cli = Cli(data, "--select", "group:raw")
    cli.wait_for(lambda: _claimed(data), "a running step")
    family = psutil.Process(cli.process.pid).children(recursive=True)
    assert family, "the command runs its work in a worker process"
    sent = time.monotonic()
    cli.process.send_signal(signum)
    assert cli.finish(timeout=30) == EXIT_INTERRUPTED, cli.output
    assert time.monotonic() - sent < 15
    assert "INTERRUPTED" in cli.output and "Traceback" not in cli.output
    _, alive = psutil.wait_procs(family, timeout=5)  # exited processes may still need a moment to be reaped
    assert not alive, [" ".join(p.cmdline()) for p in alive]
    assert _claimed(data) == []
    with _instance(data) as instance:
        assert not instance.get_runs(dg.RunsFilter(statuses=[dg.DagsterRunStatus.STARTED]))


@pytest.mark.e2e  # whole-pipeline CLI/Dagster run: make test-e2e (CI runs it)
def test_a_waiting_run_says_what_it_waits_for(data):
    me = psutil.Process()
    with _instance(data) as instance:
        holder = instance.add_run(
            dg.DagsterRun(
                job_name="monthly_refresh",
                run_id=str(uuid.uuid4()),
                status=dg.DagsterRunStatus.STARTED,
                tags={
                    HOST_TAG: socket.gethostname(),
                    PID_TAG: str(me.pid),
                    PROCESS_START_TAG: f"{me.create_time():.3f}",
                },
            )
        )
        storage = instance.event_log_storage
        storage.initialize_concurrency_limit_to_default(WRITE_POOL)
        assert storage.claim_concurrency_slot(WRITE_POOL, holder.run_id, "raw_month").is_claimed
    cli = Cli(data, "--select", "group:raw")
    cli.wait_for(lambda: "waiting" in cli.output, "the waiting message")
    expected = f"held by run {holder.run_id[:8]} (monthly_refresh, step raw_month, mg-platform pid {me.pid})"
    assert expected in " ".join(cli.output.split())
    with _instance(data) as instance:
        instance.event_log_storage.free_concurrency_slots_for_run(holder.run_id)
    assert cli.finish() == 0, cli.output
    assert "RELEASED" not in cli.output  # a live holder is waited for, never released

"""The cluster path, run here: the Celery executor on a real Redis broker with two workers.

The statistics of the demo cohort and one docking receptor run once with the local in-process
executor and once on Celery; every table must be identical (digests). Marked e2e: each Celery
step reloads the code in its worker (seconds per step on 2 cores).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import psutil
import pytest
from conftest import table_digest

from mg_platform.cli import main
from mg_platform.settings import REPO_ROOT

pytestmark = pytest.mark.e2e
BIN = Path(sys.executable).parent
KEY = "ab" * 32


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def redis_url(tmp_path):
    server = shutil.which("redis-server")
    assert server, "redis-server is required (installed by .ci/run: apt-get install redis-server)"
    port = _free_port()
    process = subprocess.Popen(
        [
            server,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(tmp_path),
        ],
        stdout=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 20
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as conn:
                conn.sendall(b"PING\r\n")
                if conn.recv(16).startswith(b"+PONG"):
                    break
        except OSError:
            pass
        assert time.monotonic() < deadline, "redis-server did not answer"
        time.sleep(0.2)
    yield f"redis://127.0.0.1:{port}/0"
    process.terminate()
    process.wait(timeout=10)


def _env(data: Path, **extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "MG_DATA_DIR": str(data),
        "DAGSTER_HOME": str(data / "dagster_home"),
        "MG_PSEUDONYM_KEY": KEY,
        **extra,
    }


def _digests(database: Path) -> dict[str, str]:
    with duckdb.connect(str(database), read_only=True) as conn:
        tables = [
            f"{s}.{t}"
            for s, t in conn.execute("SELECT schema_name, table_name FROM duckdb_tables()").fetchall()
            if s in ("stats", "docking")
        ]
    return {t: table_digest(database, t) for t in sorted(tables)}


def test_celery_with_two_workers_gives_the_tables_of_the_local_executor(landed, tmp_path, monkeypatch, redis_url):
    monkeypatch.setenv("MG_PSEUDONYM_KEY", KEY)
    monkeypatch.setenv("MG_DATA_DIR", str(landed))
    assert main(["materialize", "--select", "group:raw or group:staging or group:cohort or group:config"]) == 0
    cluster = tmp_path / "cluster"
    cluster.mkdir()
    shutil.copy(landed / "warehouse.duckdb", cluster / "warehouse.duckdb")
    shutil.copytree(landed / "dagster_home", cluster / "dagster_home")
    script = [sys.executable, str(Path(__file__).parent / "cluster_run.py")]

    started = time.monotonic()
    local = subprocess.run(script, cwd=REPO_ROOT, env=_env(landed), capture_output=True, text=True, timeout=1800)
    local_seconds = time.monotonic() - started
    assert local.returncode == 0, local.stdout + local.stderr

    config = tmp_path / "celery.yaml"
    config.write_text(f"execution:\n  config:\n    broker: {redis_url}\n    backend: {redis_url}\n")
    celery_env = _env(cluster, MG_EXECUTOR="celery", PATH=f"{BIN}{os.pathsep}{os.environ['PATH']}")
    workers = [
        subprocess.Popen(
            [
                str(BIN / "dagster-celery"),
                "worker",
                "start",
                "-A",
                "dagster_celery.app",
                "-y",
                str(config),
                "-n",
                f"mg{i}@%h",
                "--",
                "--concurrency",
                "1",
            ],
            cwd=REPO_ROOT,
            env=celery_env,
            stdout=(tmp_path / f"worker{i}.log").open("w"),
            stderr=subprocess.STDOUT,
        )
        for i in (1, 2)
    ]
    try:
        started = time.monotonic()
        remote = subprocess.run(
            [*script, redis_url], cwd=REPO_ROOT, env=celery_env, capture_output=True, text=True, timeout=1800
        )
        celery_seconds = time.monotonic() - started
    finally:  # dagster-celery starts `celery worker` as its child: end the whole tree
        family = [p for w in workers for p in (psutil.Process(w.pid), *psutil.Process(w.pid).children(recursive=True))]
        for process in family:
            process.terminate()
        psutil.wait_procs(family, timeout=60)
    logs = "".join((tmp_path / f"worker{i}.log").read_text()[-3000:] for i in (1, 2))
    assert remote.returncode == 0, remote.stdout + remote.stderr + logs
    assert remote.stdout == local.stdout  # the same jobs ran the same steps
    expected = _digests(landed / "warehouse.duckdb")
    assert len(expected) >= 13 and any(t.startswith("docking.") for t in expected)
    assert _digests(cluster / "warehouse.duckdb") == expected
    steps = remote.stdout.count(",") + 2
    print(f"{steps} steps: celery {celery_seconds:.0f} s, local {local_seconds:.0f} s, overhead per step ", end="")
    print(f"{(celery_seconds - local_seconds) / steps:.1f} s")

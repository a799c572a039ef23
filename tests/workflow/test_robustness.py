"""Faults a monthly platform must survive: parallel loads, a killed load, tampered snapshots, hostile names."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import dagster as dg
import duckdb
import pytest
from conftest import table_digest

from mg_platform.analysis.demo_cohort import generate_cohort, write_landing
from mg_platform.resources.landing import InvalidMonthFolder, LandingZone
from mg_platform.resources.reference import ReferenceSnapshot, SnapshotError
from mg_platform.settings import REPO_ROOT, reference_dir

DAGSTER = str(Path(sys.executable).parent / "dagster")


def _cli_materialize(data_dir: Path, month: str, home: Path) -> subprocess.Popen:
    env = {**os.environ, "MG_DATA_DIR": str(data_dir), "DAGSTER_HOME": str(home), "MG_PSEUDONYM_KEY": "ef" * 32}
    return subprocess.Popen(
        [
            DAGSTER,
            "asset",
            "materialize",
            "-m",
            "mg_platform.definitions",
            "--select",
            "raw/perioperative_records,raw/pain_scores,raw/quarantine",
            "--partition",
            month,
        ],
        cwd=REPO_ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


@pytest.mark.e2e  # whole-pipeline CLI/Dagster run: make test-e2e (CI runs it)
@pytest.mark.slow
def test_parallel_backfill_of_all_months_never_hits_the_duckdb_lock(landed, tmp_path, demo_cohort):
    home = tmp_path / "home"
    home.mkdir()
    dg.DagsterInstance.from_config(str(home)).dispose()
    months = demo_cohort.truth["months"]
    processes = [_cli_materialize(landed, m, home) for m in months]
    outputs = [p.communicate(timeout=300)[0] for p in processes]
    for month, process, output in zip(months, processes, outputs, strict=True):
        assert process.returncode == 0, f"{month} failed:\n{output[-2000:]}"
        assert "Could not set lock" not in output and "IOException" not in output
    with duckdb.connect(str(landed / "warehouse.duckdb"), read_only=True) as conn:
        loaded = dict(conn.execute("SELECT month, count(*) FROM raw.perioperative_records GROUP BY 1").fetchall())
    assert loaded == demo_cohort.truth["screened_by_month"]


KILL_SCRIPT = """
import os, sys, time
from pathlib import Path
import duckdb
from mg_platform.analysis import ingest
from mg_platform.analysis.pseudonym import hmac_pads
original = ingest._commit_file
def slow_commit(*args, **kwargs):
    original(*args, **kwargs)
    Path(sys.argv[3]).write_text("inside transaction")
    time.sleep(60)
ingest._commit_file = slow_commit
conn = duckdb.connect(sys.argv[1])
ingest.load_month(conn, "2025-03", Path(sys.argv[2]), hmac_pads(b"k" * 32))
"""


def test_a_load_killed_mid_transaction_leaves_the_warehouse_consistent(tmp_path):
    first = generate_cohort(seed=1, screened=300, months=["2025-03"])
    second = generate_cohort(seed=2, screened=300, months=["2025-03"])
    write_landing(first, tmp_path / "v1")
    write_landing(second, tmp_path / "v2")
    database = tmp_path / "warehouse.duckdb"
    with duckdb.connect(str(database)) as conn:
        from mg_platform.analysis import ingest
        from mg_platform.analysis.pseudonym import hmac_pads

        ingest.load_month(conn, "2025-03", tmp_path / "v1" / "2025-03", hmac_pads(b"k" * 32))
    before = [table_digest(database, t) for t in ("raw.perioperative_records", "raw.pain_scores")]
    marker = tmp_path / "marker"
    child = subprocess.Popen(
        [sys.executable, "-c", KILL_SCRIPT, str(database), str(tmp_path / "v2" / "2025-03"), str(marker)], cwd=REPO_ROOT
    )
    deadline = time.monotonic() + 60
    while not marker.exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert marker.exists(), "the loader never reached its transaction"
    os.kill(child.pid, signal.SIGKILL)
    child.wait()
    assert [table_digest(database, t) for t in ("raw.perioperative_records", "raw.pain_scores")] == before
    with duckdb.connect(str(database)) as conn:
        ingest.load_month(conn, "2025-03", tmp_path / "v2" / "2025-03", hmac_pads(b"k" * 32))
        assert conn.execute("SELECT count(*) FROM raw.perioperative_records").fetchone()[0] == 300


def test_a_tampered_snapshot_file_is_refused(tmp_path):
    source = reference_dir()
    assert source is not None, "MG_REFERENCE_DIR (or ../shared/reference) is required by this test"
    copy = tmp_path / "reference" / "rcsb"
    copy.mkdir(parents=True)
    shutil.copy(source / "rcsb" / "PROVENANCE.md", copy / "PROVENANCE.md")
    shutil.copy(source / "rcsb" / "8ef6_R_gpcrdb.pdb", copy / "8ef6_R_gpcrdb.pdb")
    snapshot = ReferenceSnapshot(path=str(tmp_path / "reference"))
    assert snapshot.verified("rcsb", "8ef6_R_gpcrdb.pdb").sha256.startswith("8ddd14f0")
    with (copy / "8ef6_R_gpcrdb.pdb").open("ab") as handle:
        handle.write(b"REMARK tampered\n")
    with pytest.raises(SnapshotError, match="8ef6_R_gpcrdb.pdb has sha256 .* but .* records 8ddd14f0"):
        snapshot.verified("rcsb", "8ef6_R_gpcrdb.pdb")
    with pytest.raises(SnapshotError, match="not listed"):
        snapshot.verified("rcsb", "9iyp.cif")


@pytest.mark.parametrize("name", ["2025-03; rm -rf ~", "2025-03' OR '1'='1", "../2025-03", "2025-3", "$(id)"])
def test_month_names_with_metacharacters_are_refused(tmp_path, name):
    landing = LandingZone(path=str(tmp_path))
    with pytest.raises(InvalidMonthFolder, match="is not a YYYY-MM month"):
        landing.month_dir(name)

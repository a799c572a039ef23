"""The command line as a user meets it: refused folders, quarantine summary, retraction, vanished folders."""

from __future__ import annotations

import os
import shutil
import time

import duckdb
import pytest

from mg_platform.analysis.demo_cohort import generate_cohort, write_landing
from mg_platform.cli import main
from mg_platform.runner import EXIT_BLOCKED, EXIT_OK, EXIT_QUARANTINED

RAW = "group:raw"


def _rows(database, month: str) -> tuple[int, int]:
    with duckdb.connect(str(database), read_only=True) as conn:
        return tuple(
            conn.execute(f"SELECT count(*) FROM raw.{t} WHERE month = ?", [month]).fetchone()[0]
            for t in ("perioperative_records", "pain_scores")
        )


@pytest.mark.e2e  # whole-pipeline CLI/Dagster run: make test-e2e (CI runs it)
def test_refused_folders_quarantine_summary_retraction_and_vanished_month(tmp_path, monkeypatch, capfd):
    monkeypatch.setenv("MG_DATA_DIR", str(tmp_path))
    landing = tmp_path / "landing"
    write_landing(generate_cohort(seed=5, screened=24, months=["2025-03", "2025-04"]), landing)
    for name in ("2019-12", "2099-01"):  # before MG_PARTITION_START (2020-01) and in the future
        shutil.copytree(landing / "2025-03", landing / name)
    records = landing / "2025-04" / "perioperative_records.csv"
    header, first, *rest = records.read_text().splitlines()
    column = header.split(",").index("asa_class")
    fields = first.split(",")
    fields[column] = "x"
    records.write_text("\n".join([header, ",".join(fields), *rest]) + "\n")

    assert main(["materialize", "--select", RAW]) == EXIT_BLOCKED
    out = capfd.readouterr().out
    assert "REFUSED landing folder '2019-12' is before the first partition 2020-01" in out
    assert "REFUSED landing folder '2099-01' is in the future" in out
    assert "Traceback" not in out and "DagsterUnknownPartitionError" not in out
    assert "monthly_refresh [2025-03]" in out and "monthly_refresh [2025-04]" in out
    summary = [line.split() for line in out.splitlines() if line.startswith("  2025-04/perioperative_records.csv")]
    assert summary == [["2025-04/perioperative_records.csv", "type", "asa_class", "1"]]
    assert f"see {tmp_path / 'outputs' / 'quality' / '2025-04.html'}" in out
    assert (tmp_path / "outputs" / "quality" / "2025-04.html").is_file()

    shutil.rmtree(landing / "2019-12")
    shutil.rmtree(landing / "2099-01")
    assert main(["materialize", "--select", RAW]) == EXIT_QUARANTINED
    database = tmp_path / "warehouse.duckdb"
    before = _rows(database, "2025-04")
    assert before[0] == 11 and before[1] > 0  # 12 screened in the month, one quarantined

    assert main(["retract", "2025-04", "--reason", "export of the wrong ward"]) == 0
    assert _rows(database, "2025-04") == (0, 0)
    with duckdb.connect(str(database), read_only=True) as conn:
        recorded = conn.execute("SELECT month, reason, records_removed, pain_scores_removed FROM raw.retractions")
        assert recorded.fetchall() == [("2025-04", "export of the wrong ward", *before)]
    capfd.readouterr()
    assert main(["materialize", "--select", RAW]) == EXIT_OK
    out = capfd.readouterr().out
    assert "RETRACTED 2025-04: retracted" in out and "export of the wrong ward" in out
    assert "monthly_refresh [2025-04]" not in out and _rows(database, "2025-04") == (0, 0)

    stamp = time.time_ns() + 10**9  # a new delivery lands after the retraction
    os.utime(records, ns=(stamp, stamp))
    shutil.move(landing / "2025-03", tmp_path / "parked")
    assert main(["materialize", "--select", RAW]) == EXIT_QUARANTINED
    out = capfd.readouterr().out
    assert _rows(database, "2025-04") == before
    assert "WARNING 2025-03: loaded, but its landing folder is gone; its rows stay" in out
    assert _rows(database, "2025-03")[0] == 12

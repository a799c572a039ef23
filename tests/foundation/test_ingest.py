"""Generator -> ingest -> SQL models, against what the generator planted."""

from __future__ import annotations

import shutil
from pathlib import Path

import dagster as dg
import duckdb
import pytest
from conftest import table_digest

from mg_platform.analysis.demo_cohort import generate_cohort, write_landing
from mg_platform.assets.raw import raw_month
from mg_platform.definitions import build_definitions
from mg_platform.resources.bundle import default_resources

RAW_TABLES = ("raw.perioperative_records", "raw.pain_scores", "raw.quarantine")


def load_month(data_dir: Path, month: str) -> dg.ExecuteInProcessResult:
    return dg.materialize([raw_month], partition_key=month, resources=default_resources(data_dir), raise_on_error=False)


def materialize_everything(data_dir: Path, months: list[str]) -> None:
    assets = [a for a in build_definitions().assets if isinstance(a, dg.AssetsDefinition)]
    resources = default_resources(data_dir)
    for month in months:
        assert dg.materialize([raw_month], partition_key=month, resources=resources).success
    study = [
        a for a in assets if a.group_names_by_key and not {"docking", "network"} & set(a.group_names_by_key.values())
    ]
    unpartitioned = [k for a in study if a.partitions_def is None for k in a.keys]
    assert dg.materialize(assets, selection=unpartitioned, resources=resources).success


def test_whole_graph_reproduces_the_planted_cohort(landed, demo_cohort):
    materialize_everything(landed, demo_cohort.truth["months"])
    with duckdb.connect(str(landed / "warehouse.duckdb"), read_only=True) as conn:
        flow = conn.execute('SELECT step, reason, "group", n FROM cohort.strobe_flow').fetchall()
        groups = dict(conn.execute('SELECT "group", count(*) FROM cohort.analysis_set GROUP BY 1').fetchall())
        pain_rows = conn.execute("SELECT count(*) FROM raw.pain_scores").fetchone()[0]
        long_rows = conn.execute("SELECT count(*) FROM cohort.pain_long").fetchone()[0]
    truth = demo_cohort.truth
    by_step = {(s, r, g): n for s, r, g, n in flow}
    assert by_step[("screened", None, None)] == truth["screened"] == 76
    assert by_step[("excluded_total", None, None)] == truth["excluded_total"] == 38
    assert by_step[("included", None, None)] == 38
    assert by_step[("included", None, "Control")] == by_step[("included", None, "MgSO4")] == 19
    assert {r: n for (s, r, g), n in by_step.items() if s == "excluded"} == truth["excluded_by_reason"]
    assert groups == {"Control": 19, "MgSO4": 19}
    assert pain_rows == truth["pain_scores"]
    included_keys = 38 * 5
    assert included_keys * 0.9 < long_rows <= included_keys


def test_semicolon_dialect_loads_the_same_rows(tmp_path, demo_cohort):
    comma, semi = tmp_path / "comma", tmp_path / "semi"
    write_landing(demo_cohort, comma / "landing", dialect="comma")
    write_landing(demo_cohort, semi / "landing", dialect="semicolon")
    head = (semi / "landing" / "2025-03" / "perioperative_records.csv").read_bytes()[:40]
    assert head.startswith(b"\xef\xbb\xbfcase_id;mrn;")
    key = "cd" * 32
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("MG_PSEUDONYM_KEY", key)
        assert load_month(comma, "2025-03").success and load_month(semi, "2025-03").success
    for table in ("raw.perioperative_records", "raw.pain_scores"):
        columns = "* EXCLUDE (source_file)"
        with duckdb.connect(str(comma / "warehouse.duckdb")) as a, duckdb.connect(str(semi / "warehouse.duckdb")) as b:
            rows_a = a.execute(f"SELECT {columns} FROM {table} ORDER BY line").fetchall()
            rows_b = b.execute(f"SELECT {columns} FROM {table} ORDER BY line").fetchall()
        assert rows_a == rows_b and len(rows_a) > 0


def test_reloading_a_month_gives_identical_tables(landed):
    digests = []
    for _ in range(3):
        assert load_month(landed, "2025-04").success
        digests.append([table_digest(landed / "warehouse.duckdb", t) for t in RAW_TABLES])
    assert digests[0] == digests[1] == digests[2]


def test_corrected_month_replaces_only_its_rows(landed, demo_cohort):
    for month in ("2025-03", "2025-04"):
        assert load_month(landed, month).success
    db = landed / "warehouse.duckdb"
    march_before = table_digest(db, "raw.perioperative_records", "WHERE month = '2025-03'")
    path = landed / "landing" / "2025-04" / "perioperative_records.csv"
    lines = path.read_text().splitlines()
    kept = lines[:-1]
    path.write_text("\n".join(kept) + "\n")
    assert load_month(landed, "2025-04").success
    with duckdb.connect(str(db), read_only=True) as conn:
        april = conn.execute("SELECT count(*) FROM raw.perioperative_records WHERE month = '2025-04'").fetchone()[0]
    assert april == len(kept) - 1
    assert table_digest(db, "raw.perioperative_records", "WHERE month = '2025-03'") == march_before


def test_mrn_never_reaches_the_warehouse_or_event_log(landed, demo_cohort):
    instance = dg.DagsterInstance.ephemeral()
    result = dg.materialize(
        [raw_month], partition_key="2025-05", resources=default_resources(landed), instance=instance
    )
    assert result.success
    mrns = demo_cohort.records.loc[demo_cohort.records["surgery_date"].str.startswith("2025-05"), "mrn"]
    case_ids = demo_cohort.records.loc[demo_cohort.records["surgery_date"].str.startswith("2025-05"), "case_id"]
    blob = (landed / "warehouse.duckdb").read_bytes()
    events = "".join(str(r) for r in instance.all_logs(result.run_id))
    assert len(mrns) > 0
    for secret in [*mrns, *case_ids]:
        assert secret.encode() not in blob
        assert secret not in events


def test_missing_column_rejects_only_that_file(landed):
    assert load_month(landed, "2025-03").success
    db = landed / "warehouse.duckdb"
    march = table_digest(db, "raw.perioperative_records", "WHERE month = '2025-03'")
    path = landed / "landing" / "2025-06" / "perioperative_records.csv"
    text = path.read_text().splitlines()
    path.write_text("\n".join(",".join(line.split(",")[:-1]) for line in text) + "\n")
    result = load_month(landed, "2025-06")
    checks = {(e.asset_key.path[-1], e.passed) for e in result.get_asset_check_evaluations()}
    assert ("perioperative_records", False) in checks and ("pain_scores", True) in checks
    with duckdb.connect(str(db), read_only=True) as conn:
        problem = conn.execute(
            "SELECT message FROM raw.quarantine WHERE month = '2025-06' AND rule = 'file_rejected'"
        ).fetchone()[0]
    assert "missing column(s) ae_respiratory_complication" in problem
    assert table_digest(db, "raw.perioperative_records", "WHERE month = '2025-03'") == march


def test_unknown_month_folder_is_a_clear_failure(landed):
    shutil.rmtree(landed / "landing" / "2025-07")
    result = load_month(landed, "2025-07")
    assert not result.success
    failure = result.get_step_failure_events()[0].event_specific_data.error.message
    assert "no landing folder for month 2025-07" in failure


def test_scaled_generator_is_deterministic():
    a = generate_cohort(seed=7, screened=500, months=["2024-01", "2024-02"])
    b = generate_cohort(seed=7, screened=500, months=["2024-01", "2024-02"])
    assert a.records.equals(b.records) and a.pain.equals(b.pain)
    assert a.truth["included"] == {"Control": 125, "MgSO4": 125}

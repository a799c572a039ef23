"""The data-quality gate as Dagster asset checks: blocking file checks, row checks, warnings, report."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import dagster as dg
import duckdb
from conftest import table_digest

from mg_platform.assets.raw import (
    CROSS_MONTH_CHECK,
    FILE_ACCEPTED_CHECK,
    PLAUSIBILITY_CHECK,
    ROW_RULES_CHECK,
    raw_month,
)
from mg_platform.definitions import build_definitions
from mg_platform.resources.bundle import default_resources

defs = build_definitions()

GOOD, BLOCKED = "2025-03", "2025-04"
RECORDS = "perioperative_records.csv"


def _edit(path: Path, edit) -> None:
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    rows = edit(rows)
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")


def _checks(result: dg.ExecuteInProcessResult) -> dict[tuple[str, str], dg.AssetCheckEvaluation]:
    return {(e.asset_key.path[-1], e.check_name): e for e in result.get_asset_check_evaluations()}


def _downstream_keys() -> list[dg.AssetKey]:
    graph = defs.resolve_asset_graph()
    return sorted(dg.AssetSelection.assets(raw_month).downstream().resolve(graph) - set(raw_month.keys), key=str)


def test_missing_column_blocks_only_its_month_and_its_downstream(landed, demo_cohort):
    resources = default_resources(landed)
    assets = [a for a in defs.assets if isinstance(a, dg.AssetsDefinition)]
    db = landed / "warehouse.duckdb"
    good = dg.materialize([raw_month], partition_key=GOOD, resources=resources)
    assert good.success
    good_checks = _checks(good)
    assert all(e.passed for e in good_checks.values()), {k: e.passed for k, e in good_checks.items()}
    digests = {
        t: table_digest(db, f"raw.{t}", "WHERE month = ?", [GOOD])
        for t in ("perioperative_records", "pain_scores", "quarantine")
    }

    _edit(landed / "landing" / BLOCKED / RECORDS, lambda rows: [r[:-1] for r in rows])  # drop the last column
    downstream = _downstream_keys()
    assert [dg.AssetKey(["staging", "perioperative_records"])] == [
        k for k in downstream if k.path[-1] == "perioperative_records"
    ]
    result = dg.materialize(
        assets,
        selection=[*raw_month.keys, *downstream],
        partition_key=BLOCKED,
        resources=resources,
        raise_on_error=False,
    )
    checks = _checks(result)
    blocked = checks[("perioperative_records", FILE_ACCEPTED_CHECK)]
    assert not blocked.passed
    assert (
        blocked.description
        == f"{BLOCKED}/{RECORDS} rejected: wrong header: missing column(s) ae_respiratory_complication"
    )
    assert blocked.metadata["rows_failed"].value == blocked.metadata["rows_checked"].value > 0
    assert "| 2025-04/perioperative_records.csv | file_rejected |" in blocked.metadata["first_failures"].value
    assert checks[("pain_scores", FILE_ACCEPTED_CHECK)].passed
    materialized = {e.asset_key for e in result.get_asset_materialization_events()}
    assert set(raw_month.keys) <= materialized
    assert not (set(downstream) & materialized)  # not executed: the blocking check failed
    assert not result.success and dg.AssetKey(["cohort", "strobe_flow"]) in downstream
    for table, digest in digests.items():
        assert table_digest(db, f"raw.{table}", "WHERE month = ?", [GOOD]) == digest
    with duckdb.connect(str(db), read_only=True) as conn:
        assert (
            conn.execute("SELECT count(*) FROM raw.perioperative_records WHERE month = ?", [BLOCKED]).fetchone()[0] == 0
        )


def test_check_metadata_names_rows_examples_and_report_without_identifiers(landed, demo_cohort):
    month = "2025-05"
    path = landed / "landing" / month / RECORDS

    def corrupt(rows):
        header = rows[0]
        rows[1][header.index("age_years")] = "130"
        rows[2][header.index("extubation_time_min")] = "150"
        return rows

    _edit(path, corrupt)
    result = dg.materialize([raw_month], partition_key=month, resources=default_resources(landed))
    assert result.success  # row-level failures do not fail the run
    checks = _checks(result)
    row_rules = checks[("perioperative_records", ROW_RULES_CHECK)]
    assert not row_rules.passed and row_rules.severity == dg.AssetCheckSeverity.ERROR
    meta = row_rules.metadata
    assert meta["rows_checked"].value == _rows(path)
    assert meta["rows_failed"].value == 1
    assert "| 2 | age_years | 130 | range |" in meta["first_failures"].value
    report = Path(meta["report"].value)
    assert report == landed / "outputs" / "quality" / f"{month}.html" and report.is_file()
    assert meta["report_url"].value == report.as_uri()

    plausibility = checks[("perioperative_records", PLAUSIBILITY_CHECK)]
    assert not plausibility.passed and plausibility.severity == dg.AssetCheckSeverity.WARN
    assert plausibility.metadata["rows_failed"].value == 1
    assert "extubation_time_min" in plausibility.metadata["first_warnings"].value
    assert checks[("perioperative_records", CROSS_MONTH_CHECK)].passed
    assert checks[("pain_scores", ROW_RULES_CHECK)].passed is False  # the quarantined case's pain scores

    html = report.read_text()
    records = demo_cohort.records
    secrets = records.loc[records["surgery_date"].str.startswith(month), ["case_id", "mrn"]].to_numpy().ravel()
    everything = html + "".join(str(e.metadata) for e in checks.values())
    assert len(secrets) > 0 and not [s for s in secrets if s in everything]
    assert "range" in html and "plausibility" in html and "orphan_pain_score" in html


def _rows(path: Path) -> int:
    return len(path.read_text().splitlines()) - 1


def test_case_id_repeated_in_a_later_month_is_a_cross_month_warning(landed, demo_cohort):
    resources = default_resources(landed)
    march, april = landed / "landing" / "2025-03" / RECORDS, landed / "landing" / "2025-04" / RECORDS
    with march.open(newline="") as handle:
        copied = list(csv.reader(handle))[1]
    copied[copied.index(next(v for v in copied if v.startswith("2025-03-")))] = "2025-04-15"
    _edit(april, lambda rows: [*rows, copied])
    for month in ("2025-04", "2025-03"):  # later month first: the outcome must not depend on the order
        result = dg.materialize([raw_month], partition_key=month, resources=resources)
    check = _checks(result)[("perioperative_records", CROSS_MONTH_CHECK)]
    assert not check.passed and check.severity == dg.AssetCheckSeverity.WARN
    assert check.metadata["rows_failed"].value == 1
    line = _rows(april) + 1
    assert (
        f"| 2025-04 | {RECORDS} | {line} | case_id | duplicate_key_across_months |"
        in check.metadata["first_failures"].value
    )

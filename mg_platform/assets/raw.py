"""Raw layer: each landed month becomes typed, pseudonymised rows of raw.* (one partition per month).

The data-quality gate runs inside the load (the GX suites decide which rows are
quarantined before the month is committed), and its results are emitted as asset
checks of the raw assets:

- ``file_accepted`` (blocking, per file): a file-level failure stops the month's
  downstream in the run, with a message naming the file and the problem;
- ``row_rules`` (error, non-blocking, per file): the rows quarantined by the
  parser and the error-level GX expectations; valid rows pass;
- ``plausibility`` (warning, records): MgSO4 dose presence/protocol and
  plausibility thresholds on the accepted rows;
- ``case_id_unique_across_months`` (warning, records): GX uniqueness over all
  months; later copies are rejected by ``staging.rejected_cross_month``.

Every result carries rows_checked, rows_failed, the first failing examples and a
link to the month's HTML report (``<data dir>/outputs/quality/<month>.html``).
Each file's materialisation carries its accounting: ``records`` = ``accepted`` +
``quarantined`` (or ``status: rejected`` with the problem and its line).
"""

from collections.abc import Iterator
from pathlib import Path

import dagster as dg
import pandas as pd
from pydantic import Field

from mg_platform.analysis import contract, ingest, pseudonym, records
from mg_platform.analysis.contract import FILE_CONTRACTS, PERIOPERATIVE_RECORDS
from mg_platform.analysis.pseudonym import KeyProblem, holds_pseudonyms
from mg_platform.analysis.quality import gate, report, rules, suites
from mg_platform.analysis.quality.report import FileSection, examples_markdown, findings_frame
from mg_platform.assets.metadata import code_version, warehouse_table_metadata
from mg_platform.partitions import monthly_partitions
from mg_platform.resources.landing import InvalidMonthFolder, LandingZone
from mg_platform.resources.pseudonymiser import Pseudonymiser
from mg_platform.resources.run_settings import OutputsFolder
from mg_platform.resources.warehouse import Warehouse

FILE_ACCEPTED_CHECK = "file_accepted"
ROW_RULES_CHECK = "row_rules"
PLAUSIBILITY_CHECK = "plausibility"
CROSS_MONTH_CHECK = "case_id_unique_across_months"
RAW_KEYS = {c.table: dg.AssetKey(["raw", c.table]) for c in FILE_CONTRACTS}
QUARANTINE_KEY = dg.AssetKey(["raw", "quarantine"])
RAW_CODE_VERSION = code_version(contract, records, ingest, pseudonym, suites, rules, gate)
RECORDS_KEY = RAW_KEYS[PERIOPERATIVE_RECORDS.table]
LANDED_FILE_KEYS = {c.table: dg.AssetKey(["landing", c.file_name.removesuffix(".csv")]) for c in FILE_CONTRACTS}

_DESCRIPTIONS = {
    "perioperative_records": "One row per screened surgical case of the month (perioperative_records.csv), "
    "typed per the contract; case_id and mrn replaced by HMAC pseudonyms (case_key, patient_key).",
    "pain_scores": "One row per PACU pain assessment of the month (pacu_pain_scores.csv): case_key, "
    "minute after PACU admission, NRS 0-10.",
}


def _rule_list(level: str) -> str:
    return ", ".join(r.key for r in rules.RULES if r.level == level and r.key != "file_rejected")


CHECK_SPECS = [
    *(
        dg.AssetCheckSpec(
            FILE_ACCEPTED_CHECK,
            asset=key,
            blocking=True,
            description="The month's file exists, is readable UTF-8 and has exactly the contract's columns. "
            "Blocking: when it fails, nothing downstream of this month is refreshed in the run.",
        )
        for key in RAW_KEYS.values()
    ),
    *(
        dg.AssetCheckSpec(
            ROW_RULES_CHECK,
            asset=key,
            blocking=False,
            description=f"Error-level row rules ({_rule_list('error')}); failing rows are moved to "
            "raw.quarantine, valid rows load. Fails when any row of the file was quarantined.",
        )
        for key in RAW_KEYS.values()
    ),
    dg.AssetCheckSpec(
        PLAUSIBILITY_CHECK,
        asset=RECORDS_KEY,
        description="Warnings on accepted rows: MgSO4 doses present exactly when given and near the protocol "
        "(30 mg/kg bolus, 10 mg/kg/h), extubation <= 120 min, surgery <= 480 min, mobilisation <= 24 h.",
    ),
    dg.AssetCheckSpec(
        CROSS_MONTH_CHECK,
        asset=RECORDS_KEY,
        description="case_id unique across all loaded months (GX on the whole raw table). Later copies are "
        "rejected by staging.rejected_cross_month; the earliest month's copy is kept.",
    ),
]


def _report_links(path: Path) -> dict[str, object]:
    return {"report": dg.MetadataValue.path(str(path)), "report_url": dg.MetadataValue.url(path.as_uri())}


def _quarantine_rows(conn, month: str, file_name: str) -> pd.DataFrame:
    return conn.execute(
        "SELECT line, column_name AS column, value, rule, message, value_is_pseudonym FROM raw.quarantine "
        "WHERE month = ? AND file = ? ORDER BY line NULLS FIRST, column_name, rule",
        [month, file_name],
    ).fetchdf()


class IngestConfig(dg.Config):
    """Resource limits of the loader (each landed file); exceeding one rejects the file whole."""

    max_file_mb: float = Field(default=512.0, description="Largest accepted file, MiB.")
    max_line_kb: float = Field(default=64.0, description="Longest accepted physical line, KiB.")
    max_broken_rows: int = Field(
        default=1000, description="Records with the wrong field count tolerated before the file is rejected whole."
    )

    def limits(self) -> records.Limits:
        return records.Limits(
            max_file_bytes=int(self.max_file_mb * 1024 * 1024),
            max_line_bytes=int(self.max_line_kb * 1024),
            max_broken_rows=self.max_broken_rows,
        )


def _data_lines(path: Path) -> int:
    """Lines after the header of a rejected file (0 when it is missing or not a regular file)."""
    try:
        handle = records.open_regular_file(path, path.name)
    except records.FileRejected:
        return 0
    with handle:
        newlines = sum(block.count(b"\n") for block in iter(lambda: handle.read(1 << 20), b""))
    return max(newlines - 1, 0)


def _accounting(load: ingest.FileLoad) -> dict[str, object]:
    """A file's accounting: records = accepted + quarantined, or the file-level rejection and its line."""
    if load.rejected is not None:
        return {"status": "rejected", "problem": load.rejected, "problem_line": load.rejected_line or 0}
    return {
        "status": "accepted",
        "source_sha256": load.sha256,
        "dialect": load.dialect,
        "records": load.rows_read,
        "accepted": load.rows_accepted,
        "quarantined": load.rows_quarantined,
        "held_back": load.held_back,
    }


def _file_accepted_result(key, month: str, path: Path, load: ingest.FileLoad, links) -> dg.AssetCheckResult:
    rejected = load.rejected is not None
    failures = pd.DataFrame([{"file": f"{month}/{load.file_name}", "rule": "file_rejected", "problem": load.rejected}])
    return dg.AssetCheckResult(
        asset_key=key,
        check_name=FILE_ACCEPTED_CHECK,
        passed=not rejected,
        description=f"{month}/{load.file_name} rejected: {load.rejected}" if rejected else None,
        metadata={
            "file": f"{month}/{load.file_name}",
            "problem": load.rejected or "none",
            "problem_line": load.rejected_line or 0,
            "rows_checked": _data_lines(path) if rejected else load.rows_read,
            "rows_failed": _data_lines(path) if rejected else 0,
            "first_failures": dg.MetadataValue.md(examples_markdown(failures if rejected else failures.iloc[:0])),
            **links,
        },
    )


def _row_rules_result(key, load: ingest.FileLoad, quarantine: pd.DataFrame, links) -> dg.AssetCheckResult:
    validation = load.validation
    outcomes = validation.outcomes if validation else []
    failed_expectations = [o for o in outcomes if o.level == "error" and not o.success]
    if load.rejected is not None:
        return dg.AssetCheckResult(
            asset_key=key,
            check_name=ROW_RULES_CHECK,
            passed=False,
            severity=dg.AssetCheckSeverity.WARN,
            description=f"not evaluated: {load.file_name} was rejected ({load.rejected})",
            metadata={"rows_checked": 0, "rows_failed": 0, "evaluated": False, **links},
        )
    return dg.AssetCheckResult(
        asset_key=key,
        check_name=ROW_RULES_CHECK,
        passed=load.rows_quarantined == 0,
        severity=dg.AssetCheckSeverity.ERROR,
        description=(
            f"{load.rows_quarantined} of {load.rows_read} rows of {load.file_name} quarantined; "
            f"{load.rows_accepted} loaded"
        ),
        metadata={
            "rows_checked": load.rows_read,
            "rows_failed": load.rows_quarantined,
            "rows_accepted": load.rows_accepted,
            "failures_by_rule": dg.MetadataValue.json(load.violations_by_rule),
            "expectations_evaluated": len(outcomes),
            "expectations_failed": dg.MetadataValue.json(sorted({f"{o.rule}:{o.column}" for o in failed_expectations})),
            "first_failures": dg.MetadataValue.md(examples_markdown(quarantine)),
            "gx_seconds": round(load.gx_seconds, 3),
            **links,
        },
    )


def _plausibility_result(load: ingest.FileLoad, links) -> dg.AssetCheckResult:
    warnings = findings_frame(load.warnings)
    failed_lines = warnings["line"].nunique()
    evaluated = load.rejected is None
    return dg.AssetCheckResult(
        asset_key=RECORDS_KEY,
        check_name=PLAUSIBILITY_CHECK,
        passed=evaluated and failed_lines == 0,
        severity=dg.AssetCheckSeverity.WARN,
        description=f"{failed_lines} accepted rows with warnings"
        if evaluated
        else f"not evaluated: {load.file_name} was rejected",
        metadata={
            "rows_checked": load.rows_accepted,
            "rows_failed": int(failed_lines),
            "warnings_by_rule": dg.MetadataValue.json(warnings.groupby("rule").size().astype(int).to_dict()),
            "first_warnings": dg.MetadataValue.md(examples_markdown(warnings)),
            **links,
        },
    )


def _cross_month_result(validation, later: pd.DataFrame, links) -> dg.AssetCheckResult:
    return dg.AssetCheckResult(
        asset_key=RECORDS_KEY,
        check_name=CROSS_MONTH_CHECK,
        passed=later.empty,
        severity=dg.AssetCheckSeverity.WARN,
        description=f"{len(later)} later copies of a case_id delivered in an earlier month (rejected by staging)",
        metadata={
            "rows_checked": validation.rows_checked,
            "rows_failed": len(later),
            "first_failures": dg.MetadataValue.md(examples_markdown(later)),
            **links,
        },
    )


@dg.multi_asset(
    specs=[
        *(
            dg.AssetSpec(
                key,
                description=_DESCRIPTIONS[table],
                group_name="raw",
                kinds={"duckdb"},
                code_version=RAW_CODE_VERSION,
                deps=[LANDED_FILE_KEYS[table]],
            )
            for table, key in RAW_KEYS.items()
        ),
        dg.AssetSpec(
            QUARANTINE_KEY,
            description="One row per rejected value or row: month, file, line, column, value, rule, message, "
            "case_key, value_is_pseudonym (identifier values are stored only as pseudonyms). Includes file "
            "rejections and later copies of a case delivered in an earlier month.",
            group_name="raw",
            kinds={"duckdb"},
            code_version=RAW_CODE_VERSION,
        ),
    ],
    check_specs=CHECK_SPECS,
    partitions_def=monthly_partitions,
    pool="duckdb_write",
)
def raw_month(
    context: dg.AssetExecutionContext,
    config: IngestConfig,
    warehouse: Warehouse,
    landing: LandingZone,
    pseudonymiser: Pseudonymiser,
    outputs_folder: OutputsFolder,
) -> Iterator[dg.MaterializeResult | dg.AssetCheckResult]:
    """Load one landed month (both files) through the data-quality gate into raw.* and raw.quarantine."""
    month = context.partition_key
    try:
        folder = landing.month_dir(month)
    except InvalidMonthFolder as exc:
        raise dg.Failure(str(exc)) from None
    if not folder.is_dir():
        raise dg.Failure(f"no landing folder for month {month}: expected {folder}")
    hashes = landing.fingerprint(month)
    with warehouse.get_connection() as conn:
        try:
            pads = pseudonymiser.pads(create=not holds_pseudonyms(conn))
            loads = ingest.load_month(
                conn, month, folder, pads, limits=config.limits(), key_source=pseudonymiser.source
            )
        except KeyProblem as exc:
            raise dg.Failure(str(exc)) from None
        table_meta = {t: warehouse_table_metadata(conn, f"raw.{t}", month) for t in RAW_KEYS}
        quarantine_meta = warehouse_table_metadata(conn, "raw.quarantine", month)
        quarantine = {c.file_name: _quarantine_rows(conn, month, c.file_name) for c in FILE_CONTRACTS}
        cross_validation, later = ingest.cross_month_duplicates(conn)
    path = report.write_month_report(
        outputs_folder.quality_page(month),
        month,
        [
            FileSection(
                file_name=ld.file_name,
                status="accepted" if ld.rejected is None else f"REJECTED: {ld.rejected}",
                rows_read=ld.rows_read,
                rows_accepted=ld.rows_accepted,
                rows_quarantined=ld.rows_quarantined,
                outcomes=ld.validation.outcomes if ld.validation else [],
                quarantine=quarantine[ld.file_name],
                warnings=ld.warnings,
            )
            for ld in loads
        ],
        later[later["month"] == month],
    )
    links = _report_links(path)
    for c, load in zip(FILE_CONTRACTS, loads, strict=True):
        context.log.info(
            f"{month}/{c.file_name}: "
            + (
                f"REJECTED: {load.rejected}"
                if load.rejected
                else f"{load.rows_accepted} accepted, {load.rows_quarantined} quarantined, "
                f"{len(load.warnings)} warnings ({load.dialect}; GX {load.gx_seconds:.2f} s)"
            )
        )
        yield dg.MaterializeResult(
            asset_key=RAW_KEYS[c.table],
            data_version=dg.DataVersion(hashes.get(c.file_name, "missing")),
            metadata={
                **table_meta[c.table],
                "source_file": f"{month}/{c.file_name}",
                **_accounting(load),
                "violations_by_rule": dg.MetadataValue.json(load.violations_by_rule),
                **links,
            },
        )
        yield _file_accepted_result(RAW_KEYS[c.table], month, folder / c.file_name, load, links)
        yield _row_rules_result(RAW_KEYS[c.table], load, quarantine[c.file_name], links)
        if c is PERIOPERATIVE_RECORDS:
            yield _plausibility_result(load, links)
            yield _cross_month_result(cross_validation, later, links)
    yield dg.MaterializeResult(
        asset_key=QUARANTINE_KEY,
        metadata={
            **quarantine_meta,
            "quarantined_by_file": dg.MetadataValue.json({ld.file_name: ld.rows_quarantined for ld in loads}),
            **links,
        },
    )


assets = [raw_month]

"""Raw layer: each landed month becomes typed, pseudonymised rows of raw.* (one partition per month)."""


from collections.abc import Iterator

import dagster as dg

from mg_platform.analysis import contract, ingest, pseudonym, records
from mg_platform.analysis.contract import FILE_CONTRACTS
from mg_platform.assets.metadata import code_version, warehouse_table_metadata
from mg_platform.partitions import monthly_partitions
from mg_platform.resources.landing import LandingZone
from mg_platform.resources.pseudonymiser import Pseudonymiser
from mg_platform.resources.warehouse import Warehouse

FILE_ACCEPTED_CHECK = "file_accepted"
RAW_KEYS = {c.table: dg.AssetKey(["raw", c.table]) for c in FILE_CONTRACTS}
QUARANTINE_KEY = dg.AssetKey(["raw", "quarantine"])
RAW_CODE_VERSION = code_version(contract, records, ingest, pseudonym)

_DESCRIPTIONS = {
    "perioperative_records": "One row per screened surgical case of the month (perioperative_records.csv), "
    "typed per the contract; case_id and mrn replaced by HMAC pseudonyms (case_key, patient_key).",
    "pain_scores": "One row per PACU pain assessment of the month (pacu_pain_scores.csv): case_key, "
    "minute after PACU admission, NRS 0-10.",
}


@dg.multi_asset(
    specs=[
        *(
            dg.AssetSpec(key, description=_DESCRIPTIONS[table], group_name="raw", kinds={"duckdb"}, code_version=RAW_CODE_VERSION)
            for table, key in RAW_KEYS.items()
        ),
        dg.AssetSpec(
            QUARANTINE_KEY,
            description="One row per rejected value or row: month, file, line, column, value, rule, message, "
            "case_key. Identifier values are never stored.",
            group_name="raw",
            kinds={"duckdb"},
            code_version=RAW_CODE_VERSION,
        ),
    ],
    check_specs=[
        dg.AssetCheckSpec(
            FILE_ACCEPTED_CHECK,
            asset=key,
            blocking=True,
            description="The month's file exists, is readable UTF-8 and has exactly the contract's columns.",
        )
        for key in RAW_KEYS.values()
    ],
    partitions_def=monthly_partitions,
    pool="duckdb_write",
)
def raw_month(
    context: dg.AssetExecutionContext, warehouse: Warehouse, landing: LandingZone, pseudonymiser: Pseudonymiser
) -> Iterator[dg.MaterializeResult | dg.AssetCheckResult]:
    """Load one landed month (both files) into raw.* and raw.quarantine in one transaction."""
    month = context.partition_key
    folder = landing.month_dir(month)
    if not folder.is_dir():
        raise dg.Failure(f"no landing folder for month {month}: expected {folder}")
    hashes = landing.fingerprint(month)
    with warehouse.get_connection() as conn:
        loads = ingest.load_month(conn, month, folder, pseudonymiser.pads())
        table_meta = {t: warehouse_table_metadata(conn, f"raw.{t}", month) for t in RAW_KEYS}
        quarantine_meta = warehouse_table_metadata(conn, "raw.quarantine", month)
    for c, load in zip(FILE_CONTRACTS, loads, strict=True):
        context.log.info(
            f"{month}/{c.file_name}: "
            + (f"REJECTED: {load.rejected}" if load.rejected else f"{load.rows_accepted} accepted, "
               f"{load.rows_quarantined} quarantined ({load.dialect})")
        )
        yield dg.MaterializeResult(
            asset_key=RAW_KEYS[c.table],
            data_version=dg.DataVersion(hashes.get(c.file_name, "missing")),
            metadata={
                **table_meta[c.table],
                "source_file": f"{month}/{c.file_name}",
                "source_sha256": hashes.get(c.file_name, "missing"),
                "dialect": load.dialect or "n/a",
                "rows_read": load.rows_read,
                "rows_accepted": load.rows_accepted,
                "rows_quarantined": load.rows_quarantined,
                "violations_by_rule": dg.MetadataValue.json(load.violations_by_rule),
            },
        )
        yield dg.AssetCheckResult(
            asset_key=RAW_KEYS[c.table],
            check_name=FILE_ACCEPTED_CHECK,
            passed=load.rejected is None,
            metadata={"file": f"{month}/{c.file_name}", "problem": load.rejected or "none"},
            description=f"{month}/{c.file_name} rejected: {load.rejected}" if load.rejected else None,
        )
    yield dg.MaterializeResult(
        asset_key=QUARANTINE_KEY,
        metadata={**quarantine_meta, "quarantined_by_file": dg.MetadataValue.json(
            {ld.file_name: ld.rows_quarantined for ld in loads})},
    )


assets = [raw_month]

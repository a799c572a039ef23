"""Load one landed month into the raw schema, in one transaction.

For each contract file the month's rows are staged, typed and checked in
DuckDB (:mod:`records`); rows that break a rule go to ``raw.quarantine`` with
file, line, column, value, rule and message; the others replace that month's
rows of ``raw.<table>``. ``case_id`` and ``mrn`` become keyed HMAC pseudonyms
(``case_key``, ``patient_key``) inside the SQL and are never stored in clear;
quarantined identifier values are stored as NULL.

A file-level failure (missing, unreadable, wrong header) rejects that file
whole: its previous rows for the month are kept, a ``file_rejected`` entry
is written to the quarantine, and the other file still loads.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from mg_platform.analysis.contract import FILE_CONTRACTS, PACU_PAIN_SCORES, PERIOPERATIVE_RECORDS, FileContract
from mg_platform.analysis.pseudonym import hmac_sql
from mg_platform.analysis.records import FileRejected, inspect_header, stage_file, typed_select, violations_select

QUARANTINE_COLUMNS = (
    "month VARCHAR, file VARCHAR, line BIGINT, column_name VARCHAR, value VARCHAR, "
    "rule VARCHAR, message VARCHAR, case_key VARCHAR"
)


@dataclass
class FileLoad:
    """Outcome of loading one file: accepted and quarantined row counts or the rejection."""

    file_name: str
    dialect: str = ""
    rows_read: int = 0
    rows_accepted: int = 0
    rows_quarantined: int = 0
    rejected: str | None = None
    violations_by_rule: dict[str, int] = field(default_factory=dict)


def raw_table_ddl(contract: FileContract) -> str:
    """Column list of ``raw.<table>``: partition, provenance, pseudonyms, typed columns."""
    cols = ["month VARCHAR NOT NULL", "source_file VARCHAR", "line BIGINT", "case_key VARCHAR NOT NULL"]
    if contract is PERIOPERATIVE_RECORDS:
        cols.append("patient_key VARCHAR NOT NULL")
    cols += [f'"{c.name}" {c.duckdb_type}' for c in contract.columns if not c.identifier]
    return ", ".join(cols)


def ensure_raw_schema(conn: duckdb.DuckDBPyConnection) -> None:
    """Create the raw schema and its tables if they do not exist."""
    conn.execute("CREATE SCHEMA IF NOT EXISTS raw")
    for contract in FILE_CONTRACTS:
        conn.execute(f"CREATE TABLE IF NOT EXISTS raw.{contract.table} ({raw_table_ddl(contract)})")
    conn.execute(f"CREATE TABLE IF NOT EXISTS raw.quarantine ({QUARANTINE_COLUMNS})")


def _cross_row_rules(contract: FileContract, month: str) -> str:
    """Rules spanning rows or files: duplicates, month window, orphan pain scores."""
    if contract is PERIOPERATIVE_RECORDS:
        return f"""
        SELECT _line, 'case_id', NULL, 'duplicate_key', 'case_id occurs more than once in this file'
        FROM y_{contract.table} WHERE case_id IN (
            SELECT case_id FROM y_{contract.table} WHERE case_id IS NOT NULL GROUP BY case_id HAVING count(*) > 1)
        UNION ALL
        SELECT _line, 'surgery_date', CAST(surgery_date AS VARCHAR), 'date_outside_month',
               'surgery_date is outside the partition month {month}'
        FROM y_{contract.table} WHERE strftime(surgery_date, '%Y-%m') <> $month
        """
    return f"""
        SELECT _line, 'case_id', NULL, 'duplicate_key', '(case_id, minute) occurs more than once in this file'
        FROM y_{contract.table} WHERE (case_id, minute) IN (
            SELECT (case_id, minute) FROM y_{contract.table}
            WHERE case_id IS NOT NULL AND minute IS NOT NULL GROUP BY ALL HAVING count(*) > 1)
        UNION ALL
        SELECT _line, 'case_id', NULL, 'orphan_pain_score',
               'no accepted perioperative record of this month has this case_id'
        FROM y_{contract.table} WHERE case_id IS NOT NULL AND case_id NOT IN (SELECT case_id FROM accepted_cases)
        """


def _stage(conn: duckdb.DuckDBPyConnection, folder: Path, contract: FileContract, month: str) -> FileLoad:
    """Stage, type and check one file into temp tables ``y_<t>`` (typed) and ``v_<t>`` (violations)."""
    load = FileLoad(contract.file_name)
    t = contract.table
    try:
        dialect, names = inspect_header(folder / contract.file_name, contract)
        stage_file(conn, folder / contract.file_name, contract, dialect, names, prefix=f"s_{t}")
    except FileRejected as exc:
        load.rejected = exc.problem
        return load
    except duckdb.Error as exc:
        load.rejected = f"unreadable file ({str(exc).splitlines()[0]})"
        return load
    load.dialect = dialect.name
    conn.execute(f"CREATE OR REPLACE TEMP TABLE y_{t} AS {typed_select(contract, dialect, f's_{t}_text')}")
    conn.execute(
        f"""CREATE OR REPLACE TEMP TABLE v_{t} AS
        SELECT _line, column_name, value, rule, message FROM (
            {violations_select(contract, dialect, f"s_{t}_text", f"y_{t}")}
            UNION ALL SELECT _line, '*', NULL, 'unparseable_row', message FROM s_{t}_broken
        )""",
    )
    return load


def _accepted_cases(conn: duckdb.DuckDBPyConnection, records: FileLoad, month: str, ipad: bytes, opad: bytes) -> None:
    """Temp table of this month's accepted case_ids (clear, in memory only) for the orphan rule."""
    if records.rejected is None:
        conn.execute(
            "CREATE OR REPLACE TEMP TABLE accepted_cases AS SELECT case_id FROM y_perioperative_records "
            "WHERE _line NOT IN (SELECT _line FROM v_perioperative_records)"
        )
    else:
        conn.execute(
            f"""CREATE OR REPLACE TEMP TABLE accepted_cases AS
            SELECT case_id FROM (SELECT DISTINCT case_id FROM y_pain_scores)
            WHERE {hmac_sql("case_id")} IN (SELECT case_key FROM raw.perioperative_records WHERE month = $month)""",
            {"month": month, "ipad": ipad, "opad": opad},
        )


def load_month(conn: duckdb.DuckDBPyConnection, month: str, folder: Path, hmac_pads: tuple[bytes, bytes]) -> list[FileLoad]:
    """Replace ``month`` in raw.* from ``folder`` in one transaction; return per-file outcomes.

    ``hmac_pads`` are the (outer, inner) padded HMAC keys from the pseudonymiser.
    """
    opad, ipad = hmac_pads
    ensure_raw_schema(conn)
    loads = [_stage(conn, folder, c, month) for c in FILE_CONTRACTS]
    conn.execute("BEGIN TRANSACTION")
    try:
        for contract, load in zip(FILE_CONTRACTS, loads, strict=True):
            if contract is PACU_PAIN_SCORES:
                _accepted_cases(conn, loads[0], month, ipad, opad)
            _commit_file(conn, contract, load, month, ipad, opad)
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    return loads


def _commit_file(
    conn: duckdb.DuckDBPyConnection, contract: FileContract, load: FileLoad, month: str, ipad: bytes, opad: bytes
) -> None:
    t = contract.table
    params = {"month": month, "file": contract.file_name}
    conn.execute("DELETE FROM raw.quarantine WHERE month = $month AND file = $file", params)
    if load.rejected is not None:
        conn.execute(
            "INSERT INTO raw.quarantine VALUES ($month, $file, NULL, '*', NULL, 'file_rejected', $problem, NULL)",
            {**params, "problem": load.rejected},
        )
        return
    conn.execute(f"INSERT INTO v_{t} {_cross_row_rules(contract, month)}", {"month": month} if contract is PERIOPERATIVE_RECORDS else {})
    keys = {**params, "ipad": ipad, "opad": opad}
    conn.execute(
        f"""INSERT INTO raw.quarantine
        SELECT $month, $file, v._line, v.column_name, v.value, v.rule, v.message,
               CASE WHEN y.case_id IS NOT NULL THEN {hmac_sql("y.case_id")} END
        FROM v_{t} v LEFT JOIN y_{t} y USING (_line)
        ORDER BY v._line, v.column_name, v.rule""",
        keys,
    )
    payload = [f'"{c.name}"' for c in contract.columns if not c.identifier]
    patient = f", {hmac_sql('mrn')}" if contract is PERIOPERATIVE_RECORDS else ""
    conn.execute(f"DELETE FROM raw.{t} WHERE month = $month", {"month": month})
    conn.execute(
        f"""INSERT INTO raw.{t}
        SELECT $month, $file, _line, {hmac_sql("case_id")}{patient}, {", ".join(payload)}
        FROM y_{t} WHERE _line NOT IN (SELECT _line FROM v_{t}) ORDER BY _line""",
        keys,
    )
    counts = conn.execute(
        f"SELECT (SELECT count(*) FROM s_{t}_text) + (SELECT count(*) FROM s_{t}_broken), "
        f"(SELECT count(DISTINCT _line) FROM v_{t})"
    ).fetchone()
    load.rows_read, load.rows_quarantined = int(counts[0]), int(counts[1])
    load.rows_accepted = load.rows_read - load.rows_quarantined
    load.violations_by_rule = dict(conn.execute(f"SELECT rule, count(*) FROM v_{t} GROUP BY rule ORDER BY rule").fetchall())

"""Load one landed month into the raw schema, through the data-quality gate, in one transaction.

For each contract file:

1. the SQL parser (:mod:`records`) stages the file, checks its header and types
   every value; structurally broken lines (``unparseable_row``) and values that
   do not cast (``type``) are recorded;
2. the typed candidate rows (identifiers replaced by their HMAC pseudonyms) go
   through the file's Great Expectations suite (:mod:`quality.suites`), built
   from the contract: rows failing an error-level expectation (``missing``,
   ``range``, ``allowed_values``, ``duplicate_key``, ``date_outside_month``,
   ``orphan_pain_score``) are quarantined; warning-level findings are returned;
3. quarantined rows go to ``raw.quarantine`` (month, file, line, column, value,
   rule, message, case_key); the others replace that month's rows of
   ``raw.<table>``. ``case_id`` and ``mrn`` are never stored in clear; their
   quarantined values are stored as NULL.

A file-level failure (missing, unreadable, not UTF-8, wrong header) rejects the
file whole: its previous rows for the month and their quarantine entries are
kept, a ``file_rejected`` entry is written, and the other file still loads. A
new delivery of a file replaces all of that file's quarantine entries, so
entries that no longer apply disappear.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd

from mg_platform.analysis.contract import FILE_CONTRACTS, PACU_PAIN_SCORES, PERIOPERATIVE_RECORDS, FileContract
from mg_platform.analysis.pseudonym import hmac_sql
from mg_platform.analysis.quality.gate import Finding, QualityGate, Validation, quality_gate
from mg_platform.analysis.quality.suites import cross_month_suite, frame_column, schema_frame, schema_suite, suite_for
from mg_platform.analysis.records import (
    FileRejected,
    inspect_header,
    stage_file,
    type_violations_select,
    typed_select,
    value_by_column_sql,
)
from mg_platform.analysis.transactions import transaction

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
    validation: Validation | None = None
    warnings: list[Finding] = field(default_factory=list)
    gx_seconds: float = 0.0


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


def _stage(conn: duckdb.DuckDBPyConnection, folder: Path, contract: FileContract) -> FileLoad:
    """Parse one file into temp tables ``s_<t>_text`` (text), ``y_<t>`` (typed), ``v_<t>`` (violations)."""
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
            {type_violations_select(contract, f"s_{t}_text", f"y_{t}")}
            UNION ALL SELECT _line, '*', NULL, 'unparseable_row', message FROM s_{t}_broken
        )""",
    )
    return load


def candidate_frame(conn: duckdb.DuckDBPyConnection, contract: FileContract, keys: dict) -> pd.DataFrame:
    """The typed candidate rows as pandas, identifiers replaced by pseudonyms, ordered by line."""
    columns = [
        f"{hmac_sql(quoted)} AS {frame_column(c)}" if c.identifier else quoted
        for c in contract.columns
        for quoted in [f'"{c.name}"']
    ]
    return conn.execute(
        f"SELECT _line, {', '.join(columns)} FROM y_{contract.table} ORDER BY _line",
        {"ipad": keys["ipad"], "opad": keys["opad"]},
    ).fetchdf()


def _gate_file(
    conn: duckdb.DuckDBPyConnection,
    gate: QualityGate,
    contract: FileContract,
    load: FileLoad,
    month: str,
    keys: dict,
    accepted_case_keys: set[str],
) -> pd.DataFrame:
    """Validate one staged file with its GX suite; add error findings to ``v_<t>``. Returns the frame."""
    t = contract.table
    frame = candidate_frame(conn, contract, keys)
    started = time.perf_counter()
    schema = gate.validate(schema_frame(frame, contract), schema_suite(contract), index_columns=("column",))
    validation = gate.validate(frame, suite_for(contract, month, accepted_case_keys))
    load.gx_seconds = time.perf_counter() - started
    validation.outcomes = schema.outcomes + validation.outcomes
    load.validation = validation
    if schema.findings or validation.schema_failures:
        failed = [f"{f.index[0]} is {f.value}" for f in schema.findings] or ["column set differs"]
        load.rejected = f"typed rows do not match the contract schema: {', '.join(failed)}"
        return frame
    typed_badly = set(conn.execute(f"SELECT _line, column_name FROM v_{t} WHERE rule = 'type'").fetchall())
    errors = [
        (f.line, f.column, f.rule, f.message)
        for f in validation.of_level("error")
        if not (f.rule == "missing" and (f.line, f.column) in typed_badly)
    ]
    if errors:
        conn.register("gx_errors", pd.DataFrame(errors, columns=["_line", "column_name", "rule", "message"]))
        conn.execute(
            f"""INSERT INTO v_{t}
            SELECT g._line, g.column_name, {value_by_column_sql(contract, "g.column_name", "t")},
                   g.rule, g.message
            FROM gx_errors g JOIN s_{t}_text t USING (_line)"""
        )
        conn.unregister("gx_errors")
    quarantined = {line for (line,) in conn.execute(f"SELECT DISTINCT _line FROM v_{t}").fetchall()}
    load.warnings = [f for f in validation.of_level("warning") if f.line not in quarantined]
    return frame[~frame["_line"].isin(quarantined)]


def load_month(
    conn: duckdb.DuckDBPyConnection,
    month: str,
    folder: Path,
    hmac_pads: tuple[bytes, bytes],
    gate: QualityGate | None = None,
) -> list[FileLoad]:
    """Replace ``month`` in raw.* from ``folder`` in one transaction; return per-file outcomes.

    ``hmac_pads`` are the (outer, inner) padded HMAC keys from the pseudonymiser;
    ``gate`` defaults to the process-wide :func:`quality_gate`.
    """
    opad, ipad = hmac_pads
    keys = {"ipad": ipad, "opad": opad}
    gate = gate or quality_gate()
    ensure_raw_schema(conn)
    records, pain = (_stage(conn, folder, c) for c in FILE_CONTRACTS)
    if records.rejected is None:
        accepted_rows = _gate_file(conn, gate, PERIOPERATIVE_RECORDS, records, month, keys, set())
    if records.rejected is None:  # still accepted after the schema expectations
        accepted = set(accepted_rows["case_key"].dropna())
    else:  # the records file is rejected: its previous rows stay, pain scores refer to them
        previous = conn.execute("SELECT case_key FROM raw.perioperative_records WHERE month = ?", [month])
        accepted = {k for (k,) in previous.fetchall()}
    if pain.rejected is None:
        _gate_file(conn, gate, PACU_PAIN_SCORES, pain, month, keys, accepted)
    with transaction(conn):
        for contract, load in zip(FILE_CONTRACTS, (records, pain), strict=True):
            _commit_file(conn, contract, load, month, keys)
    return [records, pain]


def _commit_file(
    conn: duckdb.DuckDBPyConnection, contract: FileContract, load: FileLoad, month: str, keys: dict
) -> None:
    t = contract.table
    params = {"month": month, "file": contract.file_name}
    if load.rejected is not None:
        conn.execute(
            "DELETE FROM raw.quarantine WHERE month = $month AND file = $file AND rule = 'file_rejected'", params
        )
        conn.execute(
            "INSERT INTO raw.quarantine VALUES ($month, $file, NULL, '*', NULL, 'file_rejected', $problem, NULL)",
            {**params, "problem": load.rejected},
        )
        return
    conn.execute("DELETE FROM raw.quarantine WHERE month = $month AND file = $file", params)
    conn.execute(
        f"""INSERT INTO raw.quarantine
        SELECT $month, $file, v._line, v.column_name, v.value, v.rule, v.message,
               CASE WHEN y.case_id IS NOT NULL THEN {hmac_sql("y.case_id")} END
        FROM v_{t} v LEFT JOIN y_{t} y USING (_line)
        ORDER BY v._line, v.column_name, v.rule""",
        {**params, **keys},
    )
    payload = [f'"{c.name}"' for c in contract.columns if not c.identifier]
    patient = f", {hmac_sql('mrn')}" if contract is PERIOPERATIVE_RECORDS else ""
    conn.execute(f"DELETE FROM raw.{t} WHERE month = $month", {"month": month})
    conn.execute(
        f"""INSERT INTO raw.{t}
        SELECT $month, $file, _line, {hmac_sql("case_id")}{patient}, {", ".join(payload)}
        FROM y_{t} WHERE _line NOT IN (SELECT _line FROM v_{t}) ORDER BY _line""",
        {**params, **keys},
    )
    counts = conn.execute(
        f"SELECT (SELECT count(*) FROM s_{t}_text) + (SELECT count(*) FROM s_{t}_broken), "
        f"(SELECT count(DISTINCT _line) FROM v_{t})"
    ).fetchone()
    load.rows_read, load.rows_quarantined = int(counts[0]), int(counts[1])
    load.rows_accepted = load.rows_read - load.rows_quarantined
    load.violations_by_rule = dict(
        conn.execute(f"SELECT rule, count(*) FROM v_{t} GROUP BY rule ORDER BY rule").fetchall()
    )


def cross_month_duplicates(
    conn: duckdb.DuckDBPyConnection, gate: QualityGate | None = None
) -> tuple[Validation, pd.DataFrame]:
    """GX uniqueness of case_id over every month of raw.perioperative_records.

    Returns the validation and the later copies (month, file, line, column, rule,
    message), i.e. the rows that ``staging.rejected_cross_month`` rejects; the copy
    in the earliest month is kept, whatever the load order.
    """
    gate = gate or quality_gate()
    frame = conn.execute("SELECT month, line, case_key FROM raw.perioperative_records ORDER BY month, line").fetchdf()
    validation = gate.validate(frame, cross_month_suite(), index_columns=("month", "line"))
    flagged = pd.DataFrame([f.index for f in validation.findings], columns=["month", "line"])
    copies = frame.merge(flagged, on=["month", "line"])
    copies["first_month"] = copies.groupby("case_key")["month"].transform("min")
    later = copies[copies["month"] > copies["first_month"]].sort_values(["month", "line"])
    return validation, pd.DataFrame(
        {
            "month": later["month"],
            "file": PERIOPERATIVE_RECORDS.file_name,
            "line": later["line"],
            "column": "case_id",
            "rule": "duplicate_key_across_months",
            "message": "case_id was already delivered in month " + later["first_month"],
        }
    ).reset_index(drop=True)

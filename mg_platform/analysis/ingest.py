"""Load one landed month into the raw schema, through the data-quality gate, in one transaction.

For each contract file:

1. the reader (:mod:`records`) streams the file into a staging table with every
   record numbered by its physical starting line, checks the header and reads
   every value exactly; records with the wrong number of fields
   (``unparseable_row``), values that do not read exactly as their type
   (``type``) and timestamps outside 1900-2100 (``range``) are recorded;
2. a value in a non-identifier column that equals an identifier (case_id, mrn)
   of the month's files is a shifted column: the row is quarantined
   (``identifier_in_wrong_column``);
3. the typed candidate rows (identifiers replaced by their HMAC pseudonyms) go
   through the file's Great Expectations suite (:mod:`quality.suites`): rows
   failing an error-level expectation (``missing``, ``range``,
   ``allowed_values``, ``duplicate_key``, ``date_outside_month``,
   ``orphan_pain_score``) are quarantined; warning-level findings are returned;
4. quarantined rows go to ``raw.quarantine`` (month, file, line, column, value,
   rule, message, case_key, value_is_pseudonym); the others replace that
   month's rows of ``raw.<table>``; the file's accounting (records = accepted +
   quarantined) and sha256 go to ``raw.file_loads``.

Identifiers never reach storage in clear: a quarantined value from ``case_id``
or ``mrn``, or equal to any identifier of the month's files, is stored as its
pseudonym with ``value_is_pseudonym = true``.

A file-level failure (missing, symbolic link, unreadable, not UTF-8, wrong
header, a record that cannot be split, a header without records, a limit
exceeded) rejects the file whole: its previous rows for the month and their
quarantine entries are kept, a ``file_rejected`` entry (with the line where the
trouble starts) is written, and the other file still loads. When the records
file is rejected, pain scores whose case is not among the month's previously
loaded records are held back under one ``records_file_rejected`` entry instead
of one orphan entry each. A new delivery of a file replaces all of that file's
quarantine entries. Later copies of a case_id delivered in an earlier month
(``duplicate_key_across_months``) are listed in ``raw.quarantine`` too,
recomputed over all months at every load, so the outcome does not depend on
the load order.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd

from mg_platform.analysis.contract import FILE_CONTRACTS, PACU_PAIN_SCORES, PERIOPERATIVE_RECORDS, FileContract
from mg_platform.analysis.pseudonym import hmac_sql, verify_key
from mg_platform.analysis.quality.gate import Finding, QualityGate, Validation, quality_gate
from mg_platform.analysis.quality.suites import (
    CASE_HAS_RECORD,
    cross_month_suite,
    frame_column,
    schema_frame,
    schema_suite,
    suite_for,
)
from mg_platform.analysis.records import (
    FileRejected,
    Limits,
    stage_file,
    type_violations_select,
    typed_select,
    value_by_column_sql,
)
from mg_platform.analysis.transactions import transaction

QUARANTINE_COLUMNS = (
    "month VARCHAR, file VARCHAR, line BIGINT, column_name VARCHAR, value VARCHAR, "
    "rule VARCHAR, message VARCHAR, case_key VARCHAR, value_is_pseudonym BOOLEAN"
)
QUARANTINE_INSERT = (
    "INSERT INTO raw.quarantine (month, file, line, column_name, value, rule, message, case_key, value_is_pseudonym)"
)
FILE_LOADS_COLUMNS = (
    "month VARCHAR NOT NULL, file VARCHAR NOT NULL, sha256 VARCHAR NOT NULL, size_bytes BIGINT, dialect VARCHAR, "
    "records BIGINT NOT NULL, accepted BIGINT NOT NULL, quarantined BIGINT NOT NULL"
)
IDENTIFIER_NAMES = tuple(c.name for c in PERIOPERATIVE_RECORDS.columns if c.identifier)
SHIFTED_IDENTIFIER_MIN_CHARS = 6
"""Identifier values at least this long make an equal value in another column a shifted column."""


@dataclass
class FileLoad:
    """Outcome of loading one file: its accounting (records = accepted + quarantined) or the rejection."""

    file_name: str
    dialect: str = ""
    rows_read: int = 0
    rows_accepted: int = 0
    rows_quarantined: int = 0
    rejected: str | None = None
    rejected_line: int | None = None
    sha256: str = ""
    size_bytes: int = 0
    held_back: int = 0
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
    """Create the raw schema and its tables if they do not exist (and add columns added since)."""
    conn.execute("CREATE SCHEMA IF NOT EXISTS raw")
    for contract in FILE_CONTRACTS:
        conn.execute(f"CREATE TABLE IF NOT EXISTS raw.{contract.table} ({raw_table_ddl(contract)})")
    conn.execute(f"CREATE TABLE IF NOT EXISTS raw.quarantine ({QUARANTINE_COLUMNS})")
    conn.execute("ALTER TABLE raw.quarantine ADD COLUMN IF NOT EXISTS value_is_pseudonym BOOLEAN")
    conn.execute(f"CREATE TABLE IF NOT EXISTS raw.file_loads ({FILE_LOADS_COLUMNS})")


def _stage(conn: duckdb.DuckDBPyConnection, folder: Path, contract: FileContract, limits: Limits) -> FileLoad:
    """Read one file into temp tables ``s_<t>_text`` (text), ``y_<t>`` (typed), ``v_<t>`` (violations)."""
    load = FileLoad(contract.file_name)
    t = contract.table
    try:
        staged = stage_file(conn, folder / contract.file_name, contract, f"s_{t}", limits)
    except FileRejected as exc:
        load.rejected, load.rejected_line = exc.problem, exc.line
        return load
    load.dialect, load.sha256, load.size_bytes = staged.dialect.name, staged.sha256, staged.size_bytes
    conn.execute(f"CREATE OR REPLACE TEMP TABLE y_{t} AS {typed_select(contract, staged.dialect, f's_{t}_text')}")
    conn.execute(
        f"""CREATE OR REPLACE TEMP TABLE v_{t} AS
        SELECT _line, column_name, value, rule, message FROM (
            {type_violations_select(contract, f"s_{t}_text", f"y_{t}")}
            UNION ALL SELECT _line, '*', NULL, 'unparseable_row', message FROM s_{t}_broken
        )""",
    )
    conn.execute(f"CREATE OR REPLACE TEMP TABLE h_{t} (_line BIGINT)")  # held back (records file rejected)
    return load


def _collect_identifiers(conn: duckdb.DuckDBPyConnection, loads: list[FileLoad]) -> None:
    """Temp table ``month_ids(value)``: every case_id and mrn text of the month's staged files.

    Broken records (wrong field count) contribute the fields at the identifier columns' positions.
    """
    t_columns = {c.table: c.column_names for c in FILE_CONTRACTS}
    staged = [c.table for c, load in zip(FILE_CONTRACTS, loads, strict=True) if load.rejected is None]
    parts = [
        f'SELECT "{name}" AS value FROM s_{t}_text' for t in staged for name in IDENTIFIER_NAMES if name in t_columns[t]
    ] + [f"SELECT value FROM s_{t}_broken_ids" for t in staged]
    union = " UNION ".join(parts) if parts else "SELECT NULL::VARCHAR AS value"
    conn.execute(f"CREATE OR REPLACE TEMP TABLE month_ids AS SELECT DISTINCT value FROM ({union}) WHERE value <> ''")


def _flag_shifted_identifiers(conn: duckdb.DuckDBPyConnection, contract: FileContract) -> None:
    """Add ``identifier_in_wrong_column`` violations: non-identifier cells equal to an identifier of the month."""
    t = contract.table
    columns = ", ".join(f'"{c.name}"' for c in contract.columns if not c.identifier)
    conn.execute(
        f"""INSERT INTO v_{t}
        SELECT u._line, u.column_name, u.value, 'identifier_in_wrong_column',
               'value equals a case_id or mrn of this month''s files (shifted column?)'
        FROM (UNPIVOT (SELECT _line, {columns} FROM s_{t}_text) ON {columns}
              INTO NAME column_name VALUE value) u
        WHERE length(u.value) >= {SHIFTED_IDENTIFIER_MIN_CHARS}
          AND u.value IN (SELECT value FROM month_ids)"""
    )


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


def _hold_back(
    conn: duckdb.DuckDBPyConnection, frame: pd.DataFrame, held_back: set[str] | None, t: str
) -> pd.DataFrame:
    """Move rows whose case_key is in ``held_back`` to ``h_<t>``; return the other rows."""
    if not held_back:
        return frame
    held = frame["case_key"].isin(held_back)
    conn.register("held_lines", frame.loc[held, ["_line"]])
    conn.execute(f"INSERT INTO h_{t} SELECT _line FROM held_lines")
    conn.unregister("held_lines")
    return frame[~held]


def _gate_file(
    conn: duckdb.DuckDBPyConnection,
    gate: QualityGate,
    contract: FileContract,
    load: FileLoad,
    month: str,
    keys: dict,
    accepted_case_keys: set[str],
    held_back: set[str] | None = None,
) -> pd.DataFrame:
    """Validate one staged file with its GX suite; add error findings to ``v_<t>``. Returns the accepted rows.

    Rows whose case_key is in ``held_back`` are not validated: they go to ``h_<t>``.
    """
    t = contract.table
    frame = _hold_back(conn, candidate_frame(conn, contract, keys), held_back, t)
    if contract is PACU_PAIN_SCORES:
        frame[CASE_HAS_RECORD] = frame["case_key"].isin(accepted_case_keys)
    started = time.perf_counter()
    schema = gate.validate(schema_frame(frame, contract), schema_suite(contract), index_columns=("column",))
    validation = gate.validate(frame, suite_for(contract, month))
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
    limits: Limits | None = None,
    key_source: str = "MG_PSEUDONYM_KEY",
) -> list[FileLoad]:
    """Replace ``month`` in raw.* from ``folder`` in one transaction; return per-file outcomes.

    ``hmac_pads`` are the (outer, inner) padded HMAC keys from the pseudonymiser;
    the warehouse must have been built with the same key (:func:`verify_key`,
    ``key_source`` names the key in its message). ``gate`` defaults to the
    process-wide :func:`quality_gate`; ``limits`` to :class:`Limits`.
    """
    opad, ipad = hmac_pads
    keys = {"ipad": ipad, "opad": opad}
    gate = gate or quality_gate()
    ensure_raw_schema(conn)
    verify_key(conn, hmac_pads, key_source)
    loads = [_stage(conn, folder, c, limits or Limits()) for c in FILE_CONTRACTS]
    records, pain = loads
    _collect_identifiers(conn, loads)
    for contract, load in zip(FILE_CONTRACTS, loads, strict=True):
        if load.rejected is None:
            _flag_shifted_identifiers(conn, contract)
    if records.rejected is None:
        accepted_rows = _gate_file(conn, gate, PERIOPERATIVE_RECORDS, records, month, keys, set())
    if records.rejected is None:  # still accepted after the schema expectations
        accepted, held_back = set(accepted_rows["case_key"].dropna()), None
    else:  # the records file is rejected: its previous rows stay, pain scores refer to them
        previous = conn.execute("SELECT case_key FROM raw.perioperative_records WHERE month = ?", [month])
        accepted = {k for (k,) in previous.fetchall()}
        held_back = _unknown_pain_cases(conn, keys, accepted) if pain.rejected is None else None
    if pain.rejected is None:
        _gate_file(conn, gate, PACU_PAIN_SCORES, pain, month, keys, accepted, held_back)
    with transaction(conn):
        for contract, load in zip(FILE_CONTRACTS, loads, strict=True):
            _commit_file(conn, contract, load, month, keys)
        refresh_cross_month_quarantine(conn)
    return loads


def _unknown_pain_cases(conn: duckdb.DuckDBPyConnection, keys: dict, accepted: set[str]) -> set[str]:
    """Pseudonyms of the staged pain scores' cases that are not among ``accepted``."""
    rows = conn.execute(
        f"SELECT DISTINCT {hmac_sql('case_id')} FROM y_{PACU_PAIN_SCORES.table} WHERE case_id IS NOT NULL", keys
    ).fetchall()
    return {k for (k,) in rows} - accepted


def _protected_value_sql(value: str, column: str) -> tuple[str, str]:
    """(stored value, value_is_pseudonym) SQL: identifiers and identifier-equal values become pseudonyms."""
    names = ", ".join(f"'{n}'" for n in IDENTIFIER_NAMES)
    secret = f"({value} IS NOT NULL AND ({column} IN ({names}) OR {value} IN (SELECT value FROM month_ids)))"
    return f"CASE WHEN {secret} THEN {hmac_sql(value)} ELSE {value} END", f"coalesce({secret}, false)"


def _record_rejection(conn: duckdb.DuckDBPyConnection, load: FileLoad, params: dict) -> None:
    conn.execute("DELETE FROM raw.quarantine WHERE month = $month AND file = $file AND rule = 'file_rejected'", params)
    conn.execute(
        f"{QUARANTINE_INSERT} VALUES ($month, $file, $line, '*', NULL, 'file_rejected', $problem, NULL, false)",
        {**params, "problem": load.rejected, "line": load.rejected_line},
    )


def _commit_file(
    conn: duckdb.DuckDBPyConnection, contract: FileContract, load: FileLoad, month: str, keys: dict
) -> None:
    t = contract.table
    params = {"month": month, "file": contract.file_name}
    if load.rejected is not None:
        _record_rejection(conn, load, params)
        return
    conn.execute("DELETE FROM raw.quarantine WHERE month = $month AND file = $file", params)
    value, is_pseudonym = _protected_value_sql("v.value", "v.column_name")
    conn.execute(
        f"""{QUARANTINE_INSERT}
        SELECT $month, $file, v._line, v.column_name, {value}, v.rule, v.message,
               CASE WHEN y.case_id IS NOT NULL THEN {hmac_sql("y.case_id")} END, {is_pseudonym}
        FROM v_{t} v LEFT JOIN y_{t} y USING (_line)
        ORDER BY v._line, v.column_name, v.rule""",
        {**params, **keys},
    )
    conn.execute(f"DELETE FROM h_{t} WHERE _line IN (SELECT _line FROM v_{t})")  # those have their own entries
    load.held_back = conn.execute(f"SELECT count(*) FROM h_{t}").fetchone()[0]
    if load.held_back:
        conn.execute(
            f"{QUARANTINE_INSERT} VALUES ($month, $file, NULL, '*', NULL, 'records_file_rejected', $message, NULL, false)",
            {
                **params,
                "message": f"{load.held_back} pain scores not loaded because their records file "
                f"{PERIOPERATIVE_RECORDS.file_name} was rejected",
            },
        )
    payload = [f'"{c.name}"' for c in contract.columns if not c.identifier]
    patient = f", {hmac_sql('mrn')}" if contract is PERIOPERATIVE_RECORDS else ""
    conn.execute(f"DELETE FROM raw.{t} WHERE month = $month", {"month": month})
    conn.execute(
        f"""INSERT INTO raw.{t}
        SELECT $month, $file, _line, {hmac_sql("case_id")}{patient}, {", ".join(payload)}
        FROM y_{t} WHERE _line NOT IN (SELECT _line FROM v_{t} UNION ALL SELECT _line FROM h_{t}) ORDER BY _line""",
        {**params, **keys},
    )
    counts = conn.execute(
        f"SELECT (SELECT count(*) FROM s_{t}_text) + (SELECT count(*) FROM s_{t}_broken), "
        f"(SELECT count(*) FROM (SELECT _line FROM v_{t} UNION SELECT _line FROM h_{t}))"
    ).fetchone()
    load.rows_read, load.rows_quarantined = int(counts[0]), int(counts[1])
    load.rows_accepted = load.rows_read - load.rows_quarantined
    load.violations_by_rule = dict(
        conn.execute(
            f"SELECT rule, count(*) FROM (SELECT rule FROM v_{t} UNION ALL SELECT 'records_file_rejected' FROM h_{t}) "
            "GROUP BY rule ORDER BY rule"
        ).fetchall()
    )
    conn.execute("DELETE FROM raw.file_loads WHERE month = $month AND file = $file", params)
    conn.execute(
        "INSERT INTO raw.file_loads VALUES ($month, $file, $sha256, $size, $dialect, $records, $accepted, $quarantined)",
        {
            **params,
            "sha256": load.sha256,
            "size": load.size_bytes,
            "dialect": load.dialect,
            "records": load.rows_read,
            "accepted": load.rows_accepted,
            "quarantined": load.rows_quarantined,
        },
    )


def _conflicting_columns_sql(later: str, first: str) -> str:
    """Comma-separated names of the payload columns in which two copies of a case differ."""
    names = ["patient_key", *(c.name for c in PERIOPERATIVE_RECORDS.columns if not c.identifier)]
    cases = ", ".join(f'CASE WHEN {later}."{n}" IS DISTINCT FROM {first}."{n}" THEN \'{n}\' END' for n in names)
    return f"concat_ws(', ', {cases})"


def refresh_cross_month_quarantine(conn: duckdb.DuckDBPyConnection) -> None:
    """Rewrite the ``duplicate_key_across_months`` rows of raw.quarantine from all loaded months.

    Every copy of a case_id in a month later than its earliest month is listed (value:
    the case pseudonym), saying whether its values conflict with the kept copy. The
    same rows are rejected by ``staging.rejected_cross_month``; recomputing from
    raw.perioperative_records makes the result independent of the load order.
    Call it after anything that changes raw.perioperative_records.
    """
    conflicts = _conflicting_columns_sql("r", "k")
    conn.execute("DELETE FROM raw.quarantine WHERE rule = 'duplicate_key_across_months'")
    conn.execute(
        f"""{QUARANTINE_INSERT}
        WITH kept AS (
            SELECT * FROM raw.perioperative_records
            QUALIFY row_number() OVER (PARTITION BY case_key ORDER BY month, line) = 1
        )
        SELECT r.month, r.source_file, r.line, 'case_id', r.case_key, 'duplicate_key_across_months',
               'case_id was already delivered in month ' || k.month || CASE WHEN {conflicts} = ''
                   THEN ' (identical copy)' ELSE ' with different values in: ' || {conflicts} END,
               r.case_key, true
        FROM raw.perioperative_records r JOIN kept k ON k.case_key = r.case_key AND r.month > k.month
        ORDER BY r.month, r.line"""
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

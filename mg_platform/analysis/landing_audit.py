"""What the warehouse says about the landing zone: rejected files, retractions, vanished month folders.

Plain DuckDB SQL on a connection, shared by the command line and the report.

A month is *blocked* while ``raw.quarantine`` holds a ``file_rejected`` entry for one of its files
(the loader replaces that entry when a corrected file is accepted): :func:`rejected_files`.

Rows leave the warehouse only through a re-delivery with records or an explicit, recorded
retraction (contracts/raw-records.md). A retraction deletes the month's raw rows and quarantine
entries in one transaction and appends one row to ``raw.retractions``:

``month`` (YYYY-MM), ``retracted_at`` (UTC timestamp), ``reason`` (free text from the user),
``records_removed`` and ``pain_scores_removed`` (row counts deleted from raw.*).

A month is reloaded after a retraction only when a new delivery lands (a file modified after
``retracted_at``). Months still in raw.* whose landing folder is gone are *vanished*: their rows
stay, and the command line and the report say so (:func:`vanished_months`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

import duckdb

from mg_platform.analysis.transactions import transaction

RETRACTIONS_DDL = """
CREATE TABLE IF NOT EXISTS raw.retractions (
    month VARCHAR NOT NULL,
    retracted_at TIMESTAMP NOT NULL,
    reason VARCHAR NOT NULL,
    records_removed BIGINT NOT NULL,
    pain_scores_removed BIGINT NOT NULL
)
"""
RAW_TABLES = ("raw.perioperative_records", "raw.pain_scores")


@dataclass(frozen=True)
class Retraction:
    """One recorded retraction."""

    month: str
    retracted_at: dt.datetime
    reason: str
    records_removed: int
    pain_scores_removed: int


def _present(conn: duckdb.DuckDBPyConnection) -> set[str]:
    return {f"{s}.{t}" for s, t in conn.execute("SELECT schema_name, table_name FROM duckdb_tables()").fetchall()}


def _count_and_delete(conn: duckdb.DuckDBPyConnection, table: str, month: str, present: set[str]) -> int:
    if table not in present:
        return 0
    removed = conn.execute(f"SELECT count(*) FROM {table} WHERE month = ?", [month]).fetchone()[0]
    conn.execute(f"DELETE FROM {table} WHERE month = ?", [month])
    return int(removed)


def retract_month(conn: duckdb.DuckDBPyConnection, month: str, reason: str, now: dt.datetime) -> Retraction:
    """Delete ``month`` from raw.* and raw.quarantine and record why, all in one transaction.

    ``now`` is the UTC time recorded as ``retracted_at`` (naive timestamps are UTC).
    """
    if not reason.strip():
        raise ValueError("a retraction needs a reason (--reason)")
    with transaction(conn):
        conn.execute("CREATE SCHEMA IF NOT EXISTS raw")
        conn.execute(RETRACTIONS_DDL)
        present = _present(conn)
        records = _count_and_delete(conn, RAW_TABLES[0], month, present)
        pain = _count_and_delete(conn, RAW_TABLES[1], month, present)
        _count_and_delete(conn, "raw.quarantine", month, present)
        stamp = now.astimezone(dt.UTC).replace(tzinfo=None)
        conn.execute(
            "INSERT INTO raw.retractions VALUES (?, ?, ?, ?, ?)", [month, stamp, reason.strip(), records, pain]
        )
    return Retraction(month, stamp, reason.strip(), records, pain)


def retractions(conn: duckdb.DuckDBPyConnection) -> list[Retraction]:
    """Every recorded retraction, oldest first (empty when none was ever made)."""
    if "raw.retractions" not in _present(conn):
        return []
    rows = conn.execute("SELECT * FROM raw.retractions ORDER BY retracted_at, month").fetchall()
    return [Retraction(*row) for row in rows]


def loaded_months(conn: duckdb.DuckDBPyConnection) -> list[str]:
    """Months with rows in raw.perioperative_records or raw.pain_scores."""
    present = _present(conn)
    parts = [f"SELECT DISTINCT month FROM {t}" for t in RAW_TABLES if t in present]
    if not parts:
        return []
    return [m for (m,) in conn.execute(" UNION ".join(parts) + " ORDER BY 1").fetchall()]


def vanished_months(conn: duckdb.DuckDBPyConnection, landed: Iterable[str]) -> list[str]:
    """Months whose rows are in the warehouse although their landing folder is gone (rows are kept)."""
    folders = set(landed)
    return [m for m in loaded_months(conn) if m not in folders]


def rejected_files(conn: duckdb.DuckDBPyConnection, months: Iterable[str]) -> dict[str, list[str]]:
    """month -> ``["<month>/<file>: <problem>", ...]`` for the files whose latest delivery was rejected."""
    if "raw.quarantine" not in _present(conn):
        return {}
    rows = conn.execute(
        "SELECT month, file, message FROM raw.quarantine WHERE rule = 'file_rejected' AND list_contains(?, month) "
        "ORDER BY month, file",
        [list(months)],
    ).fetchall()
    blocked: dict[str, list[str]] = {}
    for month, file, message in rows:
        blocked.setdefault(month, []).append(f"{month}/{file}: {message}")
    return blocked

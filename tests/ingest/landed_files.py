"""Helpers of the loader tests: edits by physical line, loads, queries.

The fixtures ``small_cohort`` and ``small_landing`` are in ``tests/conftest.py`` (a conftest.py
in this folder would shadow it for the modules that import helpers from it).
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import duckdb

from mg_platform.analysis import ingest
from mg_platform.analysis.pseudonym import hmac_pads

MONTH = "2025-03"
RECORDS = "perioperative_records.csv"
PAIN = "pacu_pain_scores.csv"
KEY = b"k" * 32
PADS = hmac_pads(KEY)


def read_rows(path: Path, delimiter: str = ",") -> list[list[str]]:
    with path.open(newline="", encoding="utf-8-sig") as handle:
        return list(csv.reader(handle, delimiter=delimiter))


def csv_text(rows: list[list[str]], delimiter: str = ",") -> str:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator="\n").writerows(rows)
    return buffer.getvalue()


def write_rows(path: Path, rows: list[list[str]], delimiter: str = ",") -> None:
    path.write_text(csv_text(rows, delimiter), encoding="utf-8")


def set_value(rows: list[list[str]], index: int, column: str, value: str) -> None:
    """Set ``column`` of ``rows[index]`` (index 0 = header; physical line = index + 1 while no field spans lines)."""
    rows[index][rows[0].index(column)] = value


def load(landing: Path, db: Path, month: str = MONTH, **kwargs) -> list[ingest.FileLoad]:
    with duckdb.connect(str(db)) as conn:
        return ingest.load_month(conn, month, landing / month, PADS, **kwargs)


def query(db: Path, sql: str, params: list | None = None) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as conn:
        return conn.execute(sql, params or []).fetchall()


def quarantine(db: Path, month: str = MONTH) -> set[tuple]:
    """(file, line, column, rule) of the month's quarantine rows."""
    return set(query(db, "SELECT file, line, column_name, rule FROM raw.quarantine WHERE month = ?", [month]))


def count(db: Path, table: str, month: str = MONTH) -> int:
    return query(db, f"SELECT count(*) FROM raw.{table} WHERE month = ?", [month])[0][0]


def all_text_in_warehouse(db: Path) -> list[str]:
    """Every VARCHAR value of every table of the warehouse (to search for identifiers in clear)."""
    with duckdb.connect(str(db), read_only=True) as conn:
        columns = conn.execute(
            "SELECT table_schema, table_name, column_name FROM information_schema.columns WHERE data_type = 'VARCHAR'"
        ).fetchall()
        values = []
        for schema, table, column in columns:
            values += [v for (v,) in conn.execute(f'SELECT DISTINCT "{column}" FROM "{schema}"."{table}"').fetchall()]
    return [v for v in values if v is not None]

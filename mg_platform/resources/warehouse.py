"""The DuckDB warehouse resource.

DuckDB allows one writing process per database file. Every connection of this
resource holds an exclusive cross-process file lock (``<database>.lock``) for
its lifetime, so steps of parallel runs queue for the file instead of failing
on DuckDB's lock. Connections are meant to be short: read inputs, close,
compute, then open again to write results in one transaction.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import duckdb
import pandas as pd
from dagster_duckdb import DuckDBResource
from filelock import FileLock
from pydantic import Field

from mg_platform.analysis.transactions import transaction


class Warehouse(DuckDBResource):
    """DuckDB warehouse (``$MG_DATA_DIR/warehouse.duckdb``) with a single-writer lock."""

    lock_timeout_s: float = Field(default=3600.0, description="Seconds to wait for the file lock.")

    @contextmanager
    def get_connection(self) -> Iterator[duckdb.DuckDBPyConnection]:
        Path(self.database).parent.mkdir(parents=True, exist_ok=True)
        with FileLock(f"{self.database}.lock", timeout=self.lock_timeout_s):
            conn = duckdb.connect(
                self.database,
                config={
                    "custom_user_agent": "mg-platform",
                    "python_enable_replacements": False,
                    **self.connection_config,
                },
            )
            try:
                yield conn
            finally:
                conn.close()

    def query_df(self, sql: str, params: list | None = None) -> pd.DataFrame:
        """Run one query and return its result as a pandas frame."""
        with self.get_connection() as conn:
            return conn.execute(sql, params or []).fetchdf()

    def replace_tables(self, tables: Mapping[str, pd.DataFrame]) -> None:
        """Replace whole tables (``schema.table`` -> frame) in one transaction."""
        with self.get_connection() as conn:
            write_tables(conn, tables)


def write_tables(conn: duckdb.DuckDBPyConnection, tables: Mapping[str, pd.DataFrame]) -> None:
    """CREATE OR REPLACE each ``schema.table`` from its frame, all in one transaction."""
    with transaction(conn):
        for name, frame in tables.items():
            schema, table = name.split(".")
            conn.execute(f'CREATE SCHEMA IF NOT EXISTS "{schema}"')
            conn.register("_frame", _typed_nulls(frame))
            conn.execute(f'CREATE OR REPLACE TABLE "{schema}"."{table}" AS SELECT * FROM _frame')
            conn.unregister("_frame")


def _typed_nulls(frame: pd.DataFrame) -> pd.DataFrame:
    """Object columns holding only nulls become text, so DuckDB types them VARCHAR rather than NULL."""
    empty = [c for c in frame.columns if frame[c].dtype == object and frame[c].isna().all()]
    return frame.astype({c: "string" for c in empty}) if empty else frame

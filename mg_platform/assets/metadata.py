"""Materialisation metadata and code versions shared by every asset module."""

from __future__ import annotations

import base64
import hashlib
import inspect
from pathlib import Path
from types import ModuleType

import dagster as dg
import pandas as pd

PREVIEW_ROWS = 10


def column_schema(frame: pd.DataFrame) -> dg.TableSchema:
    """Dagster table schema from a frame's columns and dtypes."""
    return dg.TableSchema(columns=[dg.TableColumn(name=str(c), type=str(t)) for c, t in frame.dtypes.items()])


def table_metadata(table_name: str, frame: pd.DataFrame, preview_rows: int = PREVIEW_ROWS) -> dict[str, object]:
    """Row count, column schema, table name and a markdown preview for one written table."""
    return {
        "dagster/row_count": dg.MetadataValue.int(len(frame)),
        "dagster/column_schema": column_schema(frame),
        "dagster/table_name": table_name,
        "preview": dg.MetadataValue.md(frame.head(preview_rows).to_markdown(index=False)),
    }


def figure_metadata(name: str, files: dict[str, Path]) -> dict[str, object]:
    """Paths of a figure's files (``{"png": ..., "svg": ...}``) and the PNG inlined as markdown."""
    png = base64.b64encode(files["png"].read_bytes()).decode("ascii")
    return {
        **{f"{name}_{kind}": dg.MetadataValue.path(str(path)) for kind, path in files.items()},
        name: dg.MetadataValue.md(f"![{name}](data:image/png;base64,{png})"),
    }


def code_version(*sources: ModuleType | Path | str) -> str:
    """Short sha256 over the source text of modules, files or literal strings.

    Use the analysis modules an asset calls (and its SQL file) so that the code
    version changes exactly when the logic that produces the asset changes.
    """
    digest = hashlib.sha256()
    for source in sources:
        if isinstance(source, ModuleType):
            text = inspect.getsource(source)
        elif isinstance(source, Path):
            text = source.read_text(encoding="utf-8")
        else:
            text = source
        digest.update(text.encode("utf-8"))
    return digest.hexdigest()[:16]


def warehouse_table_metadata(conn, table_name: str, partition: str | None = None) -> dict[str, object]:
    """Table metadata read from DuckDB without pulling the table into memory.

    With ``partition`` the row count is that month's (``dagster/partition_row_count``).
    """
    described = conn.execute(f"DESCRIBE {table_name}").fetchall()
    schema = dg.TableSchema(columns=[dg.TableColumn(name=row[0], type=row[1]) for row in described])
    where, params = ("WHERE month = ?", [partition]) if partition else ("", [])
    count = conn.execute(f"SELECT count(*) FROM {table_name} {where}", params).fetchone()[0]
    preview = conn.execute(f"SELECT * FROM {table_name} {where} LIMIT {PREVIEW_ROWS}", params).fetchdf()
    count_key = "dagster/partition_row_count" if partition else "dagster/row_count"
    return {
        count_key: dg.MetadataValue.int(int(count)),
        "dagster/column_schema": schema,
        "dagster/table_name": table_name,
        "preview": dg.MetadataValue.md(preview.to_markdown(index=False)),
    }

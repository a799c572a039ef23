"""Plain SQL models: one SELECT per ``.sql`` file, its path giving its table name.

``dbt_like_sql/cohort/strobe_flow.sql`` is the model ``cohort.strobe_flow``. Its
dependencies are the ``schema.table`` references found by sqlglot's DuckDB
parser (CTE names excluded), and its column lineage is traced by
``sqlglot.lineage``; nothing is listed by hand.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import sqlglot
from sqlglot import exp
from sqlglot.lineage import lineage
from sqlglot.optimizer.scope import build_scope

DIALECT = "duckdb"


@dataclass(frozen=True)
class SqlModel:
    """One SQL model: where it lives, what it reads, its code version."""

    schema: str
    name: str
    path: Path
    sql: str
    deps: tuple[tuple[str, str], ...]

    @property
    def table(self) -> str:
        return f"{self.schema}.{self.name}"

    @property
    def code_version(self) -> str:
        return hashlib.sha256(self.sql.encode("utf-8")).hexdigest()[:16]

    @property
    def description(self) -> str:
        lines = [ln[2:].strip() for ln in self.sql.splitlines() if ln.startswith("--")]
        return " ".join(lines)


def referenced_tables(sql: str) -> tuple[tuple[str, str], ...]:
    """(schema, table) pairs a query reads, sorted; CTEs and unqualified names are ignored."""
    tree = sqlglot.parse_one(sql, read=DIALECT)
    ctes = {cte.alias_or_name for cte in tree.find_all(exp.CTE)}
    found = {(t.db, t.name) for t in tree.find_all(exp.Table) if t.db and t.name and t.name not in ctes}
    return tuple(sorted(found))


def discover(sql_dir: Path) -> list[SqlModel]:
    """Every ``<schema>/<name>.sql`` under ``sql_dir``, sorted by table name."""
    models = []
    for path in sorted(sql_dir.glob("*/*.sql")):
        sql = path.read_text(encoding="utf-8")
        models.append(SqlModel(path.parent.name, path.stem, path, sql, referenced_tables(sql)))
    return models


def column_lineage(
    model: SqlModel, schemas: dict[str, dict[str, dict[str, str]]]
) -> dict[str, list[tuple[str, str, str]]]:
    """Output column -> [(schema, table, column)] it is computed from.

    ``schemas`` maps schema -> table -> column -> type for the upstream tables, so
    that ``SELECT *`` and unqualified columns resolve. Columns sqlglot cannot trace
    (for example UNPIVOT outputs) are left out rather than guessed.
    """
    tree = sqlglot.parse_one(model.sql, read=DIALECT)
    if not isinstance(tree, exp.Select) or build_scope(tree) is None:
        return {}
    result: dict[str, list[tuple[str, str, str]]] = {}
    for output in tree.named_selects:
        if output == "*":
            continue
        try:
            node = lineage(output, model.sql, schema=schemas, dialect=DIALECT)
        except Exception:  # noqa: BLE001 - sqlglot raises many types for untraceable columns
            continue
        sources = set()
        for leaf in node.walk():
            if isinstance(leaf.expression, exp.Table) and leaf.expression.db:
                sources.add((leaf.expression.db, leaf.expression.name, leaf.name.split(".")[-1]))
        if sources:
            result[output] = sorted(sources)
    return result

"""Staging and cohort layers: the eligibility configuration and every SQL model in dbt_like_sql/."""

from __future__ import annotations

import dagster as dg

from mg_platform import settings
from mg_platform.analysis import eligibility, sql_models
from mg_platform.analysis.sql_models import SqlModel
from mg_platform.assets.metadata import code_version, warehouse_table_metadata
from mg_platform.resources.warehouse import Warehouse, write_tables

ELIGIBILITY_KEY = dg.AssetKey(["config", "eligibility_criteria"])


@dg.asset(
    key=ELIGIBILITY_KEY,
    group_name="cohort",
    kinds={"yaml", "duckdb"},
    code_version=code_version(eligibility, settings.ELIGIBILITY_FILE),
    pool="duckdb_write",
)
def eligibility_criteria(warehouse: Warehouse) -> dg.MaterializeResult:
    """One row: the eligibility thresholds from config/eligibility.yaml (defaults = the study's criteria)."""
    criteria = eligibility.load_criteria(settings.ELIGIBILITY_FILE)
    frame = criteria.as_frame()
    with warehouse.get_connection() as conn:
        write_tables(conn, {"config.eligibility_criteria": frame})
        metadata = warehouse_table_metadata(conn, "config.eligibility_criteria")
    return dg.MaterializeResult(metadata={**metadata, "config_file": str(settings.ELIGIBILITY_FILE)})


def _upstream_schemas(conn, model: SqlModel) -> dict[str, dict[str, dict[str, str]]]:
    schemas: dict[str, dict[str, dict[str, str]]] = {}
    for schema, table in model.deps:
        columns = conn.execute(f'DESCRIBE "{schema}"."{table}"').fetchall()
        schemas.setdefault(schema, {})[table] = {c[0]: c[1] for c in columns}
    return schemas


def _lineage_metadata(conn, model: SqlModel) -> dg.TableColumnLineage:
    traced = sql_models.column_lineage(model, _upstream_schemas(conn, model))
    return dg.TableColumnLineage(
        deps_by_column={
            column: [dg.TableColumnDep(asset_key=dg.AssetKey([s, t]), column_name=c) for s, t, c in sources]
            for column, sources in traced.items()
        }
    )


def _require_upstream(conn, model: SqlModel) -> None:
    """Fail with the missing tables named when an upstream table was never materialised."""
    present = set(conn.execute("SELECT schema_name, table_name FROM duckdb_tables()").fetchall())
    if missing := [f"{s}.{t}" for s, t in model.deps if (s, t) not in present]:
        raise dg.Failure(
            f"{model.table} reads {', '.join(missing)}, not materialised yet in this warehouse; "
            f"materialise it first (for example --select '+{model.table}')"
        )


def build_sql_asset(model: SqlModel) -> dg.AssetsDefinition:
    """One asset per SQL file: CREATE OR REPLACE TABLE <schema>.<name> AS <the file's SELECT>."""

    @dg.asset(
        key=[model.schema, model.name],
        deps=[dg.AssetKey(list(dep)) for dep in model.deps],
        group_name=model.schema,
        kinds={"duckdb", "sql"},
        code_version=model.code_version,
        description=model.description,
        pool="duckdb_write",
        metadata={"sql_file": str(model.path.relative_to(settings.REPO_ROOT))},
    )
    def _sql_model(warehouse: Warehouse) -> dg.MaterializeResult:
        with warehouse.get_connection() as conn:
            _require_upstream(conn, model)
            conn.execute(f'CREATE SCHEMA IF NOT EXISTS "{model.schema}"')
            conn.execute(f'CREATE OR REPLACE TABLE "{model.schema}"."{model.name}" AS {model.sql}')
            metadata = warehouse_table_metadata(conn, model.table)
            lineage = _lineage_metadata(conn, model)
        return dg.MaterializeResult(metadata={**metadata, "dagster/column_lineage": lineage})

    return _sql_model


assets = [eligibility_criteria, *(build_sql_asset(m) for m in sql_models.discover(settings.SQL_DIR))]

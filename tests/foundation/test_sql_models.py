"""SQL model assets on a warehouse that lacks an upstream table: a failure naming the table, not a DuckDB
replacement-scan error about a Python object."""

from __future__ import annotations

import dagster as dg
import duckdb

from mg_platform.assets import cohort
from mg_platform.resources.bundle import default_resources


def test_a_model_whose_upstream_was_never_materialised_fails_naming_it(tmp_path):
    eligibility = next(a for a in cohort.assets if a.key == dg.AssetKey(["cohort", "eligibility"]))
    resources = default_resources(tmp_path)
    result = dg.materialize([eligibility], resources=resources, raise_on_error=False)
    assert not result.success
    failure = result.get_step_failure_events()[0].event_specific_data.error.message
    assert "cohort.eligibility reads" in failure and "config.eligibility_criteria" in failure
    assert "not materialised yet" in failure and "--select '+cohort.eligibility'" in failure
    with duckdb.connect(str(tmp_path / "warehouse.duckdb"), read_only=True) as conn:
        assert ("cohort", "eligibility") not in set(
            conn.execute("SELECT schema_name, table_name FROM duckdb_tables()").fetchall()
        )

"""Shared fixtures: a temporary data dir with the demo cohort landed, and helpers to inspect it."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from mg_platform.analysis.demo_cohort import generate_cohort, write_landing
from mg_platform.resources.bundle import default_resources


@pytest.fixture(autouse=True)
def _isolated_env(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test gets its own MG_DATA_DIR and DAGSTER_HOME; the real ./data is never touched."""
    root = tmp_path_factory.mktemp("env")
    monkeypatch.setenv("MG_DATA_DIR", str(root / "data"))
    monkeypatch.setenv("DAGSTER_HOME", str(root / "dagster_home"))
    (root / "dagster_home").mkdir()


@pytest.fixture(scope="session")
def demo_cohort():
    return generate_cohort()


@pytest.fixture
def landed(tmp_path: Path, demo_cohort) -> Path:
    """A data dir whose landing zone holds the default demo cohort (comma dialect)."""
    write_landing(demo_cohort, tmp_path / "landing")
    return tmp_path


@pytest.fixture
def resources_for():
    return default_resources


def table_digest(database: Path | str, table: str, where: str = "", params: list | None = None) -> str:
    """md5 over all rows of a table in a stable order (content identity, not file bytes)."""
    with duckdb.connect(str(database), read_only=True) as conn:
        columns = [r[0] for r in conn.execute(f"DESCRIBE {table}").fetchall()]
        ordered = ", ".join(f'"{c}"' for c in columns)
        query = f"SELECT md5(string_agg(row_text, '\n' ORDER BY row_text)) FROM (SELECT CAST(({ordered}) AS VARCHAR) AS row_text FROM {table} {where})"
        return conn.execute(query, params or []).fetchone()[0]


@pytest.fixture(scope="session")
def small_cohort():
    """Two months (2025-03, 2025-04) of 60 screened cases: the loader tests' cohort (tests/ingest)."""
    return generate_cohort(seed=11, screened=60, months=["2025-03", "2025-04"])


@pytest.fixture
def small_landing(tmp_path: Path, small_cohort) -> Path:
    """``tmp_path/landing`` holding the small cohort in the comma dialect."""
    write_landing(small_cohort, tmp_path / "landing")
    return tmp_path / "landing"

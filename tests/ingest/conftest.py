"""Fixtures of the loader tests: a small landed cohort (two months, both dialects) and a fixed key."""

from __future__ import annotations

from pathlib import Path

import pytest

from mg_platform.analysis.demo_cohort import generate_cohort, write_landing


@pytest.fixture(scope="session")
def small_cohort():
    return generate_cohort(seed=11, screened=60, months=["2025-03", "2025-04"])


@pytest.fixture
def landing(tmp_path: Path, small_cohort) -> Path:
    """``tmp_path/landing`` with the small cohort in the comma dialect."""
    write_landing(small_cohort, tmp_path / "landing")
    return tmp_path / "landing"


@pytest.fixture
def semicolon_landing(tmp_path: Path, small_cohort) -> Path:
    """``tmp_path/landing`` with the small cohort in the semicolon / decimal-comma dialect."""
    write_landing(small_cohort, tmp_path / "landing", dialect="semicolon")
    return tmp_path / "landing"

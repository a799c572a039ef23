"""Access to the R reference values recorded by fixtures/stats_r_reference.R."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pandas as pd

FIXTURES = Path(__file__).parent / "fixtures"


@cache
def r_values(name: str = "stats_r_reference") -> dict[str, float]:
    """quantity -> value from fixtures/<name>.csv (written by fixtures/<name>.R)."""
    frame = pd.read_csv(FIXTURES / f"{name}.csv")
    return dict(zip(frame["quantity"], frame["value"].astype(float), strict=True))


def r_robustness_values() -> dict[str, float]:
    """The values of fixtures/stats_robustness_reference.R."""
    return r_values("stats_robustness_reference")


def fixture_frames() -> tuple[pd.DataFrame, pd.DataFrame]:
    """(analysis_set, pain_long) exactly as R read them."""
    return (
        pd.read_csv(FIXTURES / "stats_fixture_analysis_set.csv"),
        pd.read_csv(FIXTURES / "stats_fixture_pain_long.csv"),
    )

"""Eligibility criteria as configuration (config/eligibility.yaml, defaults = the study's)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from pathlib import Path

import pandas as pd
import yaml


@dataclass(frozen=True)
class EligibilityCriteria:
    """Thresholds read by dbt_like_sql/cohort/eligibility.sql (ages in years, clearance in mL/min)."""

    age_min: int = 18
    age_max: int = 70
    asa_max: int = 2
    required_levels: int = 1
    required_procedure: str = "lumbar microdiscectomy"
    creatinine_clearance_min: float = 30.0
    chronic_opioid_max_months: float = 3.0

    def as_frame(self) -> pd.DataFrame:
        """One-row frame, the shape of table config.eligibility_criteria."""
        return pd.DataFrame([asdict(self)])


def load_criteria(path: Path) -> EligibilityCriteria:
    """Read criteria from YAML; unknown keys are an error naming them, missing keys take defaults."""
    values = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    known = {f.name for f in fields(EligibilityCriteria)}
    unknown = sorted(set(values) - known)
    if unknown:
        raise ValueError(f"{path}: unknown eligibility key(s) {', '.join(unknown)}; known: {', '.join(sorted(known))}")
    return EligibilityCriteria(**values)

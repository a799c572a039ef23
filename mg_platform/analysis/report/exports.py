"""CSV exports that are safe to open in a spreadsheet.

Text cells starting with ``=``, ``+``, ``-``, ``@``, tab or carriage return are
prefixed with a single quote (OWASP CSV-injection guidance), so a spreadsheet
shows them as text instead of evaluating a formula. Numeric cells are left as
numbers (a negative estimate stays a number).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
EXPORT_SCHEMAS = ("cohort", "stats", "network", "docking")
# Case-level tables stay in the warehouse: the report links only aggregate results.
EXCLUDED_EXPORTS = frozenset({"cohort.analysis_set", "cohort.pain_long", "cohort.eligibility", "stats.propensity"})


def is_exported(table: str) -> bool:
    """True when ``schema.table`` is written to ``outputs/exports/<schema>.<table>.csv``."""
    return table.split(".")[0] in EXPORT_SCHEMAS and table not in EXCLUDED_EXPORTS


def neutralise_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` whose text cells cannot be read as spreadsheet formulas."""
    out = frame.copy()
    for column in out.columns:
        if out[column].dtype == object or pd.api.types.is_string_dtype(out[column]):
            out[column] = out[column].map(
                lambda v: "'" + v if isinstance(v, str) and v.startswith(FORMULA_PREFIXES) else v
            )
    return out


def write_safe_csv(frame: pd.DataFrame, path: Path) -> Path:
    """Write ``frame`` as UTF-8 CSV with formula-like text neutralised; return the path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    neutralise_formulas(frame).to_csv(path, index=False)
    return path

"""The paper's adjustment covariates as a complete-case design matrix.

Shared by the sensitivity regression and the propensity score so that both use
the same cases, the same coding and the same dropping rules:

- complete cases over the outcome (if any) and every covariate present in the
  frame (a covariate absent from the frame is noted and left out);
- treatment coding with the contract's reference levels (sex F, disc_level
  L4-L5, ASA 1 as a category) and, for other categoricals (the preoperative
  analgesic), the level first alphabetically (case-insensitive) as reference;
- term names in patsy style (``sex[T.M]``, ``C(asa_class)[T.2]``);
- a covariate constant in the complete cases is dropped with a note, and so
  is a design column that is constant or does not raise the rank (collinear
  with earlier columns, in model order).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from mg_platform.analysis.stats.variables import CATEGORICAL_REFERENCE, CODED_CATEGORICALS

RANK_TOLERANCE = 1e-8


@dataclass(frozen=True)
class CovariateData:
    """Complete cases, the covariates kept and the notes on what was left out."""

    data: pd.DataFrame
    covariates: tuple[str, ...]
    notes: tuple[str, ...]


def is_categorical(frame: pd.DataFrame, column: str) -> bool:
    """Integer-coded categoricals (ASA) and every non-numeric column."""
    dtype = frame[column].dtype
    numeric = pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype)
    return column in CODED_CATEGORICALS or not numeric


def ordered_levels(frame: pd.DataFrame, column: str) -> list[object]:
    """Observed levels, reference first: the contract's reference, else first alphabetically."""
    levels = sorted(frame[column].dropna().unique(), key=lambda v: (str(v).casefold(), str(v)))
    reference = CATEGORICAL_REFERENCE.get(column)
    if reference in levels:
        levels.remove(reference)
        levels.insert(0, reference)
    return levels


def term_name(column: str, level: object) -> str:
    """Patsy's name of a treatment-coded level: ``sex[T.M]``, ``C(asa_class)[T.2]``."""
    return f"C({column})[T.{level}]" if column in CODED_CATEGORICALS else f"{column}[T.{level}]"


def complete_cases(frame: pd.DataFrame, covariates: Sequence[str], required: Sequence[str] = ()) -> CovariateData:
    """Rows complete in ``required`` and every present covariate; constant covariates dropped."""
    notes = [f"{c}: not in the analysis set" for c in covariates if c not in frame.columns]
    present = [c for c in covariates if c in frame.columns]
    data = frame.dropna(subset=[*required, *present])
    if data.empty:
        notes.append("no case is complete over the covariates" + (f" and {', '.join(required)}" if required else ""))
        return CovariateData(data=data, covariates=tuple(present), notes=tuple(notes))
    kept = []
    for column in present:
        values = data[column].unique()
        if len(values) <= 1:
            notes.append(f"dropped {column}: constant ({values[0]})")
        else:
            kept.append(column)
    return CovariateData(data=data, covariates=tuple(kept), notes=tuple(notes))


def covariate_columns(data: pd.DataFrame, covariates: Sequence[str]) -> pd.DataFrame:
    """Design columns of the covariates: continuous as is, categoricals as treatment dummies."""
    columns: dict[str, np.ndarray] = {}
    for column in covariates:
        if not is_categorical(data, column):
            columns[column] = data[column].to_numpy(dtype=float)
            continue
        for level in ordered_levels(data, column)[1:]:
            columns[term_name(column, level)] = (data[column] == level).to_numpy(dtype=float)
    return pd.DataFrame(columns, index=data.index)


def drop_degenerate(
    design: pd.DataFrame, keep_constant: Sequence[str] = ("Intercept",)
) -> tuple[pd.DataFrame, list[str]]:
    """Drop constant columns (except ``keep_constant``), then columns that do not raise the rank, in order."""
    notes, kept = [], []
    if design.empty:
        return design, notes
    for name in design.columns:
        column = design[name].to_numpy()
        if name not in keep_constant and np.ptp(column) == 0:
            notes.append(f"dropped {name}: constant in the complete cases")
            continue
        candidate = design[[*kept, name]].to_numpy()
        if np.linalg.matrix_rank(candidate, tol=RANK_TOLERANCE * max(1.0, np.abs(candidate).max())) < len(kept) + 1:
            notes.append(f"dropped {name}: collinear with earlier terms")
            continue
        kept.append(name)
    return design[kept], notes

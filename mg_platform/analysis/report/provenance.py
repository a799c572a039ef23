"""Which landed files the analysis rests on, and which were left out.

Pure functions over small frames read by the report asset: rows per loaded file (from the raw
tables), the sha256 recorded when each file was loaded (from the raw asset's materialisation
metadata), the landing zone as it is now, and the file-level rejections still in effect
(``raw.quarantine`` rows with rule ``file_rejected``; a later accepted delivery of the same file
deletes them, so the rows present are exactly the rejections in effect).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

FILE_REJECTED = "file_rejected"


@dataclass
class Provenance:
    """What produced the report: run, code, blinding, reference data, files and what was left out."""

    items: dict[str, str]
    files: pd.DataFrame | None = None  # month, file, rows, sha256_at_load, status
    quarantine: pd.DataFrame | None = None  # month, file, rule, n
    rejected: pd.DataFrame | None = None  # month, file, problem, rows_in_analysis
    vanished_months: list[str] = field(default_factory=list)
    months: list[str] = field(default_factory=list)
    retractions: pd.DataFrame | None = None  # raw.retractions: month, retracted_at, reason, *_removed


def files_in_analysis(
    loaded: pd.DataFrame,
    sha_at_load: dict[tuple[str, str], str | None],
    landing_now: dict[tuple[str, str], str],
) -> pd.DataFrame:
    """One row per loaded file: rows in the warehouse, sha256 at load, and how the landing file stands now.

    Parameters
    ----------
    loaded
        Columns ``month``, ``file``, ``rows`` (rows of that file in the raw tables).
    sha_at_load
        (month, file) -> sha256 recorded when the file was loaded (``None`` when unknown).
    landing_now
        (month, file) -> sha256 of the file in the landing zone now.

    Returns
    -------
    Columns ``month``, ``file``, ``rows``, ``sha256_at_load`` (``not recorded`` when unknown), ``status``
    (``unchanged``, ``changed since load``, ``removed from landing``, or ``present`` when no load hash is
    known).
    """
    out = loaded.sort_values(["month", "file"]).reset_index(drop=True).copy()
    keys = list(zip(out["month"], out["file"], strict=True))
    out["sha256_at_load"] = [sha_at_load.get(k) or "not recorded" for k in keys]

    def status(key: tuple[str, str], at_load: str | None) -> str:
        now = landing_now.get(key)
        if now is None:
            return "removed from landing"
        if at_load == "not recorded":
            return "present"
        return "unchanged" if now == at_load else "changed since load"

    out["status"] = [status(k, h) for k, h in zip(keys, out["sha256_at_load"], strict=True)]
    return out


def vanished_months(loaded: pd.DataFrame, landing_months: list[str]) -> list[str]:
    """Months with rows in the warehouse whose landing folder is gone."""
    return sorted(set(loaded["month"]) - set(landing_months))


def rejected_files(quarantine_rejections: pd.DataFrame, loaded: pd.DataFrame) -> pd.DataFrame:
    """File rejections in effect with the rows of that month's file still analysed (an earlier delivery).

    ``quarantine_rejections`` has ``month``, ``file``, ``problem``; ``loaded`` has ``month``, ``file``, ``rows``.
    """
    rows = loaded.set_index(["month", "file"])["rows"] if len(loaded) else pd.Series(dtype=int)
    out = quarantine_rejections.sort_values(["month", "file"]).reset_index(drop=True).copy()
    out["rows_in_analysis"] = [int(rows.get((m, f), 0)) for m, f in zip(out["month"], out["file"], strict=True)]
    return out

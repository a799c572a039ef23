"""The landing zone: one folder per month (YYYY-MM) holding the hospital's CSV exports."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import dagster as dg
from pydantic import Field

from mg_platform.analysis.contract import FILE_CONTRACTS
from mg_platform.settings import MONTH_PATTERN


class InvalidMonthFolder(ValueError):
    """A landing folder whose name is not a plain YYYY-MM month."""


def check_month(month: str) -> str:
    """Return ``month`` if it is a YYYY-MM key; refuse anything else (metacharacters included)."""
    if not re.fullmatch(MONTH_PATTERN, month):
        raise InvalidMonthFolder(f"landing folder {month!r} is not a YYYY-MM month; refused")
    return month


def sha256_file(path: Path) -> str:
    """Hex sha256 of a file's bytes, read in 1 MiB blocks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


class LandingZone(dg.ConfigurableResource):
    """Read-only view of ``<data dir>/landing``."""

    path: str = Field(description="Landing directory holding YYYY-MM month folders.")

    def months(self) -> list[str]:
        """Month folders present, sorted; folders with other names are ignored here."""
        root = Path(self.path)
        if not root.is_dir():
            return []
        return sorted(p.name for p in root.iterdir() if p.is_dir() and re.fullmatch(MONTH_PATTERN, p.name))

    def refused_folders(self) -> list[str]:
        """Folders in the landing zone whose names are not YYYY-MM (never loaded)."""
        root = Path(self.path)
        if not root.is_dir():
            return []
        return sorted(p.name for p in root.iterdir() if p.is_dir() and not re.fullmatch(MONTH_PATTERN, p.name))

    def month_dir(self, month: str) -> Path:
        return Path(self.path) / check_month(month)

    def fingerprint(self, month: str) -> dict[str, str]:
        """sha256 of each contract file present in the month folder (file name -> hex)."""
        folder = self.month_dir(month)
        return {
            c.file_name: sha256_file(folder / c.file_name) for c in FILE_CONTRACTS if (folder / c.file_name).is_file()
        }

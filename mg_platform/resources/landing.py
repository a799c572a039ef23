"""The landing zone: one folder per month (YYYY-MM) holding the hospital's CSV exports.

Month folders must be real folders and files regular files inside the landing zone:
symbolic links (which could lead anywhere, e.g. to a system file or another data set)
are refused with a message and never read (raw-records.md, "Landing zone").
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import dagster as dg
from pydantic import Field

from mg_platform.analysis.contract import FILE_CONTRACTS
from mg_platform.analysis.records import FileRejected, open_regular_file, shorten
from mg_platform.settings import MONTH_PATTERN


class InvalidMonthFolder(ValueError):
    """A landing folder that is refused: not a plain YYYY-MM name, or not a real folder inside the landing zone."""


def check_month(month: str) -> str:
    """Return ``month`` if it is a YYYY-MM key; refuse anything else (metacharacters included)."""
    if not re.fullmatch(MONTH_PATTERN, month):
        raise InvalidMonthFolder(f"landing folder {shorten(month)!r} is not a YYYY-MM month; refused")
    return month


def sha256_file(path: Path) -> str:
    """Hex sha256 of a regular file's bytes, read in 1 MiB blocks (symbolic links are refused)."""
    digest = hashlib.sha256()
    with open_regular_file(path, path.name) as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def folder_refusal(path: Path) -> str | None:
    """Why the entry ``path`` of the landing zone is not a loadable month folder (None if it is one)."""
    name = shorten(path.name)
    if not re.fullmatch(MONTH_PATTERN, path.name):
        return f"landing folder {name!r} is not a YYYY-MM month; refused"
    if path.is_symlink():
        return f"landing folder {name!r} is a symbolic link; refused (month folders must be real folders)"
    return None


class LandingZone(dg.ConfigurableResource):
    """Read-only view of ``<data dir>/landing``."""

    path: str = Field(description="Landing directory holding YYYY-MM month folders.")

    def _folders(self) -> list[Path]:
        root = Path(self.path)
        return sorted(p for p in root.iterdir() if p.is_dir()) if root.is_dir() else []

    def months(self) -> list[str]:
        """Loadable month folders present, sorted (badly named or symbolic-link folders are not)."""
        return [p.name for p in self._folders() if folder_refusal(p) is None]

    def refusals(self) -> dict[str, str]:
        """Folder name -> why it is refused, for every folder of the landing zone that is not loadable."""
        return {p.name: reason for p in self._folders() if (reason := folder_refusal(p))}

    def refused_folders(self) -> list[str]:
        """Folders in the landing zone that are refused (never loaded): see :meth:`refusals`."""
        return sorted(self.refusals())

    def month_dir(self, month: str) -> Path:
        """The folder of ``month``; raises :class:`InvalidMonthFolder` for a bad name or a symbolic link."""
        folder = Path(self.path) / check_month(month)
        if folder.is_symlink():
            raise InvalidMonthFolder(folder_refusal(folder))
        return folder

    def fingerprint(self, month: str) -> dict[str, str]:
        """sha256 of each contract file of the month that is a regular file (file name -> hex)."""
        folder = self.month_dir(month)
        hashes = {}
        for contract in FILE_CONTRACTS:
            try:
                hashes[contract.file_name] = sha256_file(folder / contract.file_name)
            except FileRejected:
                continue
        return hashes

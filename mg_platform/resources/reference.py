"""The offline reference snapshot (``$MG_REFERENCE_DIR``: rcsb/, string/, genesets/).

Each sub-folder carries a PROVENANCE.md whose tables give every file's sha256.
A file is only handed out after its bytes match that sha256; a mismatch or a
file the provenance does not list is refused with a message saying what to do.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import dagster as dg
from pydantic import Field

from mg_platform.resources.landing import sha256_file

_SHA256 = re.compile(r"^`?([0-9a-f]{64})`?$")


class SnapshotError(RuntimeError):
    """The reference snapshot is missing, unlisted or corrupt."""


@dataclass(frozen=True)
class VerifiedFile:
    """A snapshot file whose sha256 matched its provenance record."""

    path: Path
    sha256: str
    provenance: Path


def provenance_hashes(provenance: Path) -> dict[str, str]:
    """File name -> sha256 from the markdown tables of a PROVENANCE.md."""
    hashes: dict[str, str] = {}
    for line in provenance.read_text(encoding="utf-8").splitlines():
        if not line.startswith("|"):
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        digests = [m.group(1) for c in cells if (m := _SHA256.match(c))]
        if digests:
            hashes[cells[0].strip("`")] = digests[0]
    return hashes


class ReferenceSnapshot(dg.ConfigurableResource):
    """Verified access to the offline reference snapshot; ``path`` empty means none configured."""

    path: str = Field(default="", description="Snapshot root (MG_REFERENCE_DIR); empty = no snapshot.")

    @property
    def configured(self) -> bool:
        return bool(self.path) and Path(self.path).is_dir()

    def verified_provenance(self, kind: str) -> Path:
        """The PROVENANCE.md of ``<root>/<kind>``; raises :class:`SnapshotError` when absent."""
        provenance = Path(self.path) / kind / "PROVENANCE.md"
        if not self.configured or not provenance.is_file():
            raise SnapshotError(
                f"{provenance} is missing; set MG_REFERENCE_DIR to a snapshot laid out like shared/reference"
            )
        return provenance

    def verified(self, kind: str, file_name: str) -> VerifiedFile:
        """Return ``<root>/<kind>/<file_name>`` after checking its sha256 against PROVENANCE.md."""
        if not self.configured:
            raise SnapshotError(
                f"no reference snapshot configured (MG_REFERENCE_DIR={self.path!r}); "
                "set MG_REFERENCE_DIR to a folder laid out like shared/reference, or allow live access"
            )
        folder = Path(self.path) / kind
        provenance = folder / "PROVENANCE.md"
        if not provenance.is_file():
            raise SnapshotError(f"{provenance} is missing; the snapshot folder {folder} cannot be verified")
        expected = provenance_hashes(provenance).get(file_name)
        if expected is None:
            raise SnapshotError(f"{file_name} is not listed with a sha256 in {provenance}; refused")
        target = folder / file_name
        if not target.is_file():
            raise SnapshotError(f"{target} is listed in {provenance} but missing")
        actual = sha256_file(target)
        if actual != expected:
            raise SnapshotError(
                f"{target} has sha256 {actual}, but {provenance} records {expected}: the file is corrupt "
                "or was replaced; restore it from its source before running"
            )
        return VerifiedFile(path=target, sha256=actual, provenance=provenance)

"""The RCSB PDB as a resource: mmCIF files by PDB id from the verified offline snapshot, the cache or files.rcsb.org.

Order: (1) the reference snapshot (``reference`` resource, kind ``rcsb``), whose
sha256 is checked against its PROVENANCE.md; (2) ``<data dir>/cache/rcsb/<id>.cif``
with the sha256 recorded when it was downloaded; (3) a download (timeouts,
retries with back-off) unless ``offline``. The structure actually used is always
the id asked for: nothing is substituted here (substitutes are configuration).
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import dagster as dg
import requests
from pydantic import Field

from mg_platform.resources.landing import sha256_file
from mg_platform.resources.reference import ReferenceSnapshot, SnapshotError, provenance_hashes


class StructureUnavailable(RuntimeError):
    """A structure could be obtained neither from the snapshot, the cache nor the RCSB."""


@dataclass(frozen=True)
class StructureFile:
    """An mmCIF file with its provenance: PDB id, sha256, source (snapshot/cache/live) and where it came from."""

    pdb_id: str
    path: Path
    sha256: str
    source: str
    origin: str
    retrieved_at: str

    def metadata(self) -> dict[str, str]:
        return {
            "pdb_id": self.pdb_id,
            "path": str(self.path),
            "sha256": self.sha256,
            "source": self.source,
            "origin": self.origin,
            "retrieved_at": self.retrieved_at,
        }


class RcsbClient(dg.ConfigurableResource):
    """mmCIF download from the RCSB PDB with a sha256-recording cache (``<data dir>/cache/rcsb``)."""

    cache_dir: str = Field(description="Cache folder, normally <data dir>/cache/rcsb.")
    base_url: str = Field(default="https://files.rcsb.org/download", description="mmCIF download base URL.")
    offline: bool = Field(default=False, description="Never contact the RCSB; use the snapshot or the cache only.")
    timeout_s: float = Field(default=30.0, description="Connect/read timeout per request, seconds.")
    retries: int = Field(default=3, description="Attempts per download.")
    backoff_s: float = Field(default=2.0, description="Back-off before retry k is backoff_s * 2**(k-1) seconds.")

    def structure(self, pdb_id: str, reference: ReferenceSnapshot | None = None) -> StructureFile:
        """The mmCIF of ``pdb_id``: verified snapshot copy first, then the cache, then a download."""
        pdb_id = pdb_id.upper()
        file_name = f"{pdb_id.lower()}.cif"
        if reference is not None and reference.configured and self._listed(reference, file_name):
            verified = reference.verified("rcsb", file_name)
            return StructureFile(
                pdb_id=pdb_id,
                path=verified.path,
                sha256=verified.sha256,
                source="snapshot",
                origin=str(verified.provenance),
                retrieved_at=datetime.fromtimestamp(verified.path.stat().st_mtime, UTC).isoformat(),
            )
        cached = self._cached(pdb_id, file_name)
        if cached is not None:
            return cached
        if self.offline:
            raise StructureUnavailable(
                f"{pdb_id}: offline, and no snapshot file {file_name} (MG_REFERENCE_DIR/rcsb, listed in its "
                f"PROVENANCE.md) nor cached copy in {self.cache_dir}. Either set MG_REFERENCE_DIR to a snapshot that "
                f"holds {file_name}, copy the mmCIF into {self.cache_dir}/{file_name} together with "
                f'{file_name}.json ({{"sha256": ...}}), or run with network access (offline=False).'
            )
        return self._download(pdb_id, file_name)

    @staticmethod
    def _listed(reference: ReferenceSnapshot, file_name: str) -> bool:
        provenance = Path(reference.path) / "rcsb" / "PROVENANCE.md"
        return provenance.is_file() and file_name in provenance_hashes(provenance)

    def _cached(self, pdb_id: str, file_name: str) -> StructureFile | None:
        target = Path(self.cache_dir) / file_name
        record = target.with_name(file_name + ".json")
        if not (target.is_file() and record.is_file()):
            return None
        info = json.loads(record.read_text(encoding="utf-8"))
        actual = sha256_file(target)
        if actual != info.get("sha256"):
            raise SnapshotError(
                f"cached {target} has sha256 {actual} but {record} records {info.get('sha256')}; "
                "delete both files to download again"
            )
        return StructureFile(pdb_id, target, actual, "cache", info.get("url", ""), info.get("retrieved_at", ""))

    def _download(self, pdb_id: str, file_name: str) -> StructureFile:
        url = f"{self.base_url.rstrip('/')}/{pdb_id}.cif"
        last_error: Exception | None = None
        for attempt in range(1, self.retries + 1):
            try:
                response = requests.get(url, timeout=(self.timeout_s, self.timeout_s))
                if response.status_code == 404:
                    raise StructureUnavailable(f"{pdb_id} does not exist at {url} (HTTP 404)")
                response.raise_for_status()
                break
            except StructureUnavailable:
                raise
            except requests.RequestException as error:
                last_error = error
                if attempt < self.retries:
                    time.sleep(self.backoff_s * 2 ** (attempt - 1))
        else:
            raise StructureUnavailable(
                f"{pdb_id}: download from {url} failed after {self.retries} attempts ({last_error}). "
                "Check the network, or set MG_REFERENCE_DIR to an offline snapshot that holds "
                f"{file_name}, or set offline=True to use the snapshot/cache only."
            )
        folder = Path(self.cache_dir)
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / file_name
        partial = target.with_name(file_name + ".part")
        partial.write_bytes(response.content)
        partial.replace(target)
        digest = sha256_file(target)
        retrieved_at = datetime.now(UTC).isoformat()
        target.with_name(file_name + ".json").write_text(
            json.dumps({"pdb_id": pdb_id, "url": url, "sha256": digest, "retrieved_at": retrieved_at}, indent=1),
            encoding="utf-8",
        )
        return StructureFile(pdb_id, target, digest, "live", url, retrieved_at)

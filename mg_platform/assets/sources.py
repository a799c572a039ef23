"""External inputs as observable source assets: landed month files and reference data.

Their data versions are content hashes (sha256), so the UI shows which bytes fed
each downstream materialisation, and a changed file marks its consumers stale.
"""

import hashlib
import warnings

import dagster as dg

from mg_platform.analysis.contract import FILE_CONTRACTS, FileContract
from mg_platform.assets.raw import LANDED_FILE_KEYS
from mg_platform.partitions import monthly_partitions
from mg_platform.resources.landing import LandingZone
from mg_platform.resources.reference import ReferenceSnapshot, provenance_hashes

warnings.filterwarnings("ignore", message=".*observable_source_asset.*", category=dg.BetaWarning)


def _landed_file_source(contract: FileContract) -> dg.SourceAsset:
    file_name = contract.file_name

    @dg.observable_source_asset(
        key=LANDED_FILE_KEYS[contract.table],
        partitions_def=monthly_partitions,
        group_name="raw",
        description=f"{file_name} as landed in landing/YYYY-MM/ (data version = sha256 of the file).",
    )
    def _observe(landing: LandingZone) -> dg.DataVersionsByPartition:
        versions = {m: h[file_name] for m in landing.months() if file_name in (h := landing.fingerprint(m))}
        return dg.DataVersionsByPartition(versions)

    return _observe


REFERENCE_KINDS = {
    "string": "STRING network snapshot files (verified by sha256 against string/PROVENANCE.md).",
    "genesets": "Gene-set libraries for enrichment (verified by sha256 against genesets/PROVENANCE.md).",
    "rcsb": "PDB structures (mmCIF) for docking (verified by sha256 against rcsb/PROVENANCE.md).",
}


def _reference_source(kind: str, description: str) -> dg.SourceAsset:
    @dg.observable_source_asset(key=["reference", kind], group_name="reference", description=description)
    def _observe(reference: ReferenceSnapshot) -> dg.ObserveResult:
        if not reference.configured:
            return dg.ObserveResult(data_version=dg.DataVersion("live"), metadata={"source": "live service"})
        listed = provenance_hashes(reference.verified_provenance(kind))
        combined = hashlib.sha256("".join(f"{n}={h}\n" for n, h in sorted(listed.items())).encode()).hexdigest()
        return dg.ObserveResult(
            data_version=dg.DataVersion(combined[:16]),
            metadata={"source": f"snapshot {reference.path}/{kind}", "files": dg.MetadataValue.json(listed)},
        )

    return _observe


landed_files = [_landed_file_source(c) for c in FILE_CONTRACTS]
reference_data = [_reference_source(kind, text) for kind, text in REFERENCE_KINDS.items()]
assets = [*landed_files, *reference_data]

"""The offline STRING stand-in: STRING v12.0's whole human functional network at combined
score >= 0.800 (edges only, from pathfindR.data) and public gene-set libraries.

What it can and cannot say:
* Edges among the query proteins are the >= 0.800 edges restricted to them. STRING's exact
  scores are not in the files, so ``combined_score`` and every evidence channel are NULL; a
  study threshold below 0.800 (the study used 0.400) cannot be reproduced, and a threshold
  above 0.800 cannot be applied at all.
* The PPI-enrichment p-value uses the degrees of the whole >= 0.800 network
  (:mod:`~mg_platform.analysis.network.ppi_enrichment`).
* Functional enrichment is a hypergeometric ORA with BH FDR per category against each
  library's own gene universe (:mod:`~mg_platform.analysis.network.enrichment`), not STRING's
  term tables: GO BP/MF/CC propagated (org.Hs.eg.db 3.16, GO 2022-07-01), KEGG from Enrichr
  KEGG_2021_Human (term ids hsaNNNNN where the name matches pathfindR's 2024 KEGG list, else
  the name), Reactome from pathfindR.data 2024.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from mg_platform.analysis.network.enrichment import ENRICHMENT_COLUMNS, over_representation
from mg_platform.analysis.network.genesets import GeneSetLibrary, read_enrichr, read_gmt
from mg_platform.analysis.network.ppi_enrichment import ppi_enrichment
from mg_platform.analysis.network.source import (
    ANNOTATION_COLUMNS,
    EDGE_COLUMNS,
    NetworkSource,
    SourceRecord,
    ordered_pairs,
)

#: The study's 13 query symbols (section 2.5.2); the pre-cut file holds the >= 0.800 edges among them.
STUDY_PROTEINS: tuple[str, ...] = (
    "OPRM1",
    "OPRD1",
    "GRIN1",
    "GRIN2B",
    "GRIA1",
    "GRIA2",
    "CACNA1A",
    "CACNA1B",
    "CAMK2A",
    "MAPK1",
    "AKT1",
    "CREB1",
    "BDNF",
)
SNAPSHOT_THRESHOLD = 0.800
STRING_VERSION = "12.0"
SOURCE_NAME = "offline snapshot: STRING v12.0 functional network >= 0.800 (pathfindR.data 2.1.0) + gene-set libraries"

#: (reference kind, file name) of every snapshot file used.
WHOLE_NETWORK = ("string", "pathfindR.data_2.1.0_STRING_v12.0_hsa_combined_ge800_edges.tsv")
QUERY_CUT = ("string", "string13_v12_combined_ge800_edges_from_pathfindR.tsv")
PROTEIN_IDS = ("string", "string13_protein_ids.tsv")
KEGG_NAMES = ("genesets", "pathfindR.data_2.1.0_KEGG_hsa_2024-04-27.gmt")
LIBRARIES: dict[str, tuple[str, str]] = {
    "GO BP": ("genesets", "orgHsegdb_3.16.0_GO_BP_propagated_GO2022-07-01_EG2022-09-12.gmt"),
    "GO MF": ("genesets", "orgHsegdb_3.16.0_GO_MF_propagated_GO2022-07-01_EG2022-09-12.gmt"),
    "GO CC": ("genesets", "orgHsegdb_3.16.0_GO_CC_propagated_GO2022-07-01_EG2022-09-12.gmt"),
    "KEGG": ("genesets", "Enrichr_KEGG_2021_Human.txt"),
    "Reactome": ("genesets", "pathfindR.data_2.1.0_Reactome_hsa_2024-04-27.gmt"),
}

ENRICHMENT_METHOD = (
    "one-sided hypergeometric test per term against the library's gene universe (union of its sets); "
    "Benjamini-Hochberg FDR per category over the terms holding at least one query gene"
)


class SnapshotMismatch(RuntimeError):
    """The snapshot files disagree with each other or cannot serve the request."""


@dataclass(frozen=True)
class SnapshotFile:
    """A verified snapshot file: where it is and its sha256."""

    kind: str
    name: str
    path: Path
    sha256: str


def snapshot_files_needed(categories: list[str]) -> list[tuple[str, str]]:
    """(kind, file name) of the files a run with these enrichment categories reads."""
    unknown = sorted(set(categories) - set(LIBRARIES))
    if unknown:
        raise SnapshotMismatch(f"no snapshot library for categories {unknown}; available: {sorted(LIBRARIES)}")
    needed = [WHOLE_NETWORK, QUERY_CUT, PROTEIN_IDS] + [LIBRARIES[c] for c in categories]
    if "KEGG" in categories:
        needed.append(KEGG_NAMES)
    return needed


def read_whole_network(path: Path) -> pd.DataFrame:
    """The >= 0.800 edge list as (protein_a, protein_b), one row per undirected edge."""
    frame = pd.read_csv(path, sep="\t", dtype=str)
    frame = frame.rename(columns={"gene_A": "protein_a", "gene_B": "protein_b"})[["protein_a", "protein_b"]]
    return ordered_pairs(frame)


def load_library(category: str, files: dict[tuple[str, str], SnapshotFile]) -> GeneSetLibrary:
    """The snapshot's gene-set library for one category."""
    path = files[LIBRARIES[category]].path
    if category != "KEGG":
        return read_gmt(path, category)
    kegg_ids = {}
    for line in files[KEGG_NAMES].path.read_text(encoding="utf-8").splitlines():
        cells = line.split("\t")
        if len(cells) >= 2:
            kegg_ids[cells[1].strip()] = cells[0].strip()
    return read_enrichr(path, category, term_ids=kegg_ids)


def _check_against_cut(edges: pd.DataFrame, cut_path: Path, proteins: set[str]) -> None:
    cut = read_whole_network(cut_path)  # same two gene columns
    covered = set(STUDY_PROTEINS)
    expected = {tuple(p) for p in cut[["protein_a", "protein_b"]].to_numpy() if set(p) <= proteins}
    ours = {tuple(p) for p in edges[["protein_a", "protein_b"]].to_numpy() if set(p) <= covered}
    if expected != ours:
        raise SnapshotMismatch(
            f"edges from the whole-network file disagree with {cut_path.name}: "
            f"only in whole network {sorted(ours - expected)}, only in cut {sorted(expected - ours)}"
        )


def snapshot_source(
    files: dict[tuple[str, str], SnapshotFile],
    proteins: list[str],
    species: int,
    score_threshold: float,
    categories: list[str],
    first_shell: int = 0,
) -> NetworkSource:
    """Build the query network, PPI enrichment, ORA and annotation from verified snapshot files.

    The functional annotation is every library term holding at least one query protein.
    """
    if first_shell > 0:
        raise SnapshotMismatch(
            "a first shell of interactors needs STRING's scores to pick the most confident partners, which the "
            "snapshot does not have; use the live STRING source or first_shell = 0 (the study's choice)"
        )
    if species != 9606:
        raise SnapshotMismatch(f"the snapshot holds human (9606) data only, not species {species}")
    if score_threshold > SNAPSHOT_THRESHOLD:
        raise SnapshotMismatch(
            f"score threshold {score_threshold:.3f} is above the snapshot's 0.800 and cannot be applied "
            "(the snapshot has no exact scores); use the live STRING source or a threshold <= 0.800"
        )
    whole = read_whole_network(files[WHOLE_NETWORK].path)
    query = set(proteins)
    edges = whole[whole["protein_a"].isin(query) & whole["protein_b"].isin(query)].reset_index(drop=True)
    _check_against_cut(edges, files[QUERY_CUT].path, query)

    ids = pd.read_csv(files[PROTEIN_IDS].path, sep="\t", dtype=str)
    id_map = {
        g: (s if isinstance(s, str) and s.startswith(f"{species}.") else None)
        for g, s in zip(ids["gene"], ids["string_protein_id"], strict=True)
    }
    string_ids = {p: id_map.get(p) for p in proteins}
    edges = edges.assign(
        string_id_a=edges["protein_a"].map(string_ids),
        string_id_b=edges["protein_b"].map(string_ids),
        score_condition=">= 0.800 (exact score not in snapshot)",
    )
    for column in EDGE_COLUMNS:
        if column not in edges:
            edges[column] = pd.Series([None] * len(edges), dtype="Float64")
    edges = edges[EDGE_COLUMNS]

    degree = pd.concat([whole["protein_a"], whole["protein_b"]]).value_counts()
    ppi = ppi_enrichment(len(edges), [int(degree.get(p, 0)) for p in proteins], len(whole))

    tables = [over_representation(proteins, load_library(c, files)) for c in categories]
    enrichment = pd.concat(tables, ignore_index=True) if tables else pd.DataFrame(columns=ENRICHMENT_COLUMNS)

    note = (
        f"snapshot threshold 0.800 applied (requested {score_threshold:.3f}); exact STRING scores are not in "
        "the snapshot, so combined and evidence-channel scores are NULL"
    )
    return NetworkSource(
        source=SOURCE_NAME,
        string_version=STRING_VERSION,
        species=species,
        proteins=tuple(proteins),
        string_ids=string_ids,
        edges=edges,
        score_threshold_requested=score_threshold,
        score_threshold_applied=SNAPSHOT_THRESHOLD,
        score_note=note,
        ppi=ppi,
        enrichment=enrichment,
        enrichment_method=ENRICHMENT_METHOD,
        records=tuple(
            SourceRecord(
                resource=f"{f.kind}/{f.name}",
                sha256=f.sha256,
                note="sha256 verified against PROVENANCE.md",
                endpoint="snapshot file",
                version=f"STRING {STRING_VERSION} (>= 0.800)" if f.kind == "string" else Path(f.name).stem,
            )
            for f in sorted(files.values(), key=lambda f: (f.kind, f.name))
        ),
        annotation=enrichment[ANNOTATION_COLUMNS].reset_index(drop=True),
    )

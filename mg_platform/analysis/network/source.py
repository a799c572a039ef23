"""What a network source delivers, whichever it is (STRING's API or the offline snapshot)."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from mg_platform.analysis.network.ppi_enrichment import PpiEnrichment

#: Evidence channels in STRING's order, as (column in network.edges, STRING API field).
EVIDENCE_CHANNELS: tuple[tuple[str, str], ...] = (
    ("neighborhood_score", "nscore"),
    ("fusion_score", "fscore"),
    ("cooccurrence_score", "pscore"),
    ("coexpression_score", "ascore"),
    ("experimental_score", "escore"),
    ("database_score", "dscore"),
    ("textmining_score", "tscore"),
)

EDGE_COLUMNS: list[str] = [
    "protein_a",
    "protein_b",
    "string_id_a",
    "string_id_b",
    "combined_score",
    *(column for column, _ in EVIDENCE_CHANNELS),
    "score_condition",
]


#: Columns of network.functional_annotation: every term that annotates at least one query protein.
ANNOTATION_COLUMNS: list[str] = ["category", "term_id", "description", "genes_observed", "genes", "library"]


@dataclass(frozen=True)
class SourceRecord:
    """One file or API response the results rest on: where from (``resource``: URL or snapshot
    file), which endpoint and data version, its sha256 and when it was retrieved."""

    resource: str
    sha256: str
    retrieved_at: str | None = None
    note: str = ""
    endpoint: str = ""
    version: str = ""


@dataclass(frozen=True)
class NetworkSource:
    """The query network and its enrichment, as delivered by one source.

    ``edges`` has :data:`EDGE_COLUMNS` (protein_a < protein_b, scores in 0-1 or NULL);
    ``enrichment`` has :data:`~mg_platform.analysis.network.enrichment.ENRICHMENT_COLUMNS`;
    ``annotation`` has :data:`ANNOTATION_COLUMNS`. ``proteins`` are the network's nodes: the query
    proteins and, when asked for, their first shell of interactors (``first_shell``).
    ``image`` is STRING's own PNG picture of the network (live source only).
    """

    source: str
    string_version: str
    species: int
    proteins: tuple[str, ...]
    string_ids: dict[str, str | None]
    edges: pd.DataFrame
    score_threshold_requested: float
    score_threshold_applied: float
    score_note: str
    ppi: PpiEnrichment
    enrichment: pd.DataFrame
    enrichment_method: str
    records: tuple[SourceRecord, ...]
    annotation: pd.DataFrame
    reported_clustering: float | None = None
    first_shell: tuple[str, ...] = ()
    image: bytes | None = None


def ordered_pairs(frame: pd.DataFrame, a: str = "protein_a", b: str = "protein_b") -> pd.DataFrame:
    """Put each undirected pair in (min, max) name order, drop duplicates, sort."""
    swap = frame[a] > frame[b]
    out = frame.copy()
    out.loc[swap, [a, b]] = frame.loc[swap, [b, a]].to_numpy()
    for left, right in (("string_id_a", "string_id_b"),):
        if left in out and right in out:
            out.loc[swap, [left, right]] = frame.loc[swap, [right, left]].to_numpy()
    out = out.drop_duplicates(subset=[a, b], keep="first")
    return out.sort_values([a, b], kind="mergesort").reset_index(drop=True)

"""Parsing STRING API responses (https://string-db.org/help/api/) into a NetworkSource.

Endpoints used: ``/api/json/version``, ``/api/tsv/get_string_ids``,
``/api/tsv/interaction_partners`` (only when a first shell of interactors is asked for; the
study added none), ``/api/tsv/network`` (functional network among the nodes, ``add_nodes=0``),
``/api/tsv/ppi_enrichment``, ``/api/tsv/enrichment``, ``/api/tsv/functional_annotation`` and
``/api/image/network`` (STRING's own PNG of the network). Scores in the TSV output are on
STRING's 0-1 scale. PPI enrichment, enrichment and annotation describe the query proteins only.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass, replace

import pandas as pd

from mg_platform.analysis.network.enrichment import ENRICHMENT_COLUMNS
from mg_platform.analysis.network.ppi_enrichment import PpiEnrichment
from mg_platform.analysis.network.source import (
    ANNOTATION_COLUMNS,
    EDGE_COLUMNS,
    EVIDENCE_CHANNELS,
    NetworkSource,
    SourceRecord,
    ordered_pairs,
)

#: STRING enrichment category -> category label in network.enrichment.
STRING_CATEGORIES: dict[str, str] = {
    "Process": "GO BP",
    "Function": "GO MF",
    "Component": "GO CC",
    "KEGG": "KEGG",
    "RCTM": "Reactome",
}

PPI_METHOD = "STRING API /ppi_enrichment (STRING's own expected edge count and p-value)"
ENRICHMENT_METHOD = "STRING API /enrichment (STRING's hypergeometric test, FDR per category, whole-genome background)"


@dataclass(frozen=True)
class StringResponses:
    """Raw bodies of the STRING calls, plus where and when each came from.

    ``interaction_partners`` is empty when no first shell was asked for.
    """

    version: str
    string_ids: str
    network: str
    ppi_enrichment: str
    enrichment: str
    functional_annotation: str
    network_image: bytes
    records: tuple[SourceRecord, ...]
    interaction_partners: str = ""


def _tsv(text: str) -> pd.DataFrame:
    return pd.read_csv(io.StringIO(text), sep="\t", dtype=str) if text.strip() else pd.DataFrame()


def parse_version(text: str) -> tuple[str, str]:
    """(string_version, stable_address) from ``/api/json/version``."""
    payload = json.loads(text)
    entry = payload[0] if isinstance(payload, list) else payload
    return str(entry["string_version"]), str(entry.get("stable_address", ""))


def parse_string_ids(text: str) -> pd.DataFrame:
    """Query symbol -> STRING id and preferred name, first (best) hit per query."""
    frame = _tsv(text)
    if frame.empty:
        return pd.DataFrame(columns=["query", "string_id", "preferred_name"])
    frame = frame.rename(columns={"queryItem": "query", "stringId": "string_id", "preferredName": "preferred_name"})
    if "query" not in frame:  # echo_query=0: fall back to the query index
        frame["query"] = frame["queryIndex"]
    return frame.drop_duplicates("query", keep="first")[["query", "string_id", "preferred_name"]].reset_index(drop=True)


def parse_network(text: str) -> pd.DataFrame:
    """Edges with :data:`EDGE_COLUMNS`, one per undirected pair (highest score kept).

    Also parses ``/api/tsv/interaction_partners``, which answers in the same columns.
    """
    frame = _tsv(text)
    if frame.empty:
        return pd.DataFrame(columns=EDGE_COLUMNS)
    out = pd.DataFrame(
        {
            "protein_a": frame["preferredName_A"],
            "protein_b": frame["preferredName_B"],
            "string_id_a": frame["stringId_A"],
            "string_id_b": frame["stringId_B"],
            "combined_score": pd.to_numeric(frame["score"]).astype("Float64"),
        }
    )
    for column, field in EVIDENCE_CHANNELS:
        out[column] = pd.to_numeric(frame[field]).astype("Float64") if field in frame else pd.NA
    out["score_condition"] = "exact (STRING API)"
    out = out.sort_values("combined_score", ascending=False, kind="mergesort")
    return ordered_pairs(out)[EDGE_COLUMNS]


def first_shell(partners_text: str, query_ids: list[str]) -> list[str]:
    """STRING ids of the interaction partners that are not query proteins, in STRING's order
    (most confident first; STRING already applied ``required_score`` and ``limit``)."""
    frame = _tsv(partners_text)
    if frame.empty:
        return []
    query = set(query_ids)
    partners = [p for p in frame["stringId_B"] if p not in query]
    return list(dict.fromkeys(partners))


def parse_functional_annotation(text: str) -> pd.DataFrame:
    """``/api/tsv/functional_annotation``: every term annotating a query protein, in
    :data:`ANNOTATION_COLUMNS` (GO and pathway categories named as in network.enrichment)."""
    frame = _tsv(text)
    if frame.empty:
        return pd.DataFrame(columns=ANNOTATION_COLUMNS)
    out = pd.DataFrame(
        {
            "category": frame["category"].map(lambda c: STRING_CATEGORIES.get(c, c)),
            "term_id": frame["term"].where(~frame["term"].str.startswith("HSA-"), "R-" + frame["term"]),
            "description": frame["description"],
            "genes_observed": pd.to_numeric(frame["number_of_genes"]).astype("int64"),
            "genes": frame["preferredNames"].map(lambda s: ",".join(sorted(str(s).split(",")))),
            "library": "STRING " + frame["category"],
        }
    )
    return out[ANNOTATION_COLUMNS].reset_index(drop=True)


def parse_ppi_enrichment(text: str) -> dict[str, float]:
    """The single row of ``/api/tsv/ppi_enrichment`` as numbers."""
    row = _tsv(text).iloc[0]
    return {k: float(v) for k, v in row.items()}


def parse_enrichment(text: str, categories: list[str]) -> pd.DataFrame:
    """STRING enrichment rows of the wanted categories, in network.enrichment's columns."""
    frame = _tsv(text)
    if frame.empty:
        return pd.DataFrame(columns=ENRICHMENT_COLUMNS)
    frame = frame[frame["category"].map(STRING_CATEGORIES).isin(categories)]
    out = pd.DataFrame(
        {
            "category": frame["category"].map(STRING_CATEGORIES),
            # STRING writes Reactome ids as HSA-nnn; Reactome's own (and the snapshot's) form is R-HSA-nnn
            "term_id": frame["term"].where(~frame["term"].str.startswith("HSA-"), "R-" + frame["term"]),
            "description": frame["description"],
            "genes_in_set": pd.to_numeric(frame["number_of_genes_in_background"]).astype("int64"),
            "genes_observed": pd.to_numeric(frame["number_of_genes"]).astype("int64"),
            "p_value": pd.to_numeric(frame["p_value"]),
            "fdr": pd.to_numeric(frame["fdr"]),
            "genes": frame["preferredNames"].map(lambda s: ",".join(sorted(str(s).split(",")))),
            "background_size": pd.Series([pd.NA] * len(frame), index=frame.index, dtype="Int64"),
            "library": "STRING " + frame["category"],
        }
    )
    return out[ENRICHMENT_COLUMNS].reset_index(drop=True)


def live_source(
    responses: StringResponses,
    proteins: list[str],
    species: int,
    score_threshold: float,
    categories: list[str],
) -> NetworkSource:
    """A NetworkSource from STRING's answers for the query proteins."""
    version, address = parse_version(responses.version)
    ids = parse_string_ids(responses.string_ids)
    names = dict(zip(ids["query"], ids["preferred_name"], strict=True))
    query_nodes = [names[p] for p in proteins if p in names]
    string_ids = dict(zip(ids["preferred_name"], ids["string_id"], strict=True))
    partners = parse_network(responses.interaction_partners)
    shell_ids = set(first_shell(responses.interaction_partners, list(ids["string_id"])))
    shell: dict[str, str] = {}
    for side in ("a", "b"):
        hits = partners[partners[f"string_id_{side}"].isin(shell_ids)]
        shell.update(zip(hits[f"protein_{side}"], hits[f"string_id_{side}"], strict=True))
    string_ids.update(shell)
    nodes = query_nodes + sorted(set(shell) - set(query_nodes))
    edges = parse_network(responses.network)
    edges = edges[(edges["combined_score"] >= score_threshold) & edges["protein_a"].isin(nodes)]
    edges = edges[edges["protein_b"].isin(nodes)].reset_index(drop=True)
    ppi_row = parse_ppi_enrichment(responses.ppi_enrichment)
    ppi = PpiEnrichment(
        observed_edges=int(ppi_row["number_of_edges"]),
        expected_edges=ppi_row["expected_number_of_edges"],
        p_value=ppi_row["p_value"],
        method=PPI_METHOD,
    )
    unmapped = [p for p in proteins if p not in names]
    note = f"exact STRING combined scores, required_score {score_threshold:.3f}"
    if shell:
        note += f"; first shell of {len(shell)} interactors added (STRING interaction_partners)"
    if unmapped:
        note += f"; not mapped by STRING: {', '.join(unmapped)}"
    endpoint_version = f"STRING {version} ({address})" if address else f"STRING {version}"
    return NetworkSource(
        source="STRING API",
        string_version=version,
        species=species,
        proteins=tuple(nodes),
        string_ids={n: string_ids.get(n) for n in nodes},
        edges=edges,
        score_threshold_requested=score_threshold,
        score_threshold_applied=score_threshold,
        score_note=note,
        ppi=ppi,
        enrichment=parse_enrichment(responses.enrichment, categories),
        enrichment_method=ENRICHMENT_METHOD,
        records=tuple(replace(r, version=endpoint_version) for r in responses.records),
        annotation=parse_functional_annotation(responses.functional_annotation),
        reported_clustering=ppi_row.get("local_clustering_coefficient"),
        first_shell=tuple(sorted(set(shell) - set(query_nodes))),
        image=responses.network_image or None,
    )

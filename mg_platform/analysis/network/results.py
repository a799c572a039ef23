"""From a NetworkSource to the network.* tables: topology, hub ranking, summary, enrichment."""

from __future__ import annotations

from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from multiprocessing import get_context

import igraph as ig
import numpy as np
import pandas as pd

from mg_platform.analysis.network import centrality, hubs
from mg_platform.analysis.network.enrichment import significant_terms
from mg_platform.analysis.network.source import NetworkSource


@dataclass(frozen=True)
class NetworkResults:
    """The tables of schema ``network`` and the graph they describe."""

    graph: ig.Graph
    edges: pd.DataFrame
    centrality: pd.DataFrame
    summary: pd.DataFrame
    enrichment: pd.DataFrame
    provenance: pd.DataFrame
    hubs: list[str]


def query_graph(proteins: list[str] | tuple[str, ...], edges: pd.DataFrame) -> ig.Graph:
    """Undirected simple graph on the query proteins (isolated ones included); vertex attr ``name``."""
    graph = ig.Graph(n=len(proteins))
    graph.vs["name"] = list(proteins)
    index = {p: i for i, p in enumerate(proteins)}
    graph.add_edges([(index[a], index[b]) for a, b in edges[["protein_a", "protein_b"]].to_numpy()])
    return graph.simplify()


#: From this many vertices on, shortest-path centralities run in a second process while this
#: one folds the maximal-clique stream (two cores busy instead of one).
CONCURRENT_FROM_VERTICES = 5000


def _path_centralities(n: int, edges: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    graph = ig.Graph(n=n, edges=edges)
    return centrality.betweenness(graph), centrality.closeness(graph)


def node_metrics(graph: ig.Graph, concurrent_from: int = CONCURRENT_FROM_VERTICES) -> pd.DataFrame:
    """Per-vertex NetworkAnalyzer centralities and cytoHubba scores (MCC exact, as int)."""
    names = graph.vs["name"]
    if graph.vcount() >= concurrent_from:
        edges = np.asarray(graph.get_edgelist(), dtype=np.int64).reshape(-1, 2)
        with ProcessPoolExecutor(max_workers=1, mp_context=get_context("spawn")) as pool:
            paths = pool.submit(_path_centralities, graph.vcount(), edges)
            mcc = hubs.mcc(graph)
            mnc, dmnc = hubs.mnc_dmnc(graph)
            betweenness, closeness = paths.result()
    else:
        betweenness, closeness = centrality.betweenness(graph), centrality.closeness(graph)
        mcc = hubs.mcc(graph)
        mnc, dmnc = hubs.mnc_dmnc(graph)
    frame = pd.DataFrame(
        {
            "protein": names,
            "degree": centrality.degree(graph),
            "betweenness": betweenness,
            "closeness": closeness,
            "clustering_coefficient": centrality.clustering(graph),
            "mcc": [float(m) for m in mcc],
            "mcc_exact": [str(m) for m in mcc],
            "mcc_rank": hubs.rank_desc(mcc, names),
            "mnc": mnc,
            "dmnc": dmnc,
        }
    )
    frame["degree_rank"] = hubs.rank_desc(frame["degree"].tolist(), names)
    return frame


def network_results(source: NetworkSource, top_n: int = 10, fdr_cutoff: float = 0.05) -> NetworkResults:
    """All network tables for one source; hubs are the ``top_n`` proteins by MCC."""
    graph = query_graph(source.proteins, source.edges)
    metrics = node_metrics(graph)
    metrics.insert(1, "string_id", metrics["protein"].map(source.string_ids))
    metrics["is_hub"] = metrics["mcc_rank"] <= top_n
    metrics = metrics.sort_values("mcc_rank").reset_index(drop=True)
    hub_list = metrics.loc[metrics["is_hub"], "protein"].tolist()
    scores = metrics["mcc_exact"].map(int).tolist()
    tied_at_cutoff = 0 < top_n < len(scores) and scores[top_n - 1] == scores[top_n]

    n = graph.vcount()
    summary = pd.DataFrame(
        [
            {
                "nodes": n,
                "edges": graph.ecount(),
                "average_degree": 2.0 * graph.ecount() / n if n else 0.0,
                "clustering_coefficient": centrality.average_clustering(graph),
                "expected_edges": source.ppi.expected_edges,
                "ppi_enrichment_p": source.ppi.p_value,
                "connected_components": len(graph.connected_components()),
                "hubs": ",".join(hub_list),
                "hub_cutoff_tied": tied_at_cutoff,
                "source": source.source,
                "string_version": source.string_version,
                "species": source.species,
                "score_threshold_requested": source.score_threshold_requested,
                "score_threshold_applied": source.score_threshold_applied,
                "score_note": source.score_note,
                "ppi_method": source.ppi.method,
                "enrichment_method": source.enrichment_method,
                "string_reported_clustering": source.reported_clustering,
            }
        ]
    )
    provenance = pd.DataFrame(
        [
            {
                "source": source.source,
                "string_version": source.string_version,
                "score_threshold_requested": source.score_threshold_requested,
                "score_threshold_applied": source.score_threshold_applied,
                "resource": r.resource,
                "sha256": r.sha256,
                "retrieved_at": r.retrieved_at,
                "note": r.note,
            }
            for r in source.records
        ]
    )
    edges = source.edges.assign(source=source.source, string_version=source.string_version)
    return NetworkResults(
        graph=graph,
        edges=edges.reset_index(drop=True),
        centrality=metrics,
        summary=summary,
        enrichment=significant_terms(source.enrichment, fdr_cutoff),
        provenance=provenance,
        hubs=hub_list,
    )

"""From a NetworkSource to the network.* tables: topology, hub ranking, summary, enrichment."""

from __future__ import annotations

from dataclasses import dataclass

import igraph as ig
import pandas as pd

from mg_platform.analysis.network import centrality, hubs
from mg_platform.analysis.network.enrichment import significant_terms
from mg_platform.analysis.network.hubs import DEFAULT_EPC, EpcSettings
from mg_platform.analysis.network.kernels import neighbourhood_components, shortest_path_stats
from mg_platform.analysis.network.source import NetworkSource


@dataclass(frozen=True)
class NetworkResults:
    """The tables of schema ``network`` and the graph they describe."""

    graph: ig.Graph
    edges: pd.DataFrame
    centrality: pd.DataFrame
    hub_consensus: pd.DataFrame
    functional_annotation: pd.DataFrame
    summary: pd.DataFrame
    enrichment: pd.DataFrame
    provenance: pd.DataFrame
    hubs: list[str]


def query_graph(proteins: list[str] | tuple[str, ...], edges: pd.DataFrame) -> ig.Graph:
    """Undirected simple graph on the query proteins (isolated ones included), vertices in name order
    (so that vertex order, and with it every tie rule, does not depend on the query's order)."""
    names = sorted(set(proteins))
    graph = ig.Graph(n=len(names))
    graph.vs["name"] = names
    index = {p: i for i, p in enumerate(names)}
    graph.add_edges([(index[a], index[b]) for a, b in edges[["protein_a", "protein_b"]].to_numpy()])
    return graph.simplify()


@dataclass(frozen=True)
class NodeMetrics:
    """Per-protein scores and ranks, and what the clique search found."""

    table: pd.DataFrame
    maximal_cliques: int
    largest_clique: int


def node_metrics(graph: ig.Graph, epc: EpcSettings = DEFAULT_EPC) -> NodeMetrics:
    """NetworkAnalyzer centralities and cytoHubba's eleven scores with a rank per method.

    Parameters
    ----------
    graph : igraph.Graph
        Undirected simple graph with a vertex attribute ``name`` (vertex order = tie order of the
        BottleNeck BFS trees; :func:`query_graph` puts names in ascending order).
    epc : EpcSettings
        Number of reduced networks, edge-keep threshold and seed of the EPC percolation.

    Returns
    -------
    NodeMetrics
        ``table``: one row per vertex with ``degree``, ``betweenness`` and ``closeness``
        (NetworkAnalyzer), ``clustering_coefficient``, the eleven cytoHubba scores (``mcc`` as the
        nearest double and ``mcc_exact`` as decimal text; ``cytohubba_closeness`` and
        ``cytohubba_betweenness`` are cytoHubba's definitions) and ``<method>_rank`` for each
        method in :data:`~mg_platform.analysis.network.hubs.METHODS`; plus the number of maximal
        cliques and the size of the largest.

    References
    ----------
    See :mod:`mg_platform.analysis.network.hubs` and :mod:`mg_platform.analysis.network.centrality`.
    """
    names = graph.vs["name"]
    adjacency = centrality.csr(graph)
    paths = shortest_path_stats(adjacency)
    mnc, mnc_edges, neighbour_edges = neighbourhood_components(adjacency)
    mcc, cliques, largest = hubs.mcc(adjacency, neighbour_edges)
    frame = pd.DataFrame(
        {
            "protein": names,
            "degree": centrality.degree(graph),
            "betweenness": centrality.betweenness(paths),
            "closeness": centrality.closeness(paths),
            "clustering_coefficient": centrality.clustering(graph),
            "mcc": [float(m) for m in mcc],
            "mcc_exact": [str(m) for m in mcc],
            "dmnc": hubs.dmnc(mnc, mnc_edges),
            "mnc": mnc,
            "epc": hubs.epc(adjacency, epc),
            "bottleneck": paths.bottleneck,
            "eccentricity": hubs.eccentricity(paths),
            "cytohubba_closeness": paths.harmonic,
            "radiality": hubs.radiality(paths, graph.connected_components().membership),
            "cytohubba_betweenness": paths.pair_dependency,
            "stress": paths.stress,
        }
    )
    for key, _, column in hubs.METHODS:
        scores = mcc if key == "mcc" else frame[column].to_numpy()
        frame[f"{key}_rank"] = hubs.rank_desc(scores, names)
    return NodeMetrics(table=frame, maximal_cliques=cliques, largest_clique=largest)


def network_results(
    source: NetworkSource, top_n: int = 10, fdr_cutoff: float = 0.05, epc: EpcSettings = DEFAULT_EPC
) -> NetworkResults:
    """All network tables for one source; hubs are the ``top_n`` proteins by MCC, and the consensus
    counts for each protein the methods that put it in their top ``top_n``."""
    graph = query_graph(source.proteins, source.edges)
    computed = node_metrics(graph, epc)
    metrics = computed.table
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
                "first_shell": ",".join(source.first_shell),
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
                "maximal_cliques": computed.maximal_cliques,
                "largest_clique": computed.largest_clique,
                "epc_samples": epc.samples,
                "epc_threshold": epc.threshold,
                "epc_seed": epc.seed,
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
                "endpoint": r.endpoint,
                "endpoint_version": r.version,
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
        hub_consensus=hubs.consensus(metrics, top_n),
        functional_annotation=source.annotation.sort_values(["category", "term_id"], kind="mergesort").reset_index(
            drop=True
        ),
        summary=summary,
        enrichment=significant_terms(source.enrichment, fdr_cutoff),
        provenance=provenance,
        hubs=hub_list,
    )

"""Node centralities as Cytoscape NetworkAnalyzer defines them (undirected, unweighted).

* degree: number of incident edges (no self-loops or multi-edges in a PPI network).
* betweenness: sum over pairs s != v != t of sigma_st(v) / sigma_st, divided by the
  number of pairs excluding v, (N - 1)(N - 2) / 2, where N is the size of the connected
  component v belongs to; 0 when N <= 2.
* closeness: 1 / mean shortest-path length from v to the other nodes of its component;
  0 for an isolated node.
* clustering coefficient: 2 e_v / (k_v (k_v - 1)); 0 when k_v < 2. The network value is
  the mean over all nodes, zeros included (NetworkAnalyzer's "clustering coefficient").

Shortest-path sums come from :func:`mg_platform.analysis.network.kernels.shortest_path_stats`
(one BFS per vertex, shared with the cytoHubba shortest-path methods).

References
----------
Assenov Y, Ramirez F, Schelhorn SE, Lengauer T, Albrecht M (2008) Computing topological parameters
of biological networks. Bioinformatics 24:282-284 (NetworkAnalyzer).
"""

from __future__ import annotations

import igraph as ig
import numpy as np

from mg_platform.analysis.network.kernels import Csr, PathStats, shortest_path_stats


def csr(graph: ig.Graph) -> Csr:
    """The graph's adjacency as CSR (neighbours in ascending vertex order)."""
    return Csr.from_edges(graph.vcount(), np.asarray(graph.get_edgelist(), dtype=np.int64).reshape(-1, 2))


def path_stats(graph: ig.Graph) -> PathStats:
    """One BFS from every vertex: the shortest-path sums behind betweenness, closeness and cytoHubba."""
    return shortest_path_stats(csr(graph))


def degree(graph: ig.Graph) -> np.ndarray:
    """Number of neighbours of each vertex."""
    return np.asarray(graph.degree(), dtype=np.int64)


def betweenness(paths: PathStats) -> np.ndarray:
    """NetworkAnalyzer betweenness: raw pair-dependency sum / ((N-1)(N-2)/2), N = component size."""
    pairs = (paths.reached - 1) * (paths.reached - 2) / 2.0
    return np.divide(paths.pair_dependency, pairs, out=np.zeros(len(pairs)), where=pairs > 0)


def closeness(paths: PathStats) -> np.ndarray:
    """NetworkAnalyzer closeness: 1 / mean shortest-path length to the reachable nodes; 0 if none."""
    others = (paths.reached - 1).astype(float)
    return np.divide(others, paths.distance_sum, out=np.zeros(len(others)), where=paths.distance_sum > 0)


def clustering(graph: ig.Graph) -> np.ndarray:
    """Local clustering coefficient; 0 for vertices with fewer than two neighbours."""
    values = np.asarray(graph.transitivity_local_undirected(mode="zero"), dtype=float)
    return np.nan_to_num(values, nan=0.0)


def average_clustering(graph: ig.Graph) -> float:
    """Network clustering coefficient as NetworkAnalyzer: mean local value, zeros included."""
    return float(clustering(graph).mean()) if graph.vcount() else 0.0

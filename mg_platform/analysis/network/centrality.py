"""Node centralities as Cytoscape NetworkAnalyzer defines them (undirected, unweighted).

* degree: number of incident edges (no self-loops or multi-edges in a PPI network).
* betweenness: sum over pairs s != v != t of sigma_st(v) / sigma_st, divided by the
  number of pairs excluding v, (N - 1)(N - 2) / 2, where N is the size of the connected
  component v belongs to; 0 when N <= 2.
* closeness: 1 / mean shortest-path length from v to the other nodes of its component;
  0 for an isolated node.
* clustering coefficient: 2 e_v / (k_v (k_v - 1)); 0 when k_v < 2. The network value is
  the mean over all nodes, zeros included (NetworkAnalyzer's "clustering coefficient").
"""

from __future__ import annotations

import igraph as ig
import numpy as np


def degree(graph: ig.Graph) -> np.ndarray:
    """Number of neighbours of each vertex."""
    return np.asarray(graph.degree(), dtype=np.int64)


def component_sizes(graph: ig.Graph) -> np.ndarray:
    """Size of the connected component each vertex belongs to."""
    membership = np.asarray(graph.connected_components().membership, dtype=np.int64)
    return np.bincount(membership)[membership] if len(membership) else membership


def betweenness(graph: ig.Graph) -> np.ndarray:
    """NetworkAnalyzer betweenness: raw pair-dependency sum / ((N-1)(N-2)/2), N = component size."""
    raw = np.asarray(graph.betweenness(directed=False), dtype=float)
    size = component_sizes(graph)
    pairs = (size - 1) * (size - 2) / 2.0
    return np.divide(raw, pairs, out=np.zeros_like(raw), where=pairs > 0)


def closeness(graph: ig.Graph) -> np.ndarray:
    """NetworkAnalyzer closeness: 1 / mean shortest-path length to the reachable nodes; 0 if none."""
    # igraph's closeness only considers reachable vertices, i.e. (N-1) / sum of distances
    # within the component, which is exactly 1 / mean shortest path; NaN for isolated vertices.
    values = np.asarray(graph.closeness(mode="all", normalized=True), dtype=float)
    return np.nan_to_num(values, nan=0.0)


def clustering(graph: ig.Graph) -> np.ndarray:
    """Local clustering coefficient; 0 for vertices with fewer than two neighbours."""
    values = np.asarray(graph.transitivity_local_undirected(mode="zero"), dtype=float)
    return np.nan_to_num(values, nan=0.0)


def average_clustering(graph: ig.Graph) -> float:
    """Network clustering coefficient as NetworkAnalyzer: mean local value, zeros included."""
    return float(clustering(graph).mean()) if graph.vcount() else 0.0

"""cytoHubba hub scores (Chin et al. 2014, BMC Syst Biol 8(Suppl 4):S11) and the hub ranking.

* MCC(v) = sum over the maximal cliques C containing v of (|C| - 1)!, and MCC(v) = deg(v)
  when no two neighbours of v are adjacent (so an isolated node scores 0). Sums are exact
  Python integers: on the whole STRING network they reach ~1e132, beyond int64 and beyond
  float64's exact range.
* MNC(v) = |V(MC(v))|, MC(v) a largest connected component of G[N(v)] (0 if N(v) is empty).
* DMNC(v) = |E(MC(v))| / |V(MC(v))| ** 1.7 (epsilon = 1.7 as cytoHubba); among components
  of equal vertex count the one with most edges is taken; 0 if N(v) is empty.
* Ranking: descending score, ties broken by protein name (ascending), ranks 1..n.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import igraph as ig
import numpy as np

from mg_platform.analysis.network.cliques import clique_size_counts

DMNC_EPSILON = 1.7


def mcc_from_counts(counts: np.ndarray, degrees: Sequence[int], neighbour_edges: Sequence[int]) -> list[int]:
    """Exact MCC per vertex from ``counts[v, s]`` (maximal cliques of size s containing v)."""
    weights = [math.factorial(s - 1) if s >= 1 else 0 for s in range(counts.shape[1])]
    scores: list[int] = []
    for v, row in enumerate(counts):
        if neighbour_edges[v] == 0:
            scores.append(int(degrees[v]))
        else:
            scores.append(sum(int(c) * weights[s] for s, c in enumerate(row.tolist()) if c))
    return scores


def edges_among_neighbours(graph: ig.Graph) -> np.ndarray:
    """Number of edges between the neighbours of each vertex (triangles through it)."""
    degrees = np.asarray(graph.degree(), dtype=float)
    local = np.nan_to_num(np.asarray(graph.transitivity_local_undirected(mode="zero"), dtype=float))
    return np.rint(local * degrees * (degrees - 1) / 2).astype(np.int64)


def mcc(graph: ig.Graph, in_memory_limit: int | None = None) -> list[int]:
    """cytoHubba Maximal Clique Centrality of every vertex, as exact integers."""
    kwargs = {} if in_memory_limit is None else {"in_memory_limit": in_memory_limit}
    counts = clique_size_counts(graph, **kwargs)
    return mcc_from_counts(counts, graph.degree(), edges_among_neighbours(graph))


def mnc_dmnc(graph: ig.Graph) -> tuple[np.ndarray, np.ndarray]:
    """cytoHubba MNC and DMNC of every vertex (see module doc)."""
    n = graph.vcount()
    mnc = np.zeros(n, dtype=np.int64)
    dmnc = np.zeros(n, dtype=float)
    for v in range(n):
        neighbours = graph.neighbors(v)
        if not neighbours:
            continue
        sub = graph.induced_subgraph(neighbours)
        membership = np.asarray(sub.connected_components().membership)
        sizes = np.bincount(membership)
        edge_ends = np.asarray(sub.get_edgelist(), dtype=np.int64).reshape(-1, 2)
        edge_counts = np.bincount(membership[edge_ends[:, 0]], minlength=len(sizes))
        largest = sizes == sizes.max()
        best_edges = int(edge_counts[largest].max())
        mnc[v] = int(sizes.max())
        dmnc[v] = best_edges / mnc[v] ** DMNC_EPSILON
    return mnc, dmnc


def rank_desc(scores: Sequence[int | float], names: Sequence[str]) -> np.ndarray:
    """Ranks 1..n by descending score, ties in ascending name order."""
    order = sorted(range(len(names)), key=lambda i: (-scores[i], names[i]))
    ranks = np.empty(len(names), dtype=np.int64)
    ranks[order] = np.arange(1, len(names) + 1)
    return ranks

"""cytoHubba's eleven hub-ranking methods (Chin et al. 2014), the ranking and the consensus.

All graphs are undirected and unweighted; N(v) is the neighbourhood of v, C(v) the connected
component containing v, d(v, w) the shortest-path distance. Local methods:

* Degree(v) = |N(v)|.
* MCC(v) = sum over the maximal cliques C containing v of (|C| - 1)!, and MCC(v) = deg(v)
  when no two neighbours of v are adjacent (so an isolated node scores 0). Sums are exact
  Python integers: on the whole STRING network they reach ~1e132, beyond int64 and beyond
  float64's exact range.
* MNC(v) = |V(MC(v))|, MC(v) a largest connected component of G[N(v)] (0 if N(v) is empty).
* DMNC(v) = |E(MC(v))| / |V(MC(v))| ** 1.7 (epsilon = 1.7 as cytoHubba); among components
  of equal vertex count the one with most edges is taken; 0 if N(v) is empty.

Global methods:

* EPC(v) (edge percolated component) = (1/K) sum_k |{t : t connected to v in G_k}|, t = v
  included, over K reduced networks G_k that keep each edge independently when its uniform
  random number is >= the threshold (cytoHubba: K = 1000, threshold 0.5). The paper prints the
  normaliser as 1/|V|; a constant factor does not change the ranking, and 1/K makes the score
  the expected size of v's percolated component, as in Hubba (Lin et al. 2008).
* BottleNeck(v) = sum over s != v of P_s(v), P_s(v) = 1 when more than |V(T_s)|/4 of the
  paths from s to the other nodes of the shortest-path tree T_s pass through v, i.e. v has more
  than |V(T_s)|/4 descendants in T_s (Przulj et al. 2004). T_s is the breadth-first tree in
  which each node hangs from the first node that reaches it, neighbours taken in vertex order.
* EcCentricity(v) = 1 / max{d(v, w) : w in C(v)}; 0 for an isolated node.
* Closeness(v) = sum over w in C(v), w != v of 1 / d(v, w) (cytoHubba's closeness, a sum of
  reciprocal distances; NetworkAnalyzer's 1 / mean distance is ``centrality.closeness``).
* Radiality(v) = sum over w in C(v), w != v of (Delta + 1 - d(v, w)) / (|C(v)| - 1), Delta the
  diameter of C(v); 0 for an isolated node.
* Betweenness(v) = sum over unordered pairs s != v != t of sigma_st(v) / sigma_st (no
  normalisation; NetworkAnalyzer's component-normalised value is ``centrality.betweenness``).
* Stress(v) = sum over unordered pairs s != v != t of sigma_st(v), the number of shortest
  paths through v (exact integer).

Ranking: descending score, ties broken by protein name (ascending), ranks 1..n. Floating-point
scores are compared at 12 significant digits, so that equal values reached by different
summation orders tie.

References
----------
Chin CH, Chen SH, Wu HH, Ho CW, Ko MT, Lin CY (2014) cytoHubba: identifying hub objects and
sub-networks from complex interactome. BMC Syst Biol 8(Suppl 4):S11.
Lin CY et al. (2008) Hubba: hub objects analyzer. Nucleic Acids Res 36:W438-W443.
Przulj N, Wigle DA, Jurisica I (2004) Functional topology in a network of protein
interactions. Bioinformatics 20:340-348.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from mg_platform.analysis.network.kernels import Csr, PathStats, clique_size_counts, percolated_component_sizes

DMNC_EPSILON = 1.7

#: cytoHubba's eleven methods in its own order: (key, label, score column in network.centrality).
METHODS: tuple[tuple[str, str, str], ...] = (
    ("mcc", "MCC", "mcc"),
    ("dmnc", "DMNC", "dmnc"),
    ("mnc", "MNC", "mnc"),
    ("degree", "Degree", "degree"),
    ("epc", "EPC", "epc"),
    ("bottleneck", "BottleNeck", "bottleneck"),
    ("eccentricity", "EcCentricity", "eccentricity"),
    ("closeness", "Closeness", "cytohubba_closeness"),
    ("radiality", "Radiality", "radiality"),
    ("betweenness", "Betweenness", "cytohubba_betweenness"),
    ("stress", "Stress", "stress"),
)
RANK_COLUMNS = [f"{key}_rank" for key, _, _ in METHODS]


@dataclass(frozen=True)
class EpcSettings:
    """Edge percolation: number of reduced networks, edge-keep threshold and the seed of PCG64."""

    samples: int = 1000
    threshold: float = 0.5
    seed: int = 20141208


DEFAULT_EPC = EpcSettings()


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


def mcc(csr: Csr, neighbour_edges: np.ndarray) -> tuple[list[int], int, int]:
    """cytoHubba MCC of every vertex as exact integers; the number of maximal cliques and the largest size."""
    counts, found = clique_size_counts(csr)
    sizes = np.flatnonzero(counts.sum(axis=0))
    return mcc_from_counts(counts, np.diff(csr.indptr), neighbour_edges), found, int(sizes.max(initial=0))


def dmnc(mnc: np.ndarray, mnc_edges: np.ndarray) -> np.ndarray:
    """DMNC from the largest neighbourhood component's vertex and edge counts (0 when MNC = 0)."""
    denominator = np.asarray(mnc, dtype=float) ** DMNC_EPSILON
    return np.divide(np.asarray(mnc_edges, dtype=float), denominator, out=np.zeros(len(mnc)), where=mnc > 0)


def epc(csr: Csr, settings: EpcSettings) -> np.ndarray:
    """cytoHubba EPC of every vertex (see module doc).

    Parameters
    ----------
    csr : Csr
        The graph.
    settings : EpcSettings
        ``samples`` reduced networks; an edge is kept when its uniform number is >= ``threshold``;
        the numbers come from ``numpy.random.Generator(PCG64(seed))``, one block of m per reduced
        network, edges taken as (v, w), v < w, in ascending order.

    Returns
    -------
    numpy.ndarray
        Mean size (vertices, v included) of v's component over the reduced networks.
    """
    heads = np.repeat(np.arange(csr.n), np.diff(csr.indptr))
    keep = heads < csr.indices
    edges = np.column_stack([heads[keep], csr.indices[keep]])
    sizes = percolated_component_sizes(csr.n, edges, settings.samples, settings.threshold, settings.seed)
    return sizes / float(settings.samples)


def eccentricity(paths: PathStats) -> np.ndarray:
    """cytoHubba EcCentricity: 1 / largest distance within the component; 0 if isolated."""
    ecc = paths.eccentricity.astype(float)
    return np.divide(1.0, ecc, out=np.zeros(len(ecc)), where=ecc > 0)


def radiality(paths: PathStats, membership: np.ndarray) -> np.ndarray:
    """cytoHubba Radiality with the diameter of v's component: Delta + 1 - mean distance; 0 if isolated."""
    membership = np.asarray(membership, dtype=np.int64)
    diameter = np.zeros(membership.max(initial=-1) + 1, dtype=np.int64)
    np.maximum.at(diameter, membership, paths.eccentricity)
    others = paths.reached - 1
    mean = np.divide(paths.distance_sum, others, out=np.zeros(len(others)), where=others > 0)
    return np.where(others > 0, diameter[membership] + 1 - mean, 0.0)


def _rank_key(score: int | float) -> int | float:
    return float(f"{score:.12g}") if isinstance(score, float) else score


def rank_desc(scores: Sequence[int | float], names: Sequence[str]) -> np.ndarray:
    """Ranks 1..n by descending score, ties in ascending name order."""
    keys = [_rank_key(s) for s in (scores.tolist() if isinstance(scores, np.ndarray) else scores)]
    order = sorted(range(len(names)), key=lambda i: (-keys[i], names[i]))
    ranks = np.empty(len(names), dtype=np.int64)
    ranks[order] = np.arange(1, len(names) + 1)
    return ranks


def consensus(ranks: pd.DataFrame, top_n: int = 10) -> pd.DataFrame:
    """Proteins in the top ``top_n`` of at least one method: how many methods put them there.

    ``ranks`` has ``protein`` and :data:`RANK_COLUMNS`. Rows are ordered by ``methods_in_top10``
    (descending), then mean rank over the eleven methods, then protein name.
    """
    frame = ranks[["protein", *RANK_COLUMNS]].copy()
    frame.insert(1, "methods_in_top10", (frame[RANK_COLUMNS] <= top_n).sum(axis=1).astype("int64"))
    frame.insert(2, "mean_rank", frame[RANK_COLUMNS].mean(axis=1))
    frame = frame[frame["methods_in_top10"] > 0]
    frame = frame.sort_values(["methods_in_top10", "mean_rank", "protein"], ascending=[False, True, True])
    frame.insert(1, "consensus_rank", np.arange(1, len(frame) + 1, dtype=np.int64))
    return frame.reset_index(drop=True)

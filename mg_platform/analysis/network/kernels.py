"""Compiled (numba) graph kernels behind the hub scores: one pass of breadth-first searches,
maximal-clique counts per vertex, neighbourhood components and edge percolation.

The graph is an undirected simple graph in compressed sparse row form (:class:`Csr`): the
neighbours of ``v`` are ``indices[indptr[v]:indptr[v + 1]]`` in ascending vertex order. Every
kernel is exact (integer counts as int64, shortest-path counts included; float only where the
measure is a ratio) and deterministic: work is split over a fixed number of chunks whose partial
results are added in chunk order, so the thread count does not change any value.

References
----------
Brandes U (2001) A faster algorithm for betweenness centrality. J Math Sociol 25:163-177.
Eppstein D, Loeffler M, Strash D (2010) Listing all maximal cliques in sparse graphs in
near-optimal time. ISAAC 2010, LNCS 6506:403-414 (Bron-Kerbosch with Tomita pivoting over a
degeneracy order).
Batagelj V, Zaversnik M (2003) An O(m) algorithm for cores decomposition of networks. arXiv cs/0310049.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial

import numba
import numpy as np

#: Work is split into this many chunks (interleaved vertices); partial sums are added in chunk order.
CHUNKS = 16
#: Path counts are checked against this bound (sums of two such values still fit in int64).
LIMIT = 2**62


@dataclass(frozen=True)
class Csr:
    """Adjacency of an undirected simple graph: ``indices[indptr[v]:indptr[v+1]]`` sorted ascending."""

    indptr: np.ndarray
    indices: np.ndarray

    @property
    def n(self) -> int:
        return len(self.indptr) - 1

    @classmethod
    def from_edges(cls, n: int, edges: np.ndarray) -> Csr:
        """CSR from an (m, 2) array of vertex pairs (no self-loops or duplicate pairs)."""
        edges = np.asarray(edges, dtype=np.int64).reshape(-1, 2)
        heads = np.concatenate([edges[:, 0], edges[:, 1]])
        tails = np.concatenate([edges[:, 1], edges[:, 0]])
        order = np.lexsort((tails, heads))
        indptr = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(np.bincount(heads, minlength=n), out=indptr[1:])
        return cls(indptr=indptr, indices=np.ascontiguousarray(tails[order], dtype=np.int64))

    def hubs_first(self) -> tuple[Csr, np.ndarray]:
        """The same graph with vertices renumbered by descending degree (hubs share cache lines),
        each neighbour list kept in the original vertex order; and ``old_of_new`` to map back
        (``values_old = values_new[new_of_old]``, ``new_of_old = argsort(old_of_new)``)."""
        degree = np.diff(self.indptr)
        old_of_new = np.argsort(-degree, kind="stable")
        new_of_old = np.empty(self.n, dtype=np.int64)
        new_of_old[old_of_new] = np.arange(self.n)
        indptr = np.zeros(self.n + 1, dtype=np.int64)
        np.cumsum(degree[old_of_new], out=indptr[1:])
        starts = np.repeat(self.indptr[:-1][old_of_new] - indptr[:-1], degree[old_of_new])
        positions = np.arange(indptr[-1]) + starts
        return Csr(indptr=indptr, indices=new_of_old[self.indices[positions]]), old_of_new


# -- one BFS per source: distances, path counts, dependencies, BFS-tree subtree sizes -------------------
@numba.njit(cache=True, nogil=True, error_model="numpy")
def _bfs_from(
    s, indptr, indices, dist, sigma, order, parent, preds, npred, coef, paths_on, subtree, acc_bc, acc_stress, acc_bn
):
    """One source of Brandes' algorithm, extended with stress and BottleNeck counts.

    ``preds[indptr[w]:indptr[w] + npred[w]]`` collects the predecessors of w on shortest paths
    from s. Returns (reached vertices incl. s, sum of distances, eccentricity, sum of
    1/distance, whether a path count came near the int64 limit).
    """
    dist[s] = 0
    sigma[s] = 1
    parent[s] = -1
    order[0] = s
    head, tail = 0, 1
    dist_sum = 0
    ecc = 0
    harmonic = 0.0
    overflow = False
    while head < tail and not overflow:
        v = order[head]
        head += 1
        dn = dist[v] + 1
        sv = sigma[v]
        for k in range(indptr[v], indptr[v + 1]):
            w = indices[k]
            if dist[w] < 0:
                dist[w] = dn
                parent[w] = v  # first discoverer: the BFS tree T_s used by BottleNeck
                order[tail] = w
                tail += 1
                dist_sum += dn
                harmonic += 1.0 / dn
                ecc = dn
            if dist[w] == dn:
                sigma[w] += sv
                preds[indptr[w] + npred[w]] = v
                npred[w] += 1
                if sigma[w] >= LIMIT:
                    overflow = True
    for i in range(tail - 1 if not overflow else 0, 0, -1):
        w = order[i]
        # delta[w] = sigma[w] * coef[w]; each predecessor v gains (1 + delta[w]) / sigma[w] = coef[w] + 1 / sigma[w]
        cw = coef[w] + 1.0 / sigma[w]
        pw = 1 + paths_on[w]
        base = indptr[w]
        for k in range(base, base + npred[w]):
            v = preds[k]
            coef[v] += cw
            paths_on[v] += pw
            if paths_on[v] >= LIMIT:
                overflow = True
        acc_bc[w] += coef[w] * sigma[w]
        if float(sigma[w]) * float(paths_on[w]) > LIMIT:
            overflow = True
        acc_stress[w] += sigma[w] * paths_on[w]
        if acc_stress[w] >= LIMIT:
            overflow = True
        subtree[parent[w]] += 1 + subtree[w]
    for i in range(1, tail):  # BottleNeck: more than |V(T_s)|/4 paths from s meet at w
        w = order[i]
        if 4 * subtree[w] > tail:
            acc_bn[w] += 1
    for i in range(tail):
        w = order[i]
        dist[w] = -1
        sigma[w] = 0
        npred[w] = 0
        coef[w] = 0.0
        paths_on[w] = 0
        subtree[w] = 0
    return tail, dist_sum, ecc, harmonic, overflow


@numba.njit(cache=True, nogil=True)
def _shortest_path_chunk(c, chunks, indptr, indices, bc, stress, bn, reached, dist_sum, ecc, harmonic, overflow):
    """BFS from the sources c, c + chunks, c + 2 chunks, ...; sums into this chunk's rows."""
    n = len(indptr) - 1
    dist = np.full(n, -1, dtype=np.int32)
    sigma = np.zeros(n, dtype=np.int64)
    order = np.empty(n, dtype=np.int32)
    parent = np.empty(n, dtype=np.int32)
    preds = np.empty(len(indices), dtype=np.int32)
    npred = np.zeros(n, dtype=np.int32)
    coef = np.zeros(n)
    paths_on = np.zeros(n, dtype=np.int64)
    subtree = np.zeros(n, dtype=np.int64)
    for s in range(c, n, chunks):
        r, d, e, h, o = _bfs_from(
            s, indptr, indices, dist, sigma, order, parent, preds, npred, coef, paths_on, subtree, bc, stress, bn
        )
        reached[s] = r
        dist_sum[s] = d
        ecc[s] = e
        harmonic[s] = h
        overflow[s] = o


def _in_threads(worker: Callable[[int], None], chunks: int) -> None:
    """Run ``worker(c)`` for c = 0..chunks-1 on one thread per core (the kernels release the GIL)."""
    with ThreadPoolExecutor(max_workers=min(chunks, os.cpu_count() or 1)) as pool:
        list(pool.map(worker, range(chunks)))


@dataclass(frozen=True)
class PathStats:
    """Per-vertex results of one breadth-first search from every vertex (unweighted, undirected).

    ``pair_dependency``: Brandes' sum over unordered pairs {s, t} (s, t != v) of sigma_st(v) / sigma_st.
    ``stress``: number of shortest paths through v over unordered pairs {s, t}, s, t != v (exact).
    ``bottleneck``: number of sources s != v whose BFS tree has more than |V(T_s)| / 4 of its
    root-to-node paths passing through v (see :func:`mg_platform.analysis.network.hubs.bottleneck`).
    ``reached``: size of v's component; ``distance_sum``, ``eccentricity``, ``harmonic``: sum, max
    and sum of reciprocals of the distances from v to the other vertices of its component.
    """

    pair_dependency: np.ndarray
    stress: np.ndarray
    bottleneck: np.ndarray
    reached: np.ndarray
    distance_sum: np.ndarray
    eccentricity: np.ndarray
    harmonic: np.ndarray


def shortest_path_stats(csr: Csr, chunks: int = CHUNKS) -> PathStats:
    """All shortest-path measures in one pass of BFS from every vertex (O(n m), parallel over sources)."""
    renumbered, old_of_new = csr.hubs_first()
    back = np.argsort(old_of_new)
    indptr, indices, n = renumbered.indptr, renumbered.indices.astype(np.int32), csr.n
    bc, stress, bn = np.zeros((chunks, n)), np.zeros((chunks, n), dtype=np.int64), np.zeros((chunks, n), dtype=np.int64)
    reached, dist_sum, ecc = (np.zeros(n, dtype=np.int64) for _ in range(3))
    harmonic, overflow = np.zeros(n), np.zeros(n, dtype=np.bool_)
    _in_threads(
        lambda c: _shortest_path_chunk(
            c, chunks, indptr, indices, bc[c], stress[c], bn[c], reached, dist_sum, ecc, harmonic, overflow
        ),
        chunks,
    )
    if overflow.any() or stress.astype(float).sum(axis=0).max(initial=0) > LIMIT:
        raise OverflowError("shortest-path counts exceed the exact int64 range (2**62)")
    # each unordered pair is seen from both ends
    return PathStats(
        pair_dependency=(bc.sum(axis=0) / 2.0)[back],
        stress=(stress.sum(axis=0) // 2)[back],
        bottleneck=bn.sum(axis=0)[back],
        reached=reached[back],
        distance_sum=dist_sum[back],
        eccentricity=ecc[back],
        harmonic=harmonic[back],
    )


# -- degeneracy order ------------------------------------------------------------------------------------
@numba.njit(cache=True)
def _degeneracy_order(indptr, indices):
    """Batagelj-Zaversnik bucket algorithm: (removal order, core number of each vertex)."""
    n = len(indptr) - 1
    deg = np.empty(n, dtype=np.int64)
    md = 0
    for v in range(n):
        deg[v] = indptr[v + 1] - indptr[v]
        md = max(md, deg[v])
    bins = np.zeros(md + 1, dtype=np.int64)
    for v in range(n):
        bins[deg[v]] += 1
    start = 0
    for d in range(md + 1):
        num = bins[d]
        bins[d] = start
        start += num
    pos = np.empty(n, dtype=np.int64)
    vert = np.empty(n, dtype=np.int64)
    for v in range(n):
        pos[v] = bins[deg[v]]
        vert[pos[v]] = v
        bins[deg[v]] += 1
    for d in range(md, 0, -1):
        bins[d] = bins[d - 1]
    if md >= 0 and n > 0:
        bins[0] = 0
    for i in range(n):
        v = vert[i]
        for k in range(indptr[v], indptr[v + 1]):
            u = indices[k]
            if deg[u] > deg[v]:
                du = deg[u]
                pu = pos[u]
                pw = bins[du]
                w = vert[pw]
                if u != w:
                    pos[u] = pw
                    vert[pu] = w
                    pos[w] = pu
                    vert[pw] = u
                bins[du] += 1
                deg[u] -= 1
    return vert, deg


# -- maximal cliques by size and vertex --------------------------------------------------------------------
@numba.njit(cache=True, inline="always")
def _popcount(x):
    x = x - ((x >> np.uint64(1)) & np.uint64(0x5555555555555555))
    x = (x & np.uint64(0x3333333333333333)) + ((x >> np.uint64(2)) & np.uint64(0x3333333333333333))
    x = (x + (x >> np.uint64(4))) & np.uint64(0x0F0F0F0F0F0F0F0F)
    return (x * np.uint64(0x0101010101010101)) >> np.uint64(56)


@numba.njit(cache=True, inline="always")
def _lowest_bit(x):
    return _popcount((x & (~x + np.uint64(1))) - np.uint64(1))


@numba.njit(cache=True, nogil=True)
def _cliques_at(v, indptr, indices, rank, local, adj, P, X, T, R, counts):
    """Bron-Kerbosch with Tomita pivoting on N(v): every maximal clique whose earliest vertex
    (in ``rank`` order) is v, added to ``counts[member, size]``. Returns the number of cliques."""
    lo, hi = indptr[v], indptr[v + 1]
    d = hi - lo
    if d == 0:
        counts[v, 1] += 1
        return 1
    words = (d + 63) // 64
    for i in range(d):
        local[indices[lo + i]] = i
    for i in range(d):
        u = indices[lo + i]
        for q in range(words):
            adj[i, q] = 0
        for k in range(indptr[u], indptr[u + 1]):
            j = local[indices[k]]
            if j >= 0:
                adj[i, j >> 6] |= np.uint64(1) << np.uint64(j & 63)
    for q in range(words):
        P[0, q] = 0
        X[0, q] = 0
    later = 0
    for i in range(d):
        bit = np.uint64(1) << np.uint64(i & 63)
        if rank[indices[lo + i]] > rank[v]:
            P[0, i >> 6] |= bit
            later += 1
        else:
            X[0, i >> 6] |= bit
    found = 0
    if later > 0:
        depth = 0
        _choose_pivot(0, words, d, adj, P, X, T)
        while depth >= 0:
            # next candidate at this depth
            q = 0
            while q < words and T[depth, q] == 0:
                q += 1
            if q == words:
                depth -= 1
                continue
            w = q * 64 + _lowest_bit(T[depth, q])
            bit = np.uint64(1) << np.uint64(w & 63)
            T[depth, q] &= ~bit
            R[depth] = w
            p_empty = True
            x_empty = True
            for r in range(words):
                P[depth + 1, r] = P[depth, r] & adj[w, r]
                X[depth + 1, r] = X[depth, r] & adj[w, r]
                if P[depth + 1, r] != 0:
                    p_empty = False
                if X[depth + 1, r] != 0:
                    x_empty = False
            P[depth, q] &= ~bit
            X[depth, q] |= bit
            if p_empty:
                if x_empty:
                    size = depth + 2
                    counts[v, size] += 1
                    for r in range(depth + 1):
                        counts[indices[lo + R[r]], size] += 1
                    found += 1
                continue
            depth += 1
            _choose_pivot(depth, words, d, adj, P, X, T)
    for i in range(d):
        local[indices[lo + i]] = -1
    return found


@numba.njit(cache=True, nogil=True)
def _choose_pivot(depth, words, d, adj, P, X, T):
    """Tomita pivot u in P | X maximising |P & N(u)|; candidates T = P minus N(u)."""
    best = -1
    best_u = -1
    for q in range(words):
        bits = P[depth, q] | X[depth, q]
        while bits != 0:
            u = q * 64 + _lowest_bit(bits)
            bits &= bits - np.uint64(1)
            c = 0
            for r in range(words):
                c += _popcount(P[depth, r] & adj[u, r])
            if c > best:
                best = c
                best_u = u
    for r in range(words):
        T[depth, r] = P[depth, r] & ~adj[best_u, r]


@numba.njit(cache=True, nogil=True)
def _clique_chunk(c, chunks, indptr, indices, rank, max_degree, counts):
    """Maximal cliques found from the vertices c, c + chunks, ...; returns how many."""
    n = len(indptr) - 1
    words = (max_degree + 63) // 64 + 1
    local = np.full(n, -1, dtype=np.int64)
    adj = np.zeros((max_degree + 1, words), dtype=np.uint64)
    P = np.zeros((max_degree + 2, words), dtype=np.uint64)
    X = np.zeros((max_degree + 2, words), dtype=np.uint64)
    T = np.zeros((max_degree + 2, words), dtype=np.uint64)
    R = np.zeros(max_degree + 2, dtype=np.int64)
    found = 0
    for v in range(c, n, chunks):
        found += _cliques_at(v, indptr, indices, rank, local, adj, P, X, T, R, counts)
    return found


def clique_size_counts(csr: Csr, chunks: int = CHUNKS) -> tuple[np.ndarray, int]:
    """``counts[v, s]``: maximal cliques of size s containing v; and the number of maximal cliques.

    Each maximal clique is enumerated once, from its earliest vertex in a degeneracy order
    (Eppstein-Loeffler-Strash); the search works on bitsets of that vertex's neighbourhood.
    Isolated vertices form a maximal clique of size 1.
    """
    renumbered, old_of_new = csr.hubs_first()
    order, core = _degeneracy_order(renumbered.indptr, renumbered.indices)
    rank = np.empty(csr.n, dtype=np.int64)
    rank[order] = np.arange(csr.n)
    max_degree = int(np.diff(csr.indptr).max()) if csr.n else 0
    width = int(core.max()) + 2 if csr.n else 2  # a clique has at most degeneracy + 1 vertices
    counts = np.zeros((chunks, csr.n, width), dtype=np.int64)
    found = np.zeros(chunks, dtype=np.int64)

    def worker(c: int) -> None:
        found[c] = _clique_chunk(c, chunks, renumbered.indptr, renumbered.indices, rank, max_degree, counts[c])

    _in_threads(worker, chunks)
    return counts.sum(axis=0)[np.argsort(old_of_new)], int(found.sum())


# -- neighbourhood components (MNC, DMNC, and the edges among neighbours) --------------------------------
@numba.njit(cache=True)
def _find(parent, i):
    while parent[i] != i:
        parent[i] = parent[parent[i]]
        i = parent[i]
    return i


@numba.njit(cache=True, nogil=True)
def _neighbourhood_components(indptr, indices):
    n = len(indptr) - 1
    mnc = np.zeros(n, dtype=np.int64)
    mnc_edges = np.zeros(n, dtype=np.int64)
    neighbour_edges = np.zeros(n, dtype=np.int64)
    max_degree = 0
    for v in range(n):
        max_degree = max(max_degree, indptr[v + 1] - indptr[v])
    local = np.full(n, -1, dtype=np.int64)
    parent = np.empty(max_degree, dtype=np.int64)
    size = np.zeros(max_degree, dtype=np.int64)
    edges = np.zeros(max_degree, dtype=np.int64)
    for v in range(n):
        lo, hi = indptr[v], indptr[v + 1]
        d = hi - lo
        if d == 0:
            continue
        for i in range(d):
            local[indices[lo + i]] = i
            parent[i] = i
            size[i] = 0
            edges[i] = 0
        total = 0
        for i in range(d):
            u = indices[lo + i]
            for k in range(indptr[u], indptr[u + 1]):
                j = local[indices[k]]
                if j > i:
                    total += 1
                    a = _find(parent, i)
                    b = _find(parent, j)
                    if a != b:
                        parent[b] = a
        for i in range(d):
            size[_find(parent, i)] += 1
        for i in range(d):
            u = indices[lo + i]
            for k in range(indptr[u], indptr[u + 1]):
                j = local[indices[k]]
                if j > i:
                    edges[_find(parent, i)] += 1
        best_size = 0
        best_edges = 0
        for i in range(d):
            if size[i] > best_size or (size[i] == best_size and edges[i] > best_edges):
                best_size = size[i]
                best_edges = edges[i]
        mnc[v] = best_size
        mnc_edges[v] = best_edges
        neighbour_edges[v] = total
        for i in range(d):
            local[indices[lo + i]] = -1
    return mnc, mnc_edges, neighbour_edges


def neighbourhood_components(csr: Csr) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per vertex v, for the subgraph induced by N(v): the vertex count of its largest component
    (ties: the one with most edges), that component's edge count, and the total edge count."""
    return _neighbourhood_components(csr.indptr, csr.indices)


# -- edge percolation ----------------------------------------------------------------------------------------
@numba.njit(cache=True, nogil=True)
def _percolation_chunk(c, chunks, n, heads, tails, draws, threshold, total):
    """Rows c, c + chunks, ... of ``draws``: add the size of v's component to ``total[v]`` when
    edge e is kept iff draws[k, e] >= threshold."""
    samples = draws.shape[0]
    parent = np.empty(n, dtype=np.int64)
    size = np.empty(n, dtype=np.int64)
    for k in range(c, samples, chunks):
        for v in range(n):
            parent[v] = v
            size[v] = 0
        for e in range(len(heads)):
            if draws[k, e] >= threshold:
                a = _find(parent, heads[e])
                b = _find(parent, tails[e])
                if a != b:
                    parent[b] = a
        for v in range(n):
            size[_find(parent, v)] += 1
        for v in range(n):
            total[v] += size[_find(parent, v)]


def _percolation_rows(chunks, n, heads, tails, draws, threshold, total, c):  # noqa: ANN001, ANN202
    _percolation_chunk(c, chunks, n, heads, tails, draws, threshold, total[c])


def percolated_component_sizes(
    n: int, edges: np.ndarray, samples: int, threshold: float, seed: int, batch: int = 64, chunks: int = CHUNKS
) -> np.ndarray:
    """Sum over ``samples`` reduced networks of the size of each vertex's component (v included).

    The k-th reduced network keeps edge e (row e of ``edges``) when the e-th of the k-th block of
    m uniform numbers drawn from ``numpy.random.Generator(PCG64(seed))`` is >= ``threshold``.
    """
    edges = np.asarray(edges, dtype=np.int64).reshape(-1, 2)
    heads, tails = np.ascontiguousarray(edges[:, 0]), np.ascontiguousarray(edges[:, 1])
    rng = np.random.Generator(np.random.PCG64(seed))
    total = np.zeros((chunks, n), dtype=np.int64)
    for start in range(0, samples, batch):
        draws = rng.random((min(batch, samples - start), len(edges)))
        _in_threads(partial(_percolation_rows, chunks, n, heads, tails, draws, threshold, total), chunks)
    return total.sum(axis=0)


def compile_all() -> None:
    """Compile (and cache in ``__pycache__``) every kernel on a four-vertex graph, so that the first
    real call, or the first test, does not pay numba's compile time (``make install`` runs this)."""
    edges = np.array([[0, 1], [1, 2], [2, 0], [2, 3]])
    adjacency = Csr.from_edges(4, edges)
    shortest_path_stats(adjacency)
    clique_size_counts(adjacency)
    neighbourhood_components(adjacency)
    percolated_component_sizes(4, edges, samples=2, threshold=0.5, seed=0)

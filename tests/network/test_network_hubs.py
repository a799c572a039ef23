"""cytoHubba's eleven methods: hand-worked small graphs, then every method against an independent
networkx or brute-force computation on random graphs (sparse, dense, with isolated vertices)."""

from __future__ import annotations

import functools
import itertools
import math

import igraph as ig
import networkx as nx
import numpy as np
import pandas as pd
import pytest

from mg_platform.analysis.network import hubs, kernels
from mg_platform.analysis.network.centrality import csr
from mg_platform.analysis.network.hubs import DMNC_EPSILON, EpcSettings, consensus, rank_desc
from mg_platform.analysis.network.results import node_metrics


def named(edges: list[tuple[str, str]], extra: tuple[str, ...] = ()) -> ig.Graph:
    names = sorted({v for e in edges for v in e} | set(extra))
    graph = ig.Graph(n=len(names), edges=[(names.index(a), names.index(b)) for a, b in edges])
    graph.vs["name"] = names
    return graph


def scores(graph: ig.Graph, column: str, epc: EpcSettings = hubs.DEFAULT_EPC) -> dict[str, object]:
    table = node_metrics(graph, epc).table
    values = table["mcc_exact"].map(int) if column == "mcc" else table[column]
    return dict(zip(table["protein"], values, strict=True))


# -- hand-worked examples ------------------------------------------------------------------------------
def test_triangle_with_pendant() -> None:
    # cliques {a,b,c} (2! = 2) and {c,d} (1! = 1); d has one neighbour -> degree 1
    graph = named([("a", "b"), ("b", "c"), ("a", "c"), ("c", "d")])
    assert scores(graph, "mcc") == {"a": 2, "b": 2, "c": 3, "d": 1}
    # BFS trees: from a, b and d the 4 nodes hang so that c has 1 (from a, b) or 2 (from d) descendants
    # > 4/4 = 1 only from d; c is the root from c. Nothing else has a descendant except via c.
    assert scores(graph, "bottleneck") == {"a": 0, "b": 0, "c": 1, "d": 0}
    # stress: only c lies inside shortest paths: a-d and b-d
    assert scores(graph, "stress") == {"a": 0, "b": 0, "c": 2, "d": 0}
    # eccentricity 1/2 except c (1/1); radiality: diameter 2, c: 3 - 1 = 2, a: 3 - 4/3, d: 3 - 5/3
    assert scores(graph, "eccentricity") == {"a": 0.5, "b": 0.5, "c": 1.0, "d": 0.5}
    radiality = scores(graph, "radiality")
    assert radiality["c"] == pytest.approx(2) and radiality["a"] == pytest.approx(5 / 3)
    assert radiality["d"] == pytest.approx(4 / 3)
    assert scores(graph, "cytohubba_closeness")["d"] == pytest.approx(1 + 0.5 + 0.5)


def test_two_cliques_sharing_a_node() -> None:
    # K4 {a,b,c,x} (3! = 6) and K3 {x,d,e} (2! = 2) share x
    k4 = [("a", "b"), ("a", "c"), ("b", "c"), ("a", "x"), ("b", "x"), ("c", "x")]
    graph = named(k4 + [("x", "d"), ("x", "e"), ("d", "e")])
    assert scores(graph, "mcc") == {"a": 6, "b": 6, "c": 6, "x": 8, "d": 2, "e": 2}
    # N(a) = {b,c,x}: a triangle -> MNC 3, DMNC 3 / 3^1.7; N(x) = {a,b,c} + {d,e}: largest is the triangle
    assert scores(graph, "mnc") == {"a": 3, "b": 3, "c": 3, "x": 3, "d": 2, "e": 2}
    dmnc = scores(graph, "dmnc")
    assert math.isclose(dmnc["x"], 3 / 3**DMNC_EPSILON) and math.isclose(dmnc["d"], 1 / 2**1.7)
    # x is the only cut vertex: the 3 x 2 pairs across it, each with one shortest path
    assert scores(graph, "stress")["x"] == 6 and scores(graph, "cytohubba_betweenness")["x"] == 6


def test_star_and_isolated_node() -> None:
    # no two neighbours of the centre are adjacent -> MCC = degree; an isolated node scores 0
    graph = named([("hub", f"leaf{i}") for i in range(4)], extra=("alone",))
    mcc = scores(graph, "mcc")
    assert mcc["hub"] == 4 and all(mcc[f"leaf{i}"] == 1 for i in range(4)) and mcc["alone"] == 0
    assert scores(graph, "mnc")["hub"] == 1 and scores(graph, "dmnc")["hub"] == 0.0
    for column in ("mnc", "eccentricity", "radiality", "cytohubba_closeness", "stress", "bottleneck"):
        assert scores(graph, column)["alone"] == 0
    # every leaf's BFS tree has the hub with 3 descendants > 5/4: BottleNeck(hub) = 4 leaf roots
    assert scores(graph, "bottleneck")["hub"] == 4 and scores(graph, "stress")["hub"] == 6
    # EPC with every edge kept (threshold 0): the star's 5 nodes; the isolated node only itself
    epc = scores(graph, "epc", EpcSettings(samples=3, threshold=0.0, seed=1))
    assert epc["hub"] == 5 and epc["alone"] == 1
    epc = scores(graph, "epc", EpcSettings(samples=3, threshold=1.0, seed=1))  # no edge survives
    assert set(epc.values()) == {1.0}


def test_exact_beyond_float() -> None:
    # K25 plus a pendant on one member: 24! is exact only as an integer
    graph = ig.Graph.Full(25)
    graph.add_vertices(1)
    graph.add_edges([(0, 25)])
    graph.vs["name"] = [f"v{i:02d}" for i in range(26)]
    mcc = scores(graph, "mcc")
    assert mcc["v00"] == math.factorial(24) + 1 and mcc["v01"] == math.factorial(24)


def diamond_chain(k: int) -> ig.Graph:
    """k diamonds in series: 2**k shortest paths between the two ends."""
    graph = ig.Graph(n=1 + 3 * k)
    for i in range(k):
        s, a, b, t = 3 * i, 3 * i + 1, 3 * i + 2, 3 * i + 3
        graph.add_edges([(s, a), (s, b), (a, t), (b, t)])
    graph.vs["name"] = [f"n{i:03d}" for i in range(graph.vcount())]
    return graph


def test_stress_is_exact_for_huge_path_counts_and_overflow_is_refused() -> None:
    graph = diamond_chain(40)  # 2**40 shortest paths end to end
    paths = kernels.shortest_path_stats(csr(graph))
    middle = 3 * 20  # the joint between diamonds 19 and 20: every left-right path passes through it
    # by hand: sigma(joint j, middle) = 2**(20 - j); a side vertex of diamond i has 2**(19 - i)
    to_middle = sum(2 ** (20 - j) for j in range(20)) + 2 * sum(2 ** (19 - i) for i in range(20))
    assert to_middle == 2**22 - 4
    # symmetric right side; plus the two side pairs of the diamonds touching the middle (one of their
    # two shortest paths runs through it): ~1.8e13, exact
    assert int(paths.stress[middle]) == to_middle * to_middle + 2
    with pytest.raises(OverflowError):
        kernels.shortest_path_stats(csr(diamond_chain(64)))


def test_rank_ties_broken_by_name() -> None:
    assert rank_desc([5, 7, 5, 1], ["b", "z", "a", "c"]).tolist() == [3, 1, 2, 4]
    # equal values reached by different summation orders tie (and fall back to the name)
    assert rank_desc([0.1 + 0.2, 0.3], ["b", "a"]).tolist() == [2, 1]


def test_consensus_counts_methods_with_the_protein_in_their_top_n() -> None:
    rng = np.random.default_rng(5)
    proteins = [f"p{i:02d}" for i in range(15)]
    ranks = pd.DataFrame({"protein": proteins})
    for column in hubs.RANK_COLUMNS:
        ranks[column] = rng.permutation(15) + 1
    table = consensus(ranks, top_n=3)
    for row in table.itertuples():
        expected = sum(int(ranks.loc[ranks["protein"] == row.protein, c].iloc[0]) <= 3 for c in hubs.RANK_COLUMNS)
        assert row.methods_in_top10 == expected > 0
    assert set(table["protein"]) == {p for p in proteins if (ranks.set_index("protein").loc[p] <= 3).any()}
    order = list(zip(-table["methods_in_top10"], table["mean_rank"], table["protein"], strict=True))
    assert order == sorted(order) and table["consensus_rank"].tolist() == list(range(1, len(table) + 1))


# -- against networkx / brute force on random graphs -----------------------------------------------------------
def random_graphs() -> list[nx.Graph]:
    graphs = []
    for seed, (n, p) in enumerate([(30, 0.12), (35, 0.2), (25, 0.5), (40, 0.06), (130, 0.55)]):
        graph = nx.gnp_random_graph(n, p, seed=seed)
        graph.add_nodes_from([n, n + 1])  # isolated vertices
        graph.add_edge(n + 2, n + 3)  # a two-node component
        graphs.append(graph)
    return graphs


GRAPHS = random_graphs()


def as_igraph(graph: nx.Graph) -> ig.Graph:
    result = ig.Graph(n=graph.number_of_nodes(), edges=list(graph.edges))
    result.vs["name"] = [f"v{i:03d}" for i in range(graph.number_of_nodes())]
    return result


@functools.cache
def metrics_of(index: int) -> pd.DataFrame:
    return node_metrics(as_igraph(GRAPHS[index]), EpcSettings(samples=40, threshold=0.5, seed=index)).table


@pytest.fixture(params=range(len(GRAPHS)), ids=lambda i: f"graph{i}")
def case(request: pytest.FixtureRequest) -> tuple[nx.Graph, pd.DataFrame]:
    return GRAPHS[request.param], metrics_of(request.param)


def test_mcc_mnc_dmnc_against_networkx(case: tuple[nx.Graph, pd.DataFrame]) -> None:
    graph, table = case
    mcc = dict.fromkeys(graph.nodes, 0)
    for clique in nx.find_cliques(graph):
        for v in clique:
            mcc[v] += math.factorial(len(clique) - 1)
    for v in graph.nodes:
        neighbourhood = graph.subgraph(list(graph.neighbors(v)))
        if neighbourhood.number_of_edges() == 0:
            mcc[v] = graph.degree(v)
        parts = sorted(nx.connected_components(neighbourhood), key=lambda c: (len(c), neighbourhood.subgraph(c).size()))
        best = parts[-1] if parts else set()
        assert table.loc[v, "mnc"] == len(best)
        expected = neighbourhood.subgraph(best).size() / len(best) ** 1.7 if best else 0.0
        assert table.loc[v, "dmnc"] == pytest.approx(expected, rel=1e-12)
    assert table["mcc_exact"].map(int).tolist() == [mcc[v] for v in range(len(table))]


def test_shortest_path_methods_against_networkx(case: tuple[nx.Graph, pd.DataFrame]) -> None:
    graph, table = case
    betweenness = nx.betweenness_centrality(graph, normalized=False)
    assert np.allclose(table["cytohubba_betweenness"], [betweenness[v] for v in graph.nodes], rtol=1e-12)
    distances = dict(nx.all_pairs_shortest_path_length(graph))
    for v in graph.nodes:
        others = [d for w, d in distances[v].items() if w != v]
        diameter = max(max(distances[w].values()) for w in distances[v])
        assert table.loc[v, "eccentricity"] == pytest.approx(1 / max(others) if others else 0.0)
        assert table.loc[v, "cytohubba_closeness"] == pytest.approx(sum(1 / d for d in others))
        expected = sum(diameter + 1 - d for d in others) / len(others) if others else 0.0
        assert table.loc[v, "radiality"] == pytest.approx(expected)


@pytest.mark.parametrize("index", [i for i, g in enumerate(GRAPHS) if g.number_of_nodes() < 60])
def test_stress_and_bottleneck_by_brute_force(index: int) -> None:
    """All-paths enumeration, on the sparse graphs only (the dense one is there for cliques and bitsets)."""
    graph, table = GRAPHS[index], metrics_of(index)
    stress = dict.fromkeys(graph.nodes, 0)
    for s, t in itertools.combinations(graph.nodes, 2):
        if nx.has_path(graph, s, t):
            for path in nx.all_shortest_paths(graph, s, t):
                for v in path[1:-1]:
                    stress[v] += 1
    assert table["stress"].tolist() == [stress[v] for v in graph.nodes]
    bottleneck = dict.fromkeys(graph.nodes, 0)
    for s in graph.nodes:
        tree = nx.bfs_tree(graph, s, sort_neighbors=sorted)  # each node under its first discoverer
        for v in tree.nodes:
            if v != s and 4 * len(nx.descendants(tree, v)) > tree.number_of_nodes():
                bottleneck[v] += 1
    assert table["bottleneck"].tolist() == [bottleneck[v] for v in graph.nodes]


def test_epc_against_networkx_with_the_same_draws(case: tuple[nx.Graph, pd.DataFrame]) -> None:
    graph, table = case
    seed = GRAPHS.index(graph)
    edges = sorted((min(e), max(e)) for e in graph.edges)  # the documented draw order
    rng = np.random.Generator(np.random.PCG64(seed))
    total = dict.fromkeys(graph.nodes, 0)
    for _ in range(40):
        keep = rng.random(len(edges)) >= 0.5
        reduced = nx.Graph()
        reduced.add_nodes_from(graph.nodes)
        reduced.add_edges_from(e for e, k in zip(edges, keep, strict=True) if k)
        for component in nx.connected_components(reduced):
            for v in component:
                total[v] += len(component)
    assert table["epc"].tolist() == [total[v] / 40 for v in graph.nodes]


def test_clique_counts_and_chunking_do_not_change_values() -> None:
    graph = GRAPHS[-1]  # degrees above 64: several bitset words per row
    adjacency = kernels.Csr.from_edges(graph.number_of_nodes(), np.array(list(graph.edges)))
    counts, found = kernels.clique_size_counts(adjacency)
    single, found_single = kernels.clique_size_counts(adjacency, chunks=1)
    assert found == found_single == sum(1 for _ in nx.find_cliques(graph)) and np.array_equal(counts, single)
    many = kernels.shortest_path_stats(adjacency)
    one = kernels.shortest_path_stats(adjacency, chunks=1)
    for field in ("stress", "bottleneck", "reached", "distance_sum", "eccentricity"):
        assert np.array_equal(getattr(many, field), getattr(one, field))
    assert np.allclose(many.pair_dependency, one.pair_dependency, rtol=1e-12)

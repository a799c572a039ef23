"""cytoHubba MCC/MNC/DMNC on small graphs worked out by hand, and the streaming clique counter."""

from __future__ import annotations

import math

import igraph as ig
import networkx as nx
import numpy as np
import pandas as pd

from mg_platform.analysis.network.cliques import CliqueCounter, clique_size_counts
from mg_platform.analysis.network.hubs import mcc, mnc_dmnc, rank_desc
from mg_platform.analysis.network.results import node_metrics


def named(edges: list[tuple[str, str]], extra: tuple[str, ...] = ()) -> ig.Graph:
    names = sorted({v for e in edges for v in e} | set(extra))
    graph = ig.Graph(n=len(names), edges=[(names.index(a), names.index(b)) for a, b in edges])
    graph.vs["name"] = names
    return graph


def by_name(graph: ig.Graph, values) -> dict[str, int]:  # noqa: ANN001
    return dict(zip(graph.vs["name"], values, strict=True))


def test_triangle_with_pendant() -> None:
    # cliques {a,b,c} (2! = 2) and {c,d} (1! = 1); d has one neighbour -> degree 1
    graph = named([("a", "b"), ("b", "c"), ("a", "c"), ("c", "d")])
    assert by_name(graph, mcc(graph)) == {"a": 2, "b": 2, "c": 3, "d": 1}


def test_two_cliques_sharing_a_node() -> None:
    # K4 {a,b,c,x} (3! = 6) and K3 {x,d,e} (2! = 2) share x
    k4 = [("a", "b"), ("a", "c"), ("b", "c"), ("a", "x"), ("b", "x"), ("c", "x")]
    graph = named(k4 + [("x", "d"), ("x", "e"), ("d", "e")])
    assert by_name(graph, mcc(graph)) == {"a": 6, "b": 6, "c": 6, "x": 8, "d": 2, "e": 2}
    mnc, dmnc = mnc_dmnc(graph)
    # N(a) = {b,c,x}: a triangle -> MNC 3, DMNC 3 / 3^1.7; N(x) = {a,b,c} + {d,e}: largest is the triangle
    assert by_name(graph, mnc) == {"a": 3, "b": 3, "c": 3, "x": 3, "d": 2, "e": 2}
    assert math.isclose(by_name(graph, dmnc)["x"], 3 / 3**1.7)
    assert math.isclose(by_name(graph, dmnc)["d"], 1 / 2**1.7)


def test_star_and_isolated_node() -> None:
    # no two neighbours of the centre are adjacent -> MCC = degree; an isolated node scores 0
    graph = named([("hub", f"leaf{i}") for i in range(4)], extra=("alone",))
    scores = by_name(graph, mcc(graph))
    assert scores["hub"] == 4
    assert all(scores[f"leaf{i}"] == 1 for i in range(4))
    assert scores["alone"] == 0
    mnc, dmnc = mnc_dmnc(graph)
    assert by_name(graph, mnc)["hub"] == 1 and by_name(graph, dmnc)["hub"] == 0.0
    assert by_name(graph, mnc)["alone"] == 0


def test_exact_beyond_float() -> None:
    # K25 plus a pendant on one member: 24! is exact only as an integer
    graph = ig.Graph.Full(25)
    graph.add_vertices(1)
    graph.add_edges([(0, 25)])
    graph.vs["name"] = [f"v{i:02d}" for i in range(26)]
    scores = mcc(graph)
    assert scores[0] == math.factorial(24) + 1
    assert scores[1] == math.factorial(24)


def nx_mcc(graph: nx.Graph) -> dict[int, int]:
    """Independent MCC from networkx's maximal cliques."""
    scores = dict.fromkeys(graph.nodes, 0)
    for clique in nx.find_cliques(graph):
        for v in clique:
            scores[v] += math.factorial(len(clique) - 1)
    for v in graph.nodes:
        neighbours = list(graph.neighbors(v))
        if graph.subgraph(neighbours).number_of_edges() == 0:
            scores[v] = len(neighbours)
    return scores


def test_streamed_counts_match_in_memory_and_networkx() -> None:
    nx_graph = nx.gnp_random_graph(60, 0.2, seed=7)
    nx_graph.add_node(60)  # isolated
    graph = ig.Graph(n=61, edges=list(nx_graph.edges))
    graph.vs["name"] = [f"p{i:02d}" for i in range(61)]
    in_memory = clique_size_counts(graph)
    streamed = clique_size_counts(graph, in_memory_limit=1)  # forces the child-process stream
    width = max(in_memory.shape[1], streamed.shape[1])
    pad = lambda m: np.pad(m, ((0, 0), (0, width - m.shape[1])))  # noqa: E731
    assert np.array_equal(pad(in_memory), pad(streamed))
    expected = nx_mcc(nx_graph)
    assert mcc(graph, in_memory_limit=1) == [expected[i] for i in range(61)]


def test_counter_handles_arbitrary_chunk_boundaries() -> None:
    text = b"4\n3 2\n0 1 2\n12 3\n"
    counter = CliqueCounter(13)
    for i in range(0, len(text), 3):
        counter.feed(text[i : i + 3])
    counts = counter.finish()
    assert counts[4, 1] == 1 and counts[3, 2] == 2 and counts[2, 2] == 1 and counts[2, 3] == 1
    assert counts[12, 2] == 1 and counts.sum() == 8


def test_rank_ties_broken_by_name() -> None:
    assert rank_desc([5, 7, 5, 1], ["b", "z", "a", "c"]).tolist() == [3, 1, 2, 4]


def test_concurrent_node_metrics_equal_sequential() -> None:
    graph = ig.Graph.Erdos_Renyi(n=80, m=400)
    graph.vs["name"] = [f"q{i:02d}" for i in range(80)]
    sequential = node_metrics(graph)
    concurrent = node_metrics(graph, concurrent_from=1)
    pd.testing.assert_frame_equal(sequential, concurrent)

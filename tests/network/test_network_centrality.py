"""NetworkAnalyzer closeness and betweenness on a path and a star, and against networkx."""

from __future__ import annotations

import igraph as ig
import networkx as nx
import numpy as np
import pytest

from mg_platform.analysis.network import centrality


def test_path_of_four() -> None:
    graph = ig.Graph([(0, 1), (1, 2), (2, 3)])
    paths = centrality.path_stats(graph)
    # closeness a: distances 1,2,3 -> 1/2; b: 1,1,2 -> 3/4. betweenness b: 2 pairs / ((4-1)(4-2)/2 = 3)
    assert centrality.closeness(paths).tolist() == pytest.approx([0.5, 0.75, 0.75, 0.5])
    assert centrality.betweenness(paths).tolist() == pytest.approx([0, 2 / 3, 2 / 3, 0])
    assert centrality.degree(graph).tolist() == [1, 2, 2, 1]


def test_star_with_four_leaves() -> None:
    graph = ig.Graph([(0, i) for i in range(1, 5)])
    paths = centrality.path_stats(graph)
    # centre lies on all C(4,2) = 6 leaf pairs, normalised by 6; a leaf: distances 1,2,2,2 -> 4/7
    assert centrality.betweenness(paths).tolist() == pytest.approx([1, 0, 0, 0, 0])
    assert centrality.closeness(paths).tolist() == pytest.approx([1, 4 / 7, 4 / 7, 4 / 7, 4 / 7])
    assert centrality.average_clustering(graph) == 0.0


def test_normalised_within_the_component() -> None:
    # path a-b-c and a separate edge d-e plus an isolated f: N = 3 for b, so 1 / ((3-1)(3-2)/2) = 1
    graph = ig.Graph(n=6, edges=[(0, 1), (1, 2), (3, 4)])
    paths = centrality.path_stats(graph)
    assert centrality.betweenness(paths).tolist() == pytest.approx([0, 1, 0, 0, 0, 0])
    assert centrality.closeness(paths).tolist() == pytest.approx([2 / 3, 1, 2 / 3, 1, 1, 0])


def test_against_networkx_on_a_random_connected_graph() -> None:
    nx_graph = nx.connected_watts_strogatz_graph(40, 4, 0.3, seed=3)
    graph = ig.Graph(n=40, edges=list(nx_graph.edges))
    expected_b = nx.betweenness_centrality(nx_graph, normalized=True)
    expected_c = nx.closeness_centrality(nx_graph, wf_improved=False)
    paths = centrality.path_stats(graph)
    assert np.allclose(centrality.betweenness(paths), [expected_b[i] for i in range(40)])
    assert np.allclose(centrality.closeness(paths), [expected_c[i] for i in range(40)])
    # and igraph, the implementation this replaced
    assert np.allclose(centrality.closeness(paths), graph.closeness())
    raw = np.asarray(graph.betweenness())
    assert np.allclose(centrality.betweenness(paths), raw / ((40 - 1) * (40 - 2) / 2))
    assert centrality.average_clustering(graph) == pytest.approx(nx.average_clustering(nx_graph))

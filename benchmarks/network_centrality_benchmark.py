"""Scale benchmark of the network stage's graph measures on STRING v12.0's whole human network.

Run by hand (not a test; minutes of CPU):

    python benchmarks/network_centrality_benchmark.py [--reference /work/shared/reference]
        [--subgraph-nodes 2500] [--skip-networkx] [--per-measure] [--json out.json]

Part 1 times the stage's own ``node_metrics`` (NetworkAnalyzer degree, betweenness, closeness,
clustering; cytoHubba MCC with exact integer sums, MNC, DMNC; shortest-path measures in a second
process while this one folds the clique stream) on the whole snapshot network (>= 0.800:
14,115 proteins, 156,186 edges), then each measure alone (``--per-measure``), and reports wall
time and peak resident memory (this process; child processes separately).

Part 2 compares igraph against a networkx implementation of the same definitions on the induced
subgraph of the 2,500 proteins nearest the 13 study proteins (networkx's pure-Python betweenness
on the whole network takes far longer than the time budget), checks that both give identical
values, and reports the ratio.
"""

from __future__ import annotations

import argparse
import json
import math
import resource
import sys
import time
from pathlib import Path

import igraph as ig
import networkx as nx
import numpy as np
import pandas as pd

from mg_platform import settings
from mg_platform.analysis.network import centrality, hubs
from mg_platform.analysis.network.cliques import clique_size_counts
from mg_platform.analysis.network.results import node_metrics
from mg_platform.analysis.network.snapshot import WHOLE_NETWORK, read_whole_network
from mg_platform.assets.network import STUDY_PROTEINS
from mg_platform.resources.reference import ReferenceSnapshot


def peak_mib(who: int = resource.RUSAGE_SELF) -> float:
    """Peak resident set size in MiB (Linux reports KiB)."""
    return resource.getrusage(who).ru_maxrss / 1024


def load_graph(reference: str) -> ig.Graph:
    verified = ReferenceSnapshot(path=reference).verified(*WHOLE_NETWORK)
    edges = read_whole_network(verified.path)
    names = sorted(set(edges["protein_a"]) | set(edges["protein_b"]))
    index = pd.Series(range(len(names)), index=names)
    graph = ig.Graph(n=len(names), edges=np.column_stack([index[edges["protein_a"]], index[edges["protein_b"]]]))
    graph.vs["name"] = names
    return graph


def nearest_to_study(graph: ig.Graph, size: int) -> list[int]:
    """The ``size`` vertices closest to the 13 study proteins (hops, then name): a dense, relevant subgraph."""
    seeds = [graph.vs.find(name=p).index for p in STUDY_PROTEINS]
    hops = np.asarray(graph.distances(source=seeds), dtype=float).min(axis=0)
    order = sorted(range(graph.vcount()), key=lambda v: (hops[v], graph.vs[v]["name"]))
    return sorted(order[:size])


def timed(label: str, timings: dict[str, float], fn, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN201
    start = time.perf_counter()
    value = fn(*args, **kwargs)
    timings[label] = round(time.perf_counter() - start, 3)
    print(f"  {label:<28} {timings[label]:>9.2f} s", flush=True)
    return value


def igraph_measures(graph: ig.Graph, timings: dict[str, float]) -> dict[str, object]:
    """Every measure of the stage, timed one by one."""
    out: dict[str, object] = {}
    out["degree"] = timed("degree", timings, centrality.degree, graph)
    out["betweenness"] = timed("betweenness", timings, centrality.betweenness, graph)
    out["closeness"] = timed("closeness", timings, centrality.closeness, graph)
    out["clustering"] = timed("clustering", timings, centrality.clustering, graph)
    counts = timed("maximal cliques (counts)", timings, clique_size_counts, graph)
    neighbour_edges = hubs.edges_among_neighbours(graph)
    out["mcc"] = timed("mcc exact sums", timings, hubs.mcc_from_counts, counts, graph.degree(), neighbour_edges)
    out["mnc"], out["dmnc"] = timed("mnc + dmnc", timings, hubs.mnc_dmnc, graph)
    out["clique_counts"] = counts
    return out


# -- networkx, same definitions ------------------------------------------------------------------
def networkx_measures(graph: nx.Graph, timings: dict[str, float]) -> dict[str, dict]:
    out: dict[str, dict] = {}

    def betweenness() -> dict:
        values = {}
        for component in nx.connected_components(graph):
            sub = graph.subgraph(component)
            values.update(nx.betweenness_centrality(sub, normalized=True) if len(sub) > 2 else dict.fromkeys(sub, 0.0))
        return values

    def mcc() -> dict:
        scores = dict.fromkeys(graph.nodes, 0)
        for clique in nx.find_cliques(graph):
            weight = math.factorial(len(clique) - 1)
            for v in clique:
                scores[v] += weight
        for v in graph.nodes:
            if graph.subgraph(list(graph.neighbors(v))).number_of_edges() == 0:
                scores[v] = graph.degree(v)
        return scores

    out["degree"] = timed("nx degree", timings, lambda: dict(graph.degree()))
    out["betweenness"] = timed("nx betweenness", timings, betweenness)
    out["closeness"] = timed("nx closeness", timings, nx.closeness_centrality, graph, wf_improved=False)
    out["clustering"] = timed("nx clustering", timings, nx.clustering, graph)
    out["mcc"] = timed("nx mcc", timings, mcc)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reference", default=str(settings.reference_dir() or ""))
    parser.add_argument("--subgraph-nodes", type=int, default=2500)
    parser.add_argument("--skip-networkx", action="store_true")
    parser.add_argument("--per-measure", action="store_true", help="also time each measure alone")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()

    report: dict[str, object] = {"python": sys.version.split()[0], "igraph": ig.__version__, "networkx": nx.__version__}
    graph = load_graph(args.reference)
    print(f"whole network: {graph.vcount()} proteins, {graph.ecount()} edges", flush=True)
    whole: dict[str, float] = {}
    metrics = timed("node_metrics (stage path)", whole, node_metrics, graph)
    report["whole_network"] = {
        "nodes": graph.vcount(),
        "edges": graph.ecount(),
        "seconds": whole,
        "peak_rss_mib_main": round(peak_mib(), 1),
        "peak_rss_mib_largest_child": round(peak_mib(resource.RUSAGE_CHILDREN), 1),
        "max_mcc_digits": len(max(metrics["mcc_exact"], key=len)),
        "top10_mcc": metrics.sort_values("mcc_rank")["protein"].head(10).tolist(),
    }
    if args.per_measure:
        values = igraph_measures(graph, whole)
        counts = values["clique_counts"]
        sizes = np.nonzero(counts.sum(axis=0))[0]
        # a clique of size s is counted once for each of its s members
        report["whole_network"]["maximal_cliques"] = int(sum(counts[:, s].sum() // s for s in sizes if s > 0))
        report["whole_network"]["largest_clique"] = int(sizes.max())
    print(json.dumps(report["whole_network"], indent=1), flush=True)

    if not args.skip_networkx:
        sub = graph.induced_subgraph(nearest_to_study(graph, args.subgraph_nodes))
        nx_graph = nx.Graph()
        nx_graph.add_nodes_from(range(sub.vcount()))
        nx_graph.add_edges_from(sub.get_edgelist())
        print(f"subgraph: {sub.vcount()} proteins, {sub.ecount()} edges (nearest the 13 study proteins)")
        ig_times: dict[str, float] = {}
        start = time.perf_counter()
        ig_values = igraph_measures(sub, ig_times)
        ig_times["total"] = round(time.perf_counter() - start, 3)
        nx_times: dict[str, float] = {}
        start = time.perf_counter()
        nx_values = networkx_measures(nx_graph, nx_times)
        nx_times["total"] = round(time.perf_counter() - start, 3)
        n = sub.vcount()
        agree = {
            key: bool(np.allclose(np.asarray(ig_values[key], dtype=float), [nx_values[key][i] for i in range(n)]))
            for key in ("degree", "betweenness", "closeness", "clustering")
        }
        agree["mcc"] = list(ig_values["mcc"]) == [nx_values["mcc"][i] for i in range(n)]
        report["subgraph"] = {
            "nodes": n,
            "edges": sub.ecount(),
            "igraph_seconds": ig_times,
            "networkx_seconds": nx_times,
            "networkx_over_igraph": round(nx_times["total"] / ig_times["total"], 1),
            "identical_values": agree,
        }
        print(json.dumps(report["subgraph"], indent=1), flush=True)
    if args.json:
        args.json.write_text(json.dumps(report, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()

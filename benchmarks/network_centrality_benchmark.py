"""Whole-interactome hub ranking: STRING v12.0's human network at combined score >= 0.800
(14,115 proteins, 156,186 edges, 14.9 M maximal cliques), side by side in one run:

1. ``compiled``: the stage's own ``node_metrics`` (numba kernels: NetworkAnalyzer degree,
   betweenness, closeness, clustering and all eleven cytoHubba methods, MCC as exact integers,
   EPC with ``--epc-samples`` reduced networks), each kernel timed alone, then the whole call.
2. ``igraph``: the implementation this replaced (igraph's maximal-clique enumeration streamed as
   text from a child process and folded into per-vertex counts; igraph betweenness and closeness;
   a Python loop over igraph neighbourhood subgraphs for MNC/DMNC). It covers only the seven
   measures it had; its values are compared with the compiled ones (MCC must be identical).
3. ``networkx``: networkx (plus plain Python where networkx has no such measure: stress,
   BottleNeck, radiality) for all eleven methods on the induced subgraph of the
   ``--subgraph-nodes`` proteins nearest the 13 study proteins, against the compiled kernels on
   the same subgraph; every value is compared.

Each part runs in its own child process, so that its peak resident memory (the child's own
and its children's, e.g. igraph's enumeration process) is measured alone. Run by hand:

    MG_REFERENCE_DIR=/work/shared/reference .venv/bin/python benchmarks/network_centrality_benchmark.py \
        [--parts compiled,igraph,networkx] [--epc-samples 1000] [--subgraph-nodes 1500] [--json out.json]

The numba kernels are compiled on first use and cached (``__pycache__``); the first run of a
fresh checkout also reports the compile time separately (``compile_s``).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import igraph as ig
import networkx as nx
import numpy as np
import pandas as pd

from mg_platform import settings
from mg_platform.analysis.network import centrality, hubs, kernels
from mg_platform.analysis.network.hubs import EpcSettings
from mg_platform.analysis.network.results import node_metrics
from mg_platform.analysis.network.snapshot import STUDY_PROTEINS, WHOLE_NETWORK, read_whole_network
from mg_platform.resources.reference import ReferenceSnapshot


def peak_mib() -> dict[str, float]:
    """Peak resident set size in MiB of this process and of its largest child (Linux reports KiB)."""
    return {
        "self": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "children": round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, 1),
    }


def load_graph(reference: str) -> ig.Graph:
    verified = ReferenceSnapshot(path=reference).verified(*WHOLE_NETWORK)
    edges = read_whole_network(verified.path)
    names = sorted(set(edges["protein_a"]) | set(edges["protein_b"]))
    index = pd.Series(range(len(names)), index=names)
    graph = ig.Graph(n=len(names), edges=np.column_stack([index[edges["protein_a"]], index[edges["protein_b"]]]))
    graph.vs["name"] = names
    return graph


def nearest_to_study(graph: ig.Graph, size: int) -> ig.Graph:
    """Induced subgraph of the ``size`` vertices closest to the 13 study proteins (hops, then name)."""
    seeds = [graph.vs.find(name=p).index for p in STUDY_PROTEINS]
    hops = np.asarray(graph.distances(source=seeds), dtype=float).min(axis=0)
    order = sorted(range(graph.vcount()), key=lambda v: (hops[v], graph.vs[v]["name"]))
    return graph.induced_subgraph(sorted(order[:size]))


def timed(label: str, timings: dict[str, float], fn, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN201
    start = time.perf_counter()
    cpu = time.process_time()
    value = fn(*args, **kwargs)
    timings[label] = round(time.perf_counter() - start, 2)
    timings[f"{label} (cpu)"] = round(time.process_time() - cpu, 2)
    print(f"  {label:<34} {timings[label]:>8.2f} s wall {timings[f'{label} (cpu)']:>8.2f} s cpu", flush=True)
    return value


# -- part 1: the compiled kernels ------------------------------------------------------------------------------
def run_compiled(graph: ig.Graph, epc_samples: int, out: Path) -> dict[str, object]:
    timings: dict[str, float] = {}
    timed("compile_s (numba, if not cached)", timings, kernels.compile_all)
    adjacency = centrality.csr(graph)
    timed("shortest-path pass", timings, kernels.shortest_path_stats, adjacency)
    timed("maximal-clique counts", timings, kernels.clique_size_counts, adjacency)
    timed("neighbourhood components", timings, kernels.neighbourhood_components, adjacency)
    timed(f"EPC ({epc_samples} networks)", timings, hubs.epc, adjacency, EpcSettings(samples=epc_samples))
    metrics = timed("node_metrics (stage path, all)", timings, node_metrics, graph, EpcSettings(samples=epc_samples))
    table = metrics.table
    table[["protein", "degree", "betweenness", "closeness", "mcc_exact", "mnc", "dmnc"]].to_parquet(out)
    top10 = {key: table.sort_values(f"{key}_rank")["protein"].head(10).tolist() for key, _, _ in hubs.METHODS}
    return {
        "seconds": timings,
        "peak_rss_mib": peak_mib(),
        "maximal_cliques": metrics.maximal_cliques,
        "largest_clique": metrics.largest_clique,
        "max_mcc_digits": int(table["mcc_exact"].str.len().max()),
        "max_stress": int(table["stress"].max()),
        "top10": top10,
    }


# -- part 2: the igraph implementation this replaced ----------------------------------------------------------
_CHILD = """
import sys, numpy as np, igraph as ig
edges = np.load(sys.argv[2])
ig.Graph(n=int(sys.argv[1]), edges=edges).maximal_cliques(file="/dev/stdout")
"""


def igraph_clique_counts(graph: ig.Graph) -> np.ndarray:
    """counts[v, s] from igraph's text stream of maximal cliques (one per line), folded in chunks."""
    n = graph.vcount()
    counts = np.zeros((n, 2), dtype=np.int64)
    rest = b""

    def fold(text: bytes) -> None:
        nonlocal counts
        values = np.fromstring(text, dtype=np.int64, sep=" ")
        if not len(values):
            return
        buf = np.frombuffer(text, dtype=np.uint8)
        ends = np.flatnonzero(buf == 10)
        per_line = np.diff(np.concatenate(([0], np.searchsorted(np.flatnonzero(buf == 32), ends)))) + 1
        sizes = np.repeat(per_line, per_line)
        width = max(int(sizes.max()) + 1, counts.shape[1])
        if width > counts.shape[1]:
            counts = np.pad(counts, ((0, 0), (0, width - counts.shape[1])))
        counts += np.bincount(values * width + sizes, minlength=n * width).reshape(n, width)

    with tempfile.TemporaryDirectory() as tmp:
        edge_file = Path(tmp) / "edges.npy"
        np.save(edge_file, np.asarray(graph.get_edgelist(), dtype=np.int64))
        child = subprocess.Popen([sys.executable, "-c", _CHILD, str(n), str(edge_file)], stdout=subprocess.PIPE)
        assert child.stdout is not None
        while block := child.stdout.read(1 << 24):
            block = rest + block
            cut = block.rfind(b"\n") + 1
            rest = block[cut:]
            fold(block[:cut])
        child.wait()
    if rest.strip():
        fold(rest + b"\n")
    return counts


def igraph_mnc_dmnc(graph: ig.Graph) -> tuple[np.ndarray, np.ndarray]:
    mnc = np.zeros(graph.vcount(), dtype=np.int64)
    dmnc = np.zeros(graph.vcount())
    for v in range(graph.vcount()):
        neighbours = graph.neighbors(v)
        if not neighbours:
            continue
        sub = graph.induced_subgraph(neighbours)
        membership = np.asarray(sub.connected_components().membership)
        sizes = np.bincount(membership)
        ends = np.asarray(sub.get_edgelist(), dtype=np.int64).reshape(-1, 2)
        edge_counts = np.bincount(membership[ends[:, 0]], minlength=len(sizes))
        mnc[v] = int(sizes.max())
        dmnc[v] = int(edge_counts[sizes == sizes.max()].max()) / mnc[v] ** hubs.DMNC_EPSILON
    return mnc, dmnc


def run_igraph(graph: ig.Graph, compiled: Path) -> dict[str, object]:
    timings: dict[str, float] = {}
    start = time.perf_counter()
    betweenness = timed("igraph betweenness", timings, graph.betweenness)
    closeness = timed("igraph closeness", timings, graph.closeness)
    counts = timed("igraph maximal cliques (streamed)", timings, igraph_clique_counts, graph)
    degrees = np.asarray(graph.degree())
    local = np.nan_to_num(np.asarray(graph.transitivity_local_undirected(mode="zero")))
    neighbour_edges = np.rint(local * degrees * (degrees - 1) / 2).astype(np.int64)
    mcc = timed("exact MCC sums", timings, hubs.mcc_from_counts, counts, degrees, neighbour_edges)
    mnc, dmnc = timed("MNC + DMNC (Python loop)", timings, igraph_mnc_dmnc, graph)
    timings["total"] = round(time.perf_counter() - start, 2)
    reference = pd.read_parquet(compiled)
    size = np.asarray([len(c) for c in graph.connected_components()])[graph.connected_components().membership]
    pairs = (size - 1) * (size - 2) / 2
    normalised = np.divide(betweenness, pairs, out=np.zeros(len(pairs)), where=pairs > 0)
    return {
        "seconds": timings,
        "peak_rss_mib": peak_mib(),
        "identical_to_compiled": {
            "mcc (exact)": [str(m) for m in mcc] == reference["mcc_exact"].tolist(),
            "mnc": np.array_equal(mnc, reference["mnc"]),
            "dmnc": bool(np.allclose(dmnc, reference["dmnc"], rtol=1e-12)),
            "betweenness": bool(np.allclose(normalised, reference["betweenness"], rtol=1e-9)),
            "closeness": bool(np.allclose(np.nan_to_num(closeness), reference["closeness"], rtol=1e-12)),
        },
    }


# -- part 3: networkx on a subgraph --------------------------------------------------------------------------------
def nx_stress_and_bottleneck(graph: nx.Graph) -> tuple[dict, dict]:
    """Stress by counting shortest paths through each node per source (Python over networkx BFS);
    BottleNeck from networkx's BFS tree (first discoverer, neighbours in ascending order)."""
    stress = dict.fromkeys(graph, 0)
    bottleneck = dict.fromkeys(graph, 0)
    for s in graph:
        order, preds, sigma, _ = nx.algorithms.centrality.betweenness._single_source_shortest_path_basic(graph, s)
        through = dict.fromkeys(order, 0)
        for w in reversed(order):
            for v in preds[w]:
                through[v] += 1 + through[w]
            if w != s:
                stress[w] += sigma[w] * through[w]
        tree = nx.bfs_tree(graph, s, sort_neighbors=sorted)
        below = dict.fromkeys(tree, 0)
        for w in reversed(list(nx.topological_sort(tree))):
            for child in tree.successors(w):
                below[w] += 1 + below[child]
        for w in tree:
            if w != s and 4 * below[w] > tree.number_of_nodes():
                bottleneck[w] += 1
    return {v: int(x) // 2 for v, x in stress.items()}, bottleneck


def networkx_methods(graph: nx.Graph, epc: EpcSettings) -> dict[str, dict]:
    out: dict[str, dict] = {}
    mcc = dict.fromkeys(graph, 0)
    for clique in nx.find_cliques(graph):
        for v in clique:
            mcc[v] += math.factorial(len(clique) - 1)
    mnc, dmnc = {}, {}
    for v in graph:
        sub = graph.subgraph(list(graph.neighbors(v)))
        if sub.number_of_edges() == 0:
            mcc[v] = graph.degree(v)
        parts = sorted(nx.connected_components(sub), key=lambda c: (len(c), sub.subgraph(c).size()))
        mnc[v] = len(parts[-1]) if parts else 0
        dmnc[v] = sub.subgraph(parts[-1]).size() / mnc[v] ** hubs.DMNC_EPSILON if parts else 0.0
    out["mcc"], out["mnc"], out["dmnc"], out["degree"] = mcc, mnc, dmnc, dict(graph.degree())
    out["betweenness"] = nx.betweenness_centrality(graph, normalized=False)
    out["closeness"] = nx.harmonic_centrality(graph)
    eccentricity, radiality = {}, {}
    for component in nx.connected_components(graph):
        sub = graph.subgraph(component)
        lengths = dict(nx.all_pairs_shortest_path_length(sub))
        diameter = max(max(d.values()) for d in lengths.values())
        for v, d in lengths.items():
            others = [x for w, x in d.items() if w != v]
            eccentricity[v] = 1 / max(others) if others else 0.0
            radiality[v] = sum(diameter + 1 - x for x in others) / len(others) if others else 0.0
    out["eccentricity"], out["radiality"] = eccentricity, radiality
    out["stress"], out["bottleneck"] = nx_stress_and_bottleneck(graph)
    edges = sorted((min(e), max(e)) for e in graph.edges)
    rng = np.random.Generator(np.random.PCG64(epc.seed))
    total = dict.fromkeys(graph, 0)
    for _ in range(epc.samples):
        keep = rng.random(len(edges)) >= epc.threshold
        reduced = nx.Graph()
        reduced.add_nodes_from(graph)
        reduced.add_edges_from(e for e, k in zip(edges, keep, strict=True) if k)
        for component in nx.connected_components(reduced):
            for v in component:
                total[v] += len(component)
    out["epc"] = {v: t / epc.samples for v, t in total.items()}
    return out


def run_networkx(graph: ig.Graph, size: int, epc_samples: int) -> dict[str, object]:
    sub = nearest_to_study(graph, size)
    sub.vs["name"] = [f"{i:05d}" for i in range(sub.vcount())]  # vertex order = name order
    nx_graph = nx.Graph()
    nx_graph.add_nodes_from(range(sub.vcount()))
    nx_graph.add_edges_from(sub.get_edgelist())
    epc = EpcSettings(samples=epc_samples)
    timings: dict[str, float] = {}
    timed("compile_s (numba, if not cached)", timings, kernels.compile_all)
    ours = timed("compiled node_metrics", timings, node_metrics, sub, epc).table
    theirs = timed("networkx, eleven methods", timings, networkx_methods, nx_graph, epc)
    agree = {}
    for key, _, column in hubs.METHODS:
        expected = [theirs[key][v] for v in range(sub.vcount())]
        if key == "mcc":
            agree[key] = ours["mcc_exact"].map(int).tolist() == expected
        else:
            agree[key] = bool(np.allclose(ours[column].to_numpy(dtype=float), expected, rtol=1e-9))
    return {
        "nodes": sub.vcount(),
        "edges": sub.ecount(),
        "epc_samples": epc_samples,
        "seconds": timings,
        "networkx_over_compiled": round(timings["networkx, eleven methods"] / timings["compiled node_metrics"], 1),
        "identical_values": agree,
        "peak_rss_mib": peak_mib(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reference", default=str(settings.reference_dir() or ""))
    parser.add_argument("--parts", default="compiled,igraph,networkx")
    parser.add_argument("--epc-samples", type=int, default=1000)
    parser.add_argument("--subgraph-nodes", type=int, default=1500)
    parser.add_argument("--subgraph-epc-samples", type=int, default=100)
    parser.add_argument("--json", type=Path)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--scratch", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.child:
        graph = load_graph(args.reference)
        compiled = args.scratch / "compiled.parquet"
        if args.child == "compiled":
            result = run_compiled(graph, args.epc_samples, compiled)
        elif args.child == "igraph":
            result = run_igraph(graph, compiled)
        else:
            result = run_networkx(graph, args.subgraph_nodes, args.subgraph_epc_samples)
        (args.scratch / f"{args.child}.json").write_text(json.dumps(result), encoding="utf-8")
        return

    report: dict[str, object] = {
        "versions": {
            "python": sys.version.split()[0],
            "igraph": ig.__version__,
            "networkx": nx.__version__,
            "numba": __import__("numba").__version__,
        },
        "cpus": os.cpu_count(),
        "load_average_before": os.getloadavg(),
    }
    with tempfile.TemporaryDirectory(prefix="mg-netbench-") as scratch:
        for part in args.parts.split(","):
            print(f"== {part}", flush=True)
            command = [sys.executable, __file__, "--child", part, "--scratch", scratch, "--reference", args.reference]
            command += ["--epc-samples", str(args.epc_samples), "--subgraph-nodes", str(args.subgraph_nodes)]
            command += ["--subgraph-epc-samples", str(args.subgraph_epc_samples)]
            start = time.perf_counter()
            subprocess.run(command, check=True)
            result = json.loads((Path(scratch) / f"{part}.json").read_text(encoding="utf-8"))
            result["child_wall_s_incl_loading"] = round(time.perf_counter() - start, 2)
            report[part] = result
            print(json.dumps(result, indent=1), flush=True)
    report["load_average_after"] = os.getloadavg()
    print(json.dumps({k: v for k, v in report.items() if k not in args.parts.split(",")}, indent=1))
    if args.json:
        args.json.write_text(json.dumps(report, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()

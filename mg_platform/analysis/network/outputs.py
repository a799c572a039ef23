"""Files for people: GraphML for Cytoscape, a TSV of node metrics, and two figures.

The network figure uses a Kamada-Kawai layout started from a circle (deterministic), node
area by MCC (square-root scale) and hubs in orange; the dot plot shows the top terms per
category by FDR (x: -log10 FDR, dot size: genes observed, colour: gene ratio).
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from mg_platform.analysis.network.results import NetworkResults
from mg_platform.analysis.plotting import pyplot

if TYPE_CHECKING:
    pass

NODE_EXPORT_COLUMNS = [
    "protein",
    "string_id",
    "degree",
    "betweenness",
    "closeness",
    "clustering_coefficient",
    "mcc",
    "mcc_rank",
    "is_hub",
    "mnc",
    "dmnc",
]


def write_graphml(results: NetworkResults, path: Path) -> Path:
    """GraphML with node metrics and edge score attributes (Cytoscape: File > Import > Network)."""
    graph = results.graph.copy()
    metrics = results.centrality.set_index("protein").loc[graph.vs["name"]]
    for column in NODE_EXPORT_COLUMNS[1:]:
        values = metrics[column].tolist()
        if column == "string_id":
            values = [v if isinstance(v, str) else "" for v in values]
        elif column == "is_hub":
            values = [bool(v) for v in values]
        graph.vs[column] = values
    edges = results.edges.set_index(["protein_a", "protein_b"])
    pairs = [tuple(sorted((graph.vs[e.source]["name"], graph.vs[e.target]["name"]))) for e in graph.es]
    graph.es["combined_score"] = [float(s) if pd.notna(s) else math.nan for s in edges.loc[pairs, "combined_score"]]
    graph.es["score_condition"] = edges.loc[pairs, "score_condition"].tolist()
    graph.vs["label"] = graph.vs["name"]
    graph.write_graphml(str(path))
    return path


def write_node_table(results: NetworkResults, path: Path) -> Path:
    """Tab-separated node metrics, one row per protein in MCC rank order."""
    results.centrality[NODE_EXPORT_COLUMNS].to_csv(path, sep="\t", index=False, float_format="%.6g")
    return path


def draw_network(results: NetworkResults, path: Path) -> Path:
    """The query network, node size by MCC, hubs highlighted."""
    graph = results.graph
    layout = np.asarray(graph.layout_kamada_kawai(seed=graph.layout_circle().coords).coords)
    metrics = results.centrality.set_index("protein").loc[graph.vs["name"]]
    mcc = metrics["mcc"].to_numpy(dtype=float)
    size = 300 + 2200 * np.sqrt(mcc / mcc.max()) if mcc.max() > 0 else np.full(len(mcc), 300.0)
    colours = np.where(metrics["is_hub"].to_numpy(dtype=bool), "#f28e2b", "#bab0ac")
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(8, 7))
    for edge in graph.es:
        (x0, y0), (x1, y1) = layout[edge.source], layout[edge.target]
        ax.plot([x0, x1], [y0, y1], color="#888888", lw=1.2, zorder=1)
    ax.scatter(layout[:, 0], layout[:, 1], s=size, c=colours, edgecolors="#333333", zorder=2)
    for (x, y), name, value in zip(layout, graph.vs["name"], metrics["mcc_exact"], strict=True):
        ax.annotate(f"{name}\n{value}", (x, y), ha="center", va="center", fontsize=8, zorder=3)
    summary = results.summary.iloc[0]
    ax.set_title(
        f"{summary['nodes']} proteins, {summary['edges']} edges (score >= {summary['score_threshold_applied']:.3f}); "
        f"node size = MCC, orange = top {len(results.hubs)} hubs",
        fontsize=9,
    )
    ax.set_axis_off()
    fig.tight_layout()
    fig.savefig(path, dpi=150)
    plt.close(fig)
    return path


def draw_enrichment(results: NetworkResults, path: Path, terms_per_category: int = 8) -> Path:
    """Dot plot of the top enriched terms (lowest FDR) per category."""
    frame = results.enrichment
    categories = [c for c in ["GO BP", "GO MF", "GO CC", "KEGG", "Reactome"] if c in set(frame["category"])]
    categories += sorted(set(frame["category"]) - set(categories))
    plt = pyplot()
    if not categories:
        fig, ax = plt.subplots(figsize=(6, 2))
        ax.text(0.5, 0.5, "no enriched term below the FDR cut-off", ha="center", va="center")
        ax.set_axis_off()
        fig.savefig(path, dpi=150)
        plt.close(fig)
        return path
    tops = [frame[frame["category"] == c].head(terms_per_category) for c in categories]
    fig, axes = plt.subplots(
        len(categories), 1, figsize=(9, 1.0 + 0.32 * sum(len(t) for t in tops) + 0.5 * len(tops)), squeeze=False
    )
    for ax, category, top in zip(axes[:, 0], categories, tops, strict=True):
        top = top.iloc[::-1]
        x = -np.log10(top["fdr"].clip(lower=1e-300))
        ratio = top["genes_observed"] / top["genes_in_set"]
        points = ax.scatter(x, range(len(top)), s=30 * top["genes_observed"], c=ratio, cmap="viridis")
        labels = [d if len(d) <= 60 else d[:57] + "..." for d in top["description"].astype(str)]
        ax.set_yticks(range(len(top)), labels, fontsize=7)
        ax.set_title(category, fontsize=9, loc="left")
        ax.margins(y=0.15)
        fig.colorbar(points, ax=ax, pad=0.01).set_label("genes observed / set size", fontsize=7)
    axes[-1, 0].set_xlabel("-log10 FDR")
    fig.tight_layout()
    fig.savefig(path, dpi=150)
    plt.close(fig)
    return path


def write_outputs(results: NetworkResults, out_dir: Path) -> dict[str, Path]:
    """All exports and figures under ``out_dir``; returns name -> path."""
    out_dir.mkdir(parents=True, exist_ok=True)
    return {
        "graphml": write_graphml(results, out_dir / "network.graphml"),
        "node_metrics": write_node_table(results, out_dir / "node_metrics.tsv"),
        "network_figure": draw_network(results, out_dir / "network.png"),
        "enrichment_figure": draw_enrichment(results, out_dir / "enrichment_dotplot.png"),
    }

"""Files for people: GraphML for Cytoscape, a TSV of node metrics, and three figures.

* ``network.png``: each connected component laid out on its own (Kamada-Kawai started from a
  circle, deterministic) and packed left to right, largest first, isolated proteins in a row
  underneath; node colour = hub consensus rank (``network.hub_consensus``, grey outside it),
  node area = MCC (square-root scale), edge colour and width = STRING combined score where the
  source has exact scores (grey otherwise).
* ``hub_consensus_heatmap.png``: the consensus proteins x the eleven methods, coloured by rank.
* ``enrichment_dotplot.png``: the top terms per category by FDR (x: -log10 FDR, dot size: genes
  observed, colour: gene ratio).
"""

from __future__ import annotations

import math
from pathlib import Path

import igraph as ig
import numpy as np
import pandas as pd

from mg_platform.analysis.network.hubs import METHODS, RANK_COLUMNS
from mg_platform.analysis.network.results import NetworkResults
from mg_platform.analysis.plotting import pyplot

SCORE_COLUMNS = [column for _, _, column in METHODS]
NODE_EXPORT_COLUMNS = [
    "protein",
    "string_id",
    "degree",
    "betweenness",
    "closeness",
    "clustering_coefficient",
    "mcc",
    "mcc_exact",
    "is_hub",
    *[c for c in SCORE_COLUMNS if c not in {"degree", "mcc"}],
    *RANK_COLUMNS,
    "methods_in_top10",
]

FIGURES = {
    "network_figure": "network.png",
    "hub_consensus_heatmap": "hub_consensus_heatmap.png",
    "enrichment_figure": "enrichment_dotplot.png",
}


def _save(fig, path: Path) -> Path:  # noqa: ANN001 - a matplotlib Figure
    """Write a figure as a 150 dpi PNG and release it."""
    fig.tight_layout()
    fig.savefig(path, dpi=150)
    pyplot().close(fig)
    return path


def node_table(results: NetworkResults) -> pd.DataFrame:
    """Every protein's scores and ranks plus its consensus count (0 outside the consensus table)."""
    counts = results.hub_consensus.set_index("protein")["methods_in_top10"]
    table = results.centrality.assign(
        methods_in_top10=results.centrality["protein"].map(counts).fillna(0).astype("int64")
    )
    return table[NODE_EXPORT_COLUMNS]


def node_ranks(results: NetworkResults) -> pd.Series:
    """Consensus rank by protein (NaN for proteins in no method's top N)."""
    ranks = results.hub_consensus.set_index("protein")["consensus_rank"]
    return results.centrality.set_index("protein").index.to_series().map(ranks).astype(float)


def write_graphml(results: NetworkResults, path: Path) -> Path:
    """GraphML with every method's score and rank and the edge scores (Cytoscape: File > Import > Network).

    ``mcc_exact`` is the exact MCC as text (it can exceed any GraphML number type); ``mcc`` is its
    nearest double.
    """
    graph = results.graph.copy()
    metrics = node_table(results).set_index("protein").loc[graph.vs["name"]]
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
    node_table(results).to_csv(path, sep="\t", index=False, float_format="%.6g")
    return path


def component_layout(graph: ig.Graph, gap: float = 1.2) -> np.ndarray:
    """Coordinates with each component laid out alone (Kamada-Kawai from a circle, scaled to a
    median edge length of 1) and packed left to right, largest first, centred on the largest;
    isolated vertices in a row underneath."""
    coords = np.zeros((graph.vcount(), 2))
    components = sorted(graph.connected_components(), key=lambda c: (-len(c), min(c)))
    placed = [c for c in components if len(c) > 1]
    singles = [c[0] for c in components if len(c) == 1]
    layouts = []
    for members in placed:
        sub = graph.induced_subgraph(members)
        local = np.asarray(sub.layout_kamada_kawai(seed=sub.layout_circle().coords).coords)
        ends = np.asarray(sub.get_edgelist())
        local = local / np.median(np.linalg.norm(local[ends[:, 0]] - local[ends[:, 1]], axis=1))
        layouts.append(local - local.min(axis=0))
    middle = max((lay[:, 1].max() for lay in layouts), default=0.0) / 2
    x = 0.0
    for members, local in zip(placed, layouts, strict=True):
        coords[members] = local + [x, middle - local[:, 1].max() / 2]
        x += local[:, 0].max() + gap
    bottom = -gap if placed else 0.0
    for i, v in enumerate(singles):
        coords[v] = [i * gap, bottom]
    return coords


def draw_network(results: NetworkResults, path: Path) -> Path:
    """The query network: components apart, nodes coloured by hub consensus, edges by STRING score."""
    from matplotlib import cm, colors

    graph = results.graph
    layout = component_layout(graph)
    metrics = node_table(results).set_index("protein").loc[graph.vs["name"]]
    mcc = metrics["mcc"].to_numpy(dtype=float)
    size = 200 + 1300 * np.sqrt(mcc / mcc.max()) if mcc.max() > 0 else np.full(len(mcc), 200.0)
    plt = pyplot()
    span = np.ptp(layout, axis=0) + 1.6 if len(layout) else np.ones(2)
    fig, ax = plt.subplots(figsize=(min(max(1.0 * span[0] + 2.6, 7.0), 18.0), min(max(1.0 * span[1] + 1.4, 4.0), 14.0)))
    edges = results.edges.set_index(["protein_a", "protein_b"])
    score_norm = colors.Normalize(vmin=0.4, vmax=1.0)
    score_map = colors.LinearSegmentedColormap.from_list("score", plt.get_cmap("Blues")(np.linspace(0.3, 1.0, 64)))
    has_scores = False
    for edge in graph.es:
        a, b = sorted((graph.vs[edge.source]["name"], graph.vs[edge.target]["name"]))
        score = edges.loc[(a, b), "combined_score"]
        (x0, y0), (x1, y1) = layout[edge.source], layout[edge.target]
        if pd.notna(score):
            has_scores = True
            ax.plot([x0, x1], [y0, y1], color=score_map(score_norm(score)), lw=0.8 + 3 * float(score), zorder=1)
        else:
            ax.plot([x0, x1], [y0, y1], color="#9a9a9a", lw=1.4, zorder=1)
    consensus_rank = node_ranks(results).loc[graph.vs["name"]].to_numpy(dtype=float)
    node_map = plt.get_cmap("YlOrRd_r")
    node_norm = colors.Normalize(vmin=1, vmax=max(len(results.hub_consensus), 2))
    inside = ~np.isnan(consensus_rank)
    for mask, colour in ((inside, None), (~inside, "#d9d9d9")):
        ax.scatter(
            layout[mask, 0],
            layout[mask, 1],
            s=size[mask],
            c=consensus_rank[mask] if colour is None else colour,
            cmap=node_map if colour is None else None,
            norm=node_norm if colour is None else None,
            edgecolors="#333333",
            linewidths=0.8,
            zorder=2,
        )
    for (x, y), name in zip(layout, graph.vs["name"], strict=True):
        label_box = {"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.75}
        ax.annotate(name, (x, y), ha="center", va="center", fontsize=7, zorder=3, bbox=label_box)
    fig.colorbar(
        cm.ScalarMappable(norm=node_norm, cmap=node_map), ax=ax, fraction=0.035, pad=0.01, shrink=0.8
    ).set_label("hub consensus rank (grey: in no method's top 10)", fontsize=8)
    if has_scores:
        fig.colorbar(
            cm.ScalarMappable(norm=score_norm, cmap=score_map),
            ax=ax,
            orientation="horizontal",
            fraction=0.04,
            pad=0.02,
            shrink=0.4,
        ).set_label("STRING combined score", fontsize=8)
    summary = results.summary.iloc[0]
    edge_note = (
        "edge colour = STRING score" if has_scores else "grey edges: score >= threshold, exact score not in source"
    )
    ax.set_title(
        f"{summary['nodes']} proteins, {summary['edges']} edges, {summary['connected_components']} connected component(s) "
        f"(score >= {summary['score_threshold_applied']:.3f})\nnode size = MCC; {edge_note}",
        fontsize=9,
    )
    ax.set_aspect("equal")
    ax.set_axis_off()
    if len(layout):
        ax.set_xlim(layout[:, 0].min() - 0.8, layout[:, 0].max() + 0.8)
        ax.set_ylim(layout[:, 1].min() - 0.8, layout[:, 1].max() + 0.8)
    return _save(fig, path)


def draw_hub_heatmap(results: NetworkResults, path: Path, top_n: int = 10) -> Path:
    """Consensus proteins (rows, consensus order) x cytoHubba's eleven methods, cell = rank."""
    from matplotlib import colors

    table = results.hub_consensus
    ranks = table[RANK_COLUMNS].to_numpy(dtype=float)
    labels = [label for _, label, _ in METHODS]
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(1.6 + 0.62 * len(labels), 1.4 + 0.36 * max(len(table), 1)))
    worst = max(float(ranks.max(initial=1)), top_n + 1)
    image = ax.imshow(ranks, cmap="viridis_r", norm=colors.Normalize(vmin=1, vmax=worst), aspect="auto")
    for (i, j), rank in np.ndenumerate(ranks):
        inside = rank <= top_n
        ax.text(
            j,
            i,
            f"{int(rank)}",
            ha="center",
            va="center",
            fontsize=7,
            fontweight="bold" if inside else "normal",
            color="black" if rank <= worst / 2 else "white",
        )
    ax.set_xticks(range(len(labels)), labels, rotation=45, ha="right", fontsize=8)
    ax.set_yticks(
        range(len(table)),
        [f"{p} ({n})" for p, n in zip(table["protein"], table["methods_in_top10"], strict=True)],
        fontsize=8,
    )
    ax.set_title(
        f"Hub ranks per cytoHubba method (bold: top {top_n}; in brackets: methods with it in top {top_n})", fontsize=8
    )
    fig.colorbar(image, ax=ax, fraction=0.04, pad=0.02).set_label("rank (1 = strongest hub)", fontsize=8)
    return _save(fig, path)


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
        return _save(fig, path)
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
    return _save(fig, path)


def write_outputs(results: NetworkResults, out_dir: Path, top_n: int = 10) -> dict[str, Path]:
    """All exports and figures under ``out_dir``; returns name -> path."""
    out_dir.mkdir(parents=True, exist_ok=True)
    return {
        "graphml": write_graphml(results, out_dir / "network.graphml"),
        "node_metrics": write_node_table(results, out_dir / "node_metrics.tsv"),
        "network_figure": draw_network(results, out_dir / FIGURES["network_figure"]),
        "hub_consensus_heatmap": draw_hub_heatmap(results, out_dir / FIGURES["hub_consensus_heatmap"], top_n),
        "enrichment_figure": draw_enrichment(results, out_dir / FIGURES["enrichment_figure"]),
    }

"""Over-representation analysis: one-sided hypergeometric test, Benjamini-Hochberg FDR.

For a term with K genes in a universe of N genes and a query of n genes (the query genes
present in the universe), of which k are in the term: p = P(X >= k), X ~ Hypergeom(N, K, n).
The FDR is Benjamini-Hochberg over the terms of one category that contain at least one query
gene (terms with k = 0 have p = 1 and are not tested).
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd
from scipy import stats

from mg_platform.analysis.network.genesets import GeneSetLibrary

ENRICHMENT_COLUMNS = [
    "category",
    "term_id",
    "description",
    "genes_in_set",
    "genes_observed",
    "p_value",
    "fdr",
    "genes",
    "background_size",
    "library",
]


def benjamini_hochberg(p_values: Iterable[float]) -> np.ndarray:
    """BH step-up adjusted p-values (monotone, capped at 1), in input order."""
    p = np.asarray(list(p_values), dtype=float)
    n = len(p)
    if n == 0:
        return p
    order = np.argsort(p, kind="mergesort")
    scaled = p[order] * n / np.arange(1, n + 1)
    adjusted = np.minimum.accumulate(scaled[::-1])[::-1].clip(max=1.0)
    out = np.empty(n)
    out[order] = adjusted
    return out


def hypergeometric_p(overlap: int, set_size: int, query_size: int, universe_size: int) -> float:
    """One-sided P(X >= overlap) for X ~ Hypergeom(universe_size, set_size, query_size)."""
    return float(stats.hypergeom.sf(overlap - 1, universe_size, set_size, query_size))


def over_representation(query: Iterable[str], library: GeneSetLibrary) -> pd.DataFrame:
    """Every term of ``library`` with at least one query gene, with p-value and BH FDR."""
    genes = sorted(set(query) & library.universe)
    universe_size = len(library.universe)
    rows = []
    for gene_set in library.sets:
        hits = sorted(gene_set.genes.intersection(genes))
        if not hits:
            continue
        rows.append(
            {
                "category": library.category,
                "term_id": gene_set.term_id,
                "description": gene_set.description,
                "genes_in_set": len(gene_set.genes),
                "genes_observed": len(hits),
                "p_value": hypergeometric_p(len(hits), len(gene_set.genes), len(genes), universe_size),
                "genes": ",".join(hits),
                "background_size": universe_size,
                "library": library.name,
            }
        )
    frame = pd.DataFrame(rows, columns=[c for c in ENRICHMENT_COLUMNS if c != "fdr"])
    frame["fdr"] = benjamini_hochberg(frame["p_value"])
    return frame[ENRICHMENT_COLUMNS]


def significant_terms(frame: pd.DataFrame, fdr_cutoff: float) -> pd.DataFrame:
    """Terms with FDR below the cut-off, ordered by category, FDR, p-value and term id."""
    kept = frame[frame["fdr"] < fdr_cutoff]
    return kept.sort_values(["category", "fdr", "p_value", "term_id"], kind="mergesort").reset_index(drop=True)

"""PPI-enrichment test as STRING describes it: observed edges among the query proteins against
the number expected from their degrees in the whole network.

Expected edges (configuration model): E = sum over query pairs i < j of d_i d_j / (2 m), with
d the degrees in the whole network (at the same score threshold) and m its edge count. The
p-value is the Poisson upper tail P(X >= observed) with mean E.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import stats

METHOD = (
    "configuration-model expectation sum_{i<j} d_i d_j / (2m) over the query proteins, degrees d and "
    "edge count m from the whole network at the same threshold; Poisson P(X >= observed)"
)


@dataclass(frozen=True)
class PpiEnrichment:
    """Observed vs expected edges among the query proteins."""

    observed_edges: int
    expected_edges: float
    p_value: float
    method: str


def expected_edges(query_degrees: Sequence[int], total_edges: int) -> float:
    """sum_{i<j} d_i d_j / (2m) = ((sum d)^2 - sum d^2) / (4m)."""
    d = np.asarray(query_degrees, dtype=float)
    return float((d.sum() ** 2 - (d**2).sum()) / (4.0 * total_edges))


def ppi_enrichment(observed: int, query_degrees: Sequence[int], total_edges: int) -> PpiEnrichment:
    """Poisson upper-tail p-value of ``observed`` edges given the configuration-model mean."""
    mean = expected_edges(query_degrees, total_edges)
    p = float(stats.poisson.sf(observed - 1, mean)) if observed > 0 else 1.0
    return PpiEnrichment(observed_edges=observed, expected_edges=mean, p_value=p, method=METHOD)

"""BH, the hypergeometric p-value, ORA on a toy library and the PPI-enrichment expectation."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from scipy import stats
from statsmodels.stats.multitest import multipletests

from mg_platform.analysis.network.enrichment import benjamini_hochberg, hypergeometric_p, over_representation
from mg_platform.analysis.network.genesets import GeneSet, GeneSetLibrary
from mg_platform.analysis.network.ppi_enrichment import expected_edges, ppi_enrichment


def test_benjamini_hochberg_known_vector() -> None:
    # sorted 0.005, 0.01, 0.03, 0.04 -> 0.02, 0.02, 0.04, 0.04 (by hand)
    assert benjamini_hochberg([0.01, 0.04, 0.03, 0.005]).tolist() == pytest.approx([0.02, 0.04, 0.04, 0.02])
    p = np.random.default_rng(1).uniform(size=50) ** 3
    assert np.allclose(benjamini_hochberg(p), multipletests(p, method="fdr_bh")[1])


@pytest.mark.parametrize(("k", "K", "n", "N"), [(3, 20, 10, 1000), (1, 5, 13, 18000), (6, 40, 13, 8078)])
def test_hypergeometric_matches_fisher_exact(k: int, K: int, n: int, N: int) -> None:
    table = [[k, n - k], [K - k, N - K - (n - k)]]
    assert hypergeometric_p(k, K, n, N) == pytest.approx(stats.fisher_exact(table, alternative="greater")[1])


def test_over_representation_on_a_toy_library() -> None:
    library = GeneSetLibrary(
        category="GO BP",
        name="toy",
        sets=(
            GeneSet("T1", "one", frozenset({"A", "B", "C"})),
            GeneSet("T2", "two", frozenset({"A", "D", "E", "F"})),
            GeneSet("T3", "three", frozenset({"G", "H"})),
        ),
    )
    result = over_representation(["A", "B", "Z"], library).set_index("term_id")
    assert set(result.index) == {"T1", "T2"}  # T3 holds no query gene; Z is outside the universe
    universe, query = 8, 2
    assert result.loc["T1", "p_value"] == pytest.approx(stats.hypergeom.sf(1, universe, 3, query))
    assert result.loc["T1", "genes"] == "A,B" and result.loc["T1", "background_size"] == 8
    assert result["fdr"].tolist() == pytest.approx(multipletests(result["p_value"], method="fdr_bh")[1])


def test_ppi_expected_edges_and_poisson_p() -> None:
    degrees, m = [3, 5, 1, 8], 40
    brute = sum(a * b for a, b in itertools.combinations(degrees, 2)) / (2 * m)
    assert expected_edges(degrees, m) == pytest.approx(brute)
    result = ppi_enrichment(4, degrees, m)
    assert result.p_value == pytest.approx(1 - sum(stats.poisson.pmf(k, brute) for k in range(4)))

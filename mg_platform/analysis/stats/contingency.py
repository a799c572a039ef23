"""Tests on contingency tables: Fisher's exact (r x 2) and Pearson chi-square.

Fisher's two-sided p-value is R's ``fisher.test``: the probability of all
tables with the observed margins whose probability does not exceed the
observed one (relative tolerance 1e-7). Tables too large to enumerate get a
Monte Carlo p with a fixed, recorded seed (as R's ``simulate.p.value``).
"""

from __future__ import annotations

import numpy as np
from scipy import special, stats

R_RELATIVE_TOLERANCE = 1e-7
MAX_ENUMERATED_TABLES = 5_000_000
MONTE_CARLO_RESAMPLES = 100_000
MONTE_CARLO_SEED = 20240501


class TableTooLargeError(ValueError):
    """Exact enumeration of the tables with the observed margins would be too large."""


def fisher_exact_p(table: np.ndarray, max_tables: int = MAX_ENUMERATED_TABLES) -> float:
    """Two-sided Fisher exact p for an r x 2 table of counts (rows = levels, columns = arms).

    Enumerates every table with the observed margins (the last row is implied);
    raises :class:`TableTooLargeError` beyond ``max_tables`` partial tables.
    """
    table = np.asarray(table, dtype=np.int64)
    if table.ndim != 2 or table.shape[1] != 2:
        raise ValueError("expected an r x 2 table")
    table = table[table.sum(axis=1) > 0]
    rows = table.sum(axis=1)
    first = int(table[:, 0].sum())
    if len(rows) < 2 or first in (0, int(rows.sum())):
        return 1.0

    def log_weight(row: int, x: np.ndarray) -> np.ndarray:
        return special.gammaln(row + 1) - special.gammaln(x + 1) - special.gammaln(row - x + 1)

    observed = float(sum(log_weight(int(r), np.array(x)) for r, x in zip(rows, table[:, 0], strict=True)))
    sums = np.array([0], dtype=np.int64)
    logw = np.array([0.0])
    remaining = int(rows.sum())
    for row in rows[:-1]:
        remaining -= int(row)
        if len(sums) * (int(row) + 1) > max_tables:
            raise TableTooLargeError(f"more than {max_tables} partial tables")
        x = np.arange(row + 1)
        new_sums = (sums[:, None] + x[None, :]).ravel()
        new_logw = (logw[:, None] + log_weight(int(row), x)[None, :]).ravel()
        keep = (new_sums <= first) & (new_sums + remaining >= first)
        sums, logw = new_sums[keep], new_logw[keep]
    logw = logw + log_weight(int(rows[-1]), first - sums)
    total = special.logsumexp(logw)
    extreme = logw <= observed + np.log1p(R_RELATIVE_TOLERANCE)
    return float(min(1.0, np.exp(special.logsumexp(logw[extreme]) - total)))


def fisher_test(table: np.ndarray, max_tables: int = MAX_ENUMERATED_TABLES) -> tuple[float, str | None]:
    """(p, note): exact Fisher p, or a seeded Monte Carlo p when enumeration is too large."""
    try:
        return fisher_exact_p(table, max_tables), None
    except TableTooLargeError:
        method = stats.MonteCarloMethod(n_resamples=MONTE_CARLO_RESAMPLES, rng=np.random.default_rng(MONTE_CARLO_SEED))
        p = float(stats.fisher_exact(np.asarray(table)[np.asarray(table).sum(axis=1) > 0], method=method).pvalue)
        return p, f"Fisher p by Monte Carlo ({MONTE_CARLO_RESAMPLES} tables, seed {MONTE_CARLO_SEED})"


def chi_square(table: np.ndarray) -> tuple[float, float]:
    """Pearson chi-square without continuity correction: (statistic, p)."""
    table = np.asarray(table, dtype=float)
    table = table[table.sum(axis=1) > 0]
    result = stats.chi2_contingency(table, correction=False)
    return float(result.statistic), float(result.pvalue)


def expected_counts(table: np.ndarray) -> np.ndarray:
    """Expected counts under independence."""
    table = np.asarray(table, dtype=float)
    return np.outer(table.sum(axis=1), table.sum(axis=0)) / table.sum()

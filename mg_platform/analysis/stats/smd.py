"""Absolute standardised mean differences (SMD) for baseline balance.

Continuous: |m1 - m2| / sqrt((s1^2 + s2^2) / 2). Categorical (binary and
multi-level): Yang and Dalton (2012) as R tableone, sqrt((p1 - p2)' S^-1 (p1 - p2))
over the non-reference levels with S the mean of the two multinomial
covariance matrices (generalised inverse); for two levels this is
|p1 - p2| / sqrt((p1 (1 - p1) + p2 (1 - p2)) / 2).
"""

from __future__ import annotations

import numpy as np


def smd_continuous(reference: np.ndarray, comparison: np.ndarray) -> float:
    """Absolute SMD of two samples of finite values (n - 1 SDs)."""
    if len(reference) < 2 or len(comparison) < 2:
        return float("nan")
    diff = abs(float(np.mean(comparison) - np.mean(reference)))
    scale = np.sqrt((np.var(reference, ddof=1) + np.var(comparison, ddof=1)) / 2)
    if scale == 0:
        return 0.0 if diff == 0 else float("nan")
    return float(diff / scale)


def smd_categorical(reference_counts: np.ndarray, comparison_counts: np.ndarray) -> float:
    """Yang-Dalton absolute SMD from per-level counts (same level order in both)."""
    ref = np.asarray(reference_counts, dtype=float)
    cmp = np.asarray(comparison_counts, dtype=float)
    if ref.sum() == 0 or cmp.sum() == 0:
        return float("nan")
    if len(ref) < 2:
        return 0.0
    p1, p2 = (ref / ref.sum())[1:], (cmp / cmp.sum())[1:]

    def covariance(p: np.ndarray) -> np.ndarray:
        return np.diag(p) - np.outer(p, p)

    s = (covariance(p1) + covariance(p2)) / 2
    diff = p2 - p1
    value = float(diff @ np.linalg.pinv(s) @ diff)
    return float(np.sqrt(max(value, 0.0)))

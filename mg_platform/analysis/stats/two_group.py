"""Two-group comparison of a continuous variable by the study's test rule.

Rule: Shapiro-Wilk p > 0.05 in both groups -> t-test (Student when Levene's
median-centred test gives p >= 0.05, Welch otherwise); else Mann-Whitney U
(two-sided, normal approximation with tie and continuity correction, as R's
``wilcox.test(exact = FALSE, correct = TRUE)``). The mean difference
(comparison - reference) and its 95 % CI come from the t-test used, Welch when
Mann-Whitney was chosen. Cohen's d uses the pooled SD (n - 1 weighting) with
the Hedges-Olkin normal-approximation CI: var(d) = (n1 + n2) / (n1 n2) + d^2 / (2 (n1 + n2)).
"""

from __future__ import annotations

import warnings
from dataclasses import asdict, dataclass

import numpy as np
from scipy import stats

ALPHA = 0.05
CONFIDENCE = 0.95
LEVENE_CENTER = "median"
MIN_SHAPIRO_N = 3

STUDENT_T = "student_t"
WELCH_T = "welch_t"
MANN_WHITNEY_U = "mann_whitney_u"
NOT_TESTED = "not_tested"


@dataclass(frozen=True)
class GroupSummary:
    """Descriptive statistics of one group's non-missing values."""

    n: int
    n_missing: int
    mean: float
    sd: float
    median: float
    q1: float
    q3: float
    shapiro_w: float
    shapiro_p: float

    @property
    def iqr(self) -> float:
        return self.q3 - self.q1


@dataclass(frozen=True)
class TwoGroupComparison:
    """Result of the test rule; differences are comparison - reference."""

    reference: GroupSummary
    comparison: GroupSummary
    levene_statistic: float
    levene_p: float
    test: str
    statistic: float
    p_value: float
    mean_difference: float
    ci_low: float
    ci_high: float
    cohens_d: float
    cohens_d_ci_low: float
    cohens_d_ci_high: float
    note: str | None


def _clean(values: object) -> tuple[np.ndarray, int]:
    array = np.asarray(values, dtype=float)
    finite = array[np.isfinite(array)]
    return finite, len(array) - len(finite)


def summarise(values: object) -> GroupSummary:
    """n, mean, SD (n - 1), median, quartiles (R type 7) and Shapiro-Wilk of the finite values."""
    x, missing = _clean(values)
    n = len(x)
    w = p = float("nan")
    if n >= MIN_SHAPIRO_N and np.ptp(x) > 0:
        w, p = (float(v) for v in stats.shapiro(x))
    q1, median, q3 = (float(v) for v in np.quantile(x, [0.25, 0.5, 0.75])) if n else (np.nan,) * 3
    return GroupSummary(
        n=n,
        n_missing=missing,
        mean=float(np.mean(x)) if n else float("nan"),
        sd=float(np.std(x, ddof=1)) if n > 1 else float("nan"),
        median=median,
        q1=q1,
        q3=q3,
        shapiro_w=w,
        shapiro_p=p,
    )


def _t_test(ref: np.ndarray, cmp: np.ndarray, equal_var: bool, confidence: float) -> tuple[float, ...]:
    """(t, p, difference, ci_low, ci_high) for comparison - reference."""
    n1, n2 = len(ref), len(cmp)
    v1, v2 = np.var(ref, ddof=1), np.var(cmp, ddof=1)
    diff = float(np.mean(cmp) - np.mean(ref))
    if equal_var:
        df = n1 + n2 - 2
        se = np.sqrt(((n1 - 1) * v1 + (n2 - 1) * v2) / df * (1 / n1 + 1 / n2))
    else:
        a, b = v1 / n1, v2 / n2
        se = np.sqrt(a + b)
        df = (a + b) ** 2 / (a**2 / (n1 - 1) + b**2 / (n2 - 1)) if se > 0 else float("nan")
    if not se > 0:
        return float("nan"), float("nan"), diff, float("nan"), float("nan")
    t = diff / se
    half = stats.t.ppf(0.5 + confidence / 2, df) * se
    return float(t), float(2 * stats.t.sf(abs(t), df)), diff, float(diff - half), float(diff + half)


def pooled_sd(ref: np.ndarray, cmp: np.ndarray) -> float:
    """Pooled SD of Cohen's d: sqrt(((n1 - 1) s1^2 + (n2 - 1) s2^2) / (n1 + n2 - 2)); NaN below 2 per group."""
    n1, n2 = len(ref), len(cmp)
    if n1 < 2 or n2 < 2:
        return float("nan")
    return float(np.sqrt(((n1 - 1) * np.var(ref, ddof=1) + (n2 - 1) * np.var(cmp, ddof=1)) / (n1 + n2 - 2)))


def cohens_d(ref: np.ndarray, cmp: np.ndarray, confidence: float = CONFIDENCE) -> tuple[float, float, float]:
    """Cohen's d (comparison - reference over the pooled SD) with the Hedges-Olkin CI."""
    n1, n2 = len(ref), len(cmp)
    pooled = pooled_sd(ref, cmp)
    if not pooled > 0:
        return (float("nan"),) * 3
    d = float((np.mean(cmp) - np.mean(ref)) / pooled)
    se = np.sqrt((n1 + n2) / (n1 * n2) + d**2 / (2 * (n1 + n2)))
    z = stats.norm.ppf(0.5 + confidence / 2)
    return d, float(d - z * se), float(d + z * se)


def levene_median(ref: np.ndarray, cmp: np.ndarray) -> tuple[float, float]:
    """Levene's test centred on the median (Brown-Forsythe), as car::leveneTest's default."""
    if len(ref) < 2 or len(cmp) < 2:
        return float("nan"), float("nan")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        result = stats.levene(ref, cmp, center=LEVENE_CENTER)
    return float(result.statistic), float(result.pvalue)


def choose_test(reference: GroupSummary, comparison: GroupSummary, levene_p: float, alpha: float = ALPHA) -> str:
    """The study's rule; NaN Shapiro p (n < 3, no variance) counts as not normal."""
    if reference.n < 2 or comparison.n < 2:
        return NOT_TESTED
    normal = reference.shapiro_p > alpha and comparison.shapiro_p > alpha
    if not normal:
        return MANN_WHITNEY_U
    return STUDENT_T if levene_p >= alpha else WELCH_T


def compare_two_groups(
    reference: object, comparison: object, alpha: float = ALPHA, confidence: float = CONFIDENCE
) -> TwoGroupComparison:
    """Compare a continuous variable between two groups; missing values are dropped per group."""
    ref, _ = _clean(reference)
    cmp, _ = _clean(comparison)
    s_ref, s_cmp = summarise(reference), summarise(comparison)
    lev_stat, lev_p = levene_median(ref, cmp)
    test = choose_test(s_ref, s_cmp, lev_p, alpha)
    notes: list[str] = []
    nan = float("nan")
    statistic = p_value = nan
    diff = float(np.mean(cmp) - np.mean(ref)) if len(ref) and len(cmp) else nan
    ci = (nan, nan)
    if test == NOT_TESTED:
        notes.append(f"not tested: fewer than two non-missing values in a group (n = {s_ref.n}, {s_cmp.n})")
    elif np.ptp(np.concatenate([ref, cmp])) == 0:
        test = NOT_TESTED
        notes.append("not tested: the variable has no variance")
    else:
        if np.ptp(ref) == 0 or np.ptp(cmp) == 0:
            notes.append("no variance within a group; normality not assessable")
        t, p_t, diff, low, high = _t_test(ref, cmp, equal_var=test == STUDENT_T, confidence=confidence)
        ci = (low, high)
        if test == MANN_WHITNEY_U:
            mw = stats.mannwhitneyu(cmp, ref, alternative="two-sided", method="asymptotic", use_continuity=True)
            statistic, p_value = float(mw.statistic), float(mw.pvalue)
        else:
            statistic, p_value = t, p_t
    d, d_low, d_high = cohens_d(ref, cmp, confidence)
    return TwoGroupComparison(
        reference=s_ref,
        comparison=s_cmp,
        levene_statistic=lev_stat,
        levene_p=lev_p,
        test=test,
        statistic=statistic,
        p_value=p_value,
        mean_difference=diff,
        ci_low=ci[0],
        ci_high=ci[1],
        cohens_d=d,
        cohens_d_ci_low=d_low,
        cohens_d_ci_high=d_high,
        note="; ".join(notes) or None,
    )


def comparison_row(result: TwoGroupComparison, reference_suffix: str, comparison_suffix: str) -> dict[str, object]:
    """Flat row: ``n_<suffix>``, ``mean_<suffix>``, ..., then the test and effect sizes."""
    row: dict[str, object] = {}
    for suffix, summary in ((reference_suffix, result.reference), (comparison_suffix, result.comparison)):
        values = asdict(summary)
        for name in ("n", "n_missing", "mean"):
            row[f"{name}_{suffix}"] = values[name]
        row[f"sd_{suffix}"] = summary.sd
        row[f"median_{suffix}"] = summary.median
        row[f"q1_{suffix}"] = summary.q1
        row[f"q3_{suffix}"] = summary.q3
        row[f"iqr_{suffix}"] = summary.iqr
    row |= {
        "mean_difference": result.mean_difference,
        "ci_low": result.ci_low,
        "ci_high": result.ci_high,
        "test": result.test,
        "statistic": result.statistic,
        "p_value": result.p_value,
        "cohens_d": result.cohens_d,
        "cohens_d_ci_low": result.cohens_d_ci_low,
        "cohens_d_ci_high": result.cohens_d_ci_high,
        "levene_p": result.levene_p,
        "note": result.note,
    }
    return row


def assumption_rows(outcome: str, result: TwoGroupComparison, labels: tuple[str, str]) -> list[dict[str, object]]:
    """``stats.assumptions`` rows (one per group) for one outcome."""
    return [
        {
            "outcome": outcome,
            "group": label,
            "n": summary.n,
            "shapiro_w": summary.shapiro_w,
            "shapiro_p": summary.shapiro_p,
            "levene_statistic": result.levene_statistic,
            "levene_p": result.levene_p,
            "levene_center": LEVENE_CENTER,
            "test": result.test,
        }
        for label, summary in zip(labels, (result.reference, result.comparison), strict=True)
    ]

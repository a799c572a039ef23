"""Adverse events by arm with Fisher's exact test on the 2 x 2 table.

One row per event: counts of cases with the event among cases where it is
recorded (``total_*``), percentages and the two-sided Fisher p (R's
``fisher.test``). ``*_control`` columns hold the reference arm.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from mg_platform.analysis.stats.arms import Arms, arm_columns
from mg_platform.analysis.stats.contingency import fisher_test
from mg_platform.analysis.stats.variables import ADVERSE_EVENTS

FISHER_EXACT = "fisher_exact"


def adverse_event_table(frame: pd.DataFrame, arms: Arms, events: Sequence[str] = ADVERSE_EVENTS) -> pd.DataFrame:
    """One row per adverse-event column of ``frame``."""
    rows = []
    for event in events:
        counts, totals = [], []
        for label in arms.labels:
            values = frame.loc[frame["group"] == label, event].dropna().astype(bool)
            counts.append(int(values.sum()))
            totals.append(len(values))
        note = None
        if min(totals) == 0:
            p, test, note = float("nan"), "not_tested", "not tested: an arm has no recorded values"
        else:
            table = np.array([counts, [t - c for t, c in zip(totals, counts, strict=True)]])
            (p, note), test = fisher_test(table), FISHER_EXACT
        rows.append(
            {
                "event": event,
                "n_control": counts[0],
                "n_mgso4": counts[1],
                "total_control": totals[0],
                "total_mgso4": totals[1],
                "pct_control": 100 * counts[0] / totals[0] if totals[0] else float("nan"),
                "pct_mgso4": 100 * counts[1] / totals[1] if totals[1] else float("nan"),
                "test": test,
                "p_value": p,
                "note": note,
            }
        )
    return pd.DataFrame(rows).assign(**arm_columns(arms))

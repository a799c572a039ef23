"""Data-quality gate overhead per month: the raw load with and without its Great Expectations part.

Usage: python benchmarks/quality_gate_overhead.py [--rows-per-month 1000] [--months 6]

Loads ``--months`` months of ``--rows-per-month`` screened cases each (about five
pain scores per case) one after the other in one process, as the raw asset does:
parse and type in DuckDB, GX suites on the typed rows, commit, cross-month GX
check, HTML report. The GX import and context creation are paid once per process
and reported separately. "without GX" is the same load minus the time spent in
GX validations (suite building included); the first month is a warm-up and is
left out of the means.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import duckdb
import pandas as pd

from mg_platform.analysis.demo_cohort import generate_cohort, month_range, write_landing
from mg_platform.analysis.ingest import cross_month_duplicates, load_month
from mg_platform.analysis.pseudonym import hmac_pads
from mg_platform.analysis.quality import report
from mg_platform.analysis.quality.gate import quality_gate


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows-per-month", type=int, default=1000)
    parser.add_argument("--months", type=int, default=6)
    args = parser.parse_args()
    months = month_range("2024-01..2030-12")[: args.months]
    start = time.perf_counter()
    gate = quality_gate()
    setup_s = time.perf_counter() - start
    pads = hmac_pads(b"benchmark-key-0123456789abcdef01")
    totals, gx_parts = [], []
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        cohort = generate_cohort(seed=11, months=months, screened=args.rows_per_month * len(months))
        write_landing(cohort, root / "landing")
        with duckdb.connect(str(root / "warehouse.duckdb")) as conn:
            for month in months:
                start = time.perf_counter()
                loads = load_month(conn, month, root / "landing" / month, pads, gate)
                cross_start = time.perf_counter()
                cross, later = cross_month_duplicates(conn, gate)
                cross_s = time.perf_counter() - cross_start
                sections = [
                    report.FileSection(
                        ld.file_name,
                        "accepted",
                        ld.rows_read,
                        ld.rows_accepted,
                        ld.rows_quarantined,
                        ld.validation.outcomes,
                        pd.DataFrame(),
                        ld.warnings,
                    )
                    for ld in loads
                ]
                report.write_month_report(root / "quality" / f"{month}.html", month, sections, later)
                totals.append(time.perf_counter() - start)
                gx_parts.append(sum(ld.gx_seconds for ld in loads) + cross_s)
                records, pain = (ld.rows_read for ld in loads)
                print(f"{month}: {records} records, {pain} pain scores: {totals[-1]:.3f} s, GX {gx_parts[-1]:.3f} s")
    measured = slice(1, None) if len(months) > 1 else slice(None)
    total = statistics.mean(totals[measured])
    gx = statistics.mean(gx_parts[measured])
    print(f"GX import + ephemeral context (once per process): {setup_s:.2f} s")
    print(f"mean per month ({args.rows_per_month} records, {len(totals[measured])} months after warm-up):")
    print(f"  with GX    : {total:.3f} s")
    print(f"  GX part    : {gx:.3f} s")
    print(f"  without GX : {total - gx:.3f} s")


if __name__ == "__main__":
    main()

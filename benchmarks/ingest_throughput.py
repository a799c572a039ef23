"""Ingest throughput: the platform's month loader against DuckDB's own read_csv on the same files.

Usage: python benchmarks/ingest_throughput.py [--screened 100000] [--months 2021-01..2025-12]

Both sides read every landed file of every month. The baseline is a bare
``CREATE TABLE AS SELECT * FROM read_csv(file)`` per file (auto-detected, no
typing rules, no pseudonyms, no quarantine); the platform does header checks,
typing per the contract, every row rule, HMAC pseudonyms and the transactional
month replace. The ratio says what the contract costs. The one-off Great Expectations import
and context creation are done before the timer (they are paid once per process).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import duckdb

from mg_platform.analysis.demo_cohort import generate_cohort, month_range, write_landing
from mg_platform.analysis.ingest import load_month
from mg_platform.analysis.pseudonym import hmac_pads
from mg_platform.analysis.quality.gate import quality_gate


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--screened", type=int, default=100_000)
    parser.add_argument("--months", default="2021-01..2025-12")
    args = parser.parse_args()
    months = month_range(args.months)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        cohort = generate_cohort(seed=11, months=months, screened=args.screened)
        files = write_landing(cohort, root / "landing")
        size_mb = sum(f.stat().st_size for f in files) / 1e6
        rows = len(cohort.records) + len(cohort.pain)

        start = time.perf_counter()
        with duckdb.connect(str(root / "baseline.duckdb")) as conn:
            for i, path in enumerate(files):
                conn.execute(f"CREATE TABLE t{i} AS SELECT * FROM read_csv('{path}')")
        baseline_s = time.perf_counter() - start

        pads = hmac_pads(b"benchmark-key-0123456789abcdef01")
        quality_gate()
        start = time.perf_counter()
        with duckdb.connect(str(root / "platform.duckdb")) as conn:
            for month in months:
                load_month(conn, month, root / "landing" / month, pads)
            loaded = conn.execute("SELECT count(*) FROM raw.perioperative_records").fetchone()[0]
        platform_s = time.perf_counter() - start
    assert loaded == args.screened
    print(
        f"files: {len(files)} ({size_mb:.1f} MB), rows: {rows:,} ({args.screened:,} screened cases, {len(months)} months)"
    )
    print(f"duckdb read_csv baseline: {baseline_s:6.2f} s  ({rows / baseline_s:,.0f} rows/s)")
    print(f"platform load_month     : {platform_s:6.2f} s  ({rows / platform_s:,.0f} rows/s)")
    print(f"ratio platform / baseline: {platform_s / baseline_s:.2f}")


if __name__ == "__main__":
    main()

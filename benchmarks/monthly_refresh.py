"""Monthly refresh against a full rebuild.

Usage: python benchmarks/monthly_refresh.py

Two full rebuilds of the 7 demo months on an empty warehouse (network and docking
excluded: they do not depend on the months):

- ``mg-platform materialize`` style: every month loaded into raw, then every model,
  statistic and the report once (the cheapest full rebuild);
- a backfill of the ``monthly_refresh`` job over the 7 partitions (what the sensor or
  the UI's backfill would run: each month's run refreshes the whole downstream chain).

Monthly refresh: one ``monthly_refresh`` run for a re-delivered month on the built
warehouse. Everything runs in-process on this machine; the ratios are printed.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import dagster as dg

from mg_platform.analysis.demo_cohort import generate_cohort, write_landing
from mg_platform.definitions import build_definitions
from mg_platform.runner import materialize_all

MONTHLY_CHAIN = "not group:network and not group:docking"
QUIET = {"loggers": {"console": {"config": {"log_level": "WARNING"}}}}


def _landed(root: Path):
    cohort = generate_cohort()
    write_landing(cohort, root / "landing")
    return cohort.truth["months"]


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "cli"
        months = _landed(root)
        start = time.perf_counter()
        materialize_all(selection=MONTHLY_CHAIN, data_dir=root)
        cli_s = time.perf_counter() - start
        job = build_definitions(root).resolve_job_def("monthly_refresh")
        with dg.instance_for_test() as instance:
            start = time.perf_counter()
            assert job.execute_in_process(partition_key="2025-06", instance=instance, run_config=QUIET).success
            monthly_s = time.perf_counter() - start

        root = Path(tmp) / "backfill"
        _landed(root)
        job = build_definitions(root).resolve_job_def("monthly_refresh")
        with dg.instance_for_test() as instance:
            start = time.perf_counter()
            for month in months:
                assert job.execute_in_process(partition_key=month, instance=instance, run_config=QUIET).success
            backfill_s = time.perf_counter() - start
    print(f"full rebuild, CLI (raw x {len(months)}, downstream once): {cli_s:6.2f} s")
    print(f"full rebuild, backfill of monthly_refresh x {len(months)} : {backfill_s:6.2f} s")
    print(f"monthly refresh (1 re-delivered month)          : {monthly_s:6.2f} s")
    print(f"ratio to CLI rebuild: {monthly_s / cli_s:.1%}; ratio to backfill: {monthly_s / backfill_s:.1%}")


if __name__ == "__main__":
    main()

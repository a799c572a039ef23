"""Monthly refresh against a full rebuild.

Usage: python benchmarks/monthly_refresh.py

Full rebuild: every landed month (7 for the demo cohort) loaded into raw, then
every model, statistic and the report, on an empty warehouse (network and
docking excluded: they do not depend on the months). Monthly refresh: the
sensor's ``monthly_refresh`` run for one re-delivered month on the built
warehouse. Both run in-process on the same machine; the ratio is printed.
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


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        cohort = generate_cohort()
        write_landing(cohort, root / "landing")
        start = time.perf_counter()
        materialize_all(selection=MONTHLY_CHAIN, data_dir=root)
        full_s = time.perf_counter() - start
        job = build_definitions(root).resolve_job_def("monthly_refresh")
        with dg.instance_for_test() as instance:
            start = time.perf_counter()
            quiet = {"loggers": {"console": {"config": {"log_level": "WARNING"}}}}
            assert job.execute_in_process(partition_key="2025-06", instance=instance, run_config=quiet).success
            monthly_s = time.perf_counter() - start
    months = len(cohort.truth["months"])
    print(f"full rebuild ({months} months, monthly chain): {full_s:6.2f} s")
    print(f"monthly refresh (1 month)               : {monthly_s:6.2f} s")
    print(f"ratio: {monthly_s / full_s:.1%}")


if __name__ == "__main__":
    main()

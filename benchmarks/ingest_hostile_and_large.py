"""The loader under hostile and large input: wall time, rows per second and peak memory per scenario.

Usage: python benchmarks/ingest_hostile_and_large.py [--hostile-mb 200] [--records 1000000] [--only NAME]

Scenarios, each loaded by ``ingest.load_month`` in a fresh child process (its peak
RSS is the child's ``ru_maxrss`` from ``os.wait4``, so the parent's memory does not count):

- ``hostile_garbage``: a records file with a valid header and ``--hostile-mb`` MB of
  random printable lines (no structure); the pain file is valid.
- ``hostile_shaped``: the same size of garbage lines that have exactly the header's
  number of fields (each line is a record whose every value is wrong): the worst case,
  read whole before it is judged.
- ``hostile_late``: 25 000 valid records (so the first-batch check passes), then the
  shaped garbage: read whole, then refused by the end-of-file check.
- ``valid_month``: one month of ``--records`` valid perioperative records and their
  pain scores (~4.85 per case), demo cohort (seed 11).

Before the timer the child imports GX and creates its context (paid once per process).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import string
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SEED = 11
MONTH = "2025-03"


def _garbage_line(rng: random.Random, fields: int | None) -> str:
    alphabet = string.ascii_letters + string.digits + " .-_:/|#@!?"
    if fields is None:
        return "".join(rng.choices(alphabet + ",;", k=rng.randint(20, 400))) + "\n"
    return ",".join("".join(rng.choices(alphabet, k=rng.randint(1, 8))) for _ in range(fields)) + "\n"


def write_hostile(folder: Path, megabytes: float, shaped: bool) -> int:
    """A month folder whose records file is garbage after a valid header; returns the garbage lines written."""
    from mg_platform.analysis.contract import PACU_PAIN_SCORES, PERIOPERATIVE_RECORDS

    folder.mkdir(parents=True)
    rng = random.Random(SEED)
    header = ",".join(PERIOPERATIVE_RECORDS.column_names) + "\n"
    width = len(PERIOPERATIVE_RECORDS.column_names) if shaped else None
    block = [_garbage_line(rng, width) for _ in range(20_000)]  # repeated: generation is not what is measured
    target, written, lines = megabytes * 1e6, 0, 0
    with (folder / PERIOPERATIVE_RECORDS.file_name).open("w") as handle:
        handle.write(header)
        while written < target:
            for line in block:
                handle.write(line)
                written += len(line)
                lines += 1
                if written >= target:
                    break
    (folder / PACU_PAIN_SCORES.file_name).write_text(
        ",".join(PACU_PAIN_SCORES.column_names) + "\nSC2025-000001,0,3,2025-03-10T11:00:00\n"
    )
    return lines


def write_late(folder: Path, megabytes: float) -> int:
    """25 000 valid records and their pain scores, then ``megabytes`` MB of shaped garbage records."""
    from mg_platform.analysis.contract import PERIOPERATIVE_RECORDS

    rows = write_valid(folder, 25_000)
    garbage = folder.parent / "garbage"
    lines = write_hostile(garbage, megabytes, shaped=True)
    with (
        (folder / PERIOPERATIVE_RECORDS.file_name).open("a") as out,
        (garbage / PERIOPERATIVE_RECORDS.file_name).open() as src,
    ):
        next(src)  # its header
        for line in src:
            out.write(line)
    return rows + lines


def write_valid(folder: Path, records: int) -> int:
    """A month folder of ``records`` valid cases and their pain scores; returns the rows written."""
    from mg_platform.analysis.demo_cohort import generate_cohort, write_landing

    cohort = generate_cohort(seed=SEED, screened=records, months=[MONTH])
    write_landing(cohort, folder.parent)
    return len(cohort.records) + len(cohort.pain)


def child(folder: str) -> None:
    """Load one month and print its outcome as JSON (run in a fresh process)."""
    import duckdb

    from mg_platform.analysis import ingest
    from mg_platform.analysis.pseudonym import hmac_pads
    from mg_platform.analysis.quality.gate import quality_gate

    quality_gate()
    started = time.perf_counter()
    with duckdb.connect(str(Path(folder).parent / "warehouse.duckdb")) as conn:
        loads = ingest.load_month(conn, MONTH, Path(folder), hmac_pads(b"benchmark-key-0123456789abcdef01"))
    seconds = time.perf_counter() - started
    print(
        json.dumps(
            {
                "seconds": seconds,
                "files": [
                    {
                        "file": ld.file_name,
                        "rejected": ld.rejected,
                        "records": ld.rows_read,
                        "accepted": ld.rows_accepted,
                        "quarantined": ld.rows_quarantined,
                    }
                    for ld in loads
                ],
            }
        )
    )


def measure(folder: Path) -> tuple[dict, float, float]:
    """(child's outcome, wall seconds, peak RSS MiB) of loading ``folder`` in a child process."""
    started = time.perf_counter()
    with tempfile.TemporaryFile() as errors:
        proc = subprocess.Popen(
            [sys.executable, __file__, "--child", str(folder)], stdout=subprocess.PIPE, stderr=errors
        )
        output = proc.stdout.read()
        _, status, usage = os.wait4(proc.pid, 0)  # this child's own rusage (ru_maxrss in KiB on Linux)
        wall = time.perf_counter() - started
        if status != 0:
            errors.seek(0)
            raise RuntimeError(f"child failed ({status}): {errors.read().decode()[-3000:]}")
    return json.loads(output.decode().strip().splitlines()[-1]), wall, usage.ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--hostile-mb", type=float, default=200.0)
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--only", choices=["hostile_garbage", "hostile_shaped", "hostile_late", "valid_month"])
    parser.add_argument("--child")
    args = parser.parse_args()
    if args.child:
        child(args.child)
        return
    scenarios = {
        "hostile_garbage": lambda f: write_hostile(f, args.hostile_mb, shaped=False),
        "hostile_shaped": lambda f: write_hostile(f, args.hostile_mb, shaped=True),
        "hostile_late": lambda f: write_late(f, args.hostile_mb),
        "valid_month": lambda f: write_valid(f, args.records),
    }
    for name, write in scenarios.items():
        if args.only and name != args.only:
            continue
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp) / "landing" / MONTH
            rows = write(folder)
            size_mb = sum(p.stat().st_size for p in folder.iterdir()) / 1e6
            outcome, wall, peak_mib = measure(folder)
        load_s = outcome["seconds"]
        print(f"{name}: {size_mb:.0f} MB, {rows:,} data lines/rows")
        print(
            f"  load_month {load_s:.1f} s ({rows / load_s:,.0f} rows/s), child wall {wall:.1f} s, peak RSS {peak_mib:,.0f} MiB"
        )
        for f in outcome["files"]:
            status = f"REJECTED: {f['rejected']}" if f["rejected"] else "accepted"
            print(
                f"  {f['file']}: {status}; records {f['records']:,} = accepted {f['accepted']:,} + quarantined {f['quarantined']:,}"
            )


if __name__ == "__main__":
    main()

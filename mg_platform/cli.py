"""Command line: ``mg-platform demo-data``, ``mg-platform materialize``, ``mg-platform summary``.

``materialize`` runs the whole asset graph (or a Dagster asset selection) for every
month folder present in ``$MG_DATA_DIR/landing``, writing only to that data dir.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from mg_platform import settings


def _demo_data(args: argparse.Namespace) -> int:
    from mg_platform.analysis.demo_cohort import generate_cohort, month_range, write_landing, write_truth

    root = settings.data_dir()
    landing = root / "landing"
    if args.if_empty and landing.is_dir() and any(landing.iterdir()):
        print(f"landing zone {landing} already holds data; demo cohort not written")
        return 0
    cohort = generate_cohort(seed=args.seed, months=month_range(args.months), screened=args.screened)
    files = write_landing(cohort, root / "landing", dialect=args.dialect)
    write_truth(cohort, root / "demo_truth.json")
    print(
        f"demo cohort (seed {args.seed}): {args.screened} screened over {len(cohort.truth['months'])} months, "
        f"{len(files)} files written under {root / 'landing'}"
    )
    return 0


def _materialize(args: argparse.Namespace) -> int:
    from mg_platform.runner import materialize_all

    root = settings.data_dir()
    outcome = materialize_all(selection=args.select, data_dir=root, blinded=args.blinded)
    if not outcome.months:
        print(f"no month folders in {root / 'landing'}; run `mg-platform demo-data` or land exports first")
    for month, problems in outcome.blocked.items():
        print(f"BLOCKED {month}: " + "; ".join(problems))
    if outcome.skipped:
        print(f"not refreshed until corrected files arrive: {', '.join(outcome.skipped)}")
    for failure in outcome.failures:
        print(f"FAILED {failure}")
    _summary(args)
    return 1 if outcome.failures or outcome.blocked or not outcome.months else 0


def _summary(_: argparse.Namespace) -> int:
    from mg_platform.runner import summary_text

    print(summary_text(settings.data_dir()))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="mg-platform", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    demo = sub.add_parser("demo-data", help="write the demo cohort into $MG_DATA_DIR/landing")
    demo.add_argument("--seed", type=int, default=20250301)
    demo.add_argument("--months", default="2025-03..2025-09", help="YYYY-MM..YYYY-MM (inclusive)")
    demo.add_argument("--screened", type=int, default=76)
    demo.add_argument("--dialect", choices=["comma", "semicolon"], default="comma")
    demo.add_argument("--if-empty", action="store_true", help="do nothing when the landing zone holds data")
    demo.set_defaults(func=_demo_data)
    mat = sub.add_parser("materialize", help="materialise assets for every landed month")
    mat.add_argument("--select", default="*", help="Dagster asset selection, e.g. 'group:stats+' or '+group:stats'")
    mat.add_argument(
        "--blinded", action="store_true", help="run the statistics on keyed codes A/B instead of Control/MgSO4"
    )
    mat.set_defaults(func=_materialize)
    summ = sub.add_parser("summary", help="print what the warehouse holds")
    summ.set_defaults(func=_summary)
    args = parser.parse_args(argv)
    from mg_platform.runner import quiet_api_maturity_warnings

    quiet_api_maturity_warnings()
    os.environ.setdefault("MG_DATA_DIR", str(Path("data").resolve()))
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())

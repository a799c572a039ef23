"""Command line: ``mg-platform demo-data | materialize | retract | summary | dagster-home``.

``materialize`` runs the platform's named Dagster jobs for every month folder in
``$MG_DATA_DIR/landing`` (or a Dagster asset selection of them), writing only to that data dir.

Exit codes of ``materialize``:

- 0: success, every landed month loaded and nothing quarantined;
- 3: success, with quarantined rows (summary printed; details in outputs/quality/<month>.html);
- 4: a file was rejected or a month folder refused: that month is blocked (the analyses are not
  refreshed unless ``--exclude-blocked``);
- 1: a step failed (one line per failure; the stack trace is in the run's log in the UI), or there
  was nothing to load;
- 130: interrupted by Ctrl-C or SIGTERM (runs stopped, no process left running).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
from pathlib import Path

from mg_platform import report_pdf, settings


def _demo_data(args: argparse.Namespace) -> int:
    from mg_platform.analysis.demo_cohort import generate_cohort, month_range, write_landing, write_truth

    root = settings.data_dir()
    landing = root / "landing"
    if args.if_empty and landing.is_dir() and any(landing.iterdir()):
        print(f"landing zone {landing} already holds data; demo cohort not written")
        return 0
    cohort = generate_cohort(
        seed=args.seed, months=month_range(args.months), screened=args.screened, effect=args.effect
    )
    files = write_landing(cohort, root / "landing", dialect=args.dialect)
    write_truth(cohort, root / "demo_truth.json")
    print(
        f"demo cohort (seed {args.seed}): {args.screened} screened over {len(cohort.truth['months'])} months, "
        f"{len(files)} files written under {root / 'landing'}"
    )
    return 0


def _materialize(args: argparse.Namespace) -> int:
    from mg_platform.runner import (
        RunConfigError,
        exit_code,
        materialize_all,
        quarantine_summary,
        read_op_config,
        summary_text,
    )

    root = settings.data_dir()
    op_config = {}
    if args.config:
        from mg_platform.definitions import build_definitions

        try:
            op_config = read_op_config(Path(args.config), build_definitions(root))
        except RunConfigError as exc:
            print(f"REFUSED {exc}")
            return 2
    outcome = materialize_all(
        selection=args.select,
        data_dir=root,
        blinded=args.blinded,
        exclude_blocked=args.exclude_blocked,
        op_config=op_config,
    )
    for line in outcome.released:
        print(f"RELEASED {line}")
    if not outcome.months and not outcome.refused:
        print(f"no month folders in {root / 'landing'}; run `mg-platform demo-data` or land exports first")
    for message in outcome.refused.values():
        print(f"REFUSED {message}")
    for month, note in outcome.retracted.items():
        print(f"RETRACTED {month}: {note}; not reloaded until a new delivery lands")
    for month in outcome.vanished:
        print(
            f"WARNING {month}: loaded, but its landing folder is gone; its rows stay in the warehouse "
            f"(remove them with `mg-platform retract {month} --reason ...`)"
        )
    for files in outcome.blocked.values():
        for rejected in files:
            print(f"REJECTED {rejected}")
    if outcome.skipped:
        print(
            f"BLOCKED: not refreshed until corrected files arrive: {', '.join(outcome.skipped)} "
            "(or run with --exclude-blocked to refresh from the accepted files only)"
        )
    elif outcome.excluded:
        print(f"EXCLUDED from this refresh (rejected): {'; '.join(outcome.excluded)}")
    for failure in outcome.failures:
        print(f"FAILED {failure}")
    if outcome.interrupted:
        print("INTERRUPTED: the run was stopped; no process of it is left running")
    lines, quarantined = quarantine_summary(root, outcome.months)
    if lines:
        print("\n".join(lines))
    report_rebuilt = any(r.success and r.job == "monthly_refresh" and r.partition is None for r in outcome.runs)
    print(summary_text(root, report_rebuilt))
    return exit_code(outcome, quarantined)


def _retract(args: argparse.Namespace) -> int:
    from mg_platform.analysis.landing_audit import retract_month
    from mg_platform.resources.landing import InvalidMonthFolder, check_month
    from mg_platform.resources.warehouse import Warehouse

    try:
        month = check_month(args.month)
    except InvalidMonthFolder as exc:
        print(f"REFUSED {exc}")
        return 2
    database = settings.data_dir() / "warehouse.duckdb"
    if not database.exists():
        print(f"no warehouse at {database}; nothing to retract")
        return 1
    with Warehouse(database=str(database)).get_connection() as conn:
        done = retract_month(conn, month, args.reason, dt.datetime.now(dt.UTC))
    print(
        f"RETRACTED {done.month}: {done.records_removed} records and {done.pain_scores_removed} pain scores removed "
        f"(recorded in raw.retractions). Run `mg-platform materialize` to refresh the analyses."
    )
    return 0


def _summary(_: argparse.Namespace) -> int:
    from mg_platform.runner import summary_text

    print(summary_text(settings.data_dir()))
    return 0


def _dagster_home(_: argparse.Namespace) -> int:
    from mg_platform.runner import dagster_home

    print(dagster_home(settings.data_dir()))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="mg-platform", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = parser.add_subparsers(dest="command", required=True)
    demo = sub.add_parser("demo-data", help="write the demo cohort into $MG_DATA_DIR/landing")
    demo.add_argument("--seed", type=int, default=20250301)
    demo.add_argument("--months", default="2025-03..2025-09", help="YYYY-MM..YYYY-MM (inclusive)")
    demo.add_argument("--screened", type=int, default=76)
    demo.add_argument("--dialect", choices=["comma", "semicolon"], default="comma")
    demo.add_argument("--if-empty", action="store_true", help="do nothing when the landing zone holds data")
    demo.add_argument(
        "--effect",
        choices=["paper", "strong"],
        default="paper",
        help="paper: the study's modest, non-significant trends (default); strong: effects 19 + 19 cases detect",
    )
    demo.set_defaults(func=_demo_data)
    mat = sub.add_parser("materialize", help="materialise assets for every landed month")
    mat.add_argument("--select", default="*", help="Dagster asset selection, e.g. 'group:stats+' or '+group:stats'")
    mat.add_argument(
        "--blinded", action="store_true", help="run the statistics on keyed codes A/B instead of Control/MgSO4"
    )
    mat.add_argument(
        "--exclude-blocked",
        action="store_true",
        help="refresh the analyses from the accepted files even when a file was rejected (the report lists it)",
    )
    mat.add_argument(
        "--config",
        metavar="FILE",
        help="Dagster run config YAML ('ops: {<op>: {config: ...}}', e.g. config/quick_docking.yaml); "
        "each run gets the entries of its own ops",
    )
    mat.set_defaults(func=_materialize)
    retract = sub.add_parser("retract", help="remove a loaded month from the warehouse, recorded with a reason")
    retract.add_argument("month", help="YYYY-MM")
    retract.add_argument("--reason", required=True, help="why the month is retracted (recorded and reported)")
    retract.set_defaults(func=_retract)
    summ = sub.add_parser("summary", help="print what the warehouse holds")
    summ.set_defaults(func=_summary)
    home = sub.add_parser("dagster-home", help="prepare and print the Dagster instance folder (used by make ui)")
    home.set_defaults(func=_dagster_home)
    report_pdf.add_parser(sub)
    args = parser.parse_args(argv)
    from mg_platform.runner import quiet_api_maturity_warnings

    quiet_api_maturity_warnings()
    os.environ.setdefault("MG_DATA_DIR", str(Path("data").resolve()))
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())

"""``mg-platform report --pdf``: print ``$MG_DATA_DIR/outputs/report.html`` to ``outputs/report.pdf``.

Kept apart from :mod:`mg_platform.cli` so the command line can wire it in with one line
(``report_pdf.add_parser(subparsers)``); ``python -m mg_platform.report_pdf`` and ``make report-pdf``
run it directly. The HTML comes from the report asset (``mg-platform materialize``); this command
only prints it, with headless Chromium (:mod:`mg_platform.analysis.report.pdf`).
"""

from __future__ import annotations

import argparse
import sys

from mg_platform import settings


def report(args: argparse.Namespace) -> int:
    """Print the report's location, and with ``--pdf`` write and describe the PDF."""
    from mg_platform.analysis.report.pdf import page_count, print_to_pdf

    outputs = settings.data_dir() / "outputs"
    html_path = outputs / "report.html"
    if not html_path.is_file():
        print(f"no report at {html_path}; run `mg-platform materialize` first", file=sys.stderr)
        return 1
    print(f"report: {html_path}")
    if not args.pdf:
        return 0
    try:
        pdf_path = print_to_pdf(html_path, outputs / "report.pdf")
    except RuntimeError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    print(f"pdf: {pdf_path} ({page_count(pdf_path)} pages)")
    return 0


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Register ``report [--pdf]`` on the CLI's subparsers."""
    parser = subparsers.add_parser("report", help="locate the HTML report; --pdf prints it to outputs/report.pdf")
    parser.add_argument("--pdf", action="store_true", help="write outputs/report.pdf with headless Chromium")
    parser.set_defaults(func=report)
    return parser


def main(argv: list[str] | None = None) -> int:
    """``python -m mg_platform.report_pdf [--pdf]`` (the Makefile passes ``--pdf``)."""
    parser = argparse.ArgumentParser(prog="mg-platform")
    add_parser(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["report", *(argv if argv is not None else sys.argv[1:])])
    return args.func(args)


if __name__ == "__main__":
    raise SystemExit(main())

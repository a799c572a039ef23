"""The month's data-quality report: one small self-contained HTML page per partition.

Written to ``<data dir>/outputs/quality/<month>.html`` by the raw asset. It lists,
per file, whether it was accepted, the row counts, every expectation with its
result, the quarantined rows and the warnings. Identifier values never appear in
clear (raw.quarantine holds the pseudonym of a rejected identifier, or of a value
equal to one, with ``value_is_pseudonym``; GX ran on pseudonyms).
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from mg_platform.analysis.quality.gate import ExpectationOutcome, Finding
from mg_platform.analysis.quality.rules import RULES

EXAMPLE_ROWS = 10
REPORT_ROWS = 500

_CSS = """
body{font-family:system-ui,sans-serif;margin:2em;color:#222;max-width:1100px}
table{border-collapse:collapse;margin:.5em 0 1.5em}
td,th{border:1px solid #ccc;padding:.25em .6em;font-size:.9em;text-align:left;vertical-align:top}
th{background:#f3f3f3}.ok{color:#1a7f37}.error{color:#c62828;font-weight:600}.warning{color:#b26a00}
code{background:#f6f6f6;padding:0 .2em}
"""


@dataclass(frozen=True)
class FileSection:
    """What the report shows for one file of the month."""

    file_name: str
    status: str
    rows_read: int
    rows_accepted: int
    rows_quarantined: int
    outcomes: Sequence[ExpectationOutcome]
    quarantine: pd.DataFrame
    warnings: Sequence[Finding]


def findings_frame(findings: Sequence[Finding]) -> pd.DataFrame:
    """Warnings as rows (line, column, value, rule, message), ordered by line."""
    rows = [
        {"line": f.line, "column": f.column, "value": f.value, "rule": f.rule, "message": f.message} for f in findings
    ]
    frame = pd.DataFrame(rows, columns=["line", "column", "value", "rule", "message"])
    return frame.sort_values(["line", "column", "rule"], kind="stable").reset_index(drop=True)


def examples_markdown(frame: pd.DataFrame, limit: int = EXAMPLE_ROWS) -> str:
    """The first ``limit`` rows as a compact markdown table (or a note that there are none)."""
    if frame.empty:
        return "_none_"

    def cell(value) -> str:
        return "" if value is None or pd.isna(value) else str(value).replace("|", "\\|").replace("\n", " ")

    lines = ["| " + " | ".join(map(str, frame.columns)) + " |", "|" + "---|" * len(frame.columns)]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in frame.head(limit).itertuples(index=False)]
    if len(frame) > limit:
        lines.append(f"\n… and {len(frame) - limit} more")
    return "\n".join(lines)


def _table(frame: pd.DataFrame, limit: int = REPORT_ROWS) -> str:
    if frame.empty:
        return "<p class='ok'>none</p>"
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in frame.columns)
    body = "".join(
        "<tr>" + "".join(f"<td>{'' if pd.isna(v) else html.escape(str(v))}</td>" for v in row) + "</tr>"
        for row in frame.head(limit).itertuples(index=False)
    )
    more = f"<p>… {len(frame) - limit} more rows in raw.quarantine</p>" if len(frame) > limit else ""
    return f"<table><tr>{head}</tr>{body}</table>{more}"


def _outcomes_table(outcomes: Sequence[ExpectationOutcome]) -> str:
    frame = pd.DataFrame(
        [
            {
                "result": "pass" if o.success else ("FAIL" if o.level == "error" else "warn"),
                "rule": o.rule,
                "level": o.level,
                "column": o.column,
                "expectation": o.expectation,
                "rows failed": o.unexpected_count if o.unexpected_count is not None else "",
                "meaning": o.message,
            }
            for o in outcomes
        ]
    )
    return _table(frame)


def render_month_report(month: str, sections: Sequence[FileSection], cross_month: pd.DataFrame) -> str:
    """The HTML text of one month's report."""
    parts = [
        f"<!doctype html><html><head><meta charset='utf-8'><title>Data quality {html.escape(month)}</title>"
        f"<style>{_CSS}</style></head><body><h1>Data quality: {html.escape(month)}</h1>"
    ]
    summary = pd.DataFrame(
        [
            {
                "file": s.file_name,
                "status": s.status,
                "rows read": s.rows_read,
                "accepted": s.rows_accepted,
                "quarantined": s.rows_quarantined,
                "warnings (rows)": len({w.line for w in s.warnings}),
            }
            for s in sections
        ]
    )
    parts.append("<h2>Files</h2>" + _table(summary))
    for s in sections:
        css = "ok" if s.status == "accepted" else "error"
        parts.append(f"<h2>{html.escape(s.file_name)} <span class='{css}'>{html.escape(s.status)}</span></h2>")
        parts.append("<h3>Quarantined (error rules; rows not loaded)</h3>" + _table(s.quarantine))
        parts.append("<h3>Warnings (rows loaded)</h3>" + _table(findings_frame(s.warnings)))
        if s.outcomes:
            parts.append("<h3>Expectations (Great Expectations)</h3>" + _outcomes_table(s.outcomes))
    parts.append("<h2>case_id delivered in an earlier month (rejected by staging)</h2>" + _table(cross_month))
    rules = pd.DataFrame(
        [{"rule": r.key, "level": r.level, "decided by": r.decided_by, "checks": r.description} for r in RULES]
    )
    parts.append("<h2>Rules</h2>" + _table(rules))
    parts.append("</body></html>")
    return "\n".join(parts)


def write_month_report(path: Path, month: str, sections: Sequence[FileSection], cross_month: pd.DataFrame) -> Path:
    """Write the report atomically (temp file + rename) and return its path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".html.tmp")
    tmp.write_text(render_month_report(month, sections, cross_month), encoding="utf-8")
    tmp.replace(path)
    return path

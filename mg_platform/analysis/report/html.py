"""One self-contained HTML document (inline CSS, figures embedded as base64 PNG), screen and print.

The main text carries the paper's tables (built with great-tables in :mod:`.tables`); every full
warehouse table stays available behind a ``<details>`` disclosure as a compact table that names its
source. The print stylesheet keeps tables and figures whole on a page (``break-inside: avoid``), so
the PDF printed by headless Chromium (:mod:`.pdf`) needs no other layout.
"""

from __future__ import annotations

import base64
import html
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from mg_platform.analysis.report import formatting as fmt
from mg_platform.analysis.report.exports import is_exported

CSS = """
:root{--ink:#1d2733;--accent:#2b4a6f;--muted:#5b6673;--rule:#dde3ea;--warn:#8a2d2d}
body{font-family:Georgia,'Times New Roman',serif;max-width:1060px;margin:2em auto;padding:0 1.2em;color:var(--ink);
line-height:1.5;font-size:16px}
h1{font-size:1.65em;border-bottom:3px solid var(--accent);padding-bottom:.3em;margin-bottom:.2em}
h2{font-size:1.3em;color:var(--accent);margin-top:2em;border-bottom:1px solid #c9d3de;break-after:avoid}
h3{font-size:1.05em;color:var(--accent);break-after:avoid}
p.lead{font-size:1em}.note,.source{color:var(--muted);font-size:.85em}.source{margin:.2em 0 1.2em}
div.summary{font-size:1.04em;background:#f4f7fa;border-left:4px solid var(--accent);padding:.1em 1.1em}
.missing{color:var(--warn);font-style:italic}
.alert{border:2px solid var(--warn);background:#fbeeee;padding:.6em 1em;margin:1em 0}
.alert h3{color:var(--warn);margin:.2em 0}
figure{margin:1em 0;break-inside:avoid}figure img{max-width:min(100%,760px);border:1px solid var(--rule)}
figcaption{font-size:.88em;color:var(--muted);margin-top:.3em}
.kpis{display:flex;gap:1em;flex-wrap:wrap}.kpi{background:#eef3f8;border-left:4px solid var(--accent);padding:.5em 1em}
.kpi b{display:block;font-size:1.35em}
nav{font-size:.9em;line-height:1.9}nav a{margin-right:1em;color:var(--accent)}
.gt-block{break-inside:avoid;margin:1em 0 .4em}.gt-block .gt_table{margin-left:0!important}
.gt-block th.gt_stub{min-width:9em}#table2 th.gt_stub{min-width:13.5em}
figure img{display:block;box-sizing:border-box}
details{margin:.5em 0;border:1px solid var(--rule);border-radius:4px;padding:.3em .8em;background:#fbfcfd}
details>summary{cursor:pointer;color:var(--accent);font-family:Helvetica,Arial,sans-serif;font-size:.9em}
.detail{overflow-x:auto}
.detail table{border-collapse:collapse;margin:.6em 0;font-family:Helvetica,Arial,sans-serif;font-size:.78em}
.detail th{background:var(--accent);color:#fff;padding:.3em .5em;text-align:left;vertical-align:bottom}
.detail td{padding:.25em .5em;border-bottom:1px solid var(--rule);vertical-align:top}
.detail tr:nth-child(even) td{background:#f6f8fa}
.detail td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.detail td.genes{min-width:22em}
dl.prov{display:grid;grid-template-columns:max-content auto;gap:.2em 1.2em;font-size:.9em}
dl.prov dt{color:var(--muted)}dl.prov dd{margin:0}
ul.sentences li{margin-bottom:.3em}
@media print{
body{max-width:none;margin:0;font-size:11pt}nav{display:none}
h2{break-before:page}h2.keep{break-before:auto}
details{border:none;padding:0}details>summary{color:var(--muted)}
.detail,.gt-block,table,figure{break-inside:avoid}figure img{max-height:225mm;width:auto}
.gt-block>div{overflow:visible!important}
.gt-block .gt_table{font-size:8.5pt!important;width:100%!important}
.gt-block td,.gt-block th{white-space:normal!important;padding:2px 4px!important}
.gt-block th.gt_stub{min-width:0!important}
a{color:inherit;text-decoration:none}
}
@page{size:A4;margin:16mm 14mm}
"""

COLUMN_LABELS: dict[str, str] = {
    "estimate": "Estimate",
    "std_error": "SE",
    "statistic": "Statistic",
    "p_value": "p",
    "p_holm": "p (Holm)",
    "df": "df",
    "emmean": "Mean",
    "minute": "Minute",
    "group": "Arm",
    "outcome": "Outcome",
    "variable": "Variable",
    "level": "Level",
    "term": "Term",
    "n": "n",
    "note": "Note",
    "test": "Test",
    "shapiro_w": "Shapiro–Wilk W",
    "shapiro_p": "Shapiro–Wilk p",
    "levene_p": "Levene p",
    "levene_statistic": "Levene statistic",
    "levene_center": "Levene centre",
    "df_satterthwaite": "df (Satterthwaite)",
    "p_satterthwaite": "p (Satterthwaite)",
    "genes": "Genes",
    "fdr": "FDR",
    "description": "Term",
    "term_id": "ID",
    "category": "Category",
    "genes_in_set": "Genes in set",
    "genes_observed": "Genes observed",
    "box_center": "Box centre",
    "box_size": "Box size",
}


@dataclass
class Section:
    """One report section: heading, text that says what was done and how to read it, then blocks."""

    anchor: str
    title: str
    intro: str
    blocks: list[str] = field(default_factory=list)


def esc(text: object) -> str:
    """HTML-escaped text."""
    return html.escape(str(text))


def source_note(*names: str, extra: str = "") -> str:
    """The line under a table naming the warehouse tables it comes from and their CSV exports."""
    listed = ", ".join(f"<code>{esc(n)}</code>" for n in names)
    links = ", ".join(f'<a href="exports/{esc(n)}.csv">{esc(n)}.csv</a>' for n in names if is_exported(n))
    csv = f" (CSV: {links})" if links else ""
    return f'<p class="source">Source: warehouse {"table" if len(names) == 1 else "tables"} {listed}{csv}.{extra}</p>'


def missing_html(names: list[str], what: str) -> str:
    """The clear reason shown instead of a block whose tables are not in the warehouse."""
    listed = ", ".join(f"<code>{esc(n)}</code>" for n in names)
    return f'<p class="missing">{esc(what)}: not materialised yet (warehouse has no {listed}).</p>'


def details(summary: str, body: str) -> str:
    """A collapsed disclosure (expanded by the reader, never by the print)."""
    return f"<details><summary>{esc(summary)}</summary>{body}</details>"


def _humanise_column(column: str) -> str:
    if column in COLUMN_LABELS:
        return COLUMN_LABELS[column]
    text = column.replace("_", " ")
    for raw, nice in ((" ug", " (µg)"), (" kcal mol", " (kcal/mol)"), (" min", " (min)"), (" a", " (Å)")):
        if text.endswith(raw):
            text = text[: -len(raw)] + nice
    return text[:1].upper() + text[1:]


def _cell(value: object, column: str) -> tuple[str, bool]:
    """Formatted cell text and whether it is numeric."""
    if isinstance(value, (list, tuple, np.ndarray)):
        if column == "genes":
            return esc(fmt.gene_list(value)), False
        return esc(fmt.coordinates(value, unit="")), False
    if fmt.missing(value):
        return "–", False
    if isinstance(value, (bool, np.bool_)):
        return ("yes" if value else "no"), False
    if isinstance(value, (int, np.integer)):
        return str(int(value)), True
    if isinstance(value, (float, np.floating)):
        if column in {"fdr", "ppi_enrichment_p"} or (column.startswith("p_") or column.endswith("_p")) and value < 1e-3:
            return esc(fmt.scientific(value)), True
        if column.startswith("p_") or column.endswith("_p"):
            return fmt.p_value(value), True
        if float(value).is_integer() and abs(value) < 1e6:
            return str(int(value)), True
        return esc(fmt.number(value, 3 if abs(value) < 1 else 2)), True
    text = str(value)
    if column == "genes":
        return esc(fmt.gene_list(text)), False
    if column in {"box_center", "box_size"} or text.startswith("["):
        return esc(fmt.coordinates(text, unit="Å" if column == "box_center" else "")), False
    return esc(text), False


def detail_table(
    frame: pd.DataFrame | None,
    source: str,
    summary: str,
    columns: list[str] | None = None,
    formatters: Mapping[str, Callable[[object], str]] | None = None,
    max_rows: int = 400,
) -> str:
    """A compact full table behind a disclosure, naming its warehouse table; missing -> a clear reason."""
    if frame is None:
        return missing_html([source.split(" ")[0]], summary)
    shown = frame[[c for c in columns if c in frame.columns]] if columns else frame
    formatters = formatters or {}
    if shown.empty:
        return details(f"{summary} (0 rows)", f'<p class="note">Table {esc(source)} is empty.</p>')
    head = "".join(f"<th>{esc(_humanise_column(str(c)))}</th>" for c in shown.columns)
    rows = []
    for record in shown.head(max_rows).itertuples(index=False):
        cells = []
        for column, value in zip(shown.columns, record, strict=True):
            if column in formatters:
                text, numeric = esc(formatters[column](value)), False
            else:
                text, numeric = _cell(value, str(column))
            css = "num" if numeric else ("genes" if column == "genes" else "")
            cells.append(f'<td class="{css}">{text}</td>' if css else f"<td>{text}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    more = f'<p class="note">{len(shown) - max_rows} more rows in the CSV export.</p>' if len(shown) > max_rows else ""
    body = f'<div class="detail"><table><tr>{head}</tr>{"".join(rows)}</table></div>{more}' + source_note(
        source.split(" ")[0]
    )
    return details(f"{summary} ({len(shown)} rows)", body)


def figure_html(png: Path | bytes, caption: str, alt: str | None = None) -> str:
    """A figure embedded as base64 PNG with its caption."""
    data = png.read_bytes() if isinstance(png, Path) else png
    encoded = base64.b64encode(data).decode("ascii")
    return (
        f'<figure><img alt="{esc(alt or caption)}" src="data:image/png;base64,{encoded}">'
        f"<figcaption>{caption}</figcaption></figure>"
    )


def figure_placeholder(what: str, reason: str) -> str:
    """Shown only when the stage that draws a figure has not run."""
    return f'<p class="missing figure-missing">Figure not available: {esc(what)} ({esc(reason)}).</p>'


def kpis_html(items: list[tuple[str, str]]) -> str:
    """A row of headline numbers."""
    return (
        '<div class="kpis">' + "".join(f'<div class="kpi"><b>{esc(v)}</b>{esc(k)}</div>' for k, v in items) + "</div>"
    )


def render(title: str, subtitle: str, sections: list[Section], preamble: str = "") -> str:
    """The whole document; ``preamble`` (alerts, the results paragraph) comes before the first section."""
    nav = "".join(f'<a href="#{s.anchor}">{esc(s.title)}</a>' for s in sections)
    numbered = iter(range(1, 1000))
    body = "".join(
        f'<section id="{s.anchor}"><h2{" class=keep" if i == 0 else ""}>{esc(s.title)}</h2>'
        f"{f'<p class=lead>{s.intro}</p>' if s.intro else ''}{''.join(s.blocks)}</section>"
        for i, s in enumerate(sections)
    )
    body = re.sub("<figcaption>", lambda _: f"<figcaption><b>Figure {next(numbered)}.</b> ", body)
    return (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{esc(title)}</title>'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<style>{CSS}</style></head><body><header><h1>{esc(title)}</h1>"
        f'<p class="note">{esc(subtitle)}</p><nav>{nav}</nav></header>{preamble}{body}</body></html>'
    )

"""One self-contained HTML report (inline CSS, figures embedded as base64 PNG).

The report is written for a clinician: each section opens with what was done
and how to read it, then the tables. Tables come straight from the warehouse;
nothing is recomputed here. A table that is not materialised yet is named as
missing instead of silently omitted.
"""

from __future__ import annotations

import base64
import html
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

CSS = """
body{font-family:Georgia,'Times New Roman',serif;max-width:1100px;margin:2em auto;padding:0 1.2em;color:#1d2733;
line-height:1.45}
h1{font-size:1.7em;border-bottom:3px solid #2b4a6f;padding-bottom:.3em}
h2{font-size:1.3em;color:#2b4a6f;margin-top:2.2em;border-bottom:1px solid #c9d3de}
h3{font-size:1.05em;color:#2b4a6f}
p.lead{font-size:1.05em}.note{color:#5b6673;font-size:.9em}
table{border-collapse:collapse;margin:.8em 0 1.4em;font-family:Helvetica,Arial,sans-serif;font-size:.82em}
th{background:#2b4a6f;color:#fff;padding:.35em .6em;text-align:left}
td{padding:.3em .6em;border-bottom:1px solid #dde3ea}tr:nth-child(even) td{background:#f6f8fa}
td.num{text-align:right;font-variant-numeric:tabular-nums}
.flag{color:#8a2d2d;font-weight:bold}.missing{color:#8a2d2d;font-style:italic}
figure{margin:1em 0}figure img{max-width:100%;border:1px solid #dde3ea}figcaption{font-size:.85em;color:#5b6673}
.kpis{display:flex;gap:1em;flex-wrap:wrap}.kpi{background:#eef3f8;border-left:4px solid #2b4a6f;padding:.6em 1em}
.kpi b{display:block;font-size:1.4em}
nav a{margin-right:1em}.scroll{overflow-x:auto}
"""


SCIENTIFIC_COLUMNS = {"fdr", "ppi_enrichment_p"}


@dataclass
class Section:
    """One report section: heading, explanatory text, figures and tables in order."""

    anchor: str
    title: str
    intro: str
    blocks: list[str] = field(default_factory=list)


def _fmt(value: object, column: str) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
        return "–"
    if isinstance(value, (bool, np.bool_)):
        return "yes" if value else "no"
    if isinstance(value, (float, np.floating)):
        if column in SCIENTIFIC_COLUMNS:
            return f"{value:.2e}"
        if column.startswith("p_") or column.endswith("_p"):
            return "&lt;0.001" if value < 0.001 else f"{value:.3f}"
        if abs(value) >= 1e5 or (0 < abs(value) < 1e-3):
            return f"{value:.3g}"
        return f"{value:.2f}"
    text = str(value)
    if "," in text and " " not in text:
        text = text.replace(",", ", ")
    return html.escape(text)


def table_html(frame: pd.DataFrame | None, name: str, max_rows: int = 60, flag: str | None = None) -> str:
    """An HTML table; ``flag`` names a boolean column whose true rows are highlighted."""
    if frame is None:
        return f'<p class="missing">Table {html.escape(name)} is not materialised yet.</p>'
    if frame.empty:
        return f'<p class="note">Table {html.escape(name)} is empty.</p>'
    shown = frame.head(max_rows)
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in shown.columns)
    rows = []
    for _, row in shown.iterrows():
        flagged = bool(flag and flag in row and row[flag] is True)
        cells = "".join(
            f'<td class="{"num" if isinstance(v, (int, float, np.number)) and not isinstance(v, bool) else ""}'
            f'{" flag" if flagged else ""}">{_fmt(v, str(c))}</td>'
            for c, v in row.items()
        )
        rows.append(f"<tr>{cells}</tr>")
    more = f'<p class="note">{len(frame) - max_rows} more rows in the CSV export.</p>' if len(frame) > max_rows else ""
    return (
        f'<p class="note">{html.escape(name)}</p><div class="scroll"><table><tr>{head}</tr>{"".join(rows)}</table></div>'
        f"{more}"
    )


def figure_html(png: bytes | Path | None, caption: str) -> str:
    """A figure embedded as base64 PNG (self-contained)."""
    if png is None:
        return f'<p class="missing">Figure not available: {html.escape(caption)}</p>'
    data = png.read_bytes() if isinstance(png, Path) else png
    encoded = base64.b64encode(data).decode("ascii")
    return (
        f'<figure><img alt="{html.escape(caption)}" src="data:image/png;base64,{encoded}">'
        f"<figcaption>{html.escape(caption)}</figcaption></figure>"
    )


def kpis_html(items: list[tuple[str, str]]) -> str:
    return (
        '<div class="kpis">'
        + "".join(f'<div class="kpi"><b>{html.escape(v)}</b>{html.escape(k)}</div>' for k, v in items)
        + "</div>"
    )


def render(title: str, subtitle: str, sections: list[Section]) -> str:
    """The whole document."""
    nav = "".join(f'<a href="#{s.anchor}">{html.escape(s.title)}</a>' for s in sections)
    body = "".join(
        f'<h2 id="{s.anchor}">{html.escape(s.title)}</h2><p class="lead">{s.intro}</p>{"".join(s.blocks)}'
        for s in sections
    )
    return (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
        f"<style>{CSS}</style></head><body><h1>{html.escape(title)}</h1>"
        f'<p class="note">{html.escape(subtitle)}</p><nav>{nav}</nav>{body}</body></html>'
    )

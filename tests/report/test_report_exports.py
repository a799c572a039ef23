"""The report's pieces: formula-safe CSV, self-contained HTML, sections that name what is missing."""

import base64
import csv

import pandas as pd

from mg_platform.analysis.report import html, sections
from mg_platform.analysis.report.exports import neutralise_formulas, write_safe_csv
from mg_platform.analysis.report.labels import ArmLabels
from mg_platform.analysis.report.provenance import Provenance
from mg_platform.analysis.report.strobe_figure import strobe_diagram_png

FLOW = pd.DataFrame(
    {
        "step": ["screened", "excluded", "excluded", "excluded_total", "included", "included", "included"],
        "reason": [None, "pregnancy", "asa_above_2", None, None, None, None],
        "group": [None, None, None, None, None, "Control", "MgSO4"],
        "n": [10, 2, 3, 4, 6, 2, 4],
    }
)


def test_formula_like_text_is_neutralised_and_numbers_are_kept(tmp_path):
    frame = pd.DataFrame(
        {
            "term": ['=HYPERLINK("x")', "+1", "-cmd", "@SUM(A1)", "\tx", "group[T.MgSO4]"],
            "estimate": [-1.5, 2.0, -0.25, 0.0, 1.0, -3.0],
        }
    )
    path = write_safe_csv(frame, tmp_path / "t.csv")
    with path.open() as handle:
        rows = list(csv.DictReader(handle))
    assert [r["term"] for r in rows] == ['\'=HYPERLINK("x")', "'+1", "'-cmd", "'@SUM(A1)", "'\tx", "group[T.MgSO4]"]
    assert [float(r["estimate"]) for r in rows] == [-1.5, 2.0, -0.25, 0.0, 1.0, -3.0]
    assert neutralise_formulas(frame)["estimate"].dtype == float


def test_strobe_diagram_is_a_png():
    png = strobe_diagram_png(FLOW)
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 10_000


def test_report_is_self_contained(tmp_path):
    figure = tmp_path / "outputs" / "stats" / "pain_trajectory.png"
    figure.parent.mkdir(parents=True)
    figure.write_bytes(strobe_diagram_png(FLOW))
    tables = {name: None for name in sections.REPORT_TABLES} | {"cohort.strobe_flow": FLOW}
    facts = Provenance(items={"Run": "r1"})
    document = html.render(
        "title", "subtitle", sections.build_sections(tables, {"stats": [figure]}, facts, ArmLabels(blinded=False))
    )
    assert "<script" not in document and "http://" not in document and "https://" not in document
    assert document.count("data:image/png;base64,") == 2  # the STROBE diagram and the pain trajectory
    embedded = document.split("data:image/png;base64,")[1].split('"')[0]
    assert base64.b64decode(embedded).startswith(b"\x89PNG")
    assert "Table 2: not materialised yet" in document and "Docking results: not materialised yet" in document
    for anchor in (
        "summary",
        "baseline",
        "outcomes",
        "population",
        "pain",
        "robustness",
        "network",
        "docking",
        "provenance",
    ):
        assert f'id="{anchor}"' in document


def test_html_escapes_table_values():
    frame = pd.DataFrame({"term": ["<script>alert(1)</script>"], "p_value": [0.0004]})
    rendered = html.detail_table(frame, "t", "t")
    assert "<script>" not in rendered and "&lt;script&gt;" in rendered and "4.0 × 10⁻⁴" in rendered


def test_network_section_states_source_and_thresholds():
    provenance = pd.DataFrame(
        {
            "source": ["offline snapshot: STRING v12.0 >= 0.800"],
            "string_version": ["12.0"],
            "score_threshold_requested": [0.4],
            "score_threshold_applied": [0.8],
            "resource": ["string/edges.tsv"],
            "sha256": ["ab" * 32],
            "retrieved_at": [None],
            "note": ["sha256 verified"],
        }
    )
    section = sections.network_section({"network.provenance": provenance}, {})
    text = "".join(section.blocks)
    assert "requested 0.400, applied 0.800" in text and "offline snapshot" in text and "ab" * 32 in text

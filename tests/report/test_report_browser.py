"""The report in a real headless Chromium: what a reader needs is there, nothing scrolls sideways, the PDF prints.

Built from hand-written warehouse tables and real PNG figures (one per expected figure), so it runs in
``make test``; the end-to-end test does the same on the demo pipeline's own report.
"""

from __future__ import annotations

import pytest
from report_browser import WIDTH, pdf_of, raw_names_in, read_as_a_person, require_chromium
from report_tables import all_tables, strobe_flow

from mg_platform.analysis.report import html, sections
from mg_platform.analysis.report.figures import CAPTIONS, discover
from mg_platform.analysis.report.labels import ArmLabels
from mg_platform.analysis.report.provenance import Provenance
from mg_platform.analysis.report.strobe_figure import strobe_diagram_png

pytestmark = pytest.mark.slow

FIGURE_FILES = {
    "pain_trajectory": "stats/pain_trajectory.png",
    "secondary_outcomes_forest": "stats/secondary_outcomes_forest.png",
    "^network$": "network/network.png",
    "enrichment": "network/enrichment_dotplot.png",
    "pore_profile": "docking/nmda_pore/pore_profile.png",
}


def _report(tmp_path, blinded: bool) -> tuple:
    outputs = tmp_path / "outputs"
    png = strobe_diagram_png(strobe_flow())
    for relative in FIGURE_FILES.values():
        (outputs / relative).parent.mkdir(parents=True, exist_ok=True)
        (outputs / relative).write_bytes(png)
    tables = all_tables(blinded=blinded, robustness=True)
    full = {name: tables.get(name) for name in sections.REPORT_TABLES}
    arms = ArmLabels(blinded=blinded)
    facts = Provenance(items={"Run": "r1"}, months=[f"2025-{m:02d}" for m in range(3, 10)])
    document = html.render("Study", "sub", sections.build_sections(full, discover(outputs), facts, arms))
    path = tmp_path / "report.html"
    path.write_text(document, encoding="utf-8")
    return path, tables


def test_every_expected_figure_has_a_test_file():
    assert {c.pattern for c in CAPTIONS if c.expected} == set(FIGURE_FILES)


@pytest.mark.parametrize("blinded", [False, True], ids=["unblinded", "blinded"])
def test_report_reads_well_in_chromium(tmp_path, blinded):
    require_chromium()
    report, tables = _report(tmp_path, blinded)
    seen = read_as_a_person(report, f"report_synthetic_{'blinded' if blinded else 'unblinded'}")
    assert seen["sections"][:3] == ["summary", "baseline", "outcomes"]
    assert seen["summary"].startswith("Of 76 patients screened between March and September 2025")
    assert "Age, years, median [IQR]" in seen["table1"] and "ASA physical status, n (%)" in seen["table1"]
    assert seen["images"] and all(image["ok"] for image in seen["images"])
    assert len(seen["images"]) == len(FIGURE_FILES) + 1  # plus the STROBE diagram
    assert seen["placeholders"] == 0
    columns = {c for frame in tables.values() for c in frame.columns}
    assert raw_names_in(seen["main_text"], columns) == []
    assert seen["overflowing"] == [] and seen["page_scroll_width"] <= WIDTH
    assert set(seen["print_breaks"]) == {"avoid"} and seen["print_overflowing"] == []
    if blinded:
        assert "MgSO4" not in seen["main_text"] and "Control" not in seen["main_text"]
        assert "Arm B − Arm A" in seen["main_text"]


def test_pdf_prints_the_same_report(tmp_path):
    require_chromium()
    report, _ = _report(tmp_path, blinded=False)
    pages = pdf_of(report, tmp_path / "report.pdf")
    assert pages >= 9  # every section starts a new page

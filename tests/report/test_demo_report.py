"""End to end: the demo cohort through the whole pipeline (as `make run`, docking with the quick settings of
config/quick_docking.yaml), then the report read in Chromium.

The build fails if the demo report shows a figure placeholder, a raw column name in the main text, a
table wider than the page, or a summary that does not tell the paper's story. Screenshots of every
section, the PDF and a note of its page count and sections go to test-artifacts/.
"""

from __future__ import annotations

import duckdb
import pytest
from report_browser import ARTEFACTS, WIDTH, pdf_of, raw_names_in, read_as_a_person, require_chromium

from mg_platform import settings
from mg_platform.analysis.demo_cohort import generate_cohort, write_landing
from mg_platform.definitions import build_definitions
from mg_platform.report_pdf import main as report_pdf_main
from mg_platform.runner import materialize_all, read_op_config

pytestmark = pytest.mark.e2e


def test_demo_report_has_every_figure_tells_the_story_and_prints(tmp_path, monkeypatch):
    require_chromium()
    monkeypatch.setenv("MG_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "dagster_home"))
    write_landing(generate_cohort(), tmp_path / "landing")
    quick = read_op_config(settings.CONFIG_DIR / "quick_docking.yaml", build_definitions(tmp_path))
    outcome = materialize_all(data_dir=tmp_path, op_config=quick)  # every stage, docking with tiny searches
    assert not outcome.failures and not outcome.blocked, outcome
    report = tmp_path / "outputs" / "report.html"
    document = report.read_text(encoding="utf-8")
    assert "figure-missing" not in document, "the demo report shows a figure placeholder"

    seen = read_as_a_person(report, "demo_report")
    assert seen["placeholders"] == 0
    assert len(seen["images"]) >= 6 and all(image["ok"] for image in seen["images"])
    summary = seen["summary"].replace("\u00a0", " ")
    assert summary.startswith(
        "Of 76 patients screened between March and September 2025, 38 were excluded and 38 were analysed "
        "(19 Control, 19 MgSO4). Pain rose over the first 30 PACU minutes in both arms"
    )
    assert "the arm × time interaction was not significant" in summary
    assert "No primary or secondary comparison between MgSO4 and Control reached significance" in summary
    with duckdb.connect(str(tmp_path / "warehouse.duckdb"), read_only=True) as conn:
        columns = {c for (c,) in conn.execute("SELECT DISTINCT column_name FROM duckdb_columns()").fetchall()}
    assert raw_names_in(seen["main_text"], columns) == []
    assert seen["overflowing"] == [] and seen["page_scroll_width"] <= WIDTH
    assert set(seen["print_breaks"]) == {"avoid"} and seen["print_overflowing"] == []

    pages = pdf_of(report, ARTEFACTS / "demo_report.pdf")
    assert pages >= len(seen["sections"])
    assert report_pdf_main(["--pdf"]) == 0 and (tmp_path / "outputs" / "report.pdf").is_file()
    (ARTEFACTS / "demo_report.txt").write_text(
        f"pages: {pages}\nsections: {', '.join(seen['sections'])}\n", encoding="utf-8"
    )

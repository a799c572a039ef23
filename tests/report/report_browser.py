"""Reading the report as a person would: headless Chromium at 1280 px, one screenshot per section.

Shared by the fast browser test (hand-written tables) and the end-to-end demo test (the real pipeline).
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

from mg_platform.analysis.report.pdf import CHROMIUM_FLAGS, page_count, print_to_pdf
from mg_platform.settings import REPO_ROOT

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTEFACTS = REPO_ROOT / "test-artifacts"
WIDTH = 1280
A4_CONTENT_PX = 688  # 210 mm less the 2 x 14 mm print margins, at 96 px per inch

# What the reader sees without opening a disclosure (style and script text left out).
MAIN_TEXT_JS = """() => {
  const clone = document.body.cloneNode(true);
  clone.querySelectorAll('details, style, script').forEach(e => e.remove());
  return clone.innerText;
}"""
OVERFLOW_JS = """() => [...document.querySelectorAll('.gt-block, figure, div.summary')]
  .filter(e => !e.closest('details'))
  .filter(e => e.scrollWidth > e.clientWidth + 1 || e.getBoundingClientRect().right > window.innerWidth + 1)
  .map(e => (e.querySelector('.gt_title') || e).innerText.slice(0, 60))"""
IMAGES_JS = """() => [...document.images].map(i => ({alt: i.alt.slice(0, 60), ok: i.complete && i.naturalWidth > 0}))"""
PRINT_BREAKS_JS = """() => [...document.querySelectorAll('.gt-block, figure')]
  .map(e => getComputedStyle(e).breakInside)"""


def require_chromium() -> None:
    if not Path(CHROMIUM).exists():
        pytest.skip(
            "no Chromium on this machine and none could be installed (.ci/run tries apt-get install chromium); "
            "the browser checks of the report need it"
        )


def read_as_a_person(report: Path, prefix: str) -> dict[str, object]:
    """Open the report at 1280 px, screenshot each section, and collect what a reader needs."""
    ARTEFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=[f for f in CHROMIUM_FLAGS if f != "--headless"])
        page = browser.new_page(viewport={"width": WIDTH, "height": 900})
        page.goto(report.resolve().as_uri(), wait_until="load")
        sections = page.eval_on_selector_all("section", "els => els.map(e => e.id)")
        for section in sections:
            page.locator(f"section#{section}").screenshot(path=str(ARTEFACTS / f"{prefix}_{section}.png"))
        found = {
            "sections": sections,
            "summary": page.locator("div.summary").inner_text() if page.locator("div.summary").count() else "",
            "table1": page.locator("#table1").inner_text() if page.locator("#table1").count() else "",
            "main_text": page.evaluate(MAIN_TEXT_JS),
            "overflowing": page.evaluate(OVERFLOW_JS),
            "page_scroll_width": page.evaluate("() => document.documentElement.scrollWidth"),
            "images": page.evaluate(IMAGES_JS),
            "placeholders": page.locator(".figure-missing").count(),
        }
        page.emulate_media(media="print")
        page.set_viewport_size({"width": A4_CONTENT_PX, "height": 1000})
        found["print_breaks"] = page.evaluate(PRINT_BREAKS_JS)
        found["print_overflowing"] = page.evaluate(OVERFLOW_JS)
        browser.close()
    return found


def raw_names_in(text: str, names: set[str]) -> list[str]:
    """Warehouse column names (snake_case) that appear as words in ``text``."""
    return sorted(n for n in names if "_" in n and re.search(rf"\b{re.escape(n)}\b", text))


def pdf_of(report: Path, target: Path) -> int:
    """Print the report to ``target``; the page count, cross-checked against the page objects."""
    print_to_pdf(report, target)
    pages = page_count(target)
    assert pages == len(re.findall(rb"/Type\s*/Page\b(?!s)", target.read_bytes()))
    return pages

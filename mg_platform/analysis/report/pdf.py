"""Print the HTML report to PDF with headless Chromium (Debian's ``chromium``).

The PDF is the same document as the HTML: Chromium applies the report's print stylesheet (A4,
``break-inside: avoid`` on tables and figures, each section on a new page) and prints the collapsed
disclosures as their one-line summaries. A fresh temporary profile keeps the run isolated.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from pathlib import Path

CHROMIUM_FLAGS: tuple[str, ...] = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--no-pdf-header-footer",
)


def find_chromium() -> str | None:
    """Path of the Chromium binary (``chromium`` on PATH, or Debian's /usr/bin/chromium), if any."""
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found:
        return found
    return "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None


def print_to_pdf(html_path: Path, pdf_path: Path, chromium: str | None = None, timeout_s: float = 180) -> Path:
    """Write ``pdf_path`` from ``html_path``; raise ``RuntimeError`` with Chromium's output when it fails."""
    binary = chromium or find_chromium()
    if binary is None:
        raise RuntimeError("no Chromium found: install Debian's chromium (apt-get install chromium)")
    pdf_path.parent.mkdir(parents=True, exist_ok=True)
    pdf_path.unlink(missing_ok=True)
    with tempfile.TemporaryDirectory(prefix="mg-report-chromium-") as profile:
        command = [
            binary,
            *CHROMIUM_FLAGS,
            f"--user-data-dir={profile}",
            f"--print-to-pdf={pdf_path}",
            html_path.resolve().as_uri(),
        ]
        result = subprocess.run(command, capture_output=True, text=True, timeout=timeout_s, check=False)
    if result.returncode != 0 or not pdf_path.is_file() or not pdf_path.read_bytes().startswith(b"%PDF"):
        raise RuntimeError(f"Chromium could not print {html_path} (exit {result.returncode}): {result.stderr[-2000:]}")
    return pdf_path


def page_count(pdf_path: Path) -> int:
    """Pages of a PDF written by Chromium (the /Count of its page tree root)."""
    counts = [int(n) for n in re.findall(rb"/Type\s*/Pages\b[^>]*?/Count\s+(\d+)", pdf_path.read_bytes())]
    counts += [int(n) for n in re.findall(rb"/Count\s+(\d+)[^>]*?/Type\s*/Pages\b", pdf_path.read_bytes())]
    return max(counts, default=0)

"""The Dagster UI in a real headless Chromium: groups visible, one month materialised, its checks pass."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import sync_playwright

from mg_platform.analysis.report.pdf import CHROMIUM_FLAGS
from mg_platform.settings import REPO_ROOT

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTEFACTS = REPO_ROOT / "test-artifacts"
EXPECTED_GROUPS = ("raw", "staging", "cohort", "stats", "network", "docking", "report", "reference")

pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for(url: str, timeout_s: float = 90) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise TimeoutError(f"dagster-webserver did not answer at {url} within {timeout_s} s")


@pytest.fixture
def webserver(landed: Path, tmp_path: Path):
    home = tmp_path / "dagster_home"
    home.mkdir()
    (home / "dagster.yaml").write_text(
        "run_coordinator:\n  module: dagster._core.run_coordinator\n  class: DefaultRunCoordinator\n"
        "telemetry:\n  enabled: false\n"
    )
    port = _free_port()
    env = {**os.environ, "DAGSTER_HOME": str(home), "MG_DATA_DIR": str(landed)}
    log = (tmp_path / "webserver.log").open("w")
    process = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "dagster-webserver"),
            "-h",
            "127.0.0.1",
            "-p",
            str(port),
            "-w",
            str(REPO_ROOT / "workspace.yaml"),
        ],
        cwd=REPO_ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        _wait_for(f"http://127.0.0.1:{port}/server_info")
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()


def _dismiss_welcome_dialog(page) -> None:
    """Close the first-visit "Join the Dagster community" dialog; the browser then remembers it."""
    welcome = page.get_by_text("Join the Dagster community")
    try:
        welcome.wait_for(timeout=10_000)
    except PlaywrightTimeout:
        return
    page.get_by_role("button", name="Skip").click()
    welcome.wait_for(state="hidden", timeout=10_000)


@pytest.mark.e2e  # whole-pipeline CLI/Dagster run: make test-e2e (CI runs it)
def test_ui_shows_groups_and_materialises_one_month(webserver: str):
    if not Path(CHROMIUM).exists():
        pytest.skip(
            "no Chromium on this machine and none could be installed (.ci/run tries apt-get install chromium); "
            "the issue allows skipping the UI test only in this case"
        )
    ARTEFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=[f for f in CHROMIUM_FLAGS if f != "--headless"])
        page = browser.new_page(viewport={"width": 1600, "height": 1000})
        page.goto(f"{webserver}/asset-groups", wait_until="networkidle")
        _dismiss_welcome_dialog(page)
        for group in EXPECTED_GROUPS:
            page.get_by_text(group, exact=True).first.wait_for(timeout=30_000)
        page.screenshot(path=str(ARTEFACTS / "ui_asset_groups.png"), full_page=True)

        page.goto(f"{webserver}/assets/raw/perioperative_records", wait_until="networkidle")
        page.get_by_role("button", name="Materialize…").first.click()
        page.get_by_role("button", name="Confirm").click()
        dialog = page.get_by_role("dialog").filter(has_text="Launch runs to materialize")
        partitions = dialog.get_by_placeholder(re.compile(r"^ex: "))
        partitions.wait_for(timeout=30_000)
        one_partition = dialog.get_by_text("1 partition", exact=True)
        for _ in range(6):
            partitions.fill("2025-03")
            partitions.press("Enter")
            try:
                one_partition.wait_for(timeout=5_000)
                break
            except PlaywrightTimeout:
                continue
        dialog.get_by_role("button", name="Launch 1 run").click(timeout=30_000)
        page.screenshot(path=str(ARTEFACTS / "ui_run_launched.png"), full_page=True)

        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            page.goto(f"{webserver}/assets/raw/perioperative_records?view=checks", wait_until="networkidle")
            if page.get_by_text("Passed").count():
                break
            page.wait_for_timeout(2000)
        page.get_by_text("file_accepted").first.click()
        page.get_by_text("Passed").first.wait_for(timeout=10_000)
        page.get_by_text("2025-03/perioperative_records.csv").first.wait_for(timeout=10_000)
        page.screenshot(path=str(ARTEFACTS / "ui_checks_passed.png"), full_page=True)
        browser.close()

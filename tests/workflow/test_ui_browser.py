"""The Dagster UI in a real headless Chromium: groups visible, one month materialised, its checks pass."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from mg_platform.settings import REPO_ROOT

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTEFACTS = REPO_ROOT / "test-artifacts"
EXPECTED_GROUPS = ("raw", "staging", "cohort", "report")

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


def _dismiss_dialogs(page) -> None:
    for label in ("Skip", "Dismiss", "Got it"):
        button = page.get_by_role("button", name=label)
        if button.count():
            button.first.click()


def test_ui_shows_groups_and_materialises_one_month(webserver: str):
    playwright = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    if not Path(CHROMIUM).exists():
        pytest.skip("no Chromium binary on this machine (apt-get install chromium)")
    ARTEFACTS.mkdir(exist_ok=True)
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        page = browser.new_page(viewport={"width": 1600, "height": 1000})
        page.goto(f"{webserver}/asset-groups", wait_until="networkidle")
        _dismiss_dialogs(page)
        for group in EXPECTED_GROUPS:
            page.get_by_text(group, exact=True).first.wait_for(timeout=30_000)
        page.screenshot(path=str(ARTEFACTS / "ui_asset_groups.png"), full_page=True)

        launched = page.evaluate(
            """async () => {
              const query = `mutation Launch($p: ExecutionParams!) { launchRun(executionParams: $p) {
                __typename ... on LaunchRunSuccess { run { runId } } ... on PythonError { message } } }`;
              const params = { selector: { repositoryLocationName: "mg_platform.definitions",
                  repositoryName: "__repository__", jobName: "monthly_refresh" },
                executionMetadata: { tags: [{ key: "dagster/partition", value: "2025-03" }] }, mode: "default" };
              const r = await fetch("/graphql", { method: "POST", headers: { "Content-Type": "application/json" },
                body: JSON.stringify({ query, variables: { p: params } }) });
              return await r.json();
            }"""
        )
        run = launched["data"]["launchRun"]
        assert run["__typename"] == "LaunchRunSuccess", run
        run_id = run["run"]["runId"]
        page.goto(f"{webserver}/runs/{run_id}", wait_until="networkidle")
        _dismiss_dialogs(page)
        page.get_by_text("Success", exact=False).first.wait_for(timeout=120_000)
        page.goto(f"{webserver}/assets/raw/perioperative_records?view=checks", wait_until="networkidle")
        _dismiss_dialogs(page)
        page.get_by_text("file_accepted").first.wait_for(timeout=30_000)
        page.get_by_text("Passed").first.wait_for(timeout=30_000)
        page.screenshot(path=str(ARTEFACTS / "ui_checks_passed.png"), full_page=True)
        browser.close()

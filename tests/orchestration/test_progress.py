"""What the command line shows while a run works: step lines and the assets' own INFO log lines."""

from __future__ import annotations

import dagster as dg
from rich.console import Console

from mg_platform.runner import SESSION_TAG, Progress


@dg.asset
def talkative(context):
    context.log.info("[pipes] external process successfully opened dagster pipes.")
    context.log.info("MOR morphine/vina: run 3 of 20 done [2 threads]")
    context.log.debug("a debug line nobody asked for")


def test_progress_shows_steps_and_info_lines_but_not_the_pipes_protocol():
    console = Console(record=True, width=200)
    with dg.instance_for_test() as instance:
        result = dg.materialize([talkative], instance=instance, tags={SESSION_TAG: "s1"})
        assert result.success
        Progress(instance, console, "s1")._poll()
    shown = console.export_text()
    assert "running talkative" in shown and "done    talkative" in shown
    assert "MOR morphine/vina: run 3 of 20 done [2 threads]" in shown  # escaped: brackets kept as text
    assert "[pipes]" not in shown and "debug line" not in shown


@dg.asset(retry_policy=dg.RetryPolicy(max_retries=1, delay=0.1))
def flaky():
    raise ConnectionError("data.rcsb.org unreachable")


def test_a_retry_says_why_and_when():
    console = Console(record=True, width=200)
    with dg.instance_for_test() as instance:
        result = dg.materialize([flaky], instance=instance, tags={SESSION_TAG: "s2"}, raise_on_error=False)
        assert not result.success
        Progress(instance, console, "s2")._poll()
    retry = next(line for line in console.export_text().splitlines() if " retry " in line)
    assert retry.endswith("retry   flaky in 0.1 s: ConnectionError: data.rcsb.org unreachable"), retry

"""Run-failure alerts: one readable line and one JSON record per failed run, plus an optional hook.

The hook is any command (``MG_ALERT_COMMAND``, e.g. a ``curl`` to a Slack webhook or ``mail``);
it receives the alert as JSON on standard input. Without it the alert is only written down.
"""

from __future__ import annotations

import datetime as dt
import json
import shlex
import subprocess
from pathlib import Path

import dagster as dg
from pydantic import Field


class AlertNotifier(dg.ConfigurableResource):
    """Writes ``alerts.log`` (one line per alert) and ``alerts.jsonl`` (one record per alert)."""

    folder: str = Field(description="Folder holding alerts.log and alerts.jsonl.")
    command: str = Field(default="", description="Command run per alert with the JSON record on stdin (optional).")

    def notify_run_failure(self, run: dg.DagsterRun, message: str) -> dict[str, str]:
        """Record one failed run; return the record written."""
        first_line = (message.strip().splitlines() or ["run failed"])[0][:300]
        record = {
            "at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "kind": "run_failure",
            "job": run.job_name,
            "run_id": run.run_id,
            "partition": run.tags.get("dagster/partition", ""),
            "trigger": run.tags.get("mg/trigger", ""),
            "message": first_line,
        }
        folder = Path(self.folder)
        folder.mkdir(parents=True, exist_ok=True)
        where = f" [{record['partition']}]" if record["partition"] else ""
        with (folder / "alerts.log").open("a", encoding="utf-8") as log:
            log.write(f"{record['at']} ALERT run {run.run_id[:8]} of {run.job_name}{where} failed: {first_line}\n")
        with (folder / "alerts.jsonl").open("a", encoding="utf-8") as records:
            records.write(json.dumps(record, sort_keys=True) + "\n")
        if self.command:
            subprocess.run(shlex.split(self.command), input=json.dumps(record), text=True, timeout=30, check=False)
        return record

"""Settings that hold for a whole run: blinding of the analysis and the outputs folder.

Both are resources, so a run sets each exactly once (``resources.blinding.config.blinded``
in the launchpad, ``--blinded`` on the command line) and every step of the run sees the
same value: a run that is blinded in one statistic and unblinded in another cannot exist.
"""

from __future__ import annotations

from pathlib import Path

import dagster as dg
from pydantic import Field


class Blinding(dg.ConfigurableResource):
    """Whether the statistics run on keyed codes A/B instead of Control/MgSO4 (one switch per run)."""

    blinded: bool = Field(
        default=False,
        description="Replace the group labels by codes A/B keyed by the pseudonymisation key (differences B - A). "
        "Running unblinded is the explicit unblinding step and records the arm codes.",
    )


class OutputsFolder(dg.ConfigurableResource):
    """``<data dir>/outputs``: figures, exports, quality pages and the report, one sub-folder per stage."""

    path: str = Field(description="Folder that receives every file a run writes besides the warehouse.")

    def stage(self, name: str) -> Path:
        """``<outputs>/<name>`` (created), e.g. ``stats``, ``network``, ``docking``, ``quality``."""
        folder = Path(self.path) / name
        folder.mkdir(parents=True, exist_ok=True)
        return folder

    @property
    def report_html(self) -> Path:
        """Where the study report is written."""
        return Path(self.path) / "report.html"

    def quality_page(self, month: str) -> Path:
        """The data-quality page of one month (``quality/<month>.html``)."""
        return Path(self.path) / "quality" / f"{month}.html"

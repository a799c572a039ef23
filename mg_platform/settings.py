"""Paths and environment in one place.

``MG_DATA_DIR`` (default ``./data``) holds the landing zone, the warehouse, the
pseudonymisation key, caches and outputs. ``MG_REFERENCE_DIR`` names the offline
reference snapshot (rcsb/, string/, genesets/); when unset, ``../shared/reference``
beside the repository is used if it exists.
"""

from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
SQL_DIR = REPO_ROOT / "dbt_like_sql"
CONFIG_DIR = REPO_ROOT / "config"
ELIGIBILITY_FILE = CONFIG_DIR / "eligibility.yaml"

MONTH_PATTERN = r"^[0-9]{4}-(0[1-9]|1[0-2])$"
PARTITION_START = os.environ.get("MG_PARTITION_START", "2020-01")


def data_dir() -> Path:
    """The data directory: ``$MG_DATA_DIR`` or ``./data``."""
    return Path(os.environ.get("MG_DATA_DIR", "data")).resolve()


def alert_command() -> str:
    """``$MG_ALERT_COMMAND``: a command that receives each run-failure alert as JSON on stdin (may be empty)."""
    return os.environ.get("MG_ALERT_COMMAND", "")


def executor_kind() -> str:
    """``$MG_EXECUTOR``: ``in_process`` (default) or ``celery`` (steps on Celery workers, see README)."""
    return os.environ.get("MG_EXECUTOR", "in_process")


def reference_dir() -> Path | None:
    """The offline reference snapshot, or None when none is configured or present."""
    configured = os.environ.get("MG_REFERENCE_DIR")
    if configured:
        return Path(configured).resolve()
    default = REPO_ROOT.parent / "shared" / "reference"
    return default if default.is_dir() else None

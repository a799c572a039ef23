"""The platform's resources, built for one data directory and reference snapshot."""

from __future__ import annotations

from pathlib import Path

import dagster as dg

from mg_platform import settings
from mg_platform.resources.alerts import AlertNotifier
from mg_platform.resources.landing import LandingZone
from mg_platform.resources.pseudonymiser import Pseudonymiser
from mg_platform.resources.rcsb_client import RcsbClient
from mg_platform.resources.reference import ReferenceSnapshot
from mg_platform.resources.run_settings import Blinding, OutputsFolder
from mg_platform.resources.string_client import StringClient
from mg_platform.resources.warehouse import Warehouse


def default_resources(data_dir: Path | None = None, reference_dir: Path | None = None) -> dict[str, object]:
    """Resources keyed by the parameter names assets use.

    ``data_dir`` defaults to ``$MG_DATA_DIR`` (./data); ``reference_dir`` to
    :func:`mg_platform.settings.reference_dir`.
    """
    root = Path(data_dir) if data_dir else settings.data_dir()
    reference = reference_dir if reference_dir is not None else settings.reference_dir()
    return {
        "warehouse": Warehouse(database=str(root / "warehouse.duckdb")),
        "landing": LandingZone(path=str(root / "landing")),
        "pseudonymiser": Pseudonymiser(key_file=str(root / ".pseudonym_key")),
        "reference": ReferenceSnapshot(path=str(reference) if reference else ""),
        "string_client": StringClient(cache_dir=str(root / "cache" / "string")),
        "rcsb_client": RcsbClient(cache_dir=str(root / "cache" / "rcsb")),
        "pipes_subprocess_client": dg.PipesSubprocessClient(),
        "blinding": Blinding(),
        "outputs_folder": OutputsFolder(path=str(root / "outputs")),
        "alert_notifier": AlertNotifier(folder=str(root / "alerts"), command=settings.alert_command()),
    }

"""The platform's named jobs: what the command line, the sensor, the schedule and the UI all run.

Selections are written with asset keys and groups only, so this module is cheap to import.

- ``monthly_refresh`` (month partitions): load one month into raw.*, run its checks, then the
  SQL models, the statistics and the report. The landed-month sensor and the schedule request it
  for one month; the command line runs its raw part once per landed month and its unpartitioned
  part (staging -> report) once, so both appear in the instance under this one name.
- ``reference_analyses``: the STRING network, the NMDA Mg2+ pore and the docking engine summary
  (after the validation complexes), which do not depend on the monthly data.
- ``docking_receptors`` (receptor partitions): the configured ligands docked into one receptor per run.
- ``docking_validation`` (complex partitions): one redocking validation complex per run, every engine.
"""

from __future__ import annotations

import dagster as dg

RAW_SELECTION = dg.AssetSelection.key_prefixes(["raw"])
ELIGIBILITY_SELECTION = dg.AssetSelection.assets(dg.AssetKey(["config", "eligibility_criteria"]))
DELIVERY_CHECK_KEY = dg.AssetCheckKey(dg.AssetKey(["raw", "perioperative_records"]), "previous_month_delivered")
"""The freshness check runs on its own daily schedule (automation.py), never inside a load."""
MONTHLY_REFRESH_SELECTION = (RAW_SELECTION.downstream() | ELIGIBILITY_SELECTION) - dg.AssetSelection.checks(
    DELIVERY_CHECK_KEY
)
DOCKING_RECEPTOR_SELECTION = dg.AssetSelection.assets(
    *(dg.AssetKey(["docking", name]) for name in ("poses", "best", "contacts", "interactions"))
)
DOCKING_REDOCK_SELECTION = dg.AssetSelection.assets(
    *(dg.AssetKey(["docking", name]) for name in ("redock", "redock_poses"))
)
REFERENCE_SELECTION = (
    dg.AssetSelection.groups("network", "docking") - DOCKING_RECEPTOR_SELECTION - DOCKING_REDOCK_SELECTION
)

# The executor is the Definitions' one (in-process here, Celery or Kubernetes on a cluster): see definitions.py.
monthly_refresh_job = dg.define_asset_job(
    "monthly_refresh",
    selection=MONTHLY_REFRESH_SELECTION,
    description="Load one month into raw.*, run its checks, and refresh every model, statistic and report after it.",
)
reference_analyses_job = dg.define_asset_job(
    "reference_analyses",
    selection=REFERENCE_SELECTION,
    description="The STRING network with its centralities and enrichment, and the NMDA receptor Mg2+ pore.",
)
docking_receptors_job = dg.define_asset_job(
    "docking_receptors",
    selection=DOCKING_RECEPTOR_SELECTION,
    description="The configured ligands docked into one receptor (partition) with every configured engine; "
    "a backfill docks them all.",
)
docking_validation_job = dg.define_asset_job(
    "docking_validation",
    selection=DOCKING_REDOCK_SELECTION,
    description="One redocking validation complex (partition): the co-crystal ligand rebuilt and redocked by every engine.",
)
JOBS = (monthly_refresh_job, reference_analyses_job, docking_receptors_job, docking_validation_job)

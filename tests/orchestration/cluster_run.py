"""Run the statistics and one docking receptor of ``$MG_DATA_DIR`` with the configured executor.

Used by test_celery.py in a fresh process per data dir (the definitions are built from the
environment): ``python cluster_run.py [BROKER_URL]``. Without a broker the local in-process
executor runs; with one, ``MG_EXECUTOR=celery`` must be set and the steps go to Celery workers.
"""

from __future__ import annotations

import sys

import dagster as dg
from dagster._core.definitions.reconstruct import ReconstructableRepository

from mg_platform.settings import REPO_ROOT

TINY_DOCKING = {"runs": 2, "exhaustiveness": 2, "n_poses": 3}
STATS = [
    dg.AssetKey(["stats", name])
    for name in (
        "baseline",
        "assumptions",
        "pain_lmm_fixed",
        "pain_lmm_tests",
        "pain_emmeans",
        "pain_contrasts",
        "pain_auc",
        "secondary_outcomes",
        "sensitivity_regression",
        "adverse_events",
    )
]
DOCKING = [dg.AssetKey(["docking", name]) for name in ("poses", "best", "contacts", "interactions")]


def main(broker: str | None) -> int:
    repository = ReconstructableRepository.for_module(
        "mg_platform.definitions", "defs", working_directory=str(REPO_ROOT)
    )
    execution = {"execution": {"config": {"broker": broker, "backend": broker}}} if broker else {}
    with dg.DagsterInstance.get() as instance:
        for job, keys, config, tags in (
            ("monthly_refresh", STATS, {}, {}),
            (
                "docking_receptors",
                DOCKING,
                {"ops": {"docking_receptor": {"config": TINY_DOCKING}}},
                {"dagster/partition": "MOR"},
            ),
        ):
            result = dg.execute_job(
                repository.get_reconstructable_job(job).get_subset(asset_selection=set(keys)),
                instance=instance,
                run_config={**config, **execution},
                tags=tags,
            )
            steps = sorted({e.step_key for e in result.all_events if e.event_type == dg.DagsterEventType.STEP_SUCCESS})
            print(f"{job} success={result.success} steps={','.join(steps)}", flush=True)
            if not result.success:
                return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else None))

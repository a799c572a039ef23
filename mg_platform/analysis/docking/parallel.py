"""Independent docking searches spread over the machine's cores.

A search job is one call of :func:`engines.search`: one Vina run, or one AutoDock 4 call with its
``ga_run`` runs. The jobs run in ``workers = min(cores, jobs)`` spawned processes (in this process
when that is one), and each Vina run gets ``cores // workers`` threads, so every core is busy
whether a receptor has twenty short runs or a complex three long ones; jobs with more runs start
first (an AutoDock 4 call of twenty runs does not trail behind the Vina runs). Results come back in
job order and do not depend on the number of cores: every run has its own seed, Vina's poses do not
depend on its thread count, and poses come back from a worker bit for bit (all tested). Pool
workers die with their parent (Linux), so a stopped docking step leaves no process behind.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, replace
from multiprocessing import get_context
from pathlib import Path

from mg_platform.analysis.docking import engines
from mg_platform.processes import die_with_parent


@dataclass(frozen=True)
class SearchJob:
    """The arguments of one :func:`engines.search` call; ``label`` groups jobs for progress messages."""

    engine: str
    maps: Path
    ligand_pdbqt: str
    runs: int
    base_seed: int
    first_run: int = 1
    label: str = ""


def plan_cores(cores: int, jobs: int) -> tuple[int, int]:
    """(worker processes, Vina threads per run) for ``jobs`` jobs on ``cores`` cores (0: every core)."""
    available = cores if cores > 0 else (os.cpu_count() or 1)
    workers = max(1, min(available, jobs))
    return workers, max(1, available // workers)


def run_searches(
    jobs: Sequence[SearchJob],
    settings: engines.EngineSettings,
    cores: int = 0,
    progress: Callable[[str, int, int], None] | None = None,
) -> list[list[engines.EngineRun]]:
    """Run every job; return each job's runs, in job order.

    ``cores`` (0: every core) bounds the processes and threads used. ``progress(label, runs done, runs
    planned)`` is called as jobs finish, counted per label. The first job to fail cancels the jobs not yet
    started, and its exception is raised here once the running ones have ended.
    """
    workers, threads = plan_cores(cores, len(jobs))
    job_settings = replace(settings, vina=replace(settings.vina, cpu=threads))
    planned = Counter()
    for job in jobs:
        planned[job.label] += job.runs
    done = Counter()

    def finished(job: SearchJob) -> None:
        done[job.label] += job.runs
        if progress is not None:
            progress(job.label, done[job.label], planned[job.label])

    results: list[list[engines.EngineRun] | None] = [None] * len(jobs)
    if workers == 1:
        for index, job in enumerate(jobs):
            results[index] = _search(job, job_settings)
            finished(job)
        return results
    pool = ProcessPoolExecutor(workers, mp_context=get_context("spawn"), initializer=_start_worker)
    try:
        longest_first = sorted(range(len(jobs)), key=lambda index: -jobs[index].runs)
        futures = {pool.submit(_search, jobs[index], job_settings): index for index in longest_first}
        for future in as_completed(futures):
            index = futures[future]
            results[index] = future.result()
            finished(jobs[index])
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    return results


def _start_worker() -> None:
    """Die with the parent; send poses back exactly (RDKit pickles coordinates as 32-bit floats by default)."""
    from rdkit import Chem

    die_with_parent()
    Chem.SetDefaultPickleProperties(Chem.PropertyPickleOptions.AllProps | Chem.PropertyPickleOptions.CoordsAsDouble)


def _search(job: SearchJob, settings: engines.EngineSettings) -> list[engines.EngineRun]:
    return engines.search(job.engine, job.maps, job.ligand_pdbqt, job.runs, job.base_seed, settings, job.first_run)

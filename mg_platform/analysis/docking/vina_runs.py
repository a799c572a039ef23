"""AutoDock Vina 1.2 runs (``vina`` or ``vinardo`` scoring): maps computed once, then independent seeded searches.

Affinities are Vina scores in kcal/mol (lower is better). ``rmsd_lb``/``rmsd_ub``
are Vina's lower/upper-bound RMSD (Angstrom) of each pose to the best pose of the
same run. With a fixed seed a run is deterministic, and the poses do not depend on ``cpu`` (Vina seeds each
Monte Carlo task from the run seed and merges them in task order; tested), so runs may use any number of cores.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from mg_platform.analysis.docking.box import SearchBox

GRID_SPACING_A = 0.375
_RESULT = re.compile(r"^REMARK VINA RESULT:\s+(\S+)\s+(\S+)\s+(\S+)", re.MULTILINE)


@dataclass(frozen=True)
class VinaSettings:
    """Search settings shared by every run of one receptor."""

    exhaustiveness: int = 8
    n_poses: int = 9
    min_rmsd_a: float = 1.0
    energy_range_kcal_mol: float = 3.0
    cpu: int = 1
    """Vina threads per run (0: every core; :mod:`parallel` sets it from the cores it shares out); results are
    identical for any value."""
    scoring: str = "vina"


@dataclass(frozen=True)
class PoseScore:
    """One pose of one run: rank (1 = best), score (engine units, kcal/mol), RMSD bounds to the run's best pose (A).

    The RMSD bounds are Vina's; AutoDock 4 runs (one pose each) leave them empty.
    """

    pose_rank: int
    affinity_kcal_mol: float
    rmsd_lb: float | None
    rmsd_ub: float | None


@dataclass(frozen=True)
class RunResult:
    """The poses of one seeded run, with the multi-model PDBQT Vina wrote."""

    run: int
    seed: int
    poses: tuple[PoseScore, ...]
    pdbqt: str


def run_seeds(base_seed: int, runs: int) -> list[int]:
    """Distinct seeds for runs 1..runs: base_seed + run."""
    return [base_seed + run for run in range(1, runs + 1)]


def parse_vina_poses(pdbqt: str) -> tuple[PoseScore, ...]:
    """Pose scores from the ``REMARK VINA RESULT`` lines of a multi-model Vina PDBQT."""
    return tuple(
        PoseScore(rank, float(a), float(lb), float(ub)) for rank, (a, lb, ub) in enumerate(_RESULT.findall(pdbqt), 1)
    )


def compute_maps(receptor_pdbqt: Path, ligand_pdbqt: str, box: SearchBox, map_prefix: Path, scoring: str) -> None:
    """Affinity maps for the ligand's atom types in ``box``, written to ``map_prefix``.*.

    Map files need an even number of voxels per axis, so Vina may add one grid point (0.375 A) to an edge.
    """
    from vina import Vina

    map_prefix.parent.mkdir(parents=True, exist_ok=True)
    v = Vina(sf_name=scoring, cpu=1, seed=1, verbosity=0)
    v.set_receptor(str(receptor_pdbqt))
    v.set_ligand_from_string(ligand_pdbqt)
    v.compute_vina_maps(
        center=list(box.center), box_size=list(box.size), spacing=GRID_SPACING_A, force_even_voxels=True
    )
    v.write_maps(str(map_prefix), overwrite=True)


def dock_run(map_prefix: Path, ligand_pdbqt: str, run: int, seed: int, settings: VinaSettings) -> RunResult:
    """One independent Vina search with ``seed`` on the precomputed maps."""
    from vina import Vina

    v = Vina(sf_name=settings.scoring, cpu=settings.cpu, seed=seed, verbosity=0)
    v.load_maps(str(map_prefix))
    v.set_ligand_from_string(ligand_pdbqt)
    v.dock(exhaustiveness=settings.exhaustiveness, n_poses=settings.n_poses, min_rmsd=settings.min_rmsd_a)
    pdbqt = v.poses(n_poses=settings.n_poses, energy_range=settings.energy_range_kcal_mol)
    return RunResult(run=run, seed=seed, poses=parse_vina_poses(pdbqt), pdbqt=pdbqt)

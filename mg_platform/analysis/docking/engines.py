"""Docking engines as configuration: ``vina`` and ``vinardo`` (AutoDock Vina 1.2 scoring functions) and ``ad4``.

Every engine takes the same prepared receptor PDBQT, ligand PDBQT and box, and
returns the same run records, so the rest of the stage does not know which engine ran.
A *run* is one independent search: a Vina ``dock()`` call with its own seed (``exhaustiveness``
Monte Carlo chains, 1 in the study docking; up to ``n_poses`` poses), or one AutoDock 4 Lamarckian GA run (one pose;
``ga_run`` = the number of runs, all in one ``autodock4`` call with one recorded ``seed``).

Scores are engine-specific and never comparable across engines: Vina and Vinardo give
their empirical scores in kcal/mol-like units; ``ad4`` gives AutoDock 4's estimated
free energy of binding (kcal/mol). Every table carries the engine beside the score.

References: Eberhardt et al. 2021, J Chem Inf Model 61:3891 (Vina 1.2); Quiroga and
Villarreal 2016, PLoS One 11:e0155183 (Vinardo); Morris et al. 2009 (AutoDock 4.2).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path

from mg_platform.analysis.docking import autodock4, rmsd, vina_runs
from mg_platform.analysis.docking.box import SearchBox

ENGINES = ("vina", "vinardo", "ad4")
VINA_ENGINES = ("vina", "vinardo")
DEFAULT_ENGINE = "vina"
"""The engine the study docking uses besides ``ad4``: the best redocking success rate over the configured
complexes (``docking.engine_summary``, ``best_by_redocking``). Measured (README, 2026-12-02): vina 2 of 6
complexes (8EF6 morphine 1.25 A, 6VI4 JDTic 1.50 A), vinardo 0 of 6, ad4 0 of 6, although the issue's
single-seed probe had favoured vinardo for morphine."""


@dataclass(frozen=True)
class EngineSettings:
    """Search settings of every engine (each engine reads its own part)."""

    vina: vina_runs.VinaSettings = field(default_factory=vina_runs.VinaSettings)
    ad4: autodock4.AD4Settings = field(default_factory=autodock4.AD4Settings)
    cores: int = 0
    """CPU cores the searches share (0: every core; see :mod:`parallel`); results are the same for any value."""

    def to_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict) -> EngineSettings:
        return cls(
            vina=vina_runs.VinaSettings(**data["vina"]), ad4=autodock4.AD4Settings(**data["ad4"]), cores=data["cores"]
        )

    def describe(self, engine: str) -> dict:
        """The settings that decide ``engine``'s results (recorded in the tables; cores and threads do not)."""
        if engine == "ad4":
            return {"engine": engine, **asdict(self.ad4)}
        return {"engine": engine, **{k: v for k, v in asdict(self.vina).items() if k not in ("scoring", "cpu")}}


@dataclass(frozen=True)
class EngineRun:
    """One search: run number (from 1), its seed, pose scores (best first), RDKit poses and the pose file text.

    For ``ad4`` the seed is the DPF ``seed`` of the call that ran it and ``rng_seeds`` the run's own RNG
    state from the DLG; ``text`` is a Vina multi-model PDBQT or, for ``ad4``, the whole DLG of the call.
    """

    run: int
    seed: int
    poses: tuple[vina_runs.PoseScore, ...]
    molecules: tuple
    text: str
    rng_seeds: str | None = None


def check_engine(engine: str) -> str:
    if engine not in ENGINES:
        raise ValueError(f"unknown docking engine {engine!r}; choose from {', '.join(ENGINES)}")
    return engine


def prepare_maps(engine: str, work_dir: Path, receptor_pdbqt: Path, ligand_pdbqt: str, box: SearchBox) -> Path:
    """Grid maps for the ligand's atom types in ``box`` (computed once, reused by every run); returns their folder."""
    check_engine(engine)
    folder = work_dir / f"maps_{engine}"
    if engine == "ad4":
        autodock4.compute_maps(folder, receptor_pdbqt.read_text(), ligand_pdbqt, box)
    else:
        vina_runs.compute_maps(receptor_pdbqt, ligand_pdbqt, box, folder / "receptor", engine)
    return folder


def search(
    engine: str,
    maps: Path,
    ligand_pdbqt: str,
    runs: int,
    base_seed: int,
    settings: EngineSettings,
    first_run: int = 1,
) -> list[EngineRun]:
    """``runs`` independent searches on precomputed ``maps``.

    Parameters
    ----------
    engine : str
        ``vina``, ``vinardo`` or ``ad4``.
    maps : Path
        The folder :func:`prepare_maps` returned for this engine.
    ligand_pdbqt : str
        meeko's ligand PDBQT (the same text for every engine).
    runs, base_seed, first_run : int
        Run k (numbered from ``first_run``) uses seed base_seed + k; ``ad4`` runs all of them in
        one ``autodock4`` call (``ga_run`` = runs) with DPF seed base_seed + first_run.
    settings : EngineSettings
        Search settings (each engine reads its own part).

    Returns
    -------
    list of EngineRun
        One per run, in run order; scores in the engine's units (kcal/mol), lower is better.
    """
    check_engine(engine)
    seeds = [base_seed + k for k in range(first_run, first_run + runs)]
    if engine == "ad4":
        dlg = autodock4.dock(maps, ligand_pdbqt, runs, seeds[0], settings.ad4, first_run)
        molecules = rmsd.pose_molecules(dlg, is_dlg=True)
        results = [
            EngineRun(
                run=first_run + index,
                seed=seeds[0],
                poses=(vina_runs.PoseScore(1, record.free_energy_kcal_mol, None, None),),
                molecules=(mol,),
                text=dlg,
                rng_seeds=record.rng_seeds,
            )
            for index, (record, mol) in enumerate(zip(autodock4.parse_dlg(dlg), molecules, strict=True))
        ]
        return results
    vina = vina_runs.VinaSettings(**{**asdict(settings.vina), "scoring": engine})
    results = []
    for index, seed in enumerate(seeds):
        result = vina_runs.dock_run(maps / "receptor", ligand_pdbqt, first_run + index, seed, vina)
        mols = rmsd.pose_molecules(result.pdbqt)
        results.append(EngineRun(result.run, seed, result.poses, tuple(mols), result.pdbqt))
    return results

"""One receptor's docking, end to end: prepare, dock every ligand with every engine, best poses, interactions.

Pure domain code, run in the Pipes child process. It writes files under an output
folder and returns JSON-ready rows for docking.poses, docking.best, docking.contacts
and docking.interactions. Per ligand and engine, the best pose is the lowest score over
all runs (ties: the earliest run); mean and SD are over each run's best score. Scores
are the engine's own (see :mod:`engines`) and are only compared within one engine.
The receptor, ligand and box preparation is the same for every engine
(:func:`prepare_system`, :func:`ligand_prep.prepare_ligand`).
"""

from __future__ import annotations

import json
import statistics
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import gemmi

from mg_platform.analysis.docking import box as box_mod
from mg_platform.analysis.docking import contacts as contacts_mod
from mg_platform.analysis.docking import engines as docking_engines
from mg_platform.analysis.docking import interactions, ligand_prep, parallel, receptor_prep, rmsd, structures
from mg_platform.analysis.docking.receptors import MORPHINE_SMILES, LigandSpec, ReceptorSpec

REDOCK_SUCCESS_A = 2.0
DEFAULT_LIGANDS = (LigandSpec("morphine", MORPHINE_SMILES),)


@dataclass(frozen=True)
class DockingSettings:
    """Everything that determines a receptor's docking result besides the structure."""

    runs: int = 20
    base_seed: int = 20240601
    ligand_seed: int = 42
    box_margin_a: float = 4.0
    engines: tuple[str, ...] = ("vinardo", "ad4")
    ligands: tuple[LigandSpec, ...] = DEFAULT_LIGANDS
    search: docking_engines.EngineSettings = field(default_factory=docking_engines.EngineSettings)

    def to_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict) -> DockingSettings:
        values = dict(data)
        values["engines"] = tuple(values["engines"])
        values["ligands"] = tuple(LigandSpec(**lig) for lig in values["ligands"])
        values["search"] = docking_engines.EngineSettings.from_json(values["search"])
        return cls(**values)


@dataclass(frozen=True)
class PreparedSystem:
    """A receptor ready for every engine: its heavy-atom structure, meeko's preparation, PDBQT file and box."""

    structure: gemmi.Structure
    receptor_structure: gemmi.Structure
    receptor: receptor_prep.PreparedReceptor
    receptor_pdbqt: Path
    box: box_mod.SearchBox

    def provenance(self, margin_a: float) -> dict:
        return {
            "box": {"center": list(self.box.center), "size": list(self.box.size), "margin_a": margin_a},
            "receptor_prep": {
                "residues": self.receptor.residues,
                "truncated_to_ala": list(self.receptor.truncated_to_ala),
                "removed_residues": list(self.receptor.removed_residues),
                "histidine_states": self.receptor.histidine_states,
                "alternate_locations": list(self.receptor.alternate_locations)
                or ["none: no residue has alternate locations"],
            },
        }


def spec_to_json(spec: ReceptorSpec) -> dict:
    return asdict(spec)


def spec_from_json(data: dict) -> ReceptorSpec:
    from mg_platform.analysis.docking.receptors import LigandSelector

    values = dict(data)
    values["ligand"] = LigandSelector(**values["ligand"])
    values["chains"] = tuple(values["chains"])
    return ReceptorSpec(**values)


def prepare_system(spec: ReceptorSpec, structure_path: Path, box_margin_a: float, out_dir: Path) -> PreparedSystem:
    """Receptor chain(s) -> meeko PDBQT (``out_dir``/receptor.pdbqt, receptor.pdb) and the box around the co-crystal
    ligand (extent + 2 x margin); the same for every engine."""
    out_dir.mkdir(parents=True, exist_ok=True)
    structure = structures.read_structure(structure_path)
    cocrystal = structures.ligand_atoms(structure, spec.ligand)
    chain = structures.receptor_chain(
        structure, spec.chains, spec.drop_from_residue, cocrystal.coords, spec.crop_radius_a
    )
    receptor = receptor_prep.prepare_receptor(chain)
    receptor_pdbqt = out_dir / "receptor.pdbqt"
    receptor_pdbqt.write_text(receptor.pdbqt)
    (out_dir / "receptor.pdb").write_text(receptor.pdb)
    return PreparedSystem(
        structure, chain, receptor, receptor_pdbqt, box_mod.box_around(cocrystal.coords, box_margin_a)
    )


def _references(spec: ReceptorSpec, structure: gemmi.Structure, smiles: str) -> list:
    """Co-crystal ligand positions as RDKit molecules when the docked ligand is the co-crystal ligand, else []."""
    if not spec.redock or spec.ligand.residue_name is None:
        return []
    try:
        return [rmsd.crystal_ligand(b, smiles) for b in structures.ligand_pdb_blocks(structure, spec.ligand)]
    except ValueError:
        return []


def dock_receptor(
    spec: ReceptorSpec,
    structure_path: Path,
    settings: DockingSettings,
    out_dir: Path,
    progress: Callable[[str, int, int], None] | None = None,
    figures_dir: Path | None = None,
) -> dict:
    """Dock every ligand with every engine into one receptor; write files to ``out_dir``; return rows (JSON-ready).

    ``progress(label, done, planned)`` reports runs as they finish. With ``figures_dir``, per ligand a
    picture of the best pose of every engine in the pocket (``pose_<receptor>_<ligand>.png``) and the 2D
    interaction diagrams (``interactions_<receptor>_<ligand>.png``) are written there.
    """
    system = prepare_system(spec, structure_path, settings.box_margin_a, out_dir)
    result = {
        "receptor": spec.receptor,
        "pdb_id": spec.pdb_id,
        "poses": [],
        "best": [],
        "contacts": [],
        "interactions": [],
        "seeds": {},
        **system.provenance(settings.box_margin_a),
        "ligand_prep": {},
        "settings": settings.to_json(),
        "files": {},
        "figures": {},
    }
    planned = []  # (ligand, engine, work folder, references, jobs)
    for ligand in settings.ligands:
        prepared = ligand_prep.prepare_ligand(ligand.smiles, settings.ligand_seed)
        result["ligand_prep"][ligand.name] = {k: v for k, v in asdict(prepared).items() if k != "pdbqt"}
        references = _references(spec, system.structure, ligand.smiles)
        for engine in settings.engines:
            work = out_dir / ligand.name / engine
            work.mkdir(parents=True, exist_ok=True)
            (work / "ligand.pdbqt").write_text(prepared.pdbqt)
            maps = docking_engines.prepare_maps(engine, work, system.receptor_pdbqt, prepared.pdbqt, system.box)
            jobs = _search_jobs(engine, maps, prepared.pdbqt, settings, f"{ligand.name}/{engine}")
            planned.append((ligand, engine, work, references, jobs))
    jobs = [job for *_, engine_jobs in planned for job in engine_jobs]
    searched = iter(parallel.run_searches(jobs, settings.search, settings.search.cores, progress))
    best_poses = []
    for ligand, engine, work, references, engine_jobs in planned:
        runs = [run for _ in engine_jobs for run in next(searched)]
        if engine in docking_engines.VINA_ENGINES:
            (work / "runs").mkdir(exist_ok=True)
            for run in runs:
                (work / "runs" / f"run_{run.run:02d}.pdbqt").write_text(run.text)
        rows = _engine_rows(spec, system, ligand, engine, runs, references, settings, work)
        for key in ("poses", "best", "contacts"):
            result[key] += rows[key]
        best_poses.append((rows["keys"], rows["best_mol"]))
        result["seeds"][f"{ligand.name}/{engine}"] = sorted({r.seed for r in runs})
        result["files"][f"{ligand.name}/{engine}"] = rows["files"]
    profiles = interactions.profile_many([(system.receptor.pdb, mol) for _, mol in best_poses])
    for (keys, _), profile in zip(best_poses, profiles, strict=True):
        result["interactions"] += [{**keys, **asdict(i)} for i in profile]
    if figures_dir is not None:
        poses = {(keys["ligand"], keys["engine"]): mol for keys, mol in best_poses}
        result["figures"] = _figures(spec, system, settings, result, poses, figures_dir)
    (out_dir / "result.json").write_text(json.dumps(result, indent=1))
    return result


def _search_jobs(
    engine: str, maps: Path, ligand_pdbqt: str, settings: DockingSettings, label: str
) -> list[parallel.SearchJob]:
    """The study's runs as search jobs: AutoDock 4 in one call (``ga_run`` = runs), Vina one job per run."""
    if engine == "ad4":
        return [parallel.SearchJob(engine, maps, ligand_pdbqt, settings.runs, settings.base_seed, 1, label)]
    return [
        parallel.SearchJob(engine, maps, ligand_pdbqt, 1, settings.base_seed, run, label)
        for run in range(1, settings.runs + 1)
    ]


def _engine_rows(spec, system: PreparedSystem, ligand: LigandSpec, engine: str, runs, references, settings, work):
    keys = {"receptor": spec.receptor, "pdb_id": spec.pdb_id, "ligand": ligand.name, "engine": engine}
    poses = []
    for run in runs:
        for pose, mol in zip(run.poses, run.molecules, strict=True):
            poses.append(
                {
                    **keys,
                    "run": run.run,
                    "seed": run.seed,
                    "pose_rank": pose.pose_rank,
                    "affinity_kcal_mol": pose.affinity_kcal_mol,
                    "rmsd_lb": pose.rmsd_lb,
                    "rmsd_ub": pose.rmsd_ub,
                    "rmsd_to_cocrystal_a": round(rmsd.min_rmsd(mol, references), 3) if references else None,
                    "rng_seeds": run.rng_seeds,
                }
            )
    run_bests = [r.poses[0].affinity_kcal_mol for r in runs]
    best_run = min(runs, key=lambda r: (r.poses[0].affinity_kcal_mol, r.run))
    best_mol = best_run.molecules[0]
    files = write_pose_files(
        best_mol,
        system.receptor.pdb,
        work,
        f"{ligand.name} in {spec.receptor} ({engine})",
        best_run.poses[0].affinity_kcal_mol,
        engine,
        best_run.seed,
    )
    pose_contacts = contacts_mod.residue_contacts(
        system.receptor_structure, contacts_mod.LigandPose.from_rdkit(best_mol)
    )
    redock_rows = [p for p in poses if p["rmsd_to_cocrystal_a"] is not None]
    redock_rmsd = next(
        (p["rmsd_to_cocrystal_a"] for p in redock_rows if p["run"] == best_run.run and p["pose_rank"] == 1), None
    )
    closest = min(redock_rows, key=lambda p: p["rmsd_to_cocrystal_a"]) if redock_rows else None
    best = {
        **keys,
        "best_affinity_kcal_mol": best_run.poses[0].affinity_kcal_mol,
        "mean_best_affinity_kcal_mol": round(statistics.fmean(run_bests), 4),
        "sd_best_affinity_kcal_mol": round(statistics.stdev(run_bests), 4) if len(run_bests) > 1 else None,
        "runs": len(runs),
        "box_center": json.dumps(list(system.box.center)),
        "box_size": json.dumps(list(system.box.size)),
        "redock_rmsd_a": redock_rmsd,
        "redock_success": (redock_rmsd < REDOCK_SUCCESS_A) if redock_rmsd is not None else None,
        "closest_pose_rmsd_a": closest["rmsd_to_cocrystal_a"] if closest else None,
        "closest_pose_affinity_kcal_mol": closest["affinity_kcal_mol"] if closest else None,
        "best_run": best_run.run,
        "best_seed": best_run.seed,
        "search_settings": json.dumps(settings.search.describe(engine)),
        "chain": spec.chain,
        "cocrystal_ligand": spec.ligand.describe(),
    }
    return {
        "poses": poses,
        "best": [best],
        "contacts": [{**keys, **asdict(c)} for c in pose_contacts],
        "keys": keys,
        "best_mol": best_mol,
        "files": {name: str(path) for name, path in files.items()},
    }


def _figures(spec: ReceptorSpec, system: PreparedSystem, settings: DockingSettings, result: dict, poses, folder):
    """Pocket picture and interaction diagrams per ligand; returns {file name: caption}."""
    from mg_platform.analysis.docking import figures

    folder.mkdir(parents=True, exist_ok=True)
    score = {(b["ligand"], b["engine"]): b["best_affinity_kcal_mol"] for b in result["best"]}
    made = {}
    for ligand in settings.ligands:
        rows = [r for r in result["interactions"] if r["ligand"] == ligand.name]
        stem = f"{spec.receptor}_{ligand.name}".replace(" ", "_")
        scores = ", ".join(f"{e} {score[(ligand.name, e)]:.2f}" for e in settings.engines)
        sdfs = {e: Path(result["files"][f"{ligand.name}/{e}"]["best_pose_sdf"]) for e in settings.engines}
        pocket = figures.render_pocket(
            system.receptor_pdbqt.with_suffix(".pdb"),
            sdfs,
            sorted({(r["chain"], r["residue_number"]) for r in rows}),
            folder / f"pose_{stem}.png",
            f"{ligand.name} in {spec.receptor} ({spec.pdb_id}): best pose per engine (scores {scores})",
        )
        if pocket is not None:
            made[pocket.name] = (
                f"{ligand.name} docked into {spec.receptor} ({spec.pdb_id} chain {spec.chain}): the best pose of "
                f"each engine ({', '.join(settings.engines)}) in the pocket; residues that PLIP finds interacting "
                "are labelled (structure numbering). Scores are per engine and not comparable across engines."
            )
        panels = [
            {
                "ligand": poses[(ligand.name, e)],
                "rows": [r for r in rows if r["engine"] == e],
                "title": f"{e} (best score {score[(ligand.name, e)]:.2f})",
            }
            for e in settings.engines
        ]
        diagram = figures.interaction_diagrams(
            panels, system.receptor.pdb, folder / f"interactions_{stem}.png", f"{ligand.name} in {spec.receptor}"
        )
        made[diagram.name] = (
            f"2D interaction diagrams of the best {ligand.name} pose in {spec.receptor} ({spec.pdb_id}) per engine: "
            "PLIP interaction types, and the shortest distance (A) to each residue."
        )
    return made


def write_pose_files(mol, receptor_pdb: str, out_dir: Path, title: str, score: float, engine: str, seed: int):
    """The pose as SDF (with score, engine and seed) and a receptor-ligand complex PDB (PyMOL/ChimeraX)."""
    from rdkit import Chem

    files = {"best_pose_sdf": out_dir / "best_pose.sdf", "complex_pdb": out_dir / "complex.pdb"}
    pose = Chem.Mol(mol)
    pose.SetProp("_Name", title)
    pose.SetProp("score", f"{score:.3f}")
    pose.SetProp("engine", engine)
    pose.SetProp("seed", str(seed))
    with Chem.SDWriter(str(files["best_pose_sdf"])) as writer:
        writer.write(pose)
    files["complex_pdb"].write_text(interactions.complex_pdb(receptor_pdb, pose))
    return files

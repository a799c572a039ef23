"""Redocking validation: rebuild a co-crystal ligand from its SMILES, dock it back with every engine, score the poses.

For one complex: the SMILES is verified against the structure (:mod:`verification`;
an unverified complex is refused), the receptor and box are prepared exactly as for the
study docking (:func:`receptor_docking.prepare_system`), and for every ligand-conformer
seed a fresh RDKit conformer (ETKDGv3 + MMFF94, never the deposited coordinates) is
docked with ``runs_per_conformer`` seeded runs. Run k of conformer i uses search seed
``base_seed + (i - 1) * runs_per_conformer + k``, so every run has its own conformer and
search seed; maps are computed once per engine.

Per engine, over all runs pooled (poses sorted by score, best first, ties by run and rank):

- ``top_pose_rmsd_a``: symmetry-aware heavy-atom RMSD (no superposition) of the top-scored
  pose to the crystal ligand (the closer alternate position when it was deposited in two);
- ``best_rank_below_2a``: the rank of the best-scored pose under 2 A (None when none);
- ``score_gap_to_top``: that pose's score minus the top score (engine units, >= 0);
- ``success``: top pose under 2 A; ``success_rate``: the share of runs whose own top pose
  is under 2 A (over conformer and search seeds);
- ``interactions_recovered``: the share of the crystal ligand's PLIP interactions (type and
  residue) that the top pose makes.

References: Warren et al. 2006, J Med Chem 49:5912 (2 A redocking criterion).
"""

from __future__ import annotations

import json
import statistics
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from mg_platform.analysis.docking import engines as docking_engines
from mg_platform.analysis.docking import interactions, ligand_prep, parallel, rmsd, structures, verification
from mg_platform.analysis.docking.receptor_docking import REDOCK_SUCCESS_A, prepare_system, write_pose_files
from mg_platform.analysis.docking.receptors import RedockComplex


@dataclass(frozen=True)
class RedockSettings:
    """Seeds and search settings of the redocking benchmark (the same for every complex and engine)."""

    engines: tuple[str, ...] = docking_engines.ENGINES
    ligand_seeds: tuple[int, ...] = (1, 2, 3)
    runs_per_conformer: int = 1
    base_seed: int = 20240601
    box_margin_a: float = 4.0
    search: docking_engines.EngineSettings = field(default_factory=docking_engines.EngineSettings)

    @property
    def runs(self) -> int:
        return len(self.ligand_seeds) * self.runs_per_conformer

    def to_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict) -> RedockSettings:
        values = dict(data)
        values["engines"] = tuple(values["engines"])
        values["ligand_seeds"] = tuple(values["ligand_seeds"])
        values["search"] = docking_engines.EngineSettings.from_json(values["search"])
        return cls(**values)


def summarise(poses: list[dict]) -> dict:
    """Redocking figures of one engine from its pose rows (``run``, ``pose_rank``, ``score``, ``rmsd_a``)."""
    ranked = sorted(poses, key=lambda p: (p["score"], p["run"], p["pose_rank"]))
    top = ranked[0]
    below = next(((rank, p) for rank, p in enumerate(ranked, 1) if p["rmsd_a"] < REDOCK_SUCCESS_A), None)
    run_tops = [
        min((p for p in poses if p["run"] == run), key=lambda p: (p["score"], p["pose_rank"]))
        for run in sorted({p["run"] for p in poses})
    ]
    return {
        "top_pose_rmsd_a": top["rmsd_a"],
        "top_score": top["score"],
        "best_rank_below_2a": below[0] if below else None,
        "score_gap_to_top": round(below[1]["score"] - top["score"], 4) if below else None,
        "success": top["rmsd_a"] < REDOCK_SUCCESS_A,
        "success_rate": round(sum(p["rmsd_a"] < REDOCK_SUCCESS_A for p in run_tops) / len(run_tops), 4),
        "median_run_top_rmsd_a": round(statistics.median(p["rmsd_a"] for p in run_tops), 3),
        "closest_pose_rmsd_a": min(p["rmsd_a"] for p in poses),
        "runs": len(run_tops),
        "top_run": top["run"],
        "top_pose_rank": top["pose_rank"],
    }


def redock_complex(
    complex_: RedockComplex,
    structure_path: Path,
    settings: RedockSettings,
    out_dir: Path,
    figures_dir: Path | None = None,
    progress: Callable[[str, int, int], None] | None = None,
) -> dict:
    """Verify, prepare and redock one complex with every engine; write files; return rows (JSON-ready).

    ``progress(engine, runs done, runs planned)`` reports runs as they finish.

    With ``figures_dir``, the top pose of every engine overlaid on the deposited ligand is drawn there
    (``redock_<complex>.png``).

    Raises :class:`verification.LigandNotVerified` (with the problems found) before any docking when the SMILES
    cannot be verified against the structure.
    """
    spec, ligand = complex_.receptor, complex_.ligand
    structure = structures.read_structure(structure_path)
    blocks = structures.ligand_pdb_blocks(structure, spec.ligand)
    checked = verification.verify_ligand(str(structure_path), spec.ligand.residue_name, ligand.smiles, blocks)
    if not checked.verified:
        raise verification.LigandNotVerified(
            f"{complex_.complex}: the SMILES of {ligand.name} could not be verified against {spec.pdb_id} "
            f"{spec.ligand.describe()}: " + "; ".join(checked.problems)
        )
    system = prepare_system(spec, structure_path, settings.box_margin_a, out_dir)
    references = [rmsd.crystal_ligand(block, ligand.smiles) for block in blocks]
    conformers = [ligand_prep.prepare_ligand(ligand.smiles, seed) for seed in settings.ligand_seeds]
    keys = {"complex": complex_.complex, "pdb_id": spec.pdb_id, "ligand": ligand.name}
    pose_rows, summaries, tops = [], {}, {}
    jobs = []
    for engine in settings.engines:
        maps = docking_engines.prepare_maps(
            engine, out_dir / engine, system.receptor_pdbqt, conformers[0].pdbqt, system.box
        )
        jobs += [
            parallel.SearchJob(
                engine,
                maps,
                conformer.pdbqt,
                settings.runs_per_conformer,
                settings.base_seed,
                index * settings.runs_per_conformer + 1,
                engine,
            )
            for index, conformer in enumerate(conformers)
        ]
    searched = dict(
        zip(jobs, parallel.run_searches(jobs, settings.search, settings.search.cores, progress), strict=True)
    )
    for engine in settings.engines:
        work = out_dir / engine
        rows, molecules = [], {}
        for job, seed in zip([j for j in jobs if j.engine == engine], settings.ligand_seeds, strict=True):
            for run in searched[job]:
                for pose, mol in zip(run.poses, run.molecules, strict=True):
                    molecules[(run.run, pose.pose_rank)] = mol
                    rows.append(
                        {
                            **keys,
                            "engine": engine,
                            "run": run.run,
                            "ligand_seed": seed,
                            "seed": run.seed,
                            "pose_rank": pose.pose_rank,
                            "score": pose.affinity_kcal_mol,
                            "rmsd_a": round(rmsd.min_rmsd(mol, references), 3),
                        }
                    )
        summary = summarise(rows)
        top = molecules[(summary["top_run"], summary["top_pose_rank"])]
        tops[engine] = top
        files = write_pose_files(
            top,
            system.receptor.pdb,
            work,
            f"{ligand.name} redocked into {spec.pdb_id} ({engine})",
            summary["top_score"],
            engine,
            next(r["seed"] for r in rows if r["run"] == summary["top_run"]),
        )
        summaries[engine] = {**summary, "files": {k: str(v) for k, v in files.items()}}
        pose_rows += rows
    profiles = interactions.profile_many(
        [(system.receptor.pdb, references[0])] + [(system.receptor.pdb, tops[e]) for e in settings.engines]
    )
    crystal_profile = profiles[0]
    _write_crystal(references[0], out_dir / "crystal_ligand.sdf", complex_)
    redock_rows = []
    for engine, profile in zip(settings.engines, profiles[1:], strict=True):
        summary = summaries[engine]
        redock_rows.append(
            {
                **keys,
                "engine": engine,
                **{k: v for k, v in summary.items() if k not in ("files", "top_run", "top_pose_rank")},
                "interactions_recovered": interactions.recovered_share(crystal_profile, profile),
                "crystal_interactions": len(interactions.interaction_keys(crystal_profile)),
                "ligand_seeds": json.dumps(list(settings.ligand_seeds)),
                "search_seeds": json.dumps(sorted({r["seed"] for r in pose_rows if r["engine"] == engine})),
                "search_settings": json.dumps(settings.search.describe(engine)),
                "receptor_chain": spec.chain,
                "cocrystal_ligand": spec.ligand.describe(),
                "alternate_positions": len(references),
            }
        )
    figures_made = {}
    if figures_dir is not None:
        figures_made = _overlay(
            complex_, settings, result_files(out_dir, summaries), crystal_profile, redock_rows, figures_dir
        )
    result = {
        "complex": complex_.complex,
        "redock": redock_rows,
        "poses": pose_rows,
        "crystal_interactions": [asdict(i) for i in crystal_profile],
        "verification": asdict(checked),
        **system.provenance(settings.box_margin_a),
        "settings": settings.to_json(),
        "files": result_files(out_dir, summaries),
        "figures": figures_made,
    }
    (out_dir / "result.json").write_text(json.dumps(result, indent=1))
    return result


def result_files(out_dir: Path, summaries: dict) -> dict[str, str]:
    """The crystal ligand, the receptor and each engine's top pose (SDF/PDB paths)."""
    return {
        "crystal_ligand_sdf": str(out_dir / "crystal_ligand.sdf"),
        "receptor_pdb": str(out_dir / "receptor.pdb"),
        **{f"{e}_top_pose_sdf": summary["files"]["best_pose_sdf"] for e, summary in summaries.items()},
    }


def _overlay(complex_: RedockComplex, settings: RedockSettings, files: dict, crystal_profile, rows, folder: Path):
    """The deposited ligand and each engine's top pose in the pocket; returns {file name: caption}."""
    from mg_platform.analysis.docking import figures

    folder.mkdir(parents=True, exist_ok=True)
    rmsds = ", ".join(f"{r['engine']} {r['top_pose_rmsd_a']:.2f} Å" for r in rows)
    ligands = {"crystal": Path(files["crystal_ligand_sdf"])}
    ligands.update({e: Path(files[f"{e}_top_pose_sdf"]) for e in settings.engines})
    picture = figures.render_pocket(
        Path(files["receptor_pdb"]),
        ligands,
        sorted({(i.chain, i.residue_number) for i in crystal_profile}),
        folder / f"redock_{complex_.complex}.png",
        f"Redocking {complex_.ligand.name} into {complex_.receptor.pdb_id}: top pose RMSD {rmsds}",
    )
    if picture is None:
        return {}
    return {
        picture.name: (
            f"Redocking {complex_.ligand.name} ({complex_.receptor.ligand.describe()}) into "
            f"{complex_.receptor.pdb_id}: the deposited ligand (green) and each engine's top-scored pose rebuilt "
            f"from the SMILES ({settings.runs} runs per engine); residues the deposited ligand interacts with "
            "(PLIP) are labelled."
        )
    }


def _write_crystal(mol, path: Path, complex_: RedockComplex) -> None:
    from rdkit import Chem

    crystal = Chem.Mol(mol)
    crystal.SetProp("_Name", f"{complex_.ligand.name} as deposited in {complex_.receptor.pdb_id}")
    with Chem.SDWriter(str(path)) as writer:
        writer.write(crystal)

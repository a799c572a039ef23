"""One receptor's docking, end to end: prepare, dock N seeded runs, pick the best pose, contacts, redocking RMSD.

Pure domain code, run in the Pipes child process. It writes files under an output
folder and returns JSON-ready rows for docking.poses, docking.best and
docking.contacts. The best pose is the lowest affinity (kcal/mol) over all runs
(ties: the earliest run); mean and SD are over each run's best affinity.
"""

from __future__ import annotations

import json
import statistics
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from mg_platform.analysis.docking import box as box_mod
from mg_platform.analysis.docking import contacts as contacts_mod
from mg_platform.analysis.docking import ligand_prep, receptor_prep, rmsd, structures, vina_runs
from mg_platform.analysis.docking.receptors import MORPHINE_SMILES, LigandSelector, ReceptorSpec

REDOCK_SUCCESS_A = 2.0


@dataclass(frozen=True)
class DockingSettings:
    """Everything that determines a receptor's docking result besides the structure."""

    runs: int = 20
    base_seed: int = 20240601
    ligand_seed: int = 42
    box_margin_a: float = 4.0
    ligand_smiles: str = MORPHINE_SMILES
    vina: vina_runs.VinaSettings = field(default_factory=vina_runs.VinaSettings)

    def to_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict) -> DockingSettings:
        values = dict(data)
        values["vina"] = vina_runs.VinaSettings(**values["vina"])
        return cls(**values)


def spec_to_json(spec: ReceptorSpec) -> dict:
    return asdict(spec)


def spec_from_json(data: dict) -> ReceptorSpec:
    values = dict(data)
    values["ligand"] = LigandSelector(**values["ligand"])
    return ReceptorSpec(**values)


def dock_receptor(
    spec: ReceptorSpec,
    structure_path: Path,
    settings: DockingSettings,
    out_dir: Path,
    progress: Callable[[int, int], None] | None = None,
) -> dict:
    """Dock the ligand into one receptor; write files to ``out_dir`` and return rows and provenance (JSON-ready)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    structure = structures.read_structure(structure_path)
    chain = structures.receptor_chain(structure, spec.chain, spec.drop_from_residue)
    receptor = receptor_prep.prepare_receptor(chain)
    receptor_pdbqt = out_dir / "receptor.pdbqt"
    receptor_pdbqt.write_text(receptor.pdbqt)
    (out_dir / "receptor.pdb").write_text(receptor.pdb)

    ligand = ligand_prep.prepare_ligand(settings.ligand_smiles, settings.ligand_seed)
    (out_dir / "ligand.pdbqt").write_text(ligand.pdbqt)
    cocrystal = structures.ligand_atoms(structure, spec.ligand)
    search_box = box_mod.box_around(cocrystal.coords, settings.box_margin_a)

    seeds = vina_runs.run_seeds(settings.base_seed, settings.runs)
    results = vina_runs.dock_runs(
        receptor_pdbqt, ligand.pdbqt, search_box, seeds, settings.vina, out_dir / "maps" / "receptor", progress
    )
    runs_dir = out_dir / "runs"
    runs_dir.mkdir(exist_ok=True)
    for result in results:
        (runs_dir / f"run_{result.run:02d}.pdbqt").write_text(result.pdbqt)

    reference = None
    if spec.redock:
        reference = rmsd.crystal_ligand(structures.ligand_pdb_block(structure, spec.ligand), settings.ligand_smiles)
    pose_rows = []
    pose_mols = {}
    for result in results:
        mols = rmsd.pose_molecules(result.pdbqt)
        for pose, mol in zip(result.poses, mols, strict=True):
            pose_mols[(result.run, pose.pose_rank)] = mol
            pose_rows.append(
                {
                    "receptor": spec.receptor,
                    "pdb_id": spec.pdb_id,
                    "run": result.run,
                    "seed": result.seed,
                    "pose_rank": pose.pose_rank,
                    "affinity_kcal_mol": pose.affinity_kcal_mol,
                    "rmsd_lb": pose.rmsd_lb,
                    "rmsd_ub": pose.rmsd_ub,
                    "rmsd_to_cocrystal_a": (
                        round(rmsd.heavy_atom_rmsd(mol, reference), 3) if reference is not None else None
                    ),
                }
            )

    run_bests = [r.poses[0].affinity_kcal_mol for r in results]
    best_run = min(results, key=lambda r: (r.poses[0].affinity_kcal_mol, r.run))
    best_mol = pose_mols[(best_run.run, 1)]
    files = _write_best_pose(best_run, best_mol, receptor.pdb, out_dir, spec)
    pose_contacts = contacts_mod.residue_contacts(chain, contacts_mod.LigandPose.from_rdkit(best_mol))
    contact_rows = [{"receptor": spec.receptor, "pdb_id": spec.pdb_id, **asdict(c)} for c in pose_contacts]

    redock_rows = [r for r in pose_rows if r["rmsd_to_cocrystal_a"] is not None]
    redock_rmsd = next(
        (r["rmsd_to_cocrystal_a"] for r in redock_rows if r["run"] == best_run.run and r["pose_rank"] == 1), None
    )
    closest = min(redock_rows, key=lambda r: r["rmsd_to_cocrystal_a"]) if redock_rows else None
    best_row = {
        "receptor": spec.receptor,
        "pdb_id": spec.pdb_id,
        "best_affinity_kcal_mol": best_run.poses[0].affinity_kcal_mol,
        "mean_best_affinity_kcal_mol": round(statistics.fmean(run_bests), 4),
        "sd_best_affinity_kcal_mol": round(statistics.stdev(run_bests), 4) if len(run_bests) > 1 else None,
        "runs": len(results),
        "box_center": json.dumps(list(search_box.center)),
        "box_size": json.dumps(list(search_box.size)),
        "redock_rmsd_a": redock_rmsd,
        "redock_success": (redock_rmsd < REDOCK_SUCCESS_A) if redock_rmsd is not None else None,
        "closest_pose_rmsd_a": closest["rmsd_to_cocrystal_a"] if closest else None,
        "closest_pose_affinity_kcal_mol": closest["affinity_kcal_mol"] if closest else None,
        "best_run": best_run.run,
        "best_seed": best_run.seed,
        "exhaustiveness": settings.vina.exhaustiveness,
        "chain": spec.chain,
        "cocrystal_ligand": spec.ligand.describe(),
    }
    result = {
        "receptor": spec.receptor,
        "pdb_id": spec.pdb_id,
        "poses": pose_rows,
        "best": best_row,
        "contacts": contact_rows,
        "seeds": seeds,
        "box": {"center": list(search_box.center), "size": list(search_box.size), "margin_a": settings.box_margin_a},
        "receptor_prep": {
            "residues": receptor.residues,
            "truncated_to_ala": list(receptor.truncated_to_ala),
            "removed_residues": list(receptor.removed_residues),
            "histidine_states": receptor.histidine_states,
        },
        "ligand_prep": {k: v for k, v in asdict(ligand).items() if k != "pdbqt"},
        "settings": settings.to_json(),
        "files": {name: str(path) for name, path in files.items()},
    }
    (out_dir / "result.json").write_text(json.dumps(result, indent=1))
    return result


def _write_best_pose(best_run, best_mol, receptor_pdb: str, out_dir: Path, spec: ReceptorSpec) -> dict[str, Path]:
    """Best pose as PDBQT and SDF, and a receptor-ligand complex PDB (PyMOL/ChimeraX)."""
    from rdkit import Chem

    files = {
        "best_pose_pdbqt": out_dir / "best_pose.pdbqt",
        "best_pose_sdf": out_dir / "best_pose.sdf",
        "complex_pdb": out_dir / "complex.pdb",
    }
    first_model = best_run.pdbqt.split("ENDMDL")[0] + "ENDMDL\n"
    files["best_pose_pdbqt"].write_text(first_model)
    mol = Chem.Mol(best_mol)
    mol.SetProp("_Name", f"morphine best pose {spec.receptor} ({spec.pdb_id}) run {best_run.run}")
    mol.SetProp("affinity_kcal_mol", f"{best_run.poses[0].affinity_kcal_mol:.3f}")
    mol.SetProp("seed", str(best_run.seed))
    with Chem.SDWriter(str(files["best_pose_sdf"])) as writer:
        writer.write(mol)
    for atom in mol.GetAtoms():
        info = Chem.AtomPDBResidueInfo()
        info.SetResidueName("LIG")
        info.SetResidueNumber(1)
        info.SetChainId("L")
        info.SetIsHeteroAtom(True)
        info.SetName(f"{atom.GetSymbol()}{atom.GetIdx() + 1}".ljust(4)[:4])
        atom.SetMonomerInfo(info)
    receptor_lines = [ln for ln in receptor_pdb.splitlines() if ln.startswith(("ATOM", "HETATM", "TER"))]
    ligand_lines = _renumbered_ligand_lines(Chem.MolToPDBBlock(mol), offset=len(receptor_lines))
    files["complex_pdb"].write_text("\n".join([*receptor_lines, *ligand_lines, "END"]) + "\n")
    return files


def _renumbered_ligand_lines(pdb_block: str, offset: int) -> list[str]:
    """HETATM and CONECT lines with atom serials shifted by ``offset`` so they follow the receptor's atoms."""
    lines = []
    for line in pdb_block.splitlines():
        if line.startswith("HETATM"):
            lines.append(f"{line[:6]}{int(line[6:11]) + offset:5d}{line[11:]}")
        elif line.startswith("CONECT"):
            serials = [int(line[i : i + 5]) + offset for i in range(6, len(line.rstrip()), 5)]
            lines.append("CONECT" + "".join(f"{s:5d}" for s in serials))
    return lines

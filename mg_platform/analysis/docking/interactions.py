"""Protein-ligand interaction profiles with PLIP (Salentin et al. 2015, Nucleic Acids Res 43:W443; PLIP 3).

A pose is written with the receptor into one PDB (:func:`complex_pdb`) and profiled by
PLIP with its own thresholds (distances and angles, e.g. hydrogen bonds donor-acceptor
<= 4.1 A and D-H...A >= 100 degrees, salt bridges <= 5.5 A between charge centres,
pi-stacking <= 5.5 A between ring centroids, pi-cation <= 6.0 A, hydrophobic <= 4.0 A
between carbons); PLIP protonates the complex itself with Open Babel, so docked poses
(hydrogens removed first) and crystal ligands are profiled alike.

PLIP runs in a child process (:func:`profile_many`): Open Babel's SWIG bindings break
(``swig::stop_iteration`` abort) when Vina's SWIG module was imported first in the same
process, so the two never share one.

Interaction types follow the results contract: ``salt_bridge``, ``hydrogen_bond``,
``pi_stacking``, ``pi_cation``, ``hydrophobic``, ``halogen_bond``, ``water_bridge``,
``metal``. ``distance_a`` is PLIP's distance for the type (donor-acceptor for hydrogen
bonds, centroid-centroid for pi-stacking, charge centres for salt bridges and pi-cation,
atom-atom otherwise); ``angle_deg`` is the D-H...A angle (hydrogen bonds), the angle
between ring planes (pi-stacking), the C-X...O angle (halogen bonds) or the
water angle (water bridges), and empty for the other types.
"""

from __future__ import annotations

import contextlib
import io
import json
import subprocess
import sys
from dataclasses import asdict, dataclass

LIGAND_RESIDUE = "LIG"
LIGAND_CHAIN = "L"
# PLIP attribute on the interaction set -> (contract type, distance attribute, angle attribute or None)
PLIP_TYPES = {
    "saltbridge_lneg": ("salt_bridge", "distance", None),
    "saltbridge_pneg": ("salt_bridge", "distance", None),
    "hbonds_ldon": ("hydrogen_bond", "distance_ad", "angle"),
    "hbonds_pdon": ("hydrogen_bond", "distance_ad", "angle"),
    "pistacking": ("pi_stacking", "distance", "angle"),
    "pication_laro": ("pi_cation", "distance", None),
    "pication_paro": ("pi_cation", "distance", None),
    "hydrophobic_contacts": ("hydrophobic", "distance", None),
    "halogen_bonds": ("halogen_bond", "distance", "don_angle"),
    "water_bridges": ("water_bridge", "distance_aw", "w_angle"),
    "metal_complexes": ("metal", "distance", None),
}
INTERACTION_TYPES = tuple(dict.fromkeys(t for t, _, _ in PLIP_TYPES.values()))


@dataclass(frozen=True)
class Interaction:
    """One interaction of the ligand with a receptor residue: type, residue, distance (A) and angle (degrees)."""

    interaction: str
    residue: str
    residue_number: int
    chain: str
    distance_a: float
    angle_deg: float | None


def complex_pdb(receptor_pdb: str, ligand) -> str:
    """Receptor ATOM/TER lines followed by the ligand (RDKit molecule) as HETATM LIG in chain L, with CONECT.

    Ligand atom serials continue after the receptor's (TER records take a serial too).
    """
    from rdkit import Chem

    mol = Chem.Mol(ligand)
    for atom in mol.GetAtoms():
        info = Chem.AtomPDBResidueInfo()
        info.SetResidueName(LIGAND_RESIDUE)
        info.SetResidueNumber(1)
        info.SetChainId(LIGAND_CHAIN)
        info.SetIsHeteroAtom(True)
        info.SetName(f"{atom.GetSymbol()}{atom.GetIdx() + 1}".ljust(4)[:4])
        atom.SetMonomerInfo(info)
    receptor_lines = [ln for ln in receptor_pdb.splitlines() if ln.startswith(("ATOM", "HETATM", "TER"))]
    offset = len(receptor_lines)
    ligand_lines = []
    for line in Chem.MolToPDBBlock(mol).splitlines():
        if line.startswith("HETATM"):
            ligand_lines.append(f"{line[:6]}{int(line[6:11]) + offset:5d}{line[11:]}")
        elif line.startswith("CONECT"):
            serials = [int(line[i : i + 5]) + offset for i in range(6, len(line.rstrip()), 5)]
            ligand_lines.append("CONECT" + "".join(f"{s:5d}" for s in serials))
    return "\n".join([*receptor_lines, *ligand_lines, "END"]) + "\n"


def profile_many(jobs: list[tuple[str, object]]) -> list[list[Interaction]]:
    """PLIP profiles of several (receptor PDB text, RDKit ligand) complexes, computed in one child process."""
    from rdkit import Chem

    if not jobs:
        return []
    payload = json.dumps([{"receptor_pdb": pdb, "ligand_molblock": Chem.MolToMolBlock(mol)} for pdb, mol in jobs])
    done = subprocess.run(
        [sys.executable, "-m", "mg_platform.analysis.docking.interactions"],
        input=payload,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"PLIP child process failed (exit {done.returncode}): {done.stderr[-1500:]}")
    return [[Interaction(**row) for row in rows] for rows in json.loads(done.stdout)]


def profile(receptor_pdb: str, ligand) -> list[Interaction]:
    """PLIP interactions of ``ligand`` (RDKit molecule with coordinates) with the receptor, in a child process."""
    return profile_many([(receptor_pdb, ligand)])[0]


def _profile_here(receptor_pdb: str, ligand) -> list[Interaction]:
    """PLIP in this process (the child of :func:`profile_many`); ligand hydrogens are removed first, PLIP adds its
    own. Sorted by type, chain, residue number and distance."""
    from plip.basic import config
    from plip.structure.preparation import PDBComplex
    from rdkit import Chem

    config.NOFIXFILE = True
    config.QUIET = True
    text = complex_pdb(receptor_pdb, Chem.RemoveHs(ligand))
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        plip_complex = PDBComplex()
        plip_complex.load_pdb(text, as_string=True)
        plip_complex.analyze()
    key = f"{LIGAND_RESIDUE}:{LIGAND_CHAIN}:1"
    if key not in plip_complex.interaction_sets:
        raise ValueError(f"PLIP found no ligand {key} (sets: {list(plip_complex.interaction_sets)})")
    found = plip_complex.interaction_sets[key]
    rows = []
    for attribute, (kind, distance, angle) in PLIP_TYPES.items():
        for item in getattr(found, attribute):
            rows.append(
                Interaction(
                    interaction=kind,
                    residue=str(item.restype),
                    residue_number=int(item.resnr),
                    chain=str(item.reschain),
                    distance_a=round(float(getattr(item, distance)), 3),
                    angle_deg=round(float(getattr(item, angle)), 1) if angle else None,
                )
            )
    return sorted(rows, key=lambda r: (INTERACTION_TYPES.index(r.interaction), r.chain, r.residue_number, r.distance_a))


def interaction_keys(rows: list[Interaction]) -> set[tuple[str, str, int]]:
    """(type, chain, residue number) of each interaction, for comparing two profiles."""
    return {(r.interaction, r.chain, r.residue_number) for r in rows}


def recovered_share(reference: list[Interaction], pose: list[Interaction]) -> float | None:
    """Share of the reference's (type, residue) interactions that the pose also makes; None without any."""
    wanted = interaction_keys(reference)
    if not wanted:
        return None
    return round(len(wanted & interaction_keys(pose)) / len(wanted), 3)


def main() -> None:
    """Child process: JSON list of {receptor_pdb, ligand_molblock} on stdin, JSON lists of interactions on stdout."""
    from rdkit import Chem

    jobs = json.loads(sys.stdin.read())
    results = [
        [asdict(i) for i in _profile_here(job["receptor_pdb"], Chem.MolFromMolBlock(job["ligand_molblock"]))]
        for job in jobs
    ]
    sys.stdout.write(json.dumps(results))


if __name__ == "__main__":
    main()

"""Receptor residues in contact with a ligand pose, with the interaction type where geometry determines it.

A residue is in contact when any of its heavy atoms lies within 4.0 A of a ligand
heavy atom. Types (several may apply, joined by "; "):

- salt bridge: a ligand cationic N (formal charge +1) within 4.0 A of an Asp OD1/OD2
  or Glu OE1/OE2 oxygen (a ligand anionic O and Lys NZ / Arg NE, NH1, NH2 likewise);
- hydrogen bond: a ligand N/O within 3.5 A of a receptor N/O (heavy-atom donor-acceptor
  distance; angles are not checked);
- hydrophobic: a ligand carbon within 4.0 A of a carbon or sulfur of a hydrophobic
  or aromatic side chain (Ala, Val, Leu, Ile, Met, Phe, Trp, Tyr, Pro, Cys);
- van der Waals: in contact, none of the above.
"""

from __future__ import annotations

from dataclasses import dataclass

import gemmi
import numpy as np

CONTACT_CUTOFF_A = 4.0
HBOND_CUTOFF_A = 3.5
SALT_BRIDGE_CUTOFF_A = 4.0
HYDROPHOBIC_RESIDUES = frozenset({"ALA", "VAL", "LEU", "ILE", "MET", "PHE", "TRP", "TYR", "PRO", "CYS"})
ANIONIC_ATOMS = {"ASP": {"OD1", "OD2"}, "GLU": {"OE1", "OE2"}}
CATIONIC_ATOMS = {"LYS": {"NZ"}, "ARG": {"NE", "NH1", "NH2"}}
BACKBONE = frozenset({"N", "CA", "C", "O", "OXT"})


@dataclass(frozen=True)
class LigandPose:
    """Ligand heavy atoms: element symbols, formal charges and coordinates (n x 3, Angstrom)."""

    elements: tuple[str, ...]
    charges: tuple[int, ...]
    coords: np.ndarray

    @classmethod
    def from_rdkit(cls, mol) -> LigandPose:
        heavy = [a for a in mol.GetAtoms() if a.GetAtomicNum() > 1]
        positions = mol.GetConformer().GetPositions()
        return cls(
            elements=tuple(a.GetSymbol() for a in heavy),
            charges=tuple(a.GetFormalCharge() for a in heavy),
            coords=np.array([positions[a.GetIdx()] for a in heavy], dtype=float),
        )


@dataclass(frozen=True)
class ResidueContact:
    """One receptor residue in contact: chain, residue name, number (structure numbering), min distance (A), types."""

    chain: str
    residue: str
    residue_number: int
    min_distance_a: float
    interaction: str


def residue_contacts(receptor: gemmi.Structure, pose: LigandPose) -> list[ResidueContact]:
    """Residues of ``receptor`` (heavy atoms, first model) within 4.0 A of ``pose``, by chain and number."""
    contacts = []
    for chain in receptor[0]:
        for residue in chain:
            atoms = [a for a in residue if a.element.name != "H"]
            if not atoms:
                continue
            xyz = np.array([a.pos.tolist() for a in atoms])
            distances = np.linalg.norm(xyz[:, None, :] - pose.coords[None, :, :], axis=2)
            if distances.min() > CONTACT_CUTOFF_A:
                continue
            kinds = _interaction_types(residue.name, atoms, distances, pose)
            contacts.append(
                ResidueContact(
                    chain=chain.name,
                    residue=residue.name,
                    residue_number=residue.seqid.num,
                    min_distance_a=round(float(distances.min()), 3),
                    interaction="; ".join(kinds) if kinds else "van der Waals",
                )
            )
    return contacts


def _interaction_types(name: str, atoms: list[gemmi.Atom], distances: np.ndarray, pose: LigandPose) -> list[str]:
    kinds = []
    lig_el = np.array(pose.elements)
    lig_q = np.array(pose.charges)
    atom_names = [a.name for a in atoms]
    atom_el = np.array([a.element.name for a in atoms])

    def any_close(rec_mask: np.ndarray, lig_mask: np.ndarray, cutoff: float) -> bool:
        return bool(rec_mask.any() and lig_mask.any() and (distances[np.ix_(rec_mask, lig_mask)] <= cutoff).any())

    anionic = np.array([n in ANIONIC_ATOMS.get(name, set()) for n in atom_names])
    cationic = np.array([n in CATIONIC_ATOMS.get(name, set()) for n in atom_names])
    if any_close(anionic, (lig_el == "N") & (lig_q > 0), SALT_BRIDGE_CUTOFF_A) or any_close(
        cationic, (lig_el == "O") & (lig_q < 0), SALT_BRIDGE_CUTOFF_A
    ):
        kinds.append("salt bridge")
    if any_close(np.isin(atom_el, ["N", "O"]), np.isin(lig_el, ["N", "O"]), HBOND_CUTOFF_A):
        kinds.append("hydrogen bond")
    if name in HYDROPHOBIC_RESIDUES:
        side_chain_cs = np.array(
            [(n not in BACKBONE) and e in ("C", "S") for n, e in zip(atom_names, atom_el, strict=True)]
        )
        if any_close(side_chain_cs, lig_el == "C", CONTACT_CUTOFF_A):
            kinds.append("hydrophobic")
    return kinds

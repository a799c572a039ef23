"""Reading mmCIF structures with gemmi: the receptor chain(s) and the co-crystallised ligand.

Coordinates are in Angstrom, in the deposited frame; residue numbers are the
structure's own (author) numbering. Alternate locations are kept when a structure
is read: the receptor keeps one conformer per residue (:func:`keep_one_conformer`,
the highest occupancy, the first on ties), while a ligand deposited in several
alternate positions yields one copy per position (:func:`ligand_pdb_blocks`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import gemmi
import numpy as np

from mg_platform.analysis.docking.receptors import LigandSelector

WATER_NAMES = frozenset({"HOH", "WAT", "DOD"})
NO_ALTLOC = "\0"


@dataclass(frozen=True)
class LigandAtoms:
    """Heavy atoms of a co-crystallised ligand: names, elements, residue names and coordinates (n x 3, Angstrom)."""

    names: tuple[str, ...]
    elements: tuple[str, ...]
    residue_names: tuple[str, ...]
    coords: np.ndarray


def read_structure(path: Path) -> gemmi.Structure:
    """First model of an mmCIF/PDB file, hydrogens removed, entities set up (alternate locations kept)."""
    structure = gemmi.read_structure(str(path))
    structure.setup_entities()
    structure.remove_hydrogens()
    while len(structure) > 1:
        del structure[len(structure) - 1]
    return structure


def keep_one_conformer(structure: gemmi.Structure) -> tuple[gemmi.Structure, tuple[str, ...]]:
    """A copy with one conformer per residue, and a note per residue that had alternate locations.

    Per residue, the alternate location with the highest mean occupancy is kept (the
    first in file order on ties); atoms without an altloc are always kept. Notes read
    ``"R:150 TYR kept B (occupancy 0.60) of A, B"``.
    """
    result = structure.clone()
    notes = []
    for chain in result[0]:
        for residue in chain:
            altlocs = list(dict.fromkeys(a.altloc for a in residue if a.altloc != NO_ALTLOC))
            if not altlocs:
                continue
            occupancy = {alt: float(np.mean([a.occ for a in residue if a.altloc == alt])) for alt in altlocs}
            kept = max(altlocs, key=lambda alt: (occupancy[alt], -altlocs.index(alt)))
            for index in reversed(range(len(residue))):
                atom = residue[index]
                if atom.altloc == NO_ALTLOC:
                    continue
                if atom.altloc == kept:
                    atom.altloc = NO_ALTLOC
                else:
                    del residue[index]
            number = f"{residue.seqid.num}{residue.seqid.icode.strip()}"
            notes.append(
                f"{chain.name}:{number} {residue.name} kept {kept} (occupancy {occupancy[kept]:.2f}) "
                f"of {', '.join(altlocs)}"
            )
    return result, tuple(notes)


def receptor_chain(
    structure: gemmi.Structure,
    chain: str | tuple[str, ...],
    drop_from_residue: int | None = None,
    around: np.ndarray | None = None,
    radius_a: float | None = None,
) -> gemmi.Structure:
    """A copy holding only the amino-acid residues of the receptor chain(s).

    Other chains, ligands, lipids, ions and waters are dropped, and so are residues
    numbered ``drop_from_residue`` and up (a fusion partner such as BRIL). With
    ``around`` (n x 3, Angstrom) and ``radius_a``, only residues with an atom within
    ``radius_a`` of one of those points are kept (a pocket cut from a large assembly).
    Raises ValueError when a chain is missing or no amino acids are left.
    """
    wanted = (chain,) if isinstance(chain, str) else tuple(chain)
    names = [ch.name for ch in structure[0]]
    missing = [c for c in wanted if c not in names]
    if missing:
        raise ValueError(f"chain {missing[0]!r} not in structure {structure.name} (chains: {names})")
    result = structure.clone()
    model = result[0]
    for index in reversed(range(len(model))):
        if model[index].name not in wanted:
            del model[index]
    for kept in model:
        for index in reversed(range(len(kept))):
            residue = kept[index]
            info = gemmi.find_tabulated_residue(residue.name)
            too_high = drop_from_residue is not None and residue.seqid.num >= drop_from_residue
            if residue.het_flag == "H" or info is None or not info.is_amino_acid() or too_high:
                del kept[index]
            elif around is not None and radius_a is not None and not _near(residue, around, radius_a):
                del kept[index]
    result.remove_empty_chains()
    if len(result[0]) == 0:
        raise ValueError(f"chain(s) {', '.join(wanted)} of {structure.name} have no amino-acid residues left")
    return result


def _near(residue: gemmi.Residue, points: np.ndarray, radius_a: float) -> bool:
    xyz = np.array([a.pos.tolist() for a in residue])
    return bool((np.linalg.norm(xyz[:, None, :] - points[None, :, :], axis=2) <= radius_a).any())


def _ligand_residues(structure: gemmi.Structure, selector: LigandSelector) -> list[gemmi.Residue]:
    chains = [ch for ch in structure[0] if ch.name == selector.chain]
    if not chains:
        raise ValueError(f"ligand chain {selector.chain!r} not in structure {structure.name}")
    residues = [r for ch in chains for r in ch if r.name not in WATER_NAMES]
    if selector.residue_name is None:
        return residues
    residues = [
        r
        for r in residues
        if r.name == selector.residue_name
        and (selector.residue_number is None or r.seqid.num == selector.residue_number)
    ]
    if not residues:
        raise ValueError(f"no residue {selector.describe()} in {structure.name}")
    return residues[:1]


def ligand_atoms(structure: gemmi.Structure, selector: LigandSelector) -> LigandAtoms:
    """Heavy atoms of the co-crystal ligand (every alternate position): a residue in a chain, or a whole chain."""
    atoms = [(a, r) for r in _ligand_residues(structure, selector) for a in r if a.element.name != "H"]
    return LigandAtoms(
        names=tuple(a.name for a, _ in atoms),
        elements=tuple(a.element.name for a, _ in atoms),
        residue_names=tuple(r.name for _, r in atoms),
        coords=np.array([a.pos.tolist() for a, _ in atoms], dtype=float),
    )


def ligand_pdb_blocks(structure: gemmi.Structure, selector: LigandSelector) -> list[str]:
    """PDB text (HETATM lines) of the selected ligand residue, one block per alternate position.

    A ligand without alternate locations gives one block; one deposited in positions A and
    B gives two (atoms without an altloc belong to both).
    """
    if selector.residue_name is None:
        raise ValueError("a PDB block is built for a single ligand residue, not a whole chain")
    residue = _ligand_residues(structure, selector)[0]
    altlocs = list(dict.fromkeys(a.altloc for a in residue if a.altloc != NO_ALTLOC)) or [NO_ALTLOC]
    blocks = []
    for alt in altlocs:
        copy = gemmi.Residue()
        copy.name, copy.seqid, copy.het_flag = residue.name, residue.seqid, "H"
        for atom in residue:
            if atom.altloc in (NO_ALTLOC, alt):
                kept = atom.clone()
                kept.altloc = NO_ALTLOC
                copy.add_atom(kept)
        single = gemmi.Structure()
        model = gemmi.Model("1")
        chain = gemmi.Chain(selector.chain)
        chain.add_residue(copy)
        model.add_chain(chain)
        single.add_model(model)
        single.setup_entities()
        blocks.append(single.make_pdb_string(gemmi.PdbWriteOptions(minimal=True)))
    return blocks


def ligand_pdb_block(structure: gemmi.Structure, selector: LigandSelector) -> str:
    """PDB text of the selected ligand residue (its first alternate position), for RDKit."""
    return ligand_pdb_blocks(structure, selector)[0]


def pdb_string(structure: gemmi.Structure) -> str:
    """Minimal PDB text (ATOM/HETATM, TER, END) of a structure."""
    return structure.make_pdb_string(gemmi.PdbWriteOptions(minimal=True))

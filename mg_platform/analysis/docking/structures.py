"""Reading mmCIF structures with gemmi: the receptor chain and the co-crystallised ligand.

Coordinates are in Angstrom, in the deposited frame; residue numbers are the
structure's own (author) numbering.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import gemmi
import numpy as np

from mg_platform.analysis.docking.receptors import LigandSelector

WATER_NAMES = frozenset({"HOH", "WAT", "DOD"})


@dataclass(frozen=True)
class LigandAtoms:
    """Heavy atoms of a co-crystallised ligand: names, elements, residue names and coordinates (n x 3, Angstrom)."""

    names: tuple[str, ...]
    elements: tuple[str, ...]
    residue_names: tuple[str, ...]
    coords: np.ndarray


def read_structure(path: Path) -> gemmi.Structure:
    """First model of an mmCIF/PDB file, hydrogens removed, entities set up."""
    structure = gemmi.read_structure(str(path))
    structure.setup_entities()
    structure.remove_hydrogens()
    while len(structure) > 1:
        del structure[len(structure) - 1]
    return structure


def receptor_chain(structure: gemmi.Structure, chain: str, drop_from_residue: int | None = None) -> gemmi.Structure:
    """A copy holding only the amino-acid residues of one chain.

    Other chains, ligands, lipids, ions and waters are dropped, and so are residues
    numbered ``drop_from_residue`` and up (a fusion partner such as BRIL). Raises
    ValueError when the chain is missing or has no amino acids.
    """
    names = [ch.name for ch in structure[0]]
    if chain not in names:
        raise ValueError(f"chain {chain!r} not in structure {structure.name} (chains: {names})")
    result = structure.clone()
    model = result[0]
    for index in reversed(range(len(model))):
        if model[index].name != chain:
            del model[index]
    kept = model[0]
    for index in reversed(range(len(kept))):
        residue = kept[index]
        is_amino_acid = gemmi.find_tabulated_residue(residue.name) is not None and (
            gemmi.find_tabulated_residue(residue.name).is_amino_acid()
        )
        too_high = drop_from_residue is not None and residue.seqid.num >= drop_from_residue
        if residue.het_flag == "H" or not is_amino_acid or too_high:
            del kept[index]
    if len(kept) == 0:
        raise ValueError(f"chain {chain!r} of {structure.name} has no amino-acid residues left")
    result.remove_empty_chains()
    return result


def ligand_atoms(structure: gemmi.Structure, selector: LigandSelector) -> LigandAtoms:
    """Heavy atoms of the co-crystal ligand: a residue name in a chain (first copy), or a whole chain (no waters)."""
    chains = [ch for ch in structure[0] if ch.name == selector.chain]
    if not chains:
        raise ValueError(f"ligand chain {selector.chain!r} not in structure {structure.name}")
    residues = [r for ch in chains for r in ch if r.name not in WATER_NAMES]
    if selector.residue_name is not None:
        residues = [r for r in residues if r.name == selector.residue_name]
        if not residues:
            raise ValueError(f"no residue {selector.residue_name} in chain {selector.chain} of {structure.name}")
        residues = residues[:1]
    atoms = [(a, r) for r in residues for a in r if a.element.name != "H"]
    return LigandAtoms(
        names=tuple(a.name for a, _ in atoms),
        elements=tuple(a.element.name for a, _ in atoms),
        residue_names=tuple(r.name for _, r in atoms),
        coords=np.array([a.pos.tolist() for a, _ in atoms], dtype=float),
    )


def ligand_pdb_block(structure: gemmi.Structure, selector: LigandSelector) -> str:
    """PDB text (HETATM lines) of the selected ligand residue, for RDKit."""
    if selector.residue_name is None:
        raise ValueError("a PDB block is built for a single ligand residue, not a whole chain")
    single = gemmi.Structure()
    model = gemmi.Model("1")
    chain = gemmi.Chain(selector.chain)
    residue = next(r for ch in structure[0] if ch.name == selector.chain for r in ch if r.name == selector.residue_name)
    chain.add_residue(residue)
    model.add_chain(chain)
    single.add_model(model)
    single.setup_entities()
    return single.make_pdb_string(gemmi.PdbWriteOptions(minimal=True))


def pdb_string(structure: gemmi.Structure) -> str:
    """Minimal PDB text (ATOM/HETATM, TER, END) of a structure."""
    return structure.make_pdb_string(gemmi.PdbWriteOptions(minimal=True))

"""Poses as RDKit molecules and the symmetry-aware heavy-atom RMSD between poses.

RMSD is computed in place (no superposition), over heavy atoms, in Angstrom, and
minimised over every mapping of one molecule's heavy atoms onto the other's that
keeps elements and bonds (the graph automorphisms; as spyrmsd's symmetry-corrected
RMSD, Meli and Biggin 2020, J Cheminform 12:49). Bond orders, aromaticity, formal
charges and hydrogens are ignored for the mapping, so a protonated docked pose and a
neutral crystal ligand are compared on the same heavy-atom graph, whatever their
tautomer or charge state.
"""

from __future__ import annotations

import numpy as np

MAX_MAPPINGS = 100_000


def pose_molecules(pdbqt_or_dlg: str, is_dlg: bool = False) -> list:
    """RDKit molecules (with hydrogens) of every pose in a Vina multi-model PDBQT or an AutoDock 4 DLG, in order.

    A DLG is read with ``meeko.PDBQTMolecule(text, is_dlg=True)``: one pose per LGA run, in run order.
    """
    from meeko import PDBQTMolecule, RDKitMolCreate
    from rdkit import Chem

    pdbqt_mol = PDBQTMolecule(pdbqt_or_dlg, is_dlg=is_dlg, skip_typing=True)
    mol = RDKitMolCreate.from_pdbqt_mol(pdbqt_mol)[0]
    poses = []
    for conformer in mol.GetConformers():
        single = Chem.Mol(mol)
        single.RemoveAllConformers()
        single.AddConformer(Chem.Conformer(conformer), assignId=True)
        poses.append(single)
    return poses


def crystal_ligand(pdb_block: str, template_smiles: str):
    """RDKit molecule of a co-crystal ligand from its PDB atoms, bond orders and stereo from the template SMILES.

    RDKit's notice that a symmetric template matches in several ways is silenced (any match gives the same graph).
    """
    from rdkit import Chem, rdBase
    from rdkit.Chem import AllChem

    atoms = Chem.MolFromPDBBlock(pdb_block, removeHs=True, sanitize=False, proximityBonding=True)
    if atoms is None:
        raise ValueError("RDKit could not read the ligand PDB block")
    with rdBase.BlockLogs():
        mol = AllChem.AssignBondOrdersFromTemplate(Chem.MolFromSmiles(template_smiles), atoms)
    Chem.AssignStereochemistryFrom3D(mol)
    return mol


def neutral_heavy_atoms(mol):
    """Copy without hydrogens and without formal charges, each charged atom's hydrogens adjusted to stay valid.

    A protonated amine N+ (one H more) becomes the neutral amine, a carboxylate O- takes
    an H; every other atom keeps its hydrogen count, so aromatic NH (indole, benzimidazolone)
    still kekulizes. An atom whose charge cannot be removed that way (a quaternary N+) keeps it.
    """
    from rdkit import Chem

    heavy = Chem.RemoveHs(Chem.Mol(mol), sanitize=False)
    heavy.UpdatePropertyCache(strict=False)
    for atom in heavy.GetAtoms():
        charge = atom.GetFormalCharge()
        hydrogens = atom.GetTotalNumHs()
        atom.SetNoImplicit(True)
        atom.SetNumExplicitHs(hydrogens)
        if charge and hydrogens - charge >= 0:
            atom.SetFormalCharge(0)
            atom.SetNumExplicitHs(hydrogens - charge)
    Chem.SanitizeMol(heavy)
    return heavy


def _heavy_graph(mol) -> tuple[object, np.ndarray]:
    """Element-and-connectivity graph of the heavy atoms (all bonds single, no charges) and their coordinates."""
    from rdkit import Chem

    heavy = [a.GetIdx() for a in mol.GetAtoms() if a.GetAtomicNum() > 1]
    graph = Chem.RWMol()
    for index in heavy:
        atom = Chem.Atom(mol.GetAtomWithIdx(index).GetAtomicNum())
        atom.SetNoImplicit(True)
        graph.AddAtom(atom)
    position = {index: k for k, index in enumerate(heavy)}
    for bond in mol.GetBonds():
        i, j = bond.GetBeginAtomIdx(), bond.GetEndAtomIdx()
        if i in position and j in position:
            graph.AddBond(position[i], position[j], Chem.BondType.SINGLE)
    graph.UpdatePropertyCache(strict=False)
    coords = mol.GetConformer().GetPositions()[heavy]
    return graph, coords


def heavy_atom_rmsd(probe, reference) -> float:
    """Symmetry-aware heavy-atom RMSD of ``probe`` to ``reference``, in place (no superposition).

    Parameters
    ----------
    probe, reference : rdkit.Chem.Mol
        Two poses of the same ligand, each with one conformer (Angstrom); hydrogens, charges,
        bond orders and tautomer may differ.

    Returns
    -------
    float
        sqrt(mean over heavy atoms of the squared distance), in Angstrom, minimised over all
        element- and bond-preserving atom mappings (graph automorphisms).

    Raises
    ------
    ValueError
        When the heavy-atom graphs differ.

    References
    ----------
    Meli and Biggin 2020, J Cheminform 12:49 (spyrmsd: symmetry-corrected RMSD).
    """
    probe_graph, probe_xyz = _heavy_graph(probe)
    ref_graph, ref_xyz = _heavy_graph(reference)
    sizes = [(g.GetNumAtoms(), g.GetNumBonds()) for g in (probe_graph, ref_graph)]
    if sizes[0] != sizes[1]:
        raise ValueError(f"heavy-atom graphs differ in size (atoms, bonds): {sizes[0]} vs {sizes[1]}")
    matches = ref_graph.GetSubstructMatches(probe_graph, uniquify=False, useChirality=False, maxMatches=MAX_MAPPINGS)
    if not matches:
        raise ValueError("the two molecules do not have the same heavy-atom graph")
    order = np.array(matches)  # match[k][i] = reference atom for probe atom i
    deltas = ref_xyz[order] - probe_xyz[None, :, :]
    return float(np.sqrt((deltas**2).sum(axis=2).mean(axis=1).min()))


def min_rmsd(probe, references: list) -> float:
    """Smallest :func:`heavy_atom_rmsd` of ``probe`` to any of ``references`` (alternate crystal positions)."""
    return min(heavy_atom_rmsd(probe, reference) for reference in references)

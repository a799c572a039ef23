"""Poses as RDKit molecules and the symmetry-aware heavy-atom RMSD between poses.

RMSD is computed in place (no superposition), over heavy atoms, minimised over
the molecule's graph automorphisms (RDKit ``rdMolAlign.CalcRMS``), in Angstrom.
Formal charges and hydrogens are removed first, so a protonated docked pose and a
neutral crystal ligand are compared on the same heavy-atom graph.
"""

from __future__ import annotations


def pose_molecules(vina_pdbqt: str) -> list:
    """RDKit molecules (with hydrogens) of every pose in a Vina multi-model PDBQT, in pose order."""
    from meeko import PDBQTMolecule, RDKitMolCreate
    from rdkit import Chem

    pdbqt_mol = PDBQTMolecule(vina_pdbqt, is_dlg=False, skip_typing=True)
    mol = RDKitMolCreate.from_pdbqt_mol(pdbqt_mol)[0]
    poses = []
    for conformer in mol.GetConformers():
        single = Chem.Mol(mol)
        single.RemoveAllConformers()
        single.AddConformer(Chem.Conformer(conformer), assignId=True)
        poses.append(single)
    return poses


def crystal_ligand(pdb_block: str, template_smiles: str):
    """RDKit molecule of a co-crystal ligand from its PDB atoms, bond orders and stereo from the template SMILES."""
    from rdkit import Chem
    from rdkit.Chem import AllChem

    atoms = Chem.MolFromPDBBlock(pdb_block, removeHs=True, sanitize=False, proximityBonding=True)
    if atoms is None:
        raise ValueError("RDKit could not read the ligand PDB block")
    mol = AllChem.AssignBondOrdersFromTemplate(Chem.MolFromSmiles(template_smiles), atoms)
    Chem.AssignStereochemistryFrom3D(mol)
    return mol


def neutral_heavy_atoms(mol):
    """Copy without hydrogens and with formal charges set to zero (graph for matching)."""
    from rdkit import Chem

    heavy = Chem.RemoveHs(Chem.Mol(mol), sanitize=False)
    for atom in heavy.GetAtoms():
        atom.SetFormalCharge(0)
        atom.SetNumExplicitHs(0)
        atom.SetNoImplicit(False)
    Chem.SanitizeMol(heavy)
    return heavy


def heavy_atom_rmsd(probe, reference) -> float:
    """Symmetry-aware heavy-atom RMSD (Angstrom) of ``probe`` to ``reference``, without alignment."""
    from rdkit.Chem import rdMolAlign

    return float(rdMolAlign.CalcRMS(neutral_heavy_atoms(probe), neutral_heavy_atoms(reference)))

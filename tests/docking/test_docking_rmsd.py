"""Ligand preparation and the symmetry-aware RMSD."""

from __future__ import annotations

import numpy as np
import pytest
from rdkit import Chem
from rdkit.Chem import AllChem

from mg_platform import settings
from mg_platform.analysis.docking import ligand_prep, rmsd, structures
from mg_platform.analysis.docking.receptors import MORPHINE_SMILES, LigandSelector
from mg_platform.resources.reference import ReferenceSnapshot


def _moi():
    snapshot = ReferenceSnapshot(path=str(settings.reference_dir()))
    structure = structures.read_structure(snapshot.verified("rcsb", "8ef6.cif").path)
    return rmsd.crystal_ligand(structures.ligand_pdb_block(structure, LigandSelector("R", "MOI")), MORPHINE_SMILES)


def test_morphine_is_protonated_at_the_amine_only():
    mol = ligand_prep.protonate_basic_amines(MORPHINE_SMILES)
    charged = [(a.GetSymbol(), a.GetFormalCharge(), a.GetTotalNumHs()) for a in mol.GetAtoms() if a.GetFormalCharge()]
    assert charged == [("N", 1, 1)]
    assert Chem.rdMolDescriptors.CalcMolFormula(mol) == "C17H20NO3+"


def test_ligand_preparation_is_seeded_and_keeps_stereo():
    first = ligand_prep.prepare_ligand(MORPHINE_SMILES, seed=7)
    second = ligand_prep.prepare_ligand(MORPHINE_SMILES, seed=7)
    assert first.pdbqt == second.pdbqt
    assert first.heavy_atoms == 21
    neutral = Chem.MolFromSmiles(first.protonated_smiles)
    assert Chem.MolToSmiles(rmsd.neutral_heavy_atoms(neutral)) == Chem.MolToSmiles(Chem.MolFromSmiles(MORPHINE_SMILES))


def test_cryo_em_morphine_matches_the_template():
    moi = _moi()
    assert moi.GetNumAtoms() == 21
    assert Chem.MolToSmiles(moi) == Chem.MolToSmiles(Chem.MolFromSmiles(MORPHINE_SMILES))


def test_rmsd_of_a_pose_with_itself_is_zero():
    moi = _moi()
    assert rmsd.heavy_atom_rmsd(moi, Chem.Mol(moi)) == pytest.approx(0.0, abs=1e-9)


def test_rmsd_of_a_known_shift():
    moi = _moi()
    shifted = Chem.Mol(moi)
    conformer = shifted.GetConformer()
    for i in range(shifted.GetNumAtoms()):
        p = conformer.GetAtomPosition(i)
        conformer.SetAtomPosition(i, (p.x + 1.0, p.y + 2.0, p.z + 2.0))
    assert rmsd.heavy_atom_rmsd(shifted, moi) == pytest.approx(3.0, abs=1e-6)  # sqrt(1 + 4 + 4), no alignment


def test_rmsd_uses_symmetry():
    # para-xylene: moving every atom onto its symmetry mate (an end-to-end flip) leaves the
    # molecule where it was, so the symmetry-aware RMSD is 0 while atom-by-atom it is not.
    mol = Chem.AddHs(Chem.MolFromSmiles("Cc1ccc(C)cc1"))
    AllChem.EmbedMolecule(mol, randomSeed=1)
    heavy = Chem.RemoveHs(mol)
    automorphism = {0: 5, 1: 4, 2: 3, 3: 2, 4: 1, 5: 0, 6: 7, 7: 6}
    for bond in heavy.GetBonds():
        i, j = bond.GetBeginAtomIdx(), bond.GetEndAtomIdx()
        assert heavy.GetBondBetweenAtoms(automorphism[i], automorphism[j]) is not None
    coords = heavy.GetConformer().GetPositions()
    flipped = Chem.Mol(heavy)
    conformer = flipped.GetConformer()
    for i, j in automorphism.items():
        conformer.SetAtomPosition(i, coords[j].tolist())
    naive = float(np.sqrt(np.mean(np.sum((flipped.GetConformer().GetPositions() - coords) ** 2, axis=1))))
    assert naive > 1.0
    assert rmsd.heavy_atom_rmsd(flipped, heavy) == pytest.approx(0.0, abs=1e-6)


def test_charge_difference_does_not_break_matching():
    moi = _moi()
    charged = Chem.Mol(moi)
    nitrogen = next(a for a in charged.GetAtoms() if a.GetSymbol() == "N")
    nitrogen.SetFormalCharge(1)
    nitrogen.SetNumExplicitHs(1)
    Chem.SanitizeMol(charged)
    assert rmsd.heavy_atom_rmsd(charged, moi) == pytest.approx(0.0, abs=1e-9)

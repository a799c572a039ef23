"""Ligand preparation and the symmetry-aware RMSD."""

from __future__ import annotations

import numpy as np
import pytest
from rdkit import Chem
from rdkit.Chem import AllChem, rdMolAlign, rdMolDescriptors

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


@pytest.mark.parametrize(
    "smiles",
    [
        "C[NH+]1CCC(Cc2c[nH]c3ccccc23)CC1",  # an indole NH beside a protonated amine
        "O=c1[nH]c2ccccc2n1C1CC[NH2+]CC1",  # a benzimidazolone NH
    ],
)
def test_neutral_heavy_atoms_keeps_aromatic_nh(smiles):
    """The old code reset every H count and failed with "Can't kekulize" on aromatic NH."""
    mol = Chem.AddHs(Chem.MolFromSmiles(smiles))
    neutral = rmsd.neutral_heavy_atoms(mol)
    assert all(a.GetFormalCharge() == 0 for a in neutral.GetAtoms())
    aromatic_nh = [a for a in neutral.GetAtoms() if a.GetSymbol() == "N" and a.GetIsAromatic() and a.GetTotalNumHs()]
    assert len(aromatic_nh) == 1
    # the charged amine lost exactly its extra proton: formula = neutral parent's
    parent = Chem.MolFromSmiles(smiles.replace("[NH+]", "N").replace("[NH2+]", "N"))
    assert rdMolDescriptors.CalcMolFormula(neutral) == rdMolDescriptors.CalcMolFormula(parent)


def _embedded(smiles: str, seed: int):
    mol = Chem.AddHs(Chem.MolFromSmiles(smiles))
    assert AllChem.EmbedMolecule(mol, randomSeed=seed) == 0
    return Chem.RemoveHs(mol)


def _brute_force_rmsd(probe, reference) -> float:
    """Minimum over every element- and bond-preserving mapping, enumerated by networkx (independent of RDKit)."""
    import networkx as nx
    from networkx.algorithms import isomorphism

    def graph(mol):
        g = nx.Graph()
        g.add_nodes_from((a.GetIdx(), {"el": a.GetAtomicNum()}) for a in mol.GetAtoms())
        g.add_edges_from((b.GetBeginAtomIdx(), b.GetEndAtomIdx()) for b in mol.GetBonds())
        return g

    matcher = isomorphism.GraphMatcher(graph(reference), graph(probe), node_match=lambda a, b: a["el"] == b["el"])
    ref_xyz, probe_xyz = reference.GetConformer().GetPositions(), probe.GetConformer().GetPositions()
    best = np.inf
    for mapping in matcher.isomorphisms_iter():  # reference atom -> probe atom
        pairs = np.array(list(mapping.items()))
        best = min(best, float(np.sqrt(((ref_xyz[pairs[:, 0]] - probe_xyz[pairs[:, 1]]) ** 2).sum(axis=1).mean())))
    return best


@pytest.mark.parametrize(
    "smiles",
    ["CC(C)(C)c1ccc(C(=O)[O-])cc1", "CN1CC[C@]23c4c5ccc(O)c4O[C@H]2[C@@H](O)C=C[C@H]3[C@H]1C5", "Cc1ccc(C)cc1"],
)
def test_rmsd_matches_rdkit_calcrms_and_brute_force(smiles):
    probe, reference = _embedded(smiles, 1), _embedded(smiles, 2)
    ours = rmsd.heavy_atom_rmsd(probe, reference)
    assert ours == pytest.approx(rdMolAlign.CalcRMS(probe, reference), abs=1e-6)
    assert ours == pytest.approx(_brute_force_rmsd(probe, reference), abs=1e-6)


def test_rmsd_ignores_tautomer_and_charge_of_a_guanidine():
    neutral = _embedded("CCCCNC(=N)N", 3)
    charged = Chem.MolFromSmiles("CCCCNC(N)=[NH2+]")
    charged = Chem.RenumberAtoms(charged, list(charged.GetSubstructMatch(Chem.MolFromSmarts("CCCCN~C(~N)~N"))))
    charged.AddConformer(Chem.Conformer(neutral.GetConformer()), assignId=True)
    assert rmsd.heavy_atom_rmsd(charged, neutral) == pytest.approx(0.0, abs=1e-9)


def test_min_rmsd_scores_against_the_closer_alternate_position():
    moi = _moi()
    far, near = Chem.Mol(moi), Chem.Mol(moi)
    for mol, shift in ((far, 3.0), (near, 0.5)):
        conformer = mol.GetConformer()
        for i in range(mol.GetNumAtoms()):
            p = conformer.GetAtomPosition(i)
            conformer.SetAtomPosition(i, (p.x + shift, p.y, p.z))
    assert rmsd.min_rmsd(moi, [far, near]) == pytest.approx(0.5, abs=1e-6)
    assert rmsd.min_rmsd(moi, [far]) == pytest.approx(3.0, abs=1e-6)


def test_different_graphs_are_refused():
    with pytest.raises(ValueError, match="differ"):
        rmsd.heavy_atom_rmsd(_embedded("CCO", 1), _embedded("CCCO", 1))

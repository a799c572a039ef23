"""Ligand preparation: stereo SMILES -> protonated 3D conformer (ETKDGv3 + MMFF94) -> meeko PDBQT.

The study minimised with MM2; MMFF94 is the closest force field RDKit offers.
Basic aliphatic amines (pKa 8-10, morphine's N-methyl amine pKa about 8.2) are
protonated, which is their dominant state at pH 7.4, and so are guanidines (pKa about
13: the imine N takes the proton); amides, anilines, sulfonamides, acylguanidines
and amidines are left neutral.
"""

from __future__ import annotations

from dataclasses import dataclass

BASIC_AMINE_SMARTS = "[NX3;+0;!$(N-a);!$(N-[C,S,P]=[O,S,N]);!$(N-[#7,#8]);!$(N-C#N)]"
GUANIDINE_IMINE_SMARTS = "[NX2;+0;!$(N-C=O);!$(N-S=O)]=[CX3;!a]([NX3;!$(N-C=O)])[NX3;!$(N-C=O)]"


@dataclass(frozen=True)
class PreparedLigand:
    """A ligand ready for docking: PDBQT text, the protonated SMILES, the embedding seed and MMFF energy (kcal/mol)."""

    pdbqt: str
    smiles: str
    protonated_smiles: str
    embed_seed: int
    mmff_energy_kcal_mol: float
    heavy_atoms: int


def protonate_basic_amines(smiles: str):
    """RDKit molecule (no explicit H) with every basic aliphatic amine N and guanidine imine N protonated (+1)."""
    from rdkit import Chem

    mol = Chem.MolFromSmiles(smiles)
    if mol is None:
        raise ValueError(f"invalid SMILES {smiles!r}")
    sites = {
        m[0]
        for smarts in (BASIC_AMINE_SMARTS, GUANIDINE_IMINE_SMARTS)
        for m in mol.GetSubstructMatches(Chem.MolFromSmarts(smarts))
    }
    for index in sorted(sites):
        atom = mol.GetAtomWithIdx(index)
        atom.SetFormalCharge(1)
        atom.SetNumExplicitHs(atom.GetTotalNumHs() + 1)
        atom.SetNoImplicit(True)
    Chem.SanitizeMol(mol)
    return mol


def prepare_ligand(smiles: str, seed: int) -> PreparedLigand:
    """Protonate, embed one conformer (ETKDGv3, ``seed``), minimise with MMFF94 and write meeko's PDBQT."""
    from meeko import MoleculePreparation, PDBQTWriterLegacy
    from rdkit import Chem
    from rdkit.Chem import AllChem

    mol = Chem.AddHs(protonate_basic_amines(smiles))
    params = AllChem.ETKDGv3()
    params.randomSeed = seed
    if AllChem.EmbedMolecule(mol, params) != 0:
        raise RuntimeError(f"RDKit could not embed {smiles!r} with seed {seed}")
    properties = AllChem.MMFFGetMoleculeProperties(mol)
    force_field = AllChem.MMFFGetMoleculeForceField(mol, properties)
    force_field.Minimize(maxIts=5000)
    setups = MoleculePreparation().prepare(mol)
    pdbqt, ok, error = PDBQTWriterLegacy.write_string(setups[0])
    if not ok:
        raise RuntimeError(f"meeko could not write a PDBQT for {smiles!r}: {error}")
    return PreparedLigand(
        pdbqt=pdbqt,
        smiles=smiles,
        protonated_smiles=Chem.MolToSmiles(Chem.RemoveHs(mol)),
        embed_seed=seed,
        mmff_energy_kcal_mol=float(force_field.CalcEnergy()),
        heavy_atoms=mol.GetNumHeavyAtoms(),
    )

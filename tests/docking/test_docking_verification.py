"""Ligand SMILES verified against the mmCIF's chemical component and the deposited coordinates."""

from __future__ import annotations

import dataclasses

import pytest

from mg_platform import settings
from mg_platform.analysis.docking import redocking, structures, verification
from mg_platform.assets.docking import REDOCK_COMPLEXES
from mg_platform.resources.reference import ReferenceSnapshot

# PROVENANCE.md / _chem_comp.formula of each component
FORMULAS = {
    "8EF6_MOI": "C17 H19 N O3",
    "6VI4_JDC": "C28 H39 N3 O3",
    "7SCG_8RI": "C24 H26 N2 O2",
    "7U2K_KZR": "C23 H39 N5 O",
    "7U2L_L0X": "C22 H37 N5 O",
    "7EU8_JC9": "C13 H16 Cl N O",
}


def _path(pdb_id: str):
    return ReferenceSnapshot(path=str(settings.reference_dir())).verified("rcsb", f"{pdb_id.lower()}.cif").path


def _verify(name: str, smiles: str | None = None):
    complex_ = REDOCK_COMPLEXES[name]
    path = _path(complex_.receptor.pdb_id)
    blocks = structures.ligand_pdb_blocks(structures.read_structure(path), complex_.receptor.ligand)
    return verification.verify_ligand(
        str(path), complex_.receptor.ligand.residue_name, smiles or complex_.ligand.smiles, blocks
    )


@pytest.mark.parametrize("name", sorted(FORMULAS))
def test_every_configured_complex_verifies(name):
    checked = _verify(name)
    assert checked.verified, checked.problems
    assert checked.formula_ccd == FORMULAS[name]
    heavy = sum(int(part[1:] or 1) for part in FORMULAS[name].split() if part[0] != "H" and not part.startswith("Cl"))
    heavy += FORMULAS[name].count("Cl")
    assert checked.heavy_atoms_smiles == checked.heavy_atoms_ccd == heavy
    assert checked.heavy_atoms_deposited == (heavy,)


def test_component_r_s_labels_match_the_coordinates():
    morphine = _verify("8EF6_MOI")
    assert morphine.stereo_ccd == {"C5": "S", "C6": "R", "C13": "R", "C14": "S", "C17": "R"}
    assert morphine.stereo_from_3d == morphine.stereo_ccd
    assert _verify("7EU8_JC9").stereo_ccd == {"C1": "S"}  # S-ketamine
    jdtic = _verify("6VI4_JDC")  # 6VI4's mmCIF lists JDC without _chem_comp_atom rows
    assert jdtic.stereo_ccd == {} and "coordinates only" in jdtic.notes[0]


def test_wrong_enantiomer_is_refused():
    checked = _verify("7EU8_JC9", "CN[C@@]1(c2ccccc2Cl)CCCCC1=O")  # R-ketamine
    assert not checked.verified
    assert "coordinates give CN[C@]1" in checked.problems[0]


def test_wrong_formula_is_refused():
    checked = _verify("7EU8_JC9", "CN[C@]1(c2ccccc2)CCCCC1=O")  # deschloroketamine
    assert not checked.verified
    assert any("formula of the SMILES C13H17NO differs" in p for p in checked.problems)
    assert any("heavy atoms in the SMILES" in p for p in checked.problems)


def test_redocking_refuses_an_unverified_complex_before_docking(tmp_path):
    complex_ = REDOCK_COMPLEXES["7EU8_JC9"]
    wrong = dataclasses.replace(
        complex_, ligand=dataclasses.replace(complex_.ligand, smiles="CN[C@@]1(c2ccccc2Cl)CCCCC1=O")
    )
    with pytest.raises(
        verification.LigandNotVerified, match="7EU8_JC9: the SMILES of S-ketamine could not be verified"
    ):
        redocking.redock_complex(wrong, _path("7EU8"), redocking.RedockSettings(), tmp_path)
    assert not (tmp_path / "receptor.pdbqt").exists()

"""Structures from the verified snapshot, receptor preparation of every snapshot receptor, and the search box."""

from __future__ import annotations

import numpy as np
import pytest

from mg_platform import settings
from mg_platform.analysis.docking import box, receptor_prep, structures
from mg_platform.analysis.docking.receptors import LigandSelector
from mg_platform.assets.docking import RECEPTOR_SPECS
from mg_platform.resources.reference import ReferenceSnapshot


def _structure(pdb_id: str):
    snapshot = ReferenceSnapshot(path=str(settings.reference_dir()))
    return structures.read_structure(snapshot.verified("rcsb", f"{pdb_id.lower()}.cif").path)


def test_settings_table_lists_the_three_opioid_receptors():
    assert {(s.receptor, s.pdb_id, s.chain) for s in RECEPTOR_SPECS.values()} == {
        ("MOR", "8EF6", "R"),
        ("DOR", "6PT2", "A"),
        ("KOR", "6VI4", "A"),
    }


@pytest.mark.parametrize("receptor", ["MOR", "DOR", "KOR"])
def test_every_snapshot_receptor_prepares(receptor):
    spec = RECEPTOR_SPECS[receptor]
    chain = structures.receptor_chain(_structure(spec.pdb_id), spec.chain, spec.drop_from_residue)
    assert [ch.name for ch in chain[0]] == [spec.chain]
    numbers = [r.seqid.num for r in chain[0][0]]
    names = {r.name for r in chain[0][0]}
    assert not names & {"HOH", "CLR", "OLA", "OLC", "MOI", "JDC", "NAG"}
    prepared = receptor_prep.prepare_receptor(chain)
    lines = [ln for ln in prepared.pdbqt.splitlines() if ln.startswith("ATOM")]
    assert lines and all(len(ln) >= 78 for ln in lines)
    atom_types = {ln[77:79].strip() for ln in lines}
    assert {"C", "N", "OA", "HD"} <= atom_types  # polar hydrogens were added
    assert prepared.removed_residues == ()
    # PROVENANCE: MOR chain R residues 66-352, DOR 41-329 after the BRIL (>= 999) is dropped, KOR chain A 60-348.
    expected_range = {"MOR": (66, 352), "DOR": (41, 329), "KOR": (60, 348)}[receptor]
    assert (min(numbers), max(numbers)) == expected_range


def test_bril_fusion_of_6pt2_is_dropped():
    chain = structures.receptor_chain(_structure("6PT2"), "A", drop_from_residue=999)
    assert max(r.seqid.num for r in chain[0][0]) < 999
    assert len(chain[0][0]) == 289  # PROVENANCE: DOR part of chain A is 289 aa


def test_missing_chain_is_refused():
    with pytest.raises(ValueError, match="chain 'Z'"):
        structures.receptor_chain(_structure("8EF6"), "Z")


def test_box_is_centred_on_the_ligand_extent_plus_margin():
    coords = np.array([[0.0, 0.0, 0.0], [2.0, 4.0, 6.0], [1.0, 1.0, 1.0]])
    result = box.box_around(coords, margin_a=4.0)
    assert result.center == (1.0, 2.0, 3.0)
    assert result.size == (10.0, 12.0, 14.0)
    assert box.box_around(coords, margin_a=0.0, min_size_a=5.0).size == (5.0, 5.0, 6.0)


def test_box_from_the_8ef6_morphine():
    ligand = structures.ligand_atoms(_structure("8EF6"), LigandSelector("R", "MOI"))
    assert len(ligand.coords) == 21  # PROVENANCE: C17H19NO3, 21 heavy atoms
    result = box.box_around(ligand.coords, margin_a=4.0)
    low, high = ligand.coords.min(axis=0), ligand.coords.max(axis=0)
    np.testing.assert_allclose(result.center, (low + high) / 2, atol=1e-3)
    np.testing.assert_allclose(result.size, high - low + 8.0, atol=1e-3)
    assert all(ligand.coords.min(axis=0) > np.array(result.center) - np.array(result.size) / 2)


def test_peptide_ligand_chain_of_6pt2():
    ligand = structures.ligand_atoms(_structure("6PT2"), LigandSelector("C"))
    assert set(ligand.residue_names) == {"DI7", "DAR", "PHE", "SAR", "OXJ"}  # PROVENANCE; the HOH is left out

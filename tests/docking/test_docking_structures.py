"""Structures from the verified snapshot, receptor preparation of every snapshot receptor, and the search box."""

from __future__ import annotations

import gemmi
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
    chain = structures.receptor_chain(_structure(spec.pdb_id), spec.chains, spec.drop_from_residue)
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


def _with_alternate_locations(structure, chain: str, number: int, occupancies: dict[str, float]):
    """A copy where residue ``number`` of ``chain`` has one conformer per altloc: A as deposited, the others shifted
    by 1 A in x per letter, with the given occupancies."""
    result = structure.clone()
    residue = next(r for ch in result[0] if ch.name == chain for r in ch if r.seqid.num == number)
    originals = [residue[i].clone() for i in range(len(residue))]
    for index in reversed(range(len(residue))):
        del residue[index]
    for k, (alt, occupancy) in enumerate(occupancies.items()):
        for atom in originals:
            copy = atom.clone()
            copy.altloc = alt
            copy.occ = occupancy
            copy.pos = gemmi.Position(atom.pos.x + k, atom.pos.y, atom.pos.z)
            residue.add_atom(copy)
    return result


def test_alternate_locations_keep_the_highest_occupancy_and_say_so():
    chain = structures.receptor_chain(_structure("8EF6"), "R")
    tyr = next(r for r in chain[0]["R"] if r.seqid.num == 150)
    x_a = next(a.pos.x for a in tyr if a.name == "OH")
    altered = _with_alternate_locations(chain, "R", 150, {"A": 0.4, "B": 0.6})
    kept, notes = structures.keep_one_conformer(altered)
    residue = next(r for r in kept[0]["R"] if r.seqid.num == 150)
    assert {a.altloc for a in residue} == {"\0"} and len(residue) == len(tyr)
    assert next(a.pos.x for a in residue if a.name == "OH") == pytest.approx(x_a + 1.0, abs=1e-3)  # B, the 0.6 one
    assert notes == ("R:150 TYR kept B (occupancy 0.60) of A, B",)
    # ties: the first altloc in file order
    _, tie_notes = structures.keep_one_conformer(_with_alternate_locations(chain, "R", 150, {"A": 0.5, "B": 0.5}))
    assert tie_notes == ("R:150 TYR kept A (occupancy 0.50) of A, B",)


def test_receptor_with_alternate_locations_prepares():
    """meeko used to fail on a residue with alternate locations; now one conformer is kept and reported."""
    chain = structures.receptor_chain(_structure("8EF6"), "R")
    altered = _with_alternate_locations(chain, "R", 149, {"A": 0.7, "B": 0.3})
    prepared = receptor_prep.prepare_receptor(altered)
    assert prepared.alternate_locations == ("R:149 ASP kept A (occupancy 0.70) of A, B",)
    assert prepared.removed_residues == () and prepared.residues == 287


def test_ligand_in_two_alternate_positions_gives_two_blocks():
    structure = _with_alternate_locations(_structure("8EF6"), "R", 401, {"A": 0.5, "B": 0.5})
    blocks = structures.ligand_pdb_blocks(structure, LigandSelector("R", "MOI"))
    assert len(blocks) == 2
    xs = [[float(line[30:38]) for line in b.splitlines() if line.startswith("HETATM")] for b in blocks]
    assert len(xs[0]) == len(xs[1]) == 21
    np.testing.assert_allclose(np.array(xs[1]) - np.array(xs[0]), 1.0, atol=1e-3)
    assert len(structures.ligand_pdb_blocks(_structure("8EF6"), LigandSelector("R", "MOI"))) == 1


def test_ligand_copy_chosen_by_residue_number_and_crop_around_it():
    structure = _structure("7EU8")
    ligand = structures.ligand_atoms(structure, LigandSelector("B", "JC9", 903))
    assert len(ligand.coords) == 16  # C13H16ClNO
    with pytest.raises(ValueError, match="JC9 1"):
        structures.ligand_atoms(structure, LigandSelector("B", "JC9", 1))
    pocket = structures.receptor_chain(structure, ("A", "B", "C", "D"), None, ligand.coords, 8.0)
    for chain in pocket[0]:
        for residue in chain:
            xyz = np.array([a.pos.tolist() for a in residue])
            assert np.linalg.norm(xyz[:, None] - ligand.coords[None], axis=2).min() <= 8.0
    names = {(ch.name, r.seqid.num) for ch in pocket[0] for r in ch}
    assert {("C", 616), ("D", 615), ("B", 647)} <= names  # PROVENANCE: N-site Asn and Thr647 line the site

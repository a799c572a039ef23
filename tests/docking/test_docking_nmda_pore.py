"""The Mg2+ site of the NMDA receptor on 7EU8 and the pore-radius definition."""

from __future__ import annotations

import gemmi
import numpy as np
import pytest

from mg_platform import settings
from mg_platform.analysis.docking import nmda_pore, structures
from mg_platform.analysis.docking.receptors import LigandSelector, load_pore_spec
from mg_platform.assets.docking import RECEPTORS_FILE
from mg_platform.resources.reference import ReferenceSnapshot


@pytest.fixture(scope="module")
def structure_7eu8():
    path = ReferenceSnapshot(path=str(settings.reference_dir())).verified("rcsb", "7eu8.cif").path
    return structures.read_structure(path)


def test_pore_spec_records_the_substitution():
    spec = load_pore_spec(RECEPTORS_FILE)
    assert (spec.pdb_id, spec.requested_pdb_id) == ("7EU8", "9IYP")
    assert spec.n_site == {"A": 616, "C": 616, "B": 615, "D": 615}


def test_mg_site_sits_on_the_asparagine_ring(structure_7eu8):
    spec = load_pore_spec(RECEPTORS_FILE)
    site = nmda_pore.place_mg(structure_7eu8, spec)
    assert [(r.subunit, r.chain, r.residue, r.residue_number) for r in site.residues] == [
        ("GluN1", "A", "ASN", 616),
        ("GluN1", "C", "ASN", 616),
        ("GluN2B", "B", "ASN", 615),
        ("GluN2B", "D", "ASN", 615),
    ]
    # Mg2+ lies on the axis, within the ring: each Asn CA is 4-12 A away, and the ring centroid is near
    mg = np.array(site.position)
    ca = np.array([structure_7eu8[0][c][str(n)][0]["CA"][0].pos.tolist() for c, n in spec.n_site.items()])
    assert np.all((np.linalg.norm(ca - mg, axis=1) > 4.0) & (np.linalg.norm(ca - mg, axis=1) < 12.0))
    assert abs(float(np.dot(ca.mean(axis=0) - mg, site.axis))) < 3.0
    # hand check of one distance: the reported atom really is that far from Mg2+
    first = site.residues[0]
    atom = structure_7eu8[0][first.chain][str(first.residue_number)][0][first.atom][0]
    assert np.linalg.norm(np.array(atom.pos.tolist()) - mg) == pytest.approx(first.distance_a, abs=1e-3)
    assert site.min_distance_a == min(r.distance_a for r in site.residues)
    # PROVENANCE: S-ketamine sits directly above the Mg2+ site, i.e. towards the extracellular side
    ketamine = structures.ligand_atoms(structure_7eu8, LigandSelector("B", "JC9")).coords.mean(axis=0)
    assert float(np.dot(ketamine - mg, site.axis)) > 0.0
    assert 0.0 < site.pore_radius_a < 4.0


def test_pore_radius_is_distance_minus_vdw_radius():
    structure = gemmi.Structure()
    model = gemmi.Model("1")
    chain = gemmi.Chain("A")
    residue = gemmi.Residue()
    residue.name = "ALA"
    residue.seqid = gemmi.SeqId(1, " ")
    for name, element, x in (("CB", "C", 5.0), ("O", "O", -6.0)):
        atom = gemmi.Atom()
        atom.name, atom.element, atom.pos = name, gemmi.Element(element), gemmi.Position(x, 0.0, 0.0)
        residue.add_atom(atom)
    chain.add_residue(residue)
    model.add_chain(chain)
    structure.add_model(model)
    assert nmda_pore.pore_radius(structure, np.zeros(3)) == pytest.approx(5.0 - 1.70)
    rows = nmda_pore.pore_profile(structure, np.zeros(3), np.array([0.0, 1.0, 0.0]), 0.0, 4.0, 4.0)
    assert [r["axial_position_a"] for r in rows] == [0.0, 4.0]
    assert rows[1]["radius_a"] == pytest.approx(np.hypot(5.0, 4.0) - 1.70, abs=1e-3)
    assert rows[0]["nearest_atom"] == "A:ALA1:CB"

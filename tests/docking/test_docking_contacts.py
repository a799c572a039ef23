"""Contact residues and interaction types on hand-built geometry."""

from __future__ import annotations

import gemmi
import numpy as np

from mg_platform.analysis.docking.contacts import LigandPose, residue_contacts


def _receptor(residues: list[tuple[str, int, list[tuple[str, str, tuple[float, float, float]]]]]) -> gemmi.Structure:
    structure = gemmi.Structure()
    model = gemmi.Model("1")
    chain = gemmi.Chain("R")
    for name, number, atoms in residues:
        residue = gemmi.Residue()
        residue.name = name
        residue.seqid = gemmi.SeqId(number, " ")
        for atom_name, element, xyz in atoms:
            atom = gemmi.Atom()
            atom.name = atom_name
            atom.element = gemmi.Element(element)
            atom.pos = gemmi.Position(*xyz)
            residue.add_atom(atom)
        chain.add_residue(residue)
    model.add_chain(chain)
    structure.add_model(model)
    return structure


def test_salt_bridge_hbond_hydrophobic_and_distance_cutoff():
    # ligand: a cationic N at the origin, a hydroxyl O at (0, 6, 0), a carbon at (6, 0, 0)
    pose = LigandPose(("N", "O", "C"), (1, 0, 0), np.array([[0.0, 0.0, 0.0], [0.0, 6.0, 0.0], [6.0, 0.0, 0.0]]))
    receptor = _receptor(
        [
            ("ASP", 149, [("CG", "C", (0.0, -4.6, 0.0)), ("OD1", "O", (0.0, -3.6, 0.0))]),  # N+...O- 3.6 A
            ("TYR", 150, [("OH", "O", (0.0, 9.0, 0.0))]),  # O...O 3.0 A
            ("VAL", 238, [("CG1", "C", (9.8, 0.0, 0.0))]),  # C...C 3.8 A
            ("LEU", 300, [("CD1", "C", (10.5, 0.0, 0.0))]),  # 4.5 A: not a contact
            ("GLY", 301, [("CA", "C", (6.0, 3.9, 0.0))]),  # 3.9 A from the carbon, backbone only
        ]
    )
    contacts = {c.residue_number: c for c in residue_contacts(receptor, pose)}
    assert set(contacts) == {149, 150, 238, 301}
    assert contacts[149].interaction == "salt bridge"
    assert contacts[149].min_distance_a == 3.6
    assert contacts[150].interaction == "hydrogen bond"
    assert contacts[238].interaction == "hydrophobic"
    assert contacts[301].interaction == "van der Waals"
    assert contacts[150].chain == "R" and contacts[150].residue == "TYR"


def test_neutral_amine_near_asp_is_a_hydrogen_bond_not_a_salt_bridge():
    pose = LigandPose(("N",), (0,), np.array([[0.0, 0.0, 0.0]]))
    receptor = _receptor([("ASP", 1, [("OD2", "O", (0.0, 0.0, 3.0))])])
    assert residue_contacts(receptor, pose)[0].interaction == "hydrogen bond"

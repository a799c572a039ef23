"""PLIP interaction profiles: the cryo-EM morphine of 8EF6 checked against independent geometry."""

from __future__ import annotations

import gemmi
import numpy as np
import pytest
import vina  # noqa: F401  (imported first on purpose: Open Babel must still work, in PLIP's child process)

from mg_platform import settings
from mg_platform.analysis.docking import interactions, rmsd, structures
from mg_platform.analysis.docking.interactions import Interaction
from mg_platform.analysis.docking.receptors import MORPHINE_SMILES, LigandSelector
from mg_platform.resources.reference import ReferenceSnapshot


@pytest.fixture(scope="module")
def mor():
    path = ReferenceSnapshot(path=str(settings.reference_dir())).verified("rcsb", "8ef6.cif").path
    structure = structures.read_structure(path)
    receptor = gemmi.read_structure(str(path))[0]["R"]
    chain = structures.receptor_chain(structure, "R")
    moi = rmsd.crystal_ligand(structures.ligand_pdb_block(structure, LigandSelector("R", "MOI")), MORPHINE_SMILES)
    return structures.pdb_string(chain), moi, receptor


def test_cryo_em_morphine_profile(mor):
    receptor_pdb, moi, chain = mor
    rows = interactions.profile(receptor_pdb, moi)
    salt = [r for r in rows if r.interaction == "salt_bridge"]
    assert [(r.residue, r.residue_number, r.chain) for r in salt] == [("ASP", 149, "R")]
    # PLIP's salt-bridge distance: ligand amine N to the centroid of Asp149's carboxylate oxygens
    asp = next(r for r in chain if r.seqid.num == 149)
    oxygens = np.array([a.pos.tolist() for a in asp if a.name in ("OD1", "OD2")])
    nitrogen = moi.GetConformer().GetPositions()[next(a.GetIdx() for a in moi.GetAtoms() if a.GetSymbol() == "N")]
    assert salt[0].distance_a == pytest.approx(np.linalg.norm(nitrogen - oxygens.mean(axis=0)), abs=1e-3)
    assert salt[0].angle_deg is None
    # every residue PLIP names lies within 5 A of the ligand (PROVENANCE: D149 Y150 M153 V238 I298 W320 ... Y328)
    within_5 = {149, 150, 153, 238, 298, 320, 235, 295, 299, 302, 324, 328}
    assert {r.residue_number for r in rows} <= within_5
    assert {r.interaction for r in rows} <= set(interactions.INTERACTION_TYPES)
    hydrophobic = {r.residue_number for r in rows if r.interaction == "hydrophobic"}
    assert {298, 320} <= hydrophobic and all(r.distance_a <= 4.0 for r in rows if r.interaction == "hydrophobic")


def test_profiles_of_several_complexes_in_one_child(mor):
    receptor_pdb, moi, _ = mor
    single = interactions.profile(receptor_pdb, moi)
    assert interactions.profile_many([(receptor_pdb, moi), (receptor_pdb, moi)]) == [single, single]
    assert interactions.profile_many([]) == []


def test_recovered_share_by_type_and_residue():
    def row(kind, number):
        return Interaction(kind, "XXX", number, "R", 3.0, None)

    crystal = [row("salt_bridge", 149), row("hydrophobic", 298), row("hydrophobic", 320), row("hydrophobic", 320)]
    pose = [row("salt_bridge", 149), row("hydrogen_bond", 298), row("hydrophobic", 320), row("pi_stacking", 295)]
    assert interactions.recovered_share(crystal, pose) == pytest.approx(2 / 3, abs=1e-3)
    assert interactions.recovered_share([], pose) is None


def test_complex_pdb_serials_follow_the_receptor_and_ter(mor):
    receptor_pdb, moi, _ = mor
    text = interactions.complex_pdb(receptor_pdb, moi)
    records = [ln for ln in text.splitlines() if ln.startswith(("ATOM", "HETATM", "TER"))]
    ligand = [ln for ln in records if ln.startswith("HETATM")]
    assert len(ligand) == 21 and all(" LIG L   1" in ln for ln in ligand)
    assert [int(ln[6:11]) for ln in ligand] == list(range(len(records) - 20, len(records) + 1))
    conect = [ln for ln in text.splitlines() if ln.startswith("CONECT")]
    bonded = {int(ln[i : i + 5]) for ln in conect for i in range(6, len(ln), 5)}
    assert bonded == {int(ln[6:11]) for ln in ligand}

"""Redocking figures from pose rows (hand-built), and the configuration of ligands and complexes."""

from __future__ import annotations

import pandas as pd
import pytest

from mg_platform.analysis.docking import engine_summary, receptors, redocking
from mg_platform.assets.docking import LIGANDS, RECEPTORS_FILE, REDOCK_COMPLEXES


def _pose(run, rank, score, rmsd_a):
    return {"run": run, "pose_rank": rank, "score": score, "rmsd_a": rmsd_a}


def test_summary_of_three_runs():
    poses = [
        _pose(1, 1, -9.0, 5.0),  # the top-scored pose: wrong
        _pose(1, 2, -8.9, 1.2),  # under 2 A too, but ranked 3rd
        _pose(2, 1, -8.95, 0.8),  # best pose under 2 A: overall rank 2 (-8.95 < -8.9), 0.05 worse than the top
        _pose(3, 1, -7.0, 3.0),
        _pose(3, 2, -6.0, 0.5),
    ]
    summary = redocking.summarise(poses)
    assert summary["top_pose_rmsd_a"] == 5.0 and summary["top_score"] == -9.0 and not summary["success"]
    assert summary["best_rank_below_2a"] == 2
    assert summary["score_gap_to_top"] == pytest.approx(0.05)
    assert summary["success_rate"] == pytest.approx(1 / 3, abs=1e-4)  # run tops: 5.0, 0.8, 3.0 (rounded to 4 places)
    assert summary["median_run_top_rmsd_a"] == 3.0
    assert summary["closest_pose_rmsd_a"] == 0.5 and summary["runs"] == 3


def test_summary_without_a_pose_under_2a_and_ties():
    poses = [_pose(2, 1, -8.0, 2.5), _pose(1, 1, -8.0, 1.5)]
    summary = redocking.summarise(poses)
    assert summary["top_run"] == 1 and summary["success"]  # ties go to the earlier run
    none = redocking.summarise([_pose(1, 1, -8.0, 2.0)])  # 2.0 A is not under 2 A
    assert none["best_rank_below_2a"] is None and none["score_gap_to_top"] is None and not none["success"]


def test_engine_summary_picks_the_best_success_rate():
    redock = pd.DataFrame(
        [
            {"complex": c, "engine": e, "success": s, "success_rate": r, "top_pose_rmsd_a": d, "runs": 3}
            for c, e, s, r, d in [
                ("a", "vina", False, 1 / 3, 5.0),
                ("b", "vina", True, 2 / 3, 1.0),
                ("a", "vinardo", True, 1.0, 0.8),
                ("b", "vinardo", True, 1 / 3, 1.5),
                ("a", "ad4", False, 0.0, 2.5),
                ("b", "ad4", False, 0.0, 3.5),
            ]
        ]
    )
    rows = {r["engine"]: r for r in engine_summary.summarise_engines(redock)}
    assert rows["vinardo"]["successes"] == 2 and rows["vinardo"]["success_rate"] == 1.0
    assert rows["vina"]["success_rate"] == 0.5 and rows["vina"]["mean_seed_success_rate"] == pytest.approx(
        0.5, abs=1e-4
    )
    assert rows["ad4"]["median_top_pose_rmsd_a"] == 3.0
    assert [e for e, r in rows.items() if r["best_by_redocking"]] == ["vinardo"]


def test_configured_ligands_and_complexes():
    assert [(lig.name, lig.smiles) for lig in LIGANDS] == [("morphine", receptors.MORPHINE_SMILES)]
    assert list(REDOCK_COMPLEXES) == ["8EF6_MOI", "6VI4_JDC", "7SCG_8RI", "7U2K_KZR", "7U2L_L0X", "7EU8_JC9"]
    ketamine = REDOCK_COMPLEXES["7EU8_JC9"]
    assert ketamine.receptor.chains == ("A", "B", "C", "D") and ketamine.receptor.crop_radius_a == 20.0
    assert ketamine.receptor.ligand.describe() == "B:JC9"
    assert all(c.receptor.redock for c in REDOCK_COMPLEXES.values())


def test_a_user_adds_a_ligand_and_a_complex_without_code(tmp_path):
    text = RECEPTORS_FILE.read_text().replace(
        "ligands:\n",
        'ligands:\n  - {name: fentanyl, smiles: "CCC(=O)N(c1ccccc1)C1CCN(CCc2ccccc2)CC1"}\n',
    )
    text = text.replace(
        "redocking:\n",
        "redocking:\n  - complex: 8EF6_MOI_M\n    pdb_id: 8EF6\n    chain: M\n"
        "    ligand: {chain: M, residue_name: MOI, residue_number: 401, name: morphine,\n"
        '             smiles: "CN1CC[C@]23c4c5ccc(O)c4O[C@H]2[C@@H](O)C=C[C@H]3[C@H]1C5"}\n',
    )
    path = tmp_path / "docking.yaml"
    path.write_text(text)
    assert [lig.name for lig in receptors.load_ligands(path)] == ["fentanyl", "morphine"]
    added = receptors.load_redock_complexes(path)[0]
    assert added.complex == "8EF6_MOI_M" and added.receptor.ligand.residue_number == 401
    path.write_text(text.replace("name: fentanyl", "name: morphine"))
    with pytest.raises(ValueError, match="ligand names"):
        receptors.load_ligands(path)

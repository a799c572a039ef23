"""A real small-exhaustiveness docking of morphine into 8EF6 (maps once, seeded runs, deterministic)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from mg_platform import settings
from mg_platform.analysis.docking import receptor_docking, vina_runs
from mg_platform.assets.docking import RECEPTOR_SPECS
from mg_platform.resources.reference import ReferenceSnapshot

VINA_RESULT = """MODEL 1
REMARK VINA RESULT:    -7.950      0.000      0.000
ATOM ...
ENDMDL
MODEL 2
REMARK VINA RESULT:    -7.654      2.125      4.500
ENDMDL
"""


def test_parse_vina_poses():
    poses = vina_runs.parse_vina_poses(VINA_RESULT)
    assert [(p.pose_rank, p.affinity_kcal_mol, p.rmsd_lb, p.rmsd_ub) for p in poses] == [
        (1, -7.95, 0.0, 0.0),
        (2, -7.654, 2.125, 4.5),
    ]


def test_run_seeds_are_distinct_and_recorded():
    assert vina_runs.run_seeds(100, 3) == [101, 102, 103]
    assert len(set(vina_runs.run_seeds(20240601, 20))) == 20


@pytest.mark.slow
def test_small_docking_of_morphine_into_8ef6(tmp_path):
    spec = RECEPTOR_SPECS["MOR"]
    structure = ReferenceSnapshot(path=str(settings.reference_dir())).verified("rcsb", "8ef6.cif").path
    tiny = receptor_docking.DockingSettings(runs=2, vina=vina_runs.VinaSettings(exhaustiveness=2, n_poses=5))
    seen = []
    result = receptor_docking.dock_receptor(spec, structure, tiny, tmp_path / "a", lambda d, n: seen.append((d, n)))
    assert seen == [(1, 2), (2, 2)]
    poses = result["poses"]
    assert {p["run"] for p in poses} == {1, 2}
    # Vina scores of morphine in the MOR pocket: negative, in a plausible range (kcal/mol)
    assert all(-12.0 < p["affinity_kcal_mol"] < 0.0 for p in poses)
    first_ranks = [p for p in poses if p["pose_rank"] == 1]
    assert all(p["rmsd_lb"] == 0.0 and p["rmsd_ub"] == 0.0 for p in first_ranks)
    best = result["best"]
    assert best["best_affinity_kcal_mol"] == min(p["affinity_kcal_mol"] for p in poses)
    assert best["mean_best_affinity_kcal_mol"] == pytest.approx(np.mean([p["affinity_kcal_mol"] for p in first_ranks]))
    assert best["redock_rmsd_a"] is not None and best["closest_pose_rmsd_a"] <= best["redock_rmsd_a"]
    # the best pose lies inside the search box
    center, size = np.array(json.loads(best["box_center"])), np.array(json.loads(best["box_size"]))
    sdf = (tmp_path / "a" / "best_pose.sdf").read_text().splitlines()
    n_atoms = int(sdf[3][:3])
    xyz = np.array([[float(v) for v in line.split()[:3]] for line in sdf[4 : 4 + n_atoms]])
    assert (np.abs(xyz - center) <= size / 2 + 0.5).all()
    complex_pdb = (tmp_path / "a" / "complex.pdb").read_text()
    assert "HETATM" in complex_pdb and " LIG L " in complex_pdb
    serials = [int(line[6:11]) for line in complex_pdb.splitlines() if line.startswith(("ATOM", "HETATM"))]
    assert len(serials) == len(set(serials))

    again = receptor_docking.dock_receptor(spec, structure, tiny, tmp_path / "b")
    assert again["poses"] == poses  # fixed seeds, cpu=1: deterministic

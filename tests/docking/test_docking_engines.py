"""The three engines (vina, vinardo: Vina 1.2; ad4: AutoDock 4.2.6) on the same inputs, and their file formats."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import psutil
import pytest

from mg_platform import settings
from mg_platform.analysis.docking import autodock4, box, engines, ligand_prep, parallel, rmsd, structures, vina_runs
from mg_platform.analysis.docking.receptor_docking import prepare_system
from mg_platform.analysis.docking.receptors import MORPHINE_SMILES
from mg_platform.assets.docking import RECEPTOR_SPECS
from mg_platform.resources.reference import ReferenceSnapshot

DLG = Path(__file__).parent / "data" / "morphine_8ef6_2runs.dlg"  # autodock4 4.2.6, 2 LGA runs, seed 12345 54321
VINA_RESULT = """MODEL 1
REMARK VINA RESULT:    -7.950      0.000      0.000
ATOM ...
ENDMDL
MODEL 2
REMARK VINA RESULT:    -7.654      2.125      4.500
ENDMDL
"""
TINY = engines.EngineSettings(
    vina=vina_runs.VinaSettings(exhaustiveness=1, n_poses=3), ad4=autodock4.AD4Settings(num_evals=10_000)
)


def test_parse_vina_poses():
    poses = vina_runs.parse_vina_poses(VINA_RESULT)
    assert [(p.pose_rank, p.affinity_kcal_mol, p.rmsd_lb, p.rmsd_ub) for p in poses] == [
        (1, -7.95, 0.0, 0.0),
        (2, -7.654, 2.125, 4.5),
    ]


def test_parse_dlg_of_a_known_file():
    text = DLG.read_text()
    runs = autodock4.parse_dlg(text)
    # read off the file: "Run: k Seed: a b" and "DOCKED: USER    Estimated Free Energy of Binding    =   -5.71"
    assert [(r.run, r.free_energy_kcal_mol, r.rng_seeds) for r in runs] == [
        (1, -5.71, "1942689135 975751963"),
        (2, -5.86, "431026097 909341702"),
    ]
    poses = rmsd.pose_molecules(text, is_dlg=True)
    assert len(poses) == 2
    # heavy-atom coordinates of each pose = the DOCKED ATOM records of that run (parsed here with a regex)
    models = re.split(r"DOCKED: MODEL", text)[1:]
    for pose, model in zip(poses, models, strict=True):
        records = [ln[8:] for ln in model.splitlines() if ln.startswith("DOCKED: ATOM")]
        expected = np.array(
            [[float(r[30:38]), float(r[38:46]), float(r[46:54])] for r in records if r[77:79].strip() != "HD"]
        )
        heavy = [a.GetIdx() for a in pose.GetAtoms() if a.GetAtomicNum() > 1]
        got = pose.GetConformer().GetPositions()[heavy]
        nearest = np.linalg.norm(expected[:, None] - got[None], axis=2).min(axis=1)
        assert len(got) == len(expected) == 21 and nearest.max() < 0.002  # PDBQT: 3 decimals


def test_autogrid_box_is_rounded_up_to_even_grid_points():
    search_box = box.SearchBox(center=(1.0, 2.0, 3.0), size=(13.035, 12.567, 15.0))
    # 13.035 / 0.375 = 34.76 -> 36; 12.567 / 0.375 = 33.51 -> 34; 15.0 / 0.375 = 40 exactly -> 40
    assert autodock4.grid_points(search_box) == (36, 34, 40)
    receptor = "ATOM      1  N   ALA R   1       0.000   0.000   0.000  1.00  0.00     0.000 N \n".replace(
        " N \n", " NA\n"
    )
    gpf = autodock4.grid_parameter_file(search_box, receptor, ["C", "OA"])
    assert "npts 36 34 40" in gpf and "gridcenter 1.000 2.000 3.000" in gpf and "spacing 0.375" in gpf
    assert "map receptor.C.map" in gpf and "map receptor.OA.map" in gpf
    extent = np.array(autodock4.grid_points(search_box)) * autodock4.GRID_SPACING_A
    assert (extent >= np.array(search_box.size)).all()  # the AutoGrid box holds the Vina box


def test_docking_parameter_file_records_seed_runs_and_evaluations():
    ligand = ligand_prep.prepare_ligand(MORPHINE_SMILES, seed=1).pdbqt
    dpf = autodock4.docking_parameter_file(ligand, runs=20, seed=777, settings=autodock4.AD4Settings(num_evals=12345))
    lines = dpf.splitlines()
    assert "seed 777 777" in lines and "ga_run 20" in lines and "ga_num_evals 12345" in lines
    torsdof = re.search(r"^TORSDOF (\d+)", ligand, re.M).group(1)
    assert f"torsdof {torsdof}" in lines
    assert lines[-1] == "analysis"


def test_missing_autodock_says_how_to_install(monkeypatch):
    monkeypatch.setattr(autodock4.shutil, "which", lambda name: None)
    with pytest.raises(RuntimeError, match="apt-get install -y autodock autogrid"):
        autodock4.executables()


def test_unknown_engine_is_refused():
    with pytest.raises(ValueError, match="vina, vinardo, ad4"):
        engines.check_engine("gnina")


@pytest.fixture(scope="module")
def mor(tmp_path_factory):
    path = ReferenceSnapshot(path=str(settings.reference_dir())).verified("rcsb", "8ef6.cif").path
    folder = tmp_path_factory.mktemp("mor")
    system = prepare_system(RECEPTOR_SPECS["MOR"], path, 4.0, folder)
    ligand = ligand_prep.prepare_ligand(MORPHINE_SMILES, 42)
    reference = rmsd.crystal_ligand(
        structures.ligand_pdb_block(system.structure, RECEPTOR_SPECS["MOR"].ligand), MORPHINE_SMILES
    )
    return system, ligand, reference, folder


@pytest.mark.slow
@pytest.mark.parametrize("engine", ["vinardo", "ad4"])
def test_small_real_runs_are_seeded_and_reproducible(mor, engine):
    system, ligand, reference, folder = mor
    maps = engines.prepare_maps(engine, folder / engine, system.receptor_pdbqt, ligand.pdbqt, system.box)
    first = engines.search(engine, maps, ligand.pdbqt, 2, 100, TINY)
    again = engines.search(engine, maps, ligand.pdbqt, 2, 100, TINY)
    assert [r.run for r in first] == [1, 2]
    assert [[p.affinity_kcal_mol for p in r.poses] for r in first] == [
        [p.affinity_kcal_mol for p in r.poses] for r in again
    ]
    for run, repeat in zip(first, again, strict=True):
        for mol, mol_again in zip(run.molecules, repeat.molecules, strict=True):
            assert np.allclose(mol.GetConformer().GetPositions(), mol_again.GetConformer().GetPositions())
    # plausible scores for morphine in the MOR pocket (kcal/mol), poses inside the box
    assert all(-12.0 < p.affinity_kcal_mol < 0.0 for r in first for p in r.poses)
    center, size = np.array(system.box.center), np.array(system.box.size)
    for run in first:
        for mol in run.molecules:
            assert (np.abs(mol.GetConformer().GetPositions() - center) <= size / 2 + 1.0).all()
            assert 0.0 <= rmsd.heavy_atom_rmsd(mol, reference) < 15.0
    if engine == "ad4":
        assert [r.seed for r in first] == [101, 101]  # one autodock4 call: ga_run 2, DPF seed base + 1
        assert len(first[0].molecules) == 1
        assert "Random number generator was seeded with values 101, 101." in first[0].text
        assert "ga_run 2" in (maps / "runs_01-02.dpf").read_text()
    else:
        assert [r.seed for r in first] == [101, 102]
        assert all(r.poses[0].rmsd_lb == 0.0 for r in first)


@pytest.mark.slow
def test_vina_poses_do_not_depend_on_the_thread_count(mor):
    """Vina 1.2 seeds each Monte Carlo task from the run seed and merges in task order: cpu=1 and cpu=2 give
    byte-identical poses, so the platform may give a run any number of threads without changing a result."""
    system, ligand, _, folder = mor
    maps = engines.prepare_maps("vina", folder / "threads", system.receptor_pdbqt, ligand.pdbqt, system.box)
    by_threads = {
        cpu: engines.search(
            "vina",
            maps,
            ligand.pdbqt,
            1,
            7,
            engines.EngineSettings(vina=vina_runs.VinaSettings(exhaustiveness=2, n_poses=3, cpu=cpu), ad4=TINY.ad4),
        )
        for cpu in (1, 2, 0)
    }
    assert by_threads[1][0].text == by_threads[2][0].text == by_threads[0][0].text


@pytest.mark.slow
def test_parallel_searches_equal_the_sequential_ones_in_job_order(mor):
    """Runs spread over two processes give the same runs, seeds and poses as one process, in job order; the
    progress counts reach the runs planned per label; no pool worker outlives the call."""
    system, ligand, _, folder = mor
    maps = {
        e: engines.prepare_maps(e, folder / f"par_{e}", system.receptor_pdbqt, ligand.pdbqt, system.box)
        for e in ("vina", "ad4")
    }
    jobs = [parallel.SearchJob("vina", maps["vina"], ligand.pdbqt, 1, 300, run, "vina") for run in (1, 2, 3)]
    jobs.insert(1, parallel.SearchJob("ad4", maps["ad4"], ligand.pdbqt, 2, 300, 1, "ad4"))
    # the two AutoDock calls start first, at once, on the same maps folder
    jobs.append(parallel.SearchJob("ad4", maps["ad4"], ligand.pdbqt, 2, 300, 3, "ad4"))
    seen = []
    one_core = parallel.run_searches(jobs, TINY, cores=1)
    two_cores = parallel.run_searches(jobs, TINY, cores=2, progress=lambda *p: seen.append(p))
    assert [[(r.run, r.seed) for r in runs] for runs in two_cores] == [
        [(1, 301)],
        [(1, 301), (2, 301)],
        [(2, 302)],
        [(3, 303)],
        [(3, 303), (4, 303)],
    ]
    for runs_one, runs_two in zip(one_core, two_cores, strict=True):
        for a, b in zip(runs_one, runs_two, strict=True):
            assert [p.affinity_kcal_mol for p in a.poses] == [p.affinity_kcal_mol for p in b.poses]
            assert all(
                np.array_equal(m.GetConformer().GetPositions(), n.GetConformer().GetPositions())
                for m, n in zip(a.molecules, b.molecules, strict=True)
            )
    assert sorted(seen)[-1] == ("vina", 3, 3) and ("ad4", 4, 4) in seen
    assert _workers() == []


def test_cores_are_shared_between_processes_and_threads():
    assert parallel.plan_cores(2, 20) == (2, 1)  # twenty runs: two processes of one thread
    assert parallel.plan_cores(2, 1) == (1, 2)  # one long run: two threads
    assert parallel.plan_cores(4, 3) == (3, 1)
    assert parallel.plan_cores(8, 3) == (3, 2)


@pytest.mark.slow
def test_a_failing_search_is_raised_and_leaves_no_worker(tmp_path):
    jobs = [parallel.SearchJob("vina", tmp_path / "no_maps", "not a ligand", 1, 1, run) for run in (1, 2, 3)]
    with pytest.raises(RuntimeError, match="Cannot find affinity maps"):
        parallel.run_searches(jobs, TINY, cores=2)
    assert _workers() == []


def _workers() -> list[psutil.Process]:
    """This process's children other than multiprocessing's resource tracker (which lives as long as we do)."""
    return [p for p in psutil.Process().children(recursive=True) if "resource_tracker" not in " ".join(p.cmdline())]

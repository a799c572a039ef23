"""dg.materialize of the docking assets into a tmp warehouse, offline from the reference snapshot."""

from __future__ import annotations

import dagster as dg
import pytest

from mg_platform import settings
from mg_platform.assets import docking
from mg_platform.resources.bundle import default_resources
from mg_platform.resources.rcsb_client import RcsbClient

TINY = {"runs": 2, "exhaustiveness": 1, "n_poses": 3}


def _resources(tmp_path):
    resources = default_resources(tmp_path, settings.reference_dir())
    resources["rcsb_client"] = RcsbClient(cache_dir=str(tmp_path / "cache" / "rcsb"), offline=True)
    resources["pipes_subprocess_client"] = dg.PipesSubprocessClient()
    return resources


def _run_config(**values):
    return dg.RunConfig(ops={"docking_receptor": docking.DockingConfig(**{**TINY, **values})})


@pytest.mark.slow
def test_docking_partition_fills_tables_and_is_idempotent(tmp_path):
    resources = _resources(tmp_path)
    first = dg.materialize(docking.assets[:1], resources=resources, partition_key="MOR", run_config=_run_config())
    assert first.success
    warehouse = resources["warehouse"]
    poses = warehouse.query_df("SELECT * FROM docking.poses ORDER BY run, pose_rank")
    best = warehouse.query_df("SELECT * FROM docking.best")
    assert set(poses["receptor"]) == {"MOR"} and set(poses["pdb_id"]) == {"8EF6"}
    assert sorted(set(poses["run"])) == [1, 2]
    assert list(poses.drop_duplicates("run")["seed"]) == [20240602, 20240603]
    assert len(best) == 1 and best.loc[0, "runs"] == 2
    assert best.loc[0, "best_affinity_kcal_mol"] == poses["affinity_kcal_mol"].min()
    assert best.loc[0, "structure_source"] == "snapshot"
    assert best.loc[0, "redock_rmsd_a"] >= 0
    contacts = warehouse.query_df("SELECT * FROM docking.contacts")
    assert len(contacts) > 0 and (contacts["min_distance_a"] <= 4.0).all()
    out = tmp_path / "outputs" / "docking" / "MOR"
    for name in ("best_pose.pdbqt", "best_pose.sdf", "complex.pdb", "receptor.pdbqt", "result.json"):
        assert (out / name).is_file()

    again = dg.materialize(docking.assets[:1], resources=resources, partition_key="MOR", run_config=_run_config())
    assert again.success
    poses_again = warehouse.query_df("SELECT * FROM docking.poses ORDER BY run, pose_rank")
    assert poses_again.equals(poses)  # same seeds, cpu=1: identical rows, and no duplicates


def test_mg_pore_asset(tmp_path):
    resources = _resources(tmp_path)
    result = dg.materialize(docking.assets[1:], resources=resources)
    assert result.success
    site = resources["warehouse"].query_df("SELECT * FROM docking.mg_pore")
    assert list(site["pdb_id"]) == ["7EU8"] and list(site["requested_pdb_id"]) == ["9IYP"]
    profile = resources["warehouse"].query_df("SELECT * FROM docking.pore_profile")
    assert len(profile) == 81  # -15 .. 25 A in 0.5 A steps
    assert (tmp_path / "outputs" / "docking" / "nmda_pore" / "pore_profile.png").is_file()


def test_docking_definitions_load(tmp_path):
    defs = dg.Definitions(assets=docking.assets, resources=_resources(tmp_path))
    dg.Definitions.validate_loadable(defs)
    keys = {key.to_user_string() for key in defs.resolve_asset_graph().get_all_asset_keys()}
    assert keys - {"reference/rcsb"} == {
        "docking/poses",
        "docking/best",
        "docking/contacts",
        "docking/mg_pore",
        "docking/pore_profile",
    }
    assert defs.resolve_asset_graph().get(dg.AssetKey(["docking", "best"])).parent_keys == {
        dg.AssetKey(["reference", "rcsb"])
    }
    assert docking.receptor_partitions.get_partition_keys() == ["MOR", "DOR", "KOR"]

"""dg.materialize of the docking assets into a tmp warehouse, offline from the reference snapshot."""

from __future__ import annotations

import dagster as dg
import pytest

from mg_platform import settings
from mg_platform.analysis.docking import engines
from mg_platform.assets import docking
from mg_platform.resources.bundle import default_resources
from mg_platform.resources.rcsb_client import RcsbClient

TINY_SEARCH = {"exhaustiveness": 1, "n_poses": 3, "ad4_evaluations": 20_000}


def _resources(tmp_path):
    resources = default_resources(tmp_path, settings.reference_dir())
    resources["rcsb_client"] = RcsbClient(cache_dir=str(tmp_path / "cache" / "rcsb"), offline=True)
    resources["pipes_subprocess_client"] = dg.PipesSubprocessClient()
    return resources


def _run_config(**values):
    return dg.RunConfig(ops={"docking_receptor": docking.DockingConfig(**{"runs": 2, **TINY_SEARCH, **values})})


@pytest.mark.e2e
def test_docking_partition_fills_tables_and_is_idempotent(tmp_path):
    resources = _resources(tmp_path)
    first = dg.materialize(docking.assets[:1], resources=resources, partition_key="MOR", run_config=_run_config())
    assert first.success
    warehouse = resources["warehouse"]
    poses = warehouse.query_df("SELECT * FROM docking.poses ORDER BY engine, run, pose_rank")
    best = warehouse.query_df("SELECT * FROM docking.best ORDER BY engine")
    assert set(poses["receptor"]) == {"MOR"} and set(poses["pdb_id"]) == {"8EF6"}
    assert set(poses["ligand"]) == {"morphine"}
    default = engines.DEFAULT_ENGINE
    assert list(best["engine"]) == sorted([default, "ad4"])  # the default engine plus the study's AutoDock 4
    vina_like = poses[poses["engine"] == default]
    assert list(vina_like.drop_duplicates("run")["seed"]) == [20240602, 20240603]
    ad4 = poses[poses["engine"] == "ad4"]
    assert sorted(ad4["run"]) == [1, 2] and set(ad4["pose_rank"]) == {1}  # one pose per LGA run
    assert set(ad4["seed"]) == {20240602} and ad4["rng_seeds"].notna().all()  # the DPF seed, and each run's RNG
    for engine, row in best.set_index("engine").iterrows():
        engine_poses = poses[poses["engine"] == engine]
        assert row["best_affinity_kcal_mol"] == engine_poses["affinity_kcal_mol"].min()
        assert row["runs"] == 2 and row["redock_rmsd_a"] >= 0 and row["structure_source"] == "snapshot"
    interactions = warehouse.query_df("SELECT * FROM docking.interactions")
    assert set(interactions["engine"]) <= {default, "ad4"} and len(interactions) > 0
    assert set(interactions["interaction"]) <= {
        "salt_bridge",
        "hydrogen_bond",
        "pi_stacking",
        "pi_cation",
        "hydrophobic",
        "halogen_bond",
        "water_bridge",
        "metal",
    }
    contacts = warehouse.query_df("SELECT * FROM docking.contacts")
    assert len(contacts) > 0 and (contacts["min_distance_a"] <= 4.0).all() and set(contacts["ligand"]) == {"morphine"}
    out = tmp_path / "outputs" / "docking"
    for name in (f"morphine/{default}/best_pose.sdf", "morphine/ad4/complex.pdb", "receptor.pdbqt", "result.json"):
        assert (out / "MOR" / name).is_file()
    assert (out / "interactions_MOR_morphine.png").is_file()

    again = dg.materialize(docking.assets[:1], resources=resources, partition_key="MOR", run_config=_run_config())
    assert again.success
    poses_again = warehouse.query_df("SELECT * FROM docking.poses ORDER BY engine, run, pose_rank")
    assert poses_again.equals(poses)  # same seeds, AD4 seed line: identical rows, and no duplicates


@pytest.mark.e2e
def test_redocking_and_engine_summary(tmp_path):
    resources = _resources(tmp_path)
    config = dg.RunConfig(
        ops={"docking_redock": docking.RedockConfig(ligand_seeds=[1, 2], **TINY_SEARCH)},
    )
    selection = docking.assets[1:3]
    result = dg.materialize(selection, resources=resources, partition_key="8EF6_MOI", run_config=config)
    assert result.success
    warehouse = resources["warehouse"]
    redock = warehouse.query_df("SELECT * FROM docking.redock ORDER BY engine")
    assert list(redock["engine"]) == ["ad4", "vina", "vinardo"]
    assert (redock["runs"] == 2).all() and set(redock["ligand"]) == {"morphine"}
    poses = warehouse.query_df("SELECT * FROM docking.redock_poses")
    for _, row in redock.iterrows():
        engine_poses = poses[poses["engine"] == row["engine"]]
        assert sorted(engine_poses["ligand_seed"].unique()) == [1, 2]
        top = engine_poses.sort_values(["score", "run", "pose_rank"]).iloc[0]
        assert row["top_pose_rmsd_a"] == top["rmsd_a"]
        assert row["success"] == (top["rmsd_a"] < 2.0)
    summary = warehouse.query_df("SELECT * FROM docking.engine_summary ORDER BY engine")
    assert list(summary["engine"]) == ["ad4", "vina", "vinardo"] and summary["best_by_redocking"].sum() == 1
    assert (tmp_path / "outputs" / "docking" / "redock_rmsd_by_engine.png").is_file()


def test_mg_pore_asset(tmp_path):
    resources = _resources(tmp_path)
    result = dg.materialize(docking.assets[3:], resources=resources)
    assert result.success
    site = resources["warehouse"].query_df("SELECT * FROM docking.mg_pore")
    assert list(site["pdb_id"]) == ["7EU8"] and list(site["requested_pdb_id"]) == ["9IYP"]
    profile = resources["warehouse"].query_df("SELECT * FROM docking.pore_profile")
    assert len(profile) == 81  # -15 .. 25 A in 0.5 A steps
    assert (tmp_path / "outputs" / "docking" / "pore_profile.png").is_file()  # where the report looks


def test_docking_definitions_load(tmp_path):
    defs = dg.Definitions(assets=docking.assets, resources=_resources(tmp_path))
    dg.Definitions.validate_loadable(defs)
    keys = {key.to_user_string() for key in defs.resolve_asset_graph().get_all_asset_keys()}
    assert keys - {"reference/rcsb"} == {
        "docking/poses",
        "docking/best",
        "docking/contacts",
        "docking/interactions",
        "docking/redock",
        "docking/redock_poses",
        "docking/engine_summary",
        "docking/mg_pore",
        "docking/pore_profile",
    }
    assert defs.resolve_asset_graph().get(dg.AssetKey(["docking", "best"])).parent_keys == {
        dg.AssetKey(["reference", "rcsb"])
    }
    assert docking.receptor_partitions.get_partition_keys() == ["MOR", "DOR", "KOR"]
    assert docking.redock_partitions.get_partition_keys() == [
        "8EF6_MOI",
        "6VI4_JDC",
        "7SCG_8RI",
        "7U2K_KZR",
        "7U2L_L0X",
        "7EU8_JC9",
    ]

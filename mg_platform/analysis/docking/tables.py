"""Column types of the docking.* tables (results contract plus extra columns) and typed frames for them.

Scores (``affinity_kcal_mol``, ``score``, ``top_score``) are in the units of the row's
``engine`` and are never compared across engines.
"""

from __future__ import annotations

import pandas as pd

TABLE_COLUMNS: dict[str, dict[str, str]] = {
    "docking.poses": {
        "receptor": "VARCHAR",
        "pdb_id": "VARCHAR",
        "ligand": "VARCHAR",
        "engine": "VARCHAR",
        "run": "INTEGER",
        "seed": "BIGINT",
        "pose_rank": "INTEGER",
        "affinity_kcal_mol": "DOUBLE",
        "rmsd_lb": "DOUBLE",
        "rmsd_ub": "DOUBLE",
        "rmsd_to_cocrystal_a": "DOUBLE",
        "rng_seeds": "VARCHAR",
    },
    "docking.best": {
        "receptor": "VARCHAR",
        "pdb_id": "VARCHAR",
        "ligand": "VARCHAR",
        "engine": "VARCHAR",
        "best_affinity_kcal_mol": "DOUBLE",
        "mean_best_affinity_kcal_mol": "DOUBLE",
        "sd_best_affinity_kcal_mol": "DOUBLE",
        "runs": "INTEGER",
        "box_center": "VARCHAR",
        "box_size": "VARCHAR",
        "redock_rmsd_a": "DOUBLE",
        "redock_success": "BOOLEAN",
        "closest_pose_rmsd_a": "DOUBLE",
        "closest_pose_affinity_kcal_mol": "DOUBLE",
        "best_run": "INTEGER",
        "best_seed": "BIGINT",
        "search_settings": "VARCHAR",
        "chain": "VARCHAR",
        "cocrystal_ligand": "VARCHAR",
        "structure_sha256": "VARCHAR",
        "structure_source": "VARCHAR",
    },
    "docking.contacts": {
        "receptor": "VARCHAR",
        "pdb_id": "VARCHAR",
        "ligand": "VARCHAR",
        "engine": "VARCHAR",
        "chain": "VARCHAR",
        "residue": "VARCHAR",
        "residue_number": "INTEGER",
        "min_distance_a": "DOUBLE",
        "interaction": "VARCHAR",
    },
    "docking.interactions": {
        "receptor": "VARCHAR",
        "pdb_id": "VARCHAR",
        "ligand": "VARCHAR",
        "engine": "VARCHAR",
        "interaction": "VARCHAR",
        "residue": "VARCHAR",
        "residue_number": "INTEGER",
        "chain": "VARCHAR",
        "distance_a": "DOUBLE",
        "angle_deg": "DOUBLE",
    },
    "docking.redock": {
        "complex": "VARCHAR",
        "pdb_id": "VARCHAR",
        "ligand": "VARCHAR",
        "engine": "VARCHAR",
        "top_pose_rmsd_a": "DOUBLE",
        "best_rank_below_2a": "INTEGER",
        "score_gap_to_top": "DOUBLE",
        "success": "BOOLEAN",
        "runs": "INTEGER",
        "success_rate": "DOUBLE",
        "median_run_top_rmsd_a": "DOUBLE",
        "closest_pose_rmsd_a": "DOUBLE",
        "top_score": "DOUBLE",
        "interactions_recovered": "DOUBLE",
        "crystal_interactions": "INTEGER",
        "ligand_seeds": "VARCHAR",
        "search_seeds": "VARCHAR",
        "search_settings": "VARCHAR",
        "receptor_chain": "VARCHAR",
        "cocrystal_ligand": "VARCHAR",
        "alternate_positions": "INTEGER",
        "structure_sha256": "VARCHAR",
        "structure_source": "VARCHAR",
    },
    "docking.redock_poses": {
        "complex": "VARCHAR",
        "pdb_id": "VARCHAR",
        "ligand": "VARCHAR",
        "engine": "VARCHAR",
        "run": "INTEGER",
        "ligand_seed": "BIGINT",
        "seed": "BIGINT",
        "pose_rank": "INTEGER",
        "score": "DOUBLE",
        "rmsd_a": "DOUBLE",
    },
    "docking.engine_summary": {
        "engine": "VARCHAR",
        "complexes": "INTEGER",
        "successes": "INTEGER",
        "success_rate": "DOUBLE",
        "mean_seed_success_rate": "DOUBLE",
        "median_top_pose_rmsd_a": "DOUBLE",
        "runs_per_complex": "INTEGER",
        "best_by_redocking": "BOOLEAN",
    },
    "docking.mg_pore": {
        "pdb_id": "VARCHAR",
        "requested_pdb_id": "VARCHAR",
        "site": "VARCHAR",
        "residues": "VARCHAR",
        "residue_distances_a": "VARCHAR",
        "min_distance_a": "DOUBLE",
        "coordination": "VARCHAR",
        "mg_x": "DOUBLE",
        "mg_y": "DOUBLE",
        "mg_z": "DOUBLE",
        "pore_radius_a": "DOUBLE",
        "axis": "VARCHAR",
        "structure_sha256": "VARCHAR",
        "structure_source": "VARCHAR",
    },
    "docking.pore_profile": {
        "pdb_id": "VARCHAR",
        "axial_position_a": "DOUBLE",
        "x": "DOUBLE",
        "y": "DOUBLE",
        "z": "DOUBLE",
        "radius_a": "DOUBLE",
        "nearest_atom": "VARCHAR",
    },
}

_PANDAS = {"VARCHAR": "string", "INTEGER": "Int64", "BIGINT": "Int64", "DOUBLE": "Float64", "BOOLEAN": "boolean"}


def typed_frame(table: str, rows: list[dict]) -> pd.DataFrame:
    """Frame with exactly the table's columns, in order, with nullable pandas dtypes matching the DuckDB types."""
    columns = TABLE_COLUMNS[table]
    frame = pd.DataFrame(rows, columns=list(columns))
    return frame.astype({name: _PANDAS[kind] for name, kind in columns.items()})


def create_sql(table: str) -> str:
    """CREATE TABLE IF NOT EXISTS statement for a docking table."""
    schema, name = table.split(".")
    cols = ", ".join(f'"{c}" {t}' for c, t in TABLE_COLUMNS[table].items())
    return f'CREATE TABLE IF NOT EXISTS "{schema}"."{name}" ({cols})'

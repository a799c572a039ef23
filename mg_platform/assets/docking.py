"""Docking stage: morphine into the opioid receptors (one partition per receptor) and the NMDA Mg2+ site.

The Vina work runs in a separate process through Dagster Pipes
(``mg_platform.analysis.docking.run_docking``); this process only fetches the
structure, hands the job over and writes the child's rows to DuckDB.
"""

import json
import sys
from pathlib import Path

import dagster as dg
import duckdb
import pandas as pd
from pydantic import Field

from mg_platform import settings
from mg_platform.analysis.docking import receptor_docking, receptors, tables, vina_runs
from mg_platform.analysis.transactions import transaction
from mg_platform.assets.metadata import code_version, table_metadata
from mg_platform.resources.rcsb_client import RcsbClient
from mg_platform.resources.reference import ReferenceSnapshot
from mg_platform.resources.warehouse import Warehouse

RECEPTORS_FILE = settings.CONFIG_DIR / "docking_receptors.yaml"
RECEPTOR_SPECS = {spec.receptor: spec for spec in receptors.load_receptor_specs(RECEPTORS_FILE)}
receptor_partitions = dg.StaticPartitionsDefinition(list(RECEPTOR_SPECS))
STRUCTURES_KEY = dg.AssetKey(["reference", "rcsb"])

_ANALYSIS = Path(receptors.__file__).parent
DOCKING_CODE_VERSION = code_version(
    RECEPTORS_FILE,
    *(
        _ANALYSIS / f"{name}.py"
        for name in (
            "receptors",
            "structures",
            "receptor_prep",
            "ligand_prep",
            "box",
            "vina_runs",
            "rmsd",
            "contacts",
            "receptor_docking",
            "run_docking",
            "tables",
        )
    ),
)
PORE_CODE_VERSION = code_version(
    RECEPTORS_FILE, *(_ANALYSIS / f"{n}.py" for n in ("receptors", "structures", "nmda_pore", "pore_report", "tables"))
)
KINDS = {"vina", "python", "duckdb"}


class DockingConfig(dg.Config):
    """Vina settings for every receptor partition (study-grade defaults)."""

    runs: int = Field(default=20, description="Independent Vina runs per receptor (distinct seeds).")
    exhaustiveness: int = Field(default=8, description="Vina exhaustiveness per run.")
    n_poses: int = Field(default=9, description="Poses kept per run.")
    base_seed: int = Field(default=20240601, description="Run k uses seed base_seed + k.")
    ligand_seed: int = Field(default=42, description="RDKit ETKDGv3 seed for the ligand conformer.")
    box_margin_a: float = Field(default=4.0, description="Box edge = co-crystal ligand extent + 2 x margin (A).")
    vina_cpu: int = Field(default=1, description="Vina threads per run (parallelism comes from partitions).")


class PoreConfig(dg.Config):
    """Axial range of the pore-radius profile, relative to the placed Mg2+ (A; positive = extracellular)."""

    profile_start_a: float = -15.0
    profile_stop_a: float = 25.0
    profile_step_a: float = 0.5


def _spec(name: str, description: str, partitioned: bool, version: str) -> dg.AssetSpec:
    return dg.AssetSpec(
        key=["docking", name],
        group_name="docking",
        kinds=KINDS,
        description=description,
        code_version=version,
        partitions_def=receptor_partitions if partitioned else None,
        deps=[STRUCTURES_KEY],
    )


@dg.multi_asset(
    name="docking_receptor",
    specs=[
        _spec(
            "poses",
            "One row per receptor x run x pose: Vina affinity (kcal/mol), RMSD bounds (A).",
            True,
            DOCKING_CODE_VERSION,
        ),
        _spec(
            "best",
            "One row per receptor: best and mean/SD of the runs' best affinities (kcal/mol), box, redocking RMSD (A).",
            True,
            DOCKING_CODE_VERSION,
        ),
        _spec(
            "contacts",
            "One row per receptor x residue within 4 A of the best pose, with the interaction type.",
            True,
            DOCKING_CODE_VERSION,
        ),
    ],
    partitions_def=receptor_partitions,
)
def docking_receptor(
    context: dg.AssetExecutionContext,
    config: DockingConfig,
    warehouse: Warehouse,
    reference: ReferenceSnapshot,
    rcsb_client: RcsbClient,
    pipes_subprocess_client: dg.PipesSubprocessClient,
):
    """Morphine docked into one receptor (partition): ``runs`` seeded Vina runs on maps computed once, via Pipes."""
    spec = RECEPTOR_SPECS[context.partition_key]
    structure = rcsb_client.structure(spec.pdb_id, reference)
    out_dir = Path(warehouse.database).parent / "outputs" / "docking" / spec.receptor
    docking_settings = receptor_docking.DockingSettings(
        runs=config.runs,
        base_seed=config.base_seed,
        ligand_seed=config.ligand_seed,
        box_margin_a=config.box_margin_a,
        vina=vina_runs.VinaSettings(exhaustiveness=config.exhaustiveness, n_poses=config.n_poses, cpu=config.vina_cpu),
    )
    (out_dir / "result.json").unlink(missing_ok=True)
    pipes_subprocess_client.run(
        context=context,
        command=[sys.executable, "-m", "mg_platform.analysis.docking.run_docking"],
        extras={
            "spec": receptor_docking.spec_to_json(spec),
            "structure_path": str(structure.path),
            "settings": docking_settings.to_json(),
            "out_dir": str(out_dir),
        },
    )
    result = json.loads((out_dir / "result.json").read_text(encoding="utf-8"))
    best = {**result["best"], "structure_sha256": structure.sha256, "structure_source": structure.source}
    frames = {
        "docking.poses": tables.typed_frame("docking.poses", result["poses"]),
        "docking.best": tables.typed_frame("docking.best", [best]),
        "docking.contacts": tables.typed_frame("docking.contacts", result["contacts"]),
    }
    with warehouse.get_connection() as conn:
        replace_receptor_rows(conn, frames, spec.receptor)
    shared = {
        "structure": dg.MetadataValue.json(structure.metadata()),
        "seeds": dg.MetadataValue.json(result["seeds"]),
        "box": dg.MetadataValue.json(result["box"]),
        "exhaustiveness": config.exhaustiveness,
        "settings": dg.MetadataValue.json(result["settings"]),
        "receptor_prep": dg.MetadataValue.json(result["receptor_prep"]),
        "ligand_prep": dg.MetadataValue.json(result["ligand_prep"]),
        "files": dg.MetadataValue.json(result["files"]),
        "output_dir": dg.MetadataValue.path(str(out_dir)),
    }
    for table, frame in frames.items():
        yield dg.MaterializeResult(asset_key=table.split("."), metadata={**table_metadata(table, frame), **shared})


def replace_receptor_rows(conn: duckdb.DuckDBPyConnection, frames: dict[str, pd.DataFrame], receptor: str) -> None:
    """DELETE the receptor's rows and INSERT the new ones, for every table, in one transaction.

    A table whose columns differ from the current definition (code change) is recreated.
    """
    with transaction(conn):
        conn.execute('CREATE SCHEMA IF NOT EXISTS "docking"')
        for table, frame in frames.items():
            _ensure_table(conn, table)
            schema, name = table.split(".")
            conn.execute(f'DELETE FROM "{schema}"."{name}" WHERE receptor = ?', [receptor])
            conn.register("_rows", frame)
            conn.execute(f'INSERT INTO "{schema}"."{name}" BY NAME SELECT * FROM _rows')
            conn.unregister("_rows")


def _ensure_table(conn: duckdb.DuckDBPyConnection, table: str) -> None:
    schema, name = table.split(".")
    existing = conn.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_schema = ? AND table_name = ? "
        "ORDER BY ordinal_position",
        [schema, name],
    ).fetchall()
    if existing and [c for (c,) in existing] != list(tables.TABLE_COLUMNS[table]):
        conn.execute(f'DROP TABLE "{schema}"."{name}"')
    conn.execute(tables.create_sql(table))


@dg.multi_asset(
    name="nmda_mg_pore",
    specs=[
        _spec(
            "mg_pore",
            "One row per analysed Mg2+ site of the NMDA receptor channel (7EU8 standing in for 9IYP).",
            False,
            PORE_CODE_VERSION,
        ),
        _spec(
            "pore_profile",
            "One row per point on the channel axis: pore radius (A) = nearest atom distance minus vdW radius.",
            False,
            PORE_CODE_VERSION,
        ),
    ],
)
def nmda_mg_pore(
    context: dg.AssetExecutionContext,
    config: PoreConfig,
    warehouse: Warehouse,
    reference: ReferenceSnapshot,
    rcsb_client: RcsbClient,
):
    """Mg2+ placed at the GluN1 N616 / GluN2B N615 asparagine ring, its coordination and the pore-radius profile."""
    from mg_platform.analysis.docking import pore_report

    spec = receptors.load_pore_spec(RECEPTORS_FILE)
    structure = rcsb_client.structure(spec.pdb_id, reference)
    out_dir = Path(warehouse.database).parent / "outputs" / "docking" / "nmda_pore"
    report = pore_report.analyse_pore(
        spec, structure.path, out_dir, config.profile_start_a, config.profile_stop_a, config.profile_step_a
    )
    site_row = {**report["site"], "structure_sha256": structure.sha256, "structure_source": structure.source}
    frames = {
        "docking.mg_pore": tables.typed_frame("docking.mg_pore", [site_row]),
        "docking.pore_profile": tables.typed_frame("docking.pore_profile", report["profile"]),
    }
    warehouse.replace_tables(frames)
    shared = {
        "structure": dg.MetadataValue.json(structure.metadata()),
        "requested_pdb_id": spec.requested_pdb_id,
        "pdb_id_used": spec.pdb_id,
        "substitution": f"{spec.pdb_id} used in place of {spec.requested_pdb_id} (not obtainable)",
        "figure": dg.MetadataValue.path(report["files"]["figure"]),
        "site_pdb": dg.MetadataValue.path(report["files"]["site_pdb"]),
    }
    for table, frame in frames.items():
        yield dg.MaterializeResult(asset_key=table.split("."), metadata={**table_metadata(table, frame), **shared})


assets = [docking_receptor, nmda_mg_pore]

"""Docking stage: ligands into the opioid receptors (one partition per receptor), redocking validation
(one partition per complex), the engine comparison, and the NMDA Mg2+ site.

The docking work runs in a separate process through Dagster Pipes
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
from mg_platform.analysis.docking import (
    autodock4,
    engine_summary,
    engines,
    receptor_docking,
    receptors,
    redocking,
    tables,
    vina_runs,
)
from mg_platform.analysis.transactions import transaction
from mg_platform.assets.metadata import code_version, figure_metadata, table_metadata
from mg_platform.resources.rcsb_client import RcsbClient
from mg_platform.resources.reference import ReferenceSnapshot
from mg_platform.resources.run_settings import OutputsFolder
from mg_platform.resources.warehouse import Warehouse

RECEPTORS_FILE = settings.CONFIG_DIR / "docking_receptors.yaml"
RECEPTOR_SPECS = {spec.receptor: spec for spec in receptors.load_receptor_specs(RECEPTORS_FILE)}
LIGANDS = receptors.load_ligands(RECEPTORS_FILE)
REDOCK_COMPLEXES = {c.complex: c for c in receptors.load_redock_complexes(RECEPTORS_FILE)}
receptor_partitions = dg.StaticPartitionsDefinition(list(RECEPTOR_SPECS))
redock_partitions = dg.StaticPartitionsDefinition(list(REDOCK_COMPLEXES))
STRUCTURES_KEY = dg.AssetKey(["reference", "rcsb"])

_ANALYSIS = Path(receptors.__file__).parent
_SHARED_CODE = (
    "receptors",
    "structures",
    "receptor_prep",
    "ligand_prep",
    "box",
    "vina_runs",
    "autodock4",
    "engines",
    "parallel",
    "rmsd",
    "interactions",
    "figures",
    "receptor_docking",
    "run_docking",
    "tables",
)
DOCKING_CODE_VERSION = code_version(RECEPTORS_FILE, *(_ANALYSIS / f"{n}.py" for n in (*_SHARED_CODE, "contacts")))
REDOCK_CODE_VERSION = code_version(
    RECEPTORS_FILE, *(_ANALYSIS / f"{n}.py" for n in (*_SHARED_CODE, "verification", "redocking"))
)
SUMMARY_CODE_VERSION = code_version(*(_ANALYSIS / f"{n}.py" for n in ("engine_summary", "figures", "tables")))
PORE_CODE_VERSION = code_version(
    RECEPTORS_FILE, *(_ANALYSIS / f"{n}.py" for n in ("receptors", "structures", "nmda_pore", "pore_report", "tables"))
)
KINDS = {"vina", "autodock", "python", "duckdb"}


class SearchConfig(dg.Config):
    """Search settings shared by the study docking and the redocking benchmark (every engine reads its part)."""

    exhaustiveness: int = Field(default=8, description="Vina/Vinardo exhaustiveness per run.")
    n_poses: int = Field(default=9, description="Poses kept per Vina/Vinardo run (AutoDock 4 keeps one per run).")
    ad4_evaluations: int = Field(default=250_000, description="AutoDock 4 energy evaluations per LGA run.")
    cores: int = Field(
        default=0,
        description="CPU cores the independent runs share (0: every core); the results are identical for any value.",
    )
    base_seed: int = Field(default=20240601, description="Run k uses seed base_seed + k (AutoDock 4: DPF seed).")
    box_margin_a: float = Field(default=4.0, description="Box edge = co-crystal ligand extent + 2 x margin (A).")

    def search_settings(self) -> engines.EngineSettings:
        return engines.EngineSettings(
            vina=vina_runs.VinaSettings(exhaustiveness=self.exhaustiveness, n_poses=self.n_poses),
            ad4=autodock4.AD4Settings(num_evals=self.ad4_evaluations),
            cores=self.cores,
        )


class DockingConfig(SearchConfig):
    """The study docking of every configured ligand into one receptor (study-grade defaults: 20 runs)."""

    runs: int = Field(default=20, description="Independent runs per receptor, ligand and engine (distinct seeds).")
    exhaustiveness: int = Field(
        default=1,
        description="Monte Carlo chains per Vina/Vinardo run: 1, so that a run is one independent search like an "
        "AutoDock 4 LGA run (the study's 20 runs = 20 chains, 2.5 x one Vina call at its default of 8).",
    )
    engines: list[str] = Field(
        default=[engines.DEFAULT_ENGINE, "ad4"],
        description="Engines (vina, vinardo, ad4): the default engine, chosen by redocking, and the study's AutoDock 4.",
    )
    ligand_seed: int = Field(default=42, description="RDKit ETKDGv3 seed for the ligand conformer.")


class RedockConfig(SearchConfig):
    """The redocking benchmark: every engine, several ligand-conformer seeds, each with its own search seed(s)."""

    engines: list[str] = Field(default=list(engines.ENGINES), description="Engines compared.")
    ligand_seeds: list[int] = Field(default=[1, 2, 3], description="RDKit seeds of the conformers rebuilt from SMILES.")
    runs_per_conformer: int = Field(default=1, description="Seeded runs per conformer (search seeds all distinct).")


class PoreConfig(dg.Config):
    """Axial range of the pore-radius profile, relative to the placed Mg2+ (A; positive = extracellular)."""

    profile_start_a: float = -15.0
    profile_stop_a: float = 25.0
    profile_step_a: float = 0.5


def _spec(name: str, description: str, partitions: dg.PartitionsDefinition | None, version: str, deps=None):
    return dg.AssetSpec(
        key=["docking", name],
        group_name="docking",
        kinds=KINDS,
        description=description,
        code_version=version,
        partitions_def=partitions,
        deps=deps or [STRUCTURES_KEY],
    )


def _run_child(context, client: dg.PipesSubprocessClient, extras: dict, structure: Path, figures_dir: Path) -> dict:
    """Run the Pipes child on ``structure`` with ``extras`` (files in ``extras["out_dir"]``, figures in
    outputs/docking) and return its result.json."""
    out_dir = Path(extras["out_dir"])
    (out_dir / "result.json").unlink(missing_ok=True)
    client.run(
        context=context,
        command=[sys.executable, "-m", "mg_platform.analysis.docking.run_docking"],
        extras={**extras, "structure_path": str(structure), "figures_dir": str(figures_dir)},
    )
    return json.loads((out_dir / "result.json").read_text(encoding="utf-8"))


def _write_partition(
    warehouse: Warehouse, figures_dir: Path, frames: dict, key: tuple[str, str], shared: dict, result: dict, owner: str
):
    """Replace the partition's rows (``key`` = (column, value)) in every table and yield one MaterializeResult per
    table; the figures the child made (path, inlined PNG, caption) go on the ``owner`` table's result."""
    with warehouse.get_connection() as conn:
        replace_partition_rows(conn, frames, *key)
    figures = {}
    for name, caption in result["figures"].items():
        figures.update(figure_metadata(Path(name).stem, {"png": figures_dir / name}))
        figures[f"{Path(name).stem}_caption"] = caption
    for table, frame in frames.items():
        extra = figures if table == owner else {}
        yield dg.MaterializeResult(
            asset_key=table.split("."), metadata={**table_metadata(table, frame), **shared, **extra}
        )


@dg.multi_asset(
    name="docking_receptor",
    specs=[
        _spec(
            "poses",
            "One row per receptor x ligand x engine x run x pose: score (engine units, kcal/mol), RMSD bounds (A).",
            receptor_partitions,
            DOCKING_CODE_VERSION,
        ),
        _spec(
            "best",
            "One row per receptor x ligand x engine: best and mean/SD of the runs' best scores (engine units), box, "
            "redocking RMSD (A).",
            receptor_partitions,
            DOCKING_CODE_VERSION,
        ),
        _spec(
            "contacts",
            "One row per receptor x ligand x engine x residue within 4 A of the best pose, with a geometric type.",
            receptor_partitions,
            DOCKING_CODE_VERSION,
        ),
        _spec(
            "interactions",
            "One row per receptor x ligand x engine x PLIP interaction of the best pose: type, residue, "
            "distance (A), angle (degrees).",
            receptor_partitions,
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
    outputs_folder: OutputsFolder,
):
    """Every configured ligand docked into one receptor (partition) with every configured engine, via Pipes."""
    spec = RECEPTOR_SPECS[context.partition_key]
    structure = rcsb_client.structure(spec.pdb_id, reference)
    docking_settings = receptor_docking.DockingSettings(
        runs=config.runs,
        base_seed=config.base_seed,
        ligand_seed=config.ligand_seed,
        box_margin_a=config.box_margin_a,
        engines=tuple(engines.check_engine(e) for e in config.engines),
        ligands=tuple(LIGANDS),
        search=config.search_settings(),
    )
    out_dir = outputs_folder.stage("docking") / spec.receptor
    extras = {
        "mode": "receptor",
        "spec": receptor_docking.spec_to_json(spec),
        "settings": docking_settings.to_json(),
        "out_dir": str(out_dir),
    }
    result = _run_child(context, pipes_subprocess_client, extras, structure.path, outputs_folder.stage("docking"))
    provenance = {"structure_sha256": structure.sha256, "structure_source": structure.source}
    frames = {
        "docking.poses": tables.typed_frame("docking.poses", result["poses"]),
        "docking.best": tables.typed_frame("docking.best", [{**b, **provenance} for b in result["best"]]),
        "docking.contacts": tables.typed_frame("docking.contacts", result["contacts"]),
        "docking.interactions": tables.typed_frame("docking.interactions", result["interactions"]),
    }
    shared = {
        "structure": dg.MetadataValue.json(structure.metadata()),
        "seeds": dg.MetadataValue.json(result["seeds"]),
        "box": dg.MetadataValue.json(result["box"]),
        "engines": ", ".join(docking_settings.engines),
        "settings": dg.MetadataValue.json(result["settings"]),
        "receptor_prep": dg.MetadataValue.json(result["receptor_prep"]),
        "ligand_prep": dg.MetadataValue.json(result["ligand_prep"]),
        "files": dg.MetadataValue.json(result["files"]),
        "output_dir": dg.MetadataValue.path(str(out_dir)),
    }
    yield from _write_partition(
        warehouse, outputs_folder.stage("docking"), frames, ("receptor", spec.receptor), shared, result, "docking.best"
    )


@dg.multi_asset(
    name="docking_redock",
    specs=[
        _spec(
            "redock",
            "One row per validation complex x engine: top-pose RMSD (A), rank of the best pose under 2 A, score gap, "
            "success, success rate over ligand-conformer and search seeds, interactions recovered.",
            redock_partitions,
            REDOCK_CODE_VERSION,
        ),
        _spec(
            "redock_poses",
            "One row per validation complex x engine x run x pose: ligand seed, search seed, score, RMSD (A).",
            redock_partitions,
            REDOCK_CODE_VERSION,
        ),
    ],
    partitions_def=redock_partitions,
)
def docking_redock(
    context: dg.AssetExecutionContext,
    config: RedockConfig,
    warehouse: Warehouse,
    reference: ReferenceSnapshot,
    rcsb_client: RcsbClient,
    pipes_subprocess_client: dg.PipesSubprocessClient,
    outputs_folder: OutputsFolder,
):
    """One validation complex (partition): ligand verified against the structure, rebuilt and redocked, via Pipes."""
    complex_ = REDOCK_COMPLEXES[context.partition_key]
    structure = rcsb_client.structure(complex_.receptor.pdb_id, reference)
    redock_settings = redocking.RedockSettings(
        engines=tuple(engines.check_engine(e) for e in config.engines),
        ligand_seeds=tuple(config.ligand_seeds),
        runs_per_conformer=config.runs_per_conformer,
        base_seed=config.base_seed,
        box_margin_a=config.box_margin_a,
        search=config.search_settings(),
    )
    out_dir = outputs_folder.stage("docking") / "redock" / complex_.complex
    extras = {
        "mode": "redock",
        "spec": receptor_docking.spec_to_json(complex_.receptor),
        "ligand": {"name": complex_.ligand.name, "smiles": complex_.ligand.smiles},
        "settings": redock_settings.to_json(),
        "out_dir": str(out_dir),
    }
    result = _run_child(context, pipes_subprocess_client, extras, structure.path, outputs_folder.stage("docking"))
    provenance = {"structure_sha256": structure.sha256, "structure_source": structure.source}
    frames = {
        "docking.redock": tables.typed_frame("docking.redock", [{**r, **provenance} for r in result["redock"]]),
        "docking.redock_poses": tables.typed_frame("docking.redock_poses", result["poses"]),
    }
    shared = {
        "structure": dg.MetadataValue.json(structure.metadata()),
        "verification": dg.MetadataValue.json(result["verification"]),
        "crystal_interactions": dg.MetadataValue.json(result["crystal_interactions"]),
        "settings": dg.MetadataValue.json(result["settings"]),
        "receptor_prep": dg.MetadataValue.json(result["receptor_prep"]),
        "box": dg.MetadataValue.json(result["box"]),
        "files": dg.MetadataValue.json(result["files"]),
    }
    yield from _write_partition(
        warehouse,
        outputs_folder.stage("docking"),
        frames,
        ("complex", complex_.complex),
        shared,
        result,
        "docking.redock",
    )


@dg.asset(
    key=["docking", "engine_summary"],
    group_name="docking",
    kinds={"python", "duckdb"},
    code_version=SUMMARY_CODE_VERSION,
    deps=[dg.AssetKey(["docking", "redock"]), dg.AssetKey(["docking", "redock_poses"])],
)
def docking_engine_summary(warehouse: Warehouse, outputs_folder: OutputsFolder) -> dg.MaterializeResult:
    """One row per engine: redocking successes over the verified complexes, success rate over seeds, median
    top-pose RMSD (A), and whether it is the best engine by that evidence; plus the RMSD-by-engine figure."""
    redock = warehouse.query_df("SELECT * FROM docking.redock ORDER BY complex, engine")
    poses = warehouse.query_df("SELECT * FROM docking.redock_poses")
    frame = tables.typed_frame("docking.engine_summary", engine_summary.summarise_engines(redock))
    warehouse.replace_tables({"docking.engine_summary": frame})
    figure = engine_summary.draw(redock, poses, outputs_folder.stage("docking"))
    return dg.MaterializeResult(
        metadata={
            **table_metadata("docking.engine_summary", frame),
            **figure_metadata(figure.stem, {"png": figure}),
            f"{figure.stem}_caption": engine_summary.CAPTION,
            "default_engine": engines.DEFAULT_ENGINE,
        }
    )


def replace_partition_rows(
    conn: duckdb.DuckDBPyConnection, frames: dict[str, pd.DataFrame], column: str, value: str
) -> None:
    """DELETE the partition's rows (``column`` = ``value``) and INSERT the new ones, for every table, in one
    transaction. A table whose columns differ from the current definition (code change) is recreated."""
    with transaction(conn):
        conn.execute('CREATE SCHEMA IF NOT EXISTS "docking"')
        for table, frame in frames.items():
            _ensure_table(conn, table)
            schema, name = table.split(".")
            conn.execute(f'DELETE FROM "{schema}"."{name}" WHERE "{column}" = ?', [value])
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
            None,
            PORE_CODE_VERSION,
        ),
        _spec(
            "pore_profile",
            "One row per point on the channel axis: pore radius (A) = nearest atom distance minus vdW radius.",
            None,
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
    outputs_folder: OutputsFolder,
):
    """Mg2+ placed at the GluN1 N616 / GluN2B N615 asparagine ring, its coordination and the pore-radius profile."""
    from mg_platform.analysis.docking import pore_report

    spec = receptors.load_pore_spec(RECEPTORS_FILE)
    structure = rcsb_client.structure(spec.pdb_id, reference)
    out_dir = outputs_folder.stage("docking") / "nmda_pore"
    report = pore_report.analyse_pore(
        spec,
        structure.path,
        out_dir,
        config.profile_start_a,
        config.profile_stop_a,
        config.profile_step_a,
        figure_dir=outputs_folder.stage("docking"),
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


assets = [docking_receptor, docking_redock, docking_engine_summary, nmda_mg_pore]

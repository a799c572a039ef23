"""Pipes child: dock the ligand into one receptor, outside the Dagster process.

Run by the ``docking`` asset through ``dg.PipesSubprocessClient`` (locally) and
unchanged by a Kubernetes/Docker Pipes client on a cluster. Reads its job from
the Pipes extras (receptor spec, structure path, settings, output folder),
reports progress ("run k of n done") through Pipes logging, writes
``<out_dir>/result.json`` and reports that path as a custom message. It never
opens the warehouse: the parent asset writes the tables (DuckDB stays single-writer).
"""

from __future__ import annotations

from pathlib import Path

from dagster_pipes import open_dagster_pipes

from mg_platform.analysis.docking.receptor_docking import DockingSettings, dock_receptor, spec_from_json


def main() -> None:
    with open_dagster_pipes() as pipes:
        spec = spec_from_json(pipes.get_extra("spec"))
        settings = DockingSettings.from_json(pipes.get_extra("settings"))
        out_dir = Path(pipes.get_extra("out_dir"))
        pipes.log.info(f"docking {spec.receptor} ({spec.pdb_id} chain {spec.chain}): {settings.runs} runs planned")

        def progress(done: int, planned: int) -> None:
            pipes.log.info(f"{spec.receptor}: run {done} of {planned} done")

        result = dock_receptor(spec, Path(pipes.get_extra("structure_path")), settings, out_dir, progress)
        pipes.report_custom_message({"result_json": str(out_dir / "result.json"), "runs": len(result["seeds"])})


if __name__ == "__main__":
    main()

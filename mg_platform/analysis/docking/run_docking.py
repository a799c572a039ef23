"""Pipes child: dock into one receptor, or redock one validation complex, outside the Dagster process.

Run by the ``docking_receptor`` and ``docking_redock`` assets through
``dg.PipesSubprocessClient`` (locally) and unchanged by a Kubernetes/Docker Pipes
client on a cluster. Reads its job from the Pipes extras (``mode`` = ``receptor`` or
``redock``, the spec, structure path, settings, output and figure folders), reports
progress through Pipes logging, writes ``<out_dir>/result.json`` and reports that path
as a custom message. It never opens the warehouse: the parent asset writes the tables
(DuckDB stays single-writer).
"""

from __future__ import annotations

from pathlib import Path

from dagster_pipes import open_dagster_pipes

from mg_platform.analysis.docking import receptor_docking, redocking
from mg_platform.analysis.docking.receptors import LigandSpec, RedockComplex


def main() -> None:
    with open_dagster_pipes() as pipes:
        spec = receptor_docking.spec_from_json(pipes.get_extra("spec"))
        out_dir = Path(pipes.get_extra("out_dir"))
        figures_dir = Path(pipes.get_extra("figures_dir"))
        structure = Path(pipes.get_extra("structure_path"))
        if pipes.get_extra("mode") == "redock":
            settings = redocking.RedockSettings.from_json(pipes.get_extra("settings"))
            complex_ = RedockComplex(spec.receptor, spec, LigandSpec(**pipes.get_extra("ligand")))
            pipes.log.info(
                f"redocking {complex_.complex}: {settings.runs} runs per engine ({', '.join(settings.engines)})"
            )
            redocking.redock_complex(complex_, structure, settings, out_dir, figures_dir)
        else:
            settings = receptor_docking.DockingSettings.from_json(pipes.get_extra("settings"))
            pipes.log.info(f"docking {spec.receptor} ({spec.pdb_id} chain {spec.chain}): {settings.runs} runs planned")

            def progress(label: str, done: int, planned: int) -> None:
                pipes.log.info(f"{spec.receptor} {label}: run {done} of {planned} done")

            receptor_docking.dock_receptor(spec, structure, settings, out_dir, progress, figures_dir)
        pipes.report_custom_message({"result_json": str(out_dir / "result.json")})


if __name__ == "__main__":
    main()

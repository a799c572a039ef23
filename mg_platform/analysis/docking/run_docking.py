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

        def progress(label: str, done: int, planned: int) -> None:
            pipes.log.info(f"{subject} {label}: run {done} of {planned} done")

        if pipes.get_extra("mode") == "redock":
            settings = redocking.RedockSettings.from_json(pipes.get_extra("settings"))
            complex_ = RedockComplex(spec.receptor, spec, LigandSpec(**pipes.get_extra("ligand")))
            subject = complex_.complex
            pipes.log.info(f"redocking {subject}: {settings.runs} runs per engine ({', '.join(settings.engines)})")
            redocking.redock_complex(complex_, structure, settings, out_dir, figures_dir, progress)
        else:
            settings = receptor_docking.DockingSettings.from_json(pipes.get_extra("settings"))
            subject = spec.receptor
            pipes.log.info(f"docking {subject} ({spec.pdb_id} chain {spec.chain}): {settings.runs} runs planned")
            receptor_docking.dock_receptor(spec, structure, settings, out_dir, progress, figures_dir)
        pipes.report_custom_message({"result_json": str(out_dir / "result.json")})


if __name__ == "__main__":
    main()

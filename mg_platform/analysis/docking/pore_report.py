"""The NMDA pore analysis as table rows and files: docking.mg_pore, docking.pore_profile, a figure and a PDB."""

from __future__ import annotations

import json
from pathlib import Path

import gemmi
import numpy as np

from mg_platform.analysis.docking import nmda_pore, structures
from mg_platform.analysis.docking.receptors import PoreSpec
from mg_platform.analysis.plotting import pyplot

SITE_NAME = "site I: N-site (GluN1 N616 / GluN2B N615 selectivity-filter asparagine ring)"


def analyse_pore(
    spec: PoreSpec,
    structure_path: Path,
    out_dir: Path,
    start_a: float,
    stop_a: float,
    step_a: float,
    figure_dir: Path | None = None,
) -> dict:
    """Place Mg2+, profile the pore radius along the axis, write the figure (in ``figure_dir``, default
    ``out_dir``) and a PDB with the Mg2+; return rows."""
    out_dir.mkdir(parents=True, exist_ok=True)
    structure = structures.read_structure(structure_path)
    site = nmda_pore.place_mg(structure, spec)
    profile = nmda_pore.pore_profile(structure, np.array(site.position), np.array(site.axis), start_a, stop_a, step_a)
    residues = "; ".join(f"{r.subunit} {r.chain}:{r.residue.title()}{r.residue_number}" for r in site.residues)
    distances = "; ".join(
        f"{r.chain}:{r.residue.title()}{r.residue_number} {r.atom} {r.distance_a:.2f} ({r.coordination})"
        for r in site.residues
    )
    site_row = {
        "pdb_id": spec.pdb_id,
        "requested_pdb_id": spec.requested_pdb_id,
        "site": SITE_NAME,
        "residues": residues,
        "residue_distances_a": distances,
        "min_distance_a": site.min_distance_a,
        "coordination": site.coordination,
        "mg_x": site.position[0],
        "mg_y": site.position[1],
        "mg_z": site.position[2],
        "pore_radius_a": site.pore_radius_a,
        "axis": json.dumps(list(site.axis)),
    }
    files = {"figure": (figure_dir or out_dir) / "pore_profile.png", "site_pdb": out_dir / "mg_site.pdb"}
    _plot(profile, spec, files["figure"])
    _write_site_pdb(structure, site.position, files["site_pdb"])
    return {
        "site": site_row,
        "residues": [r.__dict__ for r in site.residues],
        "profile": [{"pdb_id": spec.pdb_id, **row} for row in profile],
        "files": {k: str(v) for k, v in files.items()},
    }


def _plot(profile: list[dict], spec: PoreSpec, path: Path) -> None:
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(4.5, 5))
    ax.plot([r["radius_a"] for r in profile], [r["axial_position_a"] for r in profile], color="black")
    ax.axhline(0.0, color="tab:green", linestyle="--", label="Mg2+ (N-site)")
    ax.axvline(0.0, color="grey", linewidth=0.5)
    ax.set_xlabel("pore radius (A)")
    ax.set_ylabel("position along channel axis (A, + = extracellular)")
    ax.set_title(f"{spec.pdb_id} (for {spec.requested_pdb_id}) pore profile", fontsize=9)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=150)
    plt.close(fig)


def _write_site_pdb(structure: gemmi.Structure, position: tuple[float, float, float], path: Path) -> None:
    """The protein with the placed Mg2+ as HETATM MG in chain M (opens in PyMOL/ChimeraX)."""
    model = structure.clone()
    chain = gemmi.Chain("M")
    residue = gemmi.Residue()
    residue.name = "MG"
    residue.seqid = gemmi.SeqId(1, " ")
    residue.het_flag = "H"
    atom = gemmi.Atom()
    atom.name = "MG"
    atom.element = gemmi.Element("Mg")
    atom.pos = gemmi.Position(*position)
    atom.occ = 1.0
    residue.add_atom(atom)
    chain.add_residue(residue)
    model[0].add_chain(chain)
    path.write_text(structures.pdb_string(model))

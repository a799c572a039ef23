"""Docking pictures: the pose in its pocket (PyMOL), 2D interaction diagrams and the redocking RMSD plot.

3D pictures are ray-traced by PyMOL (Debian's ``pymol`` package, run headless with
``python3 -m pymol -cq``) and framed with matplotlib, which adds the title and a legend.
Without PyMOL the 3D picture is left out and :func:`render_pocket` returns None (the
2D diagram and the plots need only matplotlib and RDKit). Residue labels use the
structure's own numbering.
"""

from __future__ import annotations

import functools
import subprocess
import tempfile
from pathlib import Path

import numpy as np

from mg_platform.analysis.plotting import pyplot

PYMOL_PYTHONS = ("/usr/bin/python3",)
LIGAND_COLOURS = {
    "crystal": "#2ca02c",
    "vina": "#ff7f0e",
    "vinardo": "#1f77b4",
    "ad4": "#9467bd",
}
INTERACTION_STYLE = {
    "salt_bridge": ("#d62728", "salt bridge"),
    "hydrogen_bond": ("#1f77b4", "hydrogen bond"),
    "pi_stacking": ("#9467bd", "π-stacking"),
    "pi_cation": ("#e377c2", "π-cation"),
    "hydrophobic": ("#7f7f7f", "hydrophobic"),
    "halogen_bond": ("#17becf", "halogen bond"),
    "water_bridge": ("#8c564b", "water bridge"),
    "metal": ("#bcbd22", "metal"),
}


@functools.cache
def pymol_python() -> str | None:
    """A Python interpreter that can import PyMOL (Debian's python3-pymol), or None."""
    for python in PYMOL_PYTHONS:
        try:
            done = subprocess.run([python, "-c", "import pymol"], capture_output=True, timeout=60, check=False)
        except (OSError, subprocess.TimeoutExpired):
            continue
        if done.returncode == 0:
            return python
    return None


def _colour(name: str, index: int) -> str:
    return LIGAND_COLOURS.get(name, ["#8c564b", "#e377c2", "#17becf"][index % 3])


def render_pocket(
    receptor_pdb: Path,
    ligands: dict[str, Path],
    residues: list[tuple[str, int]],
    out_png: Path,
    title: str,
) -> Path | None:
    """Ray-traced picture of ``ligands`` (label -> SDF) in the receptor pocket, ``residues`` (chain, number) shown
    as sticks and labelled; None when PyMOL is not installed."""
    python = pymol_python()
    if python is None:
        return None
    selection = " or ".join(f"(chain {c} and resi {n})" for c, n in residues) or "none"
    names = [f"lig{k}" for k in range(len(ligands))]
    lines = [f"load {receptor_pdb}, receptor"]
    for name, path in zip(names, ligands.values(), strict=True):
        lines.append(f"load {path}, {name}")
    lines += [
        "hide everything",
        "bg_color white",
        "set ray_opaque_background, 1",
        "show cartoon, receptor",
        "set cartoon_transparency, 0.65",
        "color grey90, receptor",
        f"select pocket, receptor and ({selection})",
        "show sticks, pocket and not name N+C+O",
        "color grey60, pocket and elem C",
        "util.cnc pocket",
        "set stick_radius, 0.18",
        "set label_size, 22",
        "set label_color, black",
        "set label_position, (0, 1.8, 0)",
        'label pocket and name CA, "%s%s" % (resn, resi)',
    ]
    for index, (name, label) in enumerate(zip(names, ligands, strict=True)):
        colour = _colour(label, index).lstrip("#")
        lines += [f"show sticks, {name}", f"color 0x{colour}, {name} and elem C", f"util.cnc {name}"]
        lines.append(f"set stick_radius, 0.28, {name}")
    ligand_selection = " or ".join(names)
    lines += [
        "hide everything, hydro",
        f"orient {ligand_selection}",
        f"zoom {ligand_selection}, 6",
        "set ray_shadows, 0",
        "set antialias, 1",
    ]
    with tempfile.TemporaryDirectory() as tmp:
        raw = Path(tmp) / "render.png"
        script = Path(tmp) / "render.pml"
        script.write_text("\n".join([*lines, f"png {raw}, width=900, height=700, dpi=150, ray=1", ""]))
        done = subprocess.run(
            [python, "-m", "pymol", "-cq", str(script)], capture_output=True, text=True, timeout=600, check=False
        )
        if done.returncode != 0 or not raw.is_file():
            raise RuntimeError(f"PyMOL failed (exit {done.returncode}): {(done.stderr or done.stdout)[-800:]}")
        plt = pyplot()
        from matplotlib.patches import Patch

        image = plt.imread(str(raw))
        fig, ax = plt.subplots(figsize=(7.5, 6.2))
        ax.imshow(image)
        ax.axis("off")
        ax.set_title(title, fontsize=10)
        handles = [Patch(color=_colour(label, i), label=label) for i, label in enumerate(ligands)]
        ax.legend(handles=handles, loc="lower right", fontsize=8, title="ligand carbons", title_fontsize=8)
        fig.tight_layout()
        fig.savefig(out_png, dpi=120)
        plt.close(fig)
    return out_png


def _residue_atoms(receptor_pdb: str) -> dict[tuple[str, int], np.ndarray]:
    atoms: dict[tuple[str, int], list[list[float]]] = {}
    for line in receptor_pdb.splitlines():
        if line.startswith("ATOM"):
            key = (line[21], int(line[22:26]))
            atoms.setdefault(key, []).append([float(line[30:38]), float(line[38:46]), float(line[46:54])])
    return {k: np.array(v) for k, v in atoms.items()}


def _draw_diagram(ax, ligand, receptor_pdb: str, rows: list[dict], title: str) -> None:
    """LigPlot-like sketch: the ligand in 2D, each interacting residue around it, joined to the ligand atom nearest
    to it in 3D by a line coloured by interaction type (labelled with the PLIP distance in A)."""
    from rdkit import Chem
    from rdkit.Chem import AllChem

    heavy = Chem.RemoveHs(ligand)
    xyz = heavy.GetConformer().GetPositions()
    flat = Chem.Mol(heavy)
    AllChem.Compute2DCoords(flat)
    xy = flat.GetConformer().GetPositions()[:, :2]
    xy = xy - xy.mean(axis=0)
    for bond in flat.GetBonds():
        i, j = bond.GetBeginAtomIdx(), bond.GetEndAtomIdx()
        width = {1.0: 1.5, 1.5: 2.5, 2.0: 3.0, 3.0: 3.5}.get(bond.GetBondTypeAsDouble(), 1.5)
        ax.plot(*zip(xy[i], xy[j], strict=True), color="black", linewidth=width, zorder=1)
    for atom in flat.GetAtoms():
        if atom.GetSymbol() != "C":
            ax.text(
                *xy[atom.GetIdx()],
                atom.GetSymbol(),
                ha="center",
                va="center",
                fontsize=8,
                zorder=3,
                bbox={"boxstyle": "circle,pad=0.1", "facecolor": "white", "edgecolor": "none"},
            )
    residues = _residue_atoms(receptor_pdb)
    radius = float(np.linalg.norm(xy, axis=1).max()) + 2.5
    grouped: dict[tuple[str, int, str], list[dict]] = {}
    for row in rows:
        grouped.setdefault((row["chain"], int(row["residue_number"]), row["residue"]), []).append(row)
    placed = []
    for (chain, number, name), items in sorted(grouped.items(), key=lambda kv: kv[0][:2]):
        atoms = residues.get((chain, number))
        if atoms is None:
            continue
        nearest = int(np.argmin(np.linalg.norm(xyz[:, None, :] - atoms[None, :, :], axis=2).min(axis=1)))
        angle = float(np.arctan2(*xy[nearest][::-1])) if np.linalg.norm(xy[nearest]) > 0.1 else 0.0
        while any(abs((angle - a + np.pi) % (2 * np.pi) - np.pi) < 0.32 for a in placed):
            angle += 0.33
        placed.append(angle)
        label_xy = np.array([np.cos(angle), np.sin(angle)]) * radius
        for k, item in enumerate(items):
            colour = INTERACTION_STYLE[item["interaction"]][0]
            offset = (k - (len(items) - 1) / 2) * 0.15
            ax.plot(
                [xy[nearest][0], label_xy[0] + offset],
                [xy[nearest][1], label_xy[1] + offset],
                color=colour,
                linestyle="--",
                linewidth=1.2,
                zorder=0,
            )
        distance = min(float(i["distance_a"]) for i in items)
        ax.text(
            *label_xy,
            f"{name.title()}{number}\n{distance:.1f} Å",
            ha="center",
            va="center",
            fontsize=7,
            zorder=4,
            bbox={"boxstyle": "round,pad=0.25", "facecolor": "#f5f5f5", "edgecolor": "grey"},
        )
    ax.set_title(title, fontsize=9)
    ax.set_aspect("equal")
    ax.set_xlim(-radius - 2, radius + 2)
    ax.set_ylim(-radius - 2, radius + 2)
    ax.axis("off")


def interaction_diagrams(panels: list[dict], receptor_pdb: str, out_png: Path, title: str) -> Path:
    """One 2D interaction diagram per panel (``ligand`` RDKit pose, ``rows`` of docking.interactions, ``title``)."""
    plt = pyplot()
    from matplotlib.lines import Line2D

    fig, axes = plt.subplots(1, len(panels), figsize=(5.2 * len(panels), 5.6), squeeze=False)
    for ax, panel in zip(axes[0], panels, strict=True):
        _draw_diagram(ax, panel["ligand"], receptor_pdb, panel["rows"], panel["title"])
    present = sorted({r["interaction"] for p in panels for r in p["rows"]}, key=list(INTERACTION_STYLE).index)
    handles = [
        Line2D([], [], color=INTERACTION_STYLE[k][0], linestyle="--", label=INTERACTION_STYLE[k][1]) for k in present
    ]
    if handles:
        fig.legend(handles=handles, loc="lower center", ncol=min(len(handles), 6), fontsize=8)
    fig.suptitle(title, fontsize=10)
    fig.tight_layout(rect=(0, 0.06, 1, 0.95))
    fig.savefig(out_png, dpi=120)
    plt.close(fig)
    return out_png


def redock_rmsd_plot(redock: list[dict], run_tops: list[dict], out_png: Path) -> Path:
    """Top-pose RMSD per complex and engine (large markers) over each run's own top pose (dots), 2 A line."""
    plt = pyplot()
    complexes = list(dict.fromkeys(r["complex"] for r in redock))
    engines = list(dict.fromkeys(r["engine"] for r in redock))
    fig, ax = plt.subplots(figsize=(max(6.0, 1.3 * len(complexes) + 2), 4.2))
    width = 0.8 / max(len(engines), 1)
    for e, engine in enumerate(engines):
        colour = _colour(engine, e)
        for c, name in enumerate(complexes):
            x = c - 0.4 + width * (e + 0.5)
            dots = [r["rmsd_a"] for r in run_tops if r["complex"] == name and r["engine"] == engine]
            ax.scatter([x] * len(dots), dots, s=12, color=colour, alpha=0.45, linewidths=0)
            top = [r["top_pose_rmsd_a"] for r in redock if r["complex"] == name and r["engine"] == engine]
            ax.scatter(
                [x] * len(top),
                top,
                s=70,
                color=colour,
                marker="D",
                edgecolors="black",
                label=engine if c == 0 else None,
            )
    ax.axhline(2.0, color="black", linestyle="--", linewidth=0.8)
    ax.text(len(complexes) - 0.5, 2.05, "2 Å", ha="right", va="bottom", fontsize=8)
    ax.set_xticks(range(len(complexes)))
    ax.set_xticklabels(complexes, rotation=20, fontsize=8)
    ax.set_ylabel("heavy-atom RMSD to the deposited ligand (Å)")
    ax.set_title("Redocking: top-scored pose (diamond) and each run's top pose (dots), by engine", fontsize=9)
    ax.legend(fontsize=8, title="engine", title_fontsize=8)
    ax.set_ylim(bottom=0)
    fig.tight_layout()
    fig.savefig(out_png, dpi=130)
    plt.close(fig)
    return out_png

"""AutoDock 4.2.6 itself (Debian's ``autogrid4`` and ``autodock4``): AutoGrid maps and the Lamarckian GA.

The receptor and ligand PDBQT files are meeko's, unchanged (the same ones Vina
reads). The grid parameter file comes from ``meeko.gridbox.get_gpf_string`` with the
box rounded *up* to whole, even numbers of 0.375 A grid intervals, so the AutoGrid box
contains the Vina box. The docking parameter file asks for ``ga_run`` Lamarckian GA
runs (the study's independent runs) with ``ga_num_evals`` energy evaluations each and
a ``seed`` line, without which AutoDock seeds from the clock and is not reproducible.
The log (DLG) is read with ``meeko.PDBQTMolecule(text, is_dlg=True)``; scores are
AutoDock 4's estimated free energy of binding (kcal/mol).

References: Morris et al. 2009, J Comput Chem 30:2785 (AutoDock 4.2); Huey et al. 2007,
J Comput Chem 28:1145 (the AD4.1 force field).
"""

from __future__ import annotations

import math
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from mg_platform.analysis.docking.box import SearchBox

GRID_SPACING_A = 0.375
_RUN_SEED = re.compile(r"^Run:\s+(\d+)\s+Seed:\s+(\d+)\s+(\d+)", re.MULTILINE)
_TORSDOF = re.compile(r"^TORSDOF\s+(\d+)", re.MULTILINE)
INSTALL_HINT = "AutoDock 4.2.6 is not installed: apt-get update && apt-get install -y autodock autogrid"


@dataclass(frozen=True)
class AD4Settings:
    """Lamarckian GA settings (AutoDock 4.2 defaults except the evaluation count, which is configurable)."""

    num_evals: int = 250_000
    pop_size: int = 150
    num_generations: int = 27_000
    rmstol_a: float = 2.0


@dataclass(frozen=True)
class AD4Run:
    """One LGA run: its number, final free energy of binding (kcal/mol) and the run's RNG state from the DLG."""

    run: int
    free_energy_kcal_mol: float
    rng_seeds: str


def executables() -> tuple[str, str]:
    """Paths of autogrid4 and autodock4; RuntimeError with the install command when either is missing."""
    found = shutil.which("autogrid4"), shutil.which("autodock4")
    if not all(found):
        raise RuntimeError(INSTALL_HINT)
    return found[0], found[1]


def atom_types(pdbqt: str) -> list[str]:
    """AutoDock atom types (columns 78-79) of a PDBQT, sorted."""
    return sorted({ln[77:79].strip() for ln in pdbqt.splitlines() if ln.startswith(("ATOM", "HETATM"))})


def grid_points(box: SearchBox) -> tuple[int, int, int]:
    """AutoGrid ``npts`` per axis: box edge / 0.375 A rounded up to an even number of intervals."""
    return tuple(2 * math.ceil(round(edge / (2 * GRID_SPACING_A), 6)) for edge in box.size)


def grid_parameter_file(box: SearchBox, receptor_pdbqt: str, ligand_types: list[str]) -> str:
    """GPF text for ``receptor.pdbqt`` (maps prefixed ``receptor``), written by meeko, box rounded up."""
    from meeko.gridbox import get_gpf_string

    npts = grid_points(box)
    # meeko rounds size / spacing down to an even count: hand it the rounded-up edge plus a hair
    size = [n * GRID_SPACING_A + 1e-6 for n in npts]
    gpf, written = get_gpf_string(
        list(box.center), size, "receptor.pdbqt", atom_types(receptor_pdbqt), ligand_types, map_prefix="receptor"
    )
    if tuple(written) != npts:
        raise RuntimeError(f"meeko wrote npts {written}, expected {npts}")
    return gpf


def docking_parameter_file(
    ligand_pdbqt: str, runs: int, seed: int, settings: AD4Settings, ligand_file: str = "ligand.pdbqt"
) -> str:
    """DPF text: the ligand ``ligand_file`` on ``receptor`` maps, ``ga_run`` = runs, ``seed`` recorded."""
    types = atom_types(ligand_pdbqt)
    torsdof = _TORSDOF.search(ligand_pdbqt)
    maps = "".join(f"map receptor.{t}.map\n" for t in types)
    return (
        "autodock_parameter_version 4.2\noutlev 1\nintelec\n"
        f"seed {seed} {seed}\n"
        f"ligand_types {' '.join(types)}\nfld receptor.maps.fld\n{maps}"
        f"elecmap receptor.e.map\ndesolvmap receptor.d.map\nmove {ligand_file}\n"
        "about 0 0 0\ntran0 random\nquaternion0 random\ndihe0 random\n"
        f"torsdof {int(torsdof.group(1)) if torsdof else 0}\n"
        f"rmstol {settings.rmstol_a}\nextnrg 1000.0\ne0max 0.0 10000\n"
        f"ga_pop_size {settings.pop_size}\nga_num_evals {settings.num_evals}\n"
        f"ga_num_generations {settings.num_generations}\n"
        "ga_elitism 1\nga_mutation_rate 0.02\nga_crossover_rate 0.8\nga_window_size 10\n"
        "ga_cauchy_alpha 0.0\nga_cauchy_beta 1.0\nset_ga\n"
        "sw_max_its 300\nsw_max_succ 4\nsw_max_fail 4\nsw_rho 1.0\nsw_lb_rho 0.01\nls_search_freq 0.06\nset_psw1\n"
        f"unbound_model bound\nga_run {runs}\nanalysis\n"
    )


def compute_maps(work_dir: Path, receptor_pdbqt: str, ligand_pdbqt: str, box: SearchBox) -> None:
    """Write receptor.pdbqt and receptor.gpf into ``work_dir`` and run autogrid4 there (maps for the ligand's types)."""
    autogrid, _ = executables()
    work_dir.mkdir(parents=True, exist_ok=True)
    (work_dir / "receptor.pdbqt").write_text(receptor_pdbqt)
    (work_dir / "receptor.gpf").write_text(grid_parameter_file(box, receptor_pdbqt, atom_types(ligand_pdbqt)))
    _call([autogrid, "-p", "receptor.gpf", "-l", "receptor.glg"], work_dir, "autogrid4")


def dock(work_dir: Path, ligand_pdbqt: str, runs: int, seed: int, settings: AD4Settings, first_run: int = 1) -> str:
    """Run autodock4 on the maps in ``work_dir`` (``runs`` LGA runs, ``seed``); return the DLG text.

    The ligand, DPF and DLG are named for the runs (``runs_01-20.dpf``), so calls for different runs can share
    one folder of maps at the same time.
    """
    _, autodock = executables()
    stem = f"runs_{first_run:02d}-{first_run + runs - 1:02d}"
    (work_dir / f"{stem}.pdbqt").write_text(ligand_pdbqt)
    dpf = docking_parameter_file(ligand_pdbqt, runs, seed, settings, f"{stem}.pdbqt")
    (work_dir / f"{stem}.dpf").write_text(dpf)
    (work_dir / f"{stem}.dlg").unlink(missing_ok=True)
    _call([autodock, "-p", f"{stem}.dpf", "-l", f"{stem}.dlg"], work_dir, "autodock4")
    return (work_dir / f"{stem}.dlg").read_text()


def _call(command: list[str], cwd: Path, name: str) -> None:
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{name} failed in {cwd} (exit {done.returncode}): {(done.stderr or done.stdout)[-800:]}")


def parse_dlg(dlg: str) -> list[AD4Run]:
    """The LGA runs of a DLG in run order (the order of its DOCKED models): free energy and RNG seeds."""
    from meeko import PDBQTMolecule

    energies = [pose.score for pose in PDBQTMolecule(dlg, is_dlg=True, skip_typing=True)]
    seeds = {int(m.group(1)): f"{m.group(2)} {m.group(3)}" for m in _RUN_SEED.finditer(dlg)}
    if len(seeds) != len(energies):
        raise ValueError(f"DLG holds {len(energies)} docked poses but {len(seeds)} runs")
    return [AD4Run(run, float(e), seeds[run]) for run, e in zip(sorted(seeds), energies, strict=True)]

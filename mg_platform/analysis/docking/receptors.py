"""The docking configuration (config/docking_receptors.yaml) as frozen dataclasses.

Receptors (one Dagster partition each), ligands docked into every receptor, the
redocking validation complexes and the NMDA pore site. Engines are Dagster config
(:mod:`mg_platform.analysis.docking.engines`), not part of this file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

MORPHINE_SMILES = "CN1CC[C@]23c4c5ccc(O)c4O[C@H]2[C@@H](O)C=C[C@H]3[C@H]1C5"
"""Morphine with its five stereocentres (the PROVENANCE template of 8EF6 MOI)."""


@dataclass(frozen=True)
class LigandSelector:
    """Co-crystallised ligand: a residue name in a chain (and number when there are several copies),
    or a whole (peptide) chain when residue_name is None."""

    chain: str
    residue_name: str | None = None
    residue_number: int | None = None

    def describe(self) -> str:
        if not self.residue_name:
            return f"chain {self.chain}"
        number = f" {self.residue_number}" if self.residue_number is not None else ""
        return f"{self.chain}:{self.residue_name}{number}"


@dataclass(frozen=True)
class LigandSpec:
    """A ligand to dock: a name (value of docking.*.ligand) and a SMILES with stereochemistry."""

    name: str
    smiles: str


@dataclass(frozen=True)
class ReceptorSpec:
    """One receptor to dock into: the structure, the chain(s) kept, and the ligand that centres the box.

    ``chains`` lists the receptor chains (usually one); ``crop_radius_a`` keeps only residues with an
    atom within that distance (Angstrom) of the co-crystal ligand (for large assemblies).
    """

    receptor: str
    pdb_id: str
    chains: tuple[str, ...]
    ligand: LigandSelector
    drop_from_residue: int | None = None
    redock: bool = False
    crop_radius_a: float | None = None

    @property
    def chain(self) -> str:
        """The receptor chain(s) as one label, e.g. ``R`` or ``A,B,C,D``."""
        return ",".join(self.chains)

    @property
    def file_name(self) -> str:
        """Name of the mmCIF in the snapshot and the cache (lower-case id)."""
        return f"{self.pdb_id.lower()}.cif"


@dataclass(frozen=True)
class RedockComplex:
    """A redocking validation complex: the receptor part and the co-crystal ligand's name and SMILES."""

    complex: str
    receptor: ReceptorSpec
    ligand: LigandSpec


@dataclass(frozen=True)
class PoreSpec:
    """The NMDA receptor pore: structure used, structure requested, and the residue rings per chain."""

    pdb_id: str
    requested_pdb_id: str
    n_site: dict[str, int] = field(default_factory=dict)
    axis_ring: dict[str, int] = field(default_factory=dict)
    subunits: dict[str, str] = field(default_factory=dict)

    @property
    def file_name(self) -> str:
        return f"{self.pdb_id.lower()}.cif"


def _read(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _selector(entry: dict) -> LigandSelector:
    number = entry.get("residue_number")
    return LigandSelector(
        chain=str(entry["chain"]),
        residue_name=entry.get("residue_name"),
        residue_number=int(number) if number is not None else None,
    )


def _receptor(entry: dict, name: str) -> ReceptorSpec:
    chains = entry["chain"]
    crop = entry.get("crop_radius_a")
    return ReceptorSpec(
        receptor=name,
        pdb_id=str(entry["pdb_id"]).upper(),
        chains=tuple(str(c) for c in chains) if isinstance(chains, list) else (str(chains),),
        ligand=_selector(entry["ligand"]),
        drop_from_residue=entry.get("drop_from_residue"),
        redock=bool(entry.get("redock", False)),
        crop_radius_a=float(crop) if crop is not None else None,
    )


def _unique(names: list[str], what: str, path: Path) -> None:
    if len(set(names)) != len(names):
        raise ValueError(f"{what} in {path} must be unique, got {names}")


def load_receptor_specs(path: Path) -> list[ReceptorSpec]:
    """Receptor entries of the settings file, in file order; receptor ids must be unique."""
    specs = [_receptor(entry, str(entry["receptor"])) for entry in _read(path)["receptors"]]
    _unique([s.receptor for s in specs], "receptor ids", path)
    return specs


def load_ligands(path: Path) -> list[LigandSpec]:
    """Ligands docked into every receptor, in file order (morphine when the file lists none)."""
    entries = _read(path).get("ligands") or [{"name": "morphine", "smiles": MORPHINE_SMILES}]
    ligands = [LigandSpec(name=str(e["name"]), smiles=str(e["smiles"])) for e in entries]
    _unique([lig.name for lig in ligands], "ligand names", path)
    return ligands


def load_redock_complexes(path: Path) -> list[RedockComplex]:
    """Redocking validation complexes, in file order; complex ids must be unique."""
    complexes = []
    for entry in _read(path).get("redocking") or []:
        ligand = entry["ligand"]
        complexes.append(
            RedockComplex(
                complex=str(entry["complex"]),
                receptor=_receptor({**entry, "redock": True}, str(entry["complex"])),
                ligand=LigandSpec(name=str(ligand["name"]), smiles=str(ligand["smiles"])),
            )
        )
    _unique([c.complex for c in complexes], "redocking complex ids", path)
    return complexes


def load_pore_spec(path: Path) -> PoreSpec:
    """The nmda_pore entry of the settings file."""
    raw = _read(path)["nmda_pore"]
    return PoreSpec(
        pdb_id=str(raw["pdb_id"]).upper(),
        requested_pdb_id=str(raw["requested_pdb_id"]).upper(),
        n_site={str(k): int(v) for k, v in raw["n_site"].items()},
        axis_ring={str(k): int(v) for k, v in raw["axis_ring"].items()},
        subunits={str(k): str(v) for k, v in raw["subunits"].items()},
    )

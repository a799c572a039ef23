"""The docking settings table (config/docking_receptors.yaml) as frozen dataclasses."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

MORPHINE_SMILES = "CN1CC[C@]23c4c5ccc(O)c4O[C@H]2[C@@H](O)C=C[C@H]3[C@H]1C5"
"""Morphine with its five stereocentres (the PROVENANCE template of 8EF6 MOI)."""


@dataclass(frozen=True)
class LigandSelector:
    """Co-crystallised ligand: a residue name in a chain, or a whole (peptide) chain when residue_name is None."""

    chain: str
    residue_name: str | None = None

    def describe(self) -> str:
        return f"{self.chain}:{self.residue_name}" if self.residue_name else f"chain {self.chain}"


@dataclass(frozen=True)
class ReceptorSpec:
    """One receptor to dock into: the structure, the chain kept, and the ligand that centres the box."""

    receptor: str
    pdb_id: str
    chain: str
    ligand: LigandSelector
    drop_from_residue: int | None = None
    redock: bool = False

    @property
    def file_name(self) -> str:
        """Name of the mmCIF in the snapshot and the cache (lower-case id)."""
        return f"{self.pdb_id.lower()}.cif"


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


def load_receptor_specs(path: Path) -> list[ReceptorSpec]:
    """Receptor entries of the settings file, in file order; receptor ids must be unique."""
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    specs = [
        ReceptorSpec(
            receptor=str(entry["receptor"]),
            pdb_id=str(entry["pdb_id"]).upper(),
            chain=str(entry["chain"]),
            ligand=LigandSelector(
                chain=str(entry["ligand"]["chain"]), residue_name=entry["ligand"].get("residue_name")
            ),
            drop_from_residue=entry.get("drop_from_residue"),
            redock=bool(entry.get("redock", False)),
        )
        for entry in raw["receptors"]
    ]
    ids = [s.receptor for s in specs]
    if len(set(ids)) != len(ids):
        raise ValueError(f"receptor ids in {path} must be unique, got {ids}")
    return specs


def load_pore_spec(path: Path) -> PoreSpec:
    """The nmda_pore entry of the settings file."""
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))["nmda_pore"]
    return PoreSpec(
        pdb_id=str(raw["pdb_id"]).upper(),
        requested_pdb_id=str(raw["requested_pdb_id"]).upper(),
        n_site={str(k): int(v) for k, v in raw["n_site"].items()},
        axis_ring={str(k): int(v) for k, v in raw["axis_ring"].items()},
        subunits={str(k): str(v) for k, v in raw["subunits"].items()},
    )

"""Receptor preparation: a clean single chain to a Vina PDBQT with meeko.

Protonation follows meeko's residue templates at neutral pH (pH 7.4 states):
Asp/Glu carboxylates deprotonated, Lys/Arg protonated, His neutral with the
N-epsilon hydrogen (HIE) unless a template is set explicitly, Cys free thiol
unless disulfide-bonded. Polar hydrogens are added from the templates; non-polar
hydrogens are merged, as Vina's united-atom scoring expects. Residues whose atoms
do not match a template because the deposited model truncates their side chain
are kept as alanine (backbone and CB, or glycine without CB), so no atom is
invented and none that was modelled near the pocket is lost; residues that still
do not match are removed. Both lists are reported. Residues with alternate
locations keep one conformer (the highest occupancy, the first on ties; see
:func:`structures.keep_one_conformer`), and that choice is reported too.
"""

from __future__ import annotations

import contextlib
import io
from dataclasses import dataclass

import gemmi

from mg_platform.analysis.docking.structures import keep_one_conformer, pdb_string


@dataclass(frozen=True)
class PreparedReceptor:
    """A receptor ready for docking: PDBQT text, the heavy-atom PDB it came from, and what was changed."""

    pdbqt: str
    pdb: str
    residues: int
    truncated_to_ala: tuple[str, ...]
    removed_residues: tuple[str, ...]
    histidine_states: dict[str, str]
    alternate_locations: tuple[str, ...] = ()


def prepare_receptor(chain_structure: gemmi.Structure, set_template: dict[str, str] | None = None) -> PreparedReceptor:
    """Rigid-receptor PDBQT of a single-chain structure (see :func:`structures.receptor_chain`).

    ``set_template`` forces residue templates, e.g. ``{"R:299": "HID"}``.
    """
    from meeko import PDBQTWriterLegacy

    chain_structure, alternate_locations = keep_one_conformer(chain_structure)
    polymer = _polymer(chain_structure, set_template)
    truncated = tuple(sorted(polymer.get_ignored_monomers().keys(), key=_residue_sort_key))
    if truncated:
        trimmed = chain_structure.clone()
        for chain in trimmed[0]:
            for residue in chain:
                if f"{chain.name}:{residue.seqid.num}{residue.seqid.icode.strip()}" in truncated:
                    _trim_to_alanine(residue)
        chain_structure = trimmed
        polymer = _polymer(chain_structure, set_template)
    rigid, _flex = PDBQTWriterLegacy.write_from_polymer(polymer)
    removed = tuple(sorted(polymer.get_ignored_monomers().keys(), key=_residue_sort_key))
    histidines = {
        key: monomer.residue_template_key
        for key, monomer in polymer.get_valid_monomers().items()
        if monomer.input_resname == "HIS"
    }
    return PreparedReceptor(
        pdbqt=rigid,
        pdb=pdb_string(chain_structure),
        residues=len(polymer.get_valid_monomers()),
        truncated_to_ala=tuple(t for t in truncated if t not in removed),
        removed_residues=removed,
        histidine_states=histidines,
        alternate_locations=alternate_locations,
    )


def _polymer(chain_structure: gemmi.Structure, set_template: dict[str, str] | None):
    """meeko Polymer from the structure's PDB text; meeko's template-matching chatter is captured."""
    from meeko import MoleculePreparation, Polymer, ResidueChemTemplates

    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        return Polymer.from_pdb_string(
            pdb_string(chain_structure),
            ResidueChemTemplates.create_from_defaults(),
            MoleculePreparation(),
            set_template=dict(set_template or {}),
            allow_bad_res=True,
        )


def _trim_to_alanine(residue: gemmi.Residue) -> None:
    """Keep the backbone and CB of a residue with a truncated side chain, renamed ALA (GLY without CB)."""
    keep = {"N", "CA", "C", "O", "OXT", "CB"}
    for index in reversed(range(len(residue))):
        if residue[index].name not in keep:
            del residue[index]
    residue.name = "ALA" if any(a.name == "CB" for a in residue) else "GLY"


def _residue_sort_key(key: str) -> tuple[str, int, str]:
    chain, number = key.split(":")
    digits = "".join(ch for ch in number if ch.isdigit() or ch == "-")
    return chain, int(digits), number[len(digits) :]

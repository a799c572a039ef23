"""Checking a co-crystal ligand's SMILES before a redocking result is trusted.

Three sources must agree: the configured SMILES, the chemical component definition
that the mmCIF carries (``_chem_comp``: formula; ``_chem_comp_atom``: elements and
``pdbx_stereo_config`` R/S labels) and the deposited coordinates. Checks: heavy-atom
count (SMILES = component = deposited atoms), molecular formula (SMILES, neutral =
``_chem_comp.formula``), the deposited atoms take the SMILES' bond orders (RDKit
``AssignBondOrdersFromTemplate``), CIP labels computed from the 3D coordinates equal the
component's R/S labels atom by atom (by atom name), and the coordinates' isomeric SMILES
(stereo from 3D, E/Z included) equals the configured one. A complex failing any check
is refused with the list of problems.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import gemmi

from mg_platform.analysis.docking import rmsd


class LigandNotVerified(ValueError):
    """The configured SMILES does not match the structure's chemical component or coordinates."""


@dataclass(frozen=True)
class ComponentDefinition:
    """A chemical component as the mmCIF defines it: id, formula, heavy-atom elements and R/S labels by atom name.

    Older files list the component without its atoms (``_chem_comp_atom``): then only the
    formula is known, and R/S is checked against the coordinates alone (noted).
    """

    comp_id: str
    formula: str
    heavy_elements: dict[str, str]
    stereo: dict[str, str]


@dataclass(frozen=True)
class LigandVerification:
    """What was checked and found; ``problems`` is empty when the SMILES is verified."""

    comp_id: str
    formula_ccd: str
    formula_smiles: str
    heavy_atoms_smiles: int
    heavy_atoms_ccd: int
    heavy_atoms_deposited: tuple[int, ...]
    stereo_ccd: dict[str, str]
    stereo_from_3d: dict[str, str]
    problems: tuple[str, ...] = field(default_factory=tuple)
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def verified(self) -> bool:
        return not self.problems


def _normal_formula(formula: str) -> str:
    return "".join(formula.split()).upper()


def component_definition(path: str, comp_id: str) -> ComponentDefinition:
    """The ``_chem_comp`` formula and ``_chem_comp_atom`` rows of ``comp_id`` from an mmCIF file."""
    block = gemmi.cif.read(str(path)).sole_block()
    formula = ""
    for row in block.find("_chem_comp.", ["id", "formula"]):
        if row.str(0) == comp_id:
            formula = row.str(1)
    atoms = block.find("_chem_comp_atom.", ["comp_id", "atom_id", "type_symbol", "pdbx_stereo_config"])
    elements, stereo = {}, {}
    for row in atoms:
        if row.str(0) != comp_id or row.str(2).upper() in ("H", "D"):
            continue
        elements[row.str(1)] = row.str(2).upper()
        if row.str(3) in ("R", "S"):
            stereo[row.str(1)] = row.str(3)
    if not formula:
        raise LigandNotVerified(f"{path} carries no chemical component definition (_chem_comp) for {comp_id}")
    return ComponentDefinition(comp_id, formula, elements, stereo)


def formula_heavy_atoms(formula: str) -> int:
    """Heavy atoms in a formula such as ``'C17 H19 N O3'`` (hydrogens and a trailing charge left out)."""
    import re

    return sum(int(n or 1) for element, n in re.findall(r"([A-Z][a-z]?)(\d*)", formula) if element not in ("H", "D"))


def _cip_by_name(mol) -> dict[str, str]:
    from rdkit.Chem import rdCIPLabeler

    rdCIPLabeler.AssignCIPLabels(mol)
    return {
        a.GetPDBResidueInfo().GetName().strip(): a.GetProp("_CIPCode")
        for a in mol.GetAtoms()
        if a.HasProp("_CIPCode") and a.GetProp("_CIPCode") in ("R", "S")
    }


def verify_ligand(cif_path: str, comp_id: str, smiles: str, pdb_blocks: list[str]) -> LigandVerification:
    """Check ``smiles`` against the component definition of ``comp_id`` and every deposited position."""
    from rdkit import Chem
    from rdkit.Chem.rdMolDescriptors import CalcMolFormula

    definition = component_definition(cif_path, comp_id)
    template = Chem.MolFromSmiles(smiles)
    if template is None:
        raise LigandNotVerified(f"invalid SMILES {smiles!r}")
    problems = []
    formula = CalcMolFormula(template)
    if _normal_formula(formula) != _normal_formula(definition.formula):
        problems.append(f"formula of the SMILES {formula} differs from the component's {definition.formula}")
    heavy_ccd = formula_heavy_atoms(definition.formula)
    if definition.heavy_elements and len(definition.heavy_elements) != heavy_ccd:
        problems.append(f"{comp_id}: {len(definition.heavy_elements)} heavy atoms listed, {heavy_ccd} in its formula")
    if template.GetNumAtoms() != heavy_ccd:
        problems.append(f"{template.GetNumAtoms()} heavy atoms in the SMILES, {heavy_ccd} in {comp_id}")
    deposited, from_3d, notes = [], {}, []
    canonical = Chem.MolToSmiles(template)
    for position, block in enumerate(pdb_blocks, 1):
        atoms = Chem.MolFromPDBBlock(block, removeHs=True, sanitize=False)
        deposited.append(atoms.GetNumAtoms() if atoms is not None else 0)
        try:
            crystal = rmsd.crystal_ligand(block, smiles)
        except (ValueError, RuntimeError) as error:
            problems.append(f"position {position}: the deposited atoms do not take the SMILES' bonds ({error})")
            continue
        if crystal.GetNumAtoms() != heavy_ccd:
            problems.append(f"position {position}: {crystal.GetNumAtoms()} deposited heavy atoms, {heavy_ccd} expected")
        from_3d = _cip_by_name(Chem.Mol(crystal))
        if not definition.heavy_elements:
            notes.append(f"{comp_id} has no _chem_comp_atom rows: R/S checked against the coordinates only")
            continue
        mismatched = sorted(
            f"{name} {definition.stereo[name]} (component) vs {from_3d.get(name, 'none')} (3D)"
            for name in set(definition.stereo) | set(from_3d)
            if definition.stereo.get(name) != from_3d.get(name)
        )
        if mismatched:
            problems.append(f"position {position}: R/S differ: {'; '.join(mismatched)}")
        observed = Chem.MolToSmiles(rmsd.neutral_heavy_atoms(crystal))
        if observed != canonical:
            problems.append(f"position {position}: coordinates give {observed}, the SMILES is {canonical}")
    return LigandVerification(
        comp_id=comp_id,
        formula_ccd=definition.formula,
        formula_smiles=formula,
        heavy_atoms_smiles=template.GetNumAtoms(),
        heavy_atoms_ccd=heavy_ccd,
        heavy_atoms_deposited=tuple(deposited),
        stereo_ccd=definition.stereo,
        stereo_from_3d=from_3d,
        problems=tuple(problems),
        notes=tuple(dict.fromkeys(notes)),
    )

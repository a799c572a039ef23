"""The Mg2+ block site of the NMDA receptor channel and a HOLE-like pore-radius profile.

Channel axis: the line through the centroid of the selectivity-filter asparagine
ring (N-site: GluN1 N616, GluN2B N615; CA atoms) and the centroid of a second,
higher ring of pore-lining residues (GluN1 T648, GluN2B T647; CA atoms), oriented
from the N-site towards that ring (towards the extracellular vestibule).

Mg2+ placement: on the axis, at the mean axial level of the asparagine side-chain
amide atoms (OD1, ND2; the deepest modelled side-chain atom where the amide is not
modelled). Coordination: the distance from Mg2+ to the nearest side-chain heavy
atom of each N-site residue; <= 2.6 A counts as inner-sphere (direct) coordination,
<= 5.0 A as outer-sphere (through the Mg2+ hydration shell, Mg-O(water) 2.1 A plus
a water-to-ligand hydrogen bond), otherwise no coordination.

Pore radius (HOLE-like, Smart et al. 1996, simplified): at points along the axis,
the distance to the nearest heavy-atom centre minus that atom's van der Waals
radius (Bondi radii), in Angstrom. HOLE also moves each point off the axis to
maximise the radius; this profile stays on the axis, so it is a lower bound where
the pore is not centred on it.
"""

from __future__ import annotations

from dataclasses import dataclass

import gemmi
import numpy as np

from mg_platform.analysis.docking.receptors import PoreSpec

BONDI_RADII_A = {"C": 1.70, "N": 1.55, "O": 1.52, "S": 1.80, "P": 1.80, "H": 1.20, "SE": 1.90}
DEFAULT_RADIUS_A = 1.70
INNER_SPHERE_A = 2.6
OUTER_SPHERE_A = 5.0
AMIDE_ATOMS = ("OD1", "ND2")


@dataclass(frozen=True)
class SiteResidue:
    """One N-site residue: subunit, chain, residue name/number, nearest side-chain atom and its distance to Mg2+ (A)."""

    subunit: str
    chain: str
    residue: str
    residue_number: int
    atom: str
    distance_a: float
    coordination: str


@dataclass(frozen=True)
class MgSite:
    """The placed Mg2+ (x, y, z in Angstrom), the unit channel axis, the pore radius there and the N-site residues."""

    position: tuple[float, float, float]
    axis: tuple[float, float, float]
    pore_radius_a: float
    residues: tuple[SiteResidue, ...]

    @property
    def min_distance_a(self) -> float:
        return min(r.distance_a for r in self.residues)

    @property
    def coordination(self) -> str:
        """Summary, e.g. 'outer-sphere (hydrated Mg2+): 4 Asn side chains at 3.1-4.4 A'."""
        bound = [r for r in self.residues if r.coordination != "none"]
        modes = sorted({r.coordination for r in bound})
        if not bound:
            return "none within 5.0 A"
        span = f"{min(r.distance_a for r in bound):.2f}-{max(r.distance_a for r in bound):.2f} A"
        return f"{'/'.join(modes)}: {len(bound)} of {len(self.residues)} N-site side chains at {span}"


def _residue(structure: gemmi.Structure, chain: str, number: int) -> gemmi.Residue:
    for ch in structure[0]:
        if ch.name == chain:
            for residue in ch:
                if residue.seqid.num == number:
                    return residue
    raise ValueError(f"residue {chain}:{number} not found in {structure.name}")


def _atom(residue: gemmi.Residue, name: str) -> np.ndarray:
    for atom in residue:
        if atom.name == name:
            return np.array(atom.pos.tolist())
    raise ValueError(f"atom {name} missing from {residue.name}{residue.seqid.num}")


def channel_axis(structure: gemmi.Structure, spec: PoreSpec) -> tuple[np.ndarray, np.ndarray]:
    """(origin, unit direction): origin = N-site CA centroid, direction towards the axis-ring CA centroid."""
    n_ring = np.mean([_atom(_residue(structure, c, n), "CA") for c, n in spec.n_site.items()], axis=0)
    upper = np.mean([_atom(_residue(structure, c, n), "CA") for c, n in spec.axis_ring.items()], axis=0)
    direction = upper - n_ring
    return n_ring, direction / np.linalg.norm(direction)


def _side_chain_tip(residue: gemmi.Residue) -> list[gemmi.Atom]:
    amide = [a for a in residue if a.name in AMIDE_ATOMS]
    if amide:
        return amide
    side = [a for a in residue if a.name not in ("N", "CA", "C", "O", "OXT") and a.element.name != "H"]
    return side[-1:] if side else [a for a in residue if a.name == "CA"]


def place_mg(structure: gemmi.Structure, spec: PoreSpec) -> MgSite:
    """Mg2+ on the channel axis at the N-site level, with each N-site residue's nearest side-chain distance."""
    origin, axis = channel_axis(structure, spec)
    levels = []
    for chain, number in spec.n_site.items():
        for atom in _side_chain_tip(_residue(structure, chain, number)):
            levels.append(float(np.dot(np.array(atom.pos.tolist()) - origin, axis)))
    mg = origin + axis * float(np.mean(levels))
    site_residues = []
    for chain, number in spec.n_site.items():
        residue = _residue(structure, chain, number)
        side = [a for a in residue if a.name not in ("N", "CA", "C", "O", "OXT") and a.element.name != "H"] or list(
            residue
        )
        distances = [float(np.linalg.norm(np.array(a.pos.tolist()) - mg)) for a in side]
        best = int(np.argmin(distances))
        distance = distances[best]
        if distance <= INNER_SPHERE_A:
            mode = "inner-sphere"
        elif distance <= OUTER_SPHERE_A:
            mode = "outer-sphere (hydrated Mg2+)"
        else:
            mode = "none"
        site_residues.append(
            SiteResidue(
                subunit=spec.subunits.get(chain, ""),
                chain=chain,
                residue=residue.name,
                residue_number=number,
                atom=side[best].name,
                distance_a=round(distance, 3),
                coordination=mode,
            )
        )
    radius = pore_radius(structure, mg)
    return MgSite(
        position=tuple(round(float(v), 3) for v in mg),
        axis=tuple(round(float(v), 5) for v in axis),
        pore_radius_a=round(radius, 3),
        residues=tuple(site_residues),
    )


def _heavy_atoms(structure: gemmi.Structure) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Protein heavy atoms only: ligands (the pore blocker too), glycans, ions and waters are left out."""
    coords, radii, labels = [], [], []
    for chain in structure[0]:
        for residue in chain:
            info = gemmi.find_tabulated_residue(residue.name)
            if info is None or not info.is_amino_acid():
                continue
            for atom in residue:
                if atom.element.name == "H":
                    continue
                coords.append(atom.pos.tolist())
                radii.append(BONDI_RADII_A.get(atom.element.name.upper(), DEFAULT_RADIUS_A))
                labels.append(f"{chain.name}:{residue.name}{residue.seqid.num}:{atom.name}")
    return np.array(coords), np.array(radii), labels


def pore_radius(structure: gemmi.Structure, point: np.ndarray) -> float:
    """Distance (A) from ``point`` to the nearest heavy-atom surface (centre distance minus Bondi radius)."""
    coords, radii, _ = _heavy_atoms(structure)
    return float(np.min(np.linalg.norm(coords - point, axis=1) - radii))


def pore_profile(
    structure: gemmi.Structure, origin: np.ndarray, axis: np.ndarray, start_a: float, stop_a: float, step_a: float
) -> list[dict[str, object]]:
    """Radius at axial offsets start_a..stop_a (step_a) from ``origin`` along ``axis``; positive = extracellular."""
    coords, radii, labels = _heavy_atoms(structure)
    rows = []
    for offset in np.arange(start_a, stop_a + step_a / 2, step_a):
        point = origin + axis * offset
        surface = np.linalg.norm(coords - point, axis=1) - radii
        nearest = int(np.argmin(surface))
        rows.append(
            {
                "axial_position_a": round(float(offset), 3),
                "x": round(float(point[0]), 3),
                "y": round(float(point[1]), 3),
                "z": round(float(point[2]), 3),
                "radius_a": round(float(surface[nearest]), 3),
                "nearest_atom": labels[nearest],
            }
        )
    return rows

"""The Vina search box around a co-crystallised ligand."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class SearchBox:
    """Axis-aligned box: centre (x, y, z) and edge lengths (x, y, z), in Angstrom."""

    center: tuple[float, float, float]
    size: tuple[float, float, float]

    def describe(self) -> str:
        c, s = self.center, self.size
        return f"center ({c[0]:.3f}, {c[1]:.3f}, {c[2]:.3f}) size ({s[0]:.3f}, {s[1]:.3f}, {s[2]:.3f})"


def box_around(coords: np.ndarray, margin_a: float, min_size_a: float = 0.0) -> SearchBox:
    """Box centred on the midpoint of the atoms' bounding box, each edge = extent + 2 * margin_a (at least min_size_a).

    ``coords`` is n x 3 in Angstrom. With margin 4 A this is smina/gnina's
    ``--autobox_ligand`` default (``--autobox_add 4``).
    """
    points = np.asarray(coords, dtype=float)
    if points.ndim != 2 or points.shape[1] != 3 or len(points) == 0:
        raise ValueError("coords must be a non-empty n x 3 array")
    low, high = points.min(axis=0), points.max(axis=0)
    center = (low + high) / 2.0
    size = np.maximum(high - low + 2.0 * margin_a, min_size_a)
    return SearchBox(
        center=tuple(round(float(v), 3) for v in center),
        size=tuple(round(float(v), 3) for v in size),
    )

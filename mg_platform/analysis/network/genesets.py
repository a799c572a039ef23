"""Gene-set libraries read from GMT (``id<TAB>description<TAB>genes...``) or Enrichr text
(``term<TAB><empty><TAB>genes...``, the term name doubling as id).

The gene universe of a library is the union of the genes in its sets.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class GeneSet:
    term_id: str
    description: str
    genes: frozenset[str]


@dataclass(frozen=True)
class GeneSetLibrary:
    """Named gene sets of one category (e.g. "GO BP") and the library's gene universe."""

    category: str
    name: str
    sets: tuple[GeneSet, ...]
    universe: frozenset[str] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "universe", frozenset().union(*(s.genes for s in self.sets)))


def _genes(cells: list[str]) -> frozenset[str]:
    return frozenset(g.strip() for g in cells if g.strip())


def read_gmt(path: Path, category: str, name: str | None = None) -> GeneSetLibrary:
    """Read a GMT file: term id, description, then gene symbols."""
    sets = []
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        cells = line.rstrip("\n").split("\t")
        if len(cells) >= 3:
            sets.append(GeneSet(cells[0], cells[1], _genes(cells[2:])))
    return GeneSetLibrary(category=category, name=name or Path(path).name, sets=tuple(sets))


def read_enrichr(path: Path, category: str, term_ids: dict[str, str] | None = None) -> GeneSetLibrary:
    """Read an Enrichr library; ``term_ids`` maps a term name to an id (default: the name)."""
    term_ids = term_ids or {}
    sets = []
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        cells = line.rstrip("\n").split("\t")
        if len(cells) >= 3:
            term = cells[0].strip()
            sets.append(GeneSet(term_ids.get(term, term), term, _genes(cells[2:])))
    return GeneSetLibrary(category=category, name=Path(path).name, sets=tuple(sets))

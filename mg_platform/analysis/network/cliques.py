"""Per-vertex counts of maximal cliques by size, with bounded memory.

``clique_size_counts(graph)[v, s]`` is the number of maximal cliques of size ``s`` that
contain vertex ``v``. The cliques come from igraph's maximal-clique enumeration
(Eppstein-Loeffler-Strash Bron-Kerbosch in C). Small graphs are enumerated in memory;
when there are more than ``in_memory_limit`` cliques, igraph streams them as text
(one clique per line, space-separated vertex ids) from a child process into a pipe and
they are folded into the count matrix chunk by chunk, so that no clique list is ever held
and the parsing runs on a second core while igraph enumerates.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

import igraph as ig
import numpy as np

IN_MEMORY_LIMIT = 20_000  # at most a few tens of MB of Python tuples before streaming
CHUNK_BYTES = 1 << 24

_CHILD = """
import sys, numpy as np, igraph as ig
n = int(sys.argv[1])
edges = np.load(sys.argv[2])
ig.Graph(n=n, edges=edges).maximal_cliques(file="/dev/stdout")
"""


class CliqueCounter:
    """Accumulates (vertex, clique size) counts from igraph's text clique stream."""

    def __init__(self, n_vertices: int) -> None:
        self.n = n_vertices
        self.counts = np.zeros((n_vertices, 2), dtype=np.int64)
        self._rest = b""

    def feed(self, data: bytes) -> None:
        """Add a block of the stream; an incomplete last line is kept for the next block."""
        data = self._rest + data
        cut = data.rfind(b"\n") + 1
        self._rest = data[cut:]
        if cut:
            self._fold(data[:cut])

    def finish(self) -> np.ndarray:
        if self._rest.strip():
            self._fold(self._rest + b"\n")
        self._rest = b""
        return self.counts

    def _fold(self, text: bytes) -> None:
        """Fold complete lines ("v1 v2 ... vk\\n", single spaces as igraph writes them)."""
        values = np.fromstring(text, dtype=np.int64, sep=" ")  # text mode: C parser, not deprecated
        if len(values) == 0:
            return
        buf = np.frombuffer(text, dtype=np.uint8)
        line_ends = np.flatnonzero(buf == 10)
        spaces_before = np.searchsorted(np.flatnonzero(buf == 32), line_ends)
        per_line = np.diff(np.concatenate(([0], spaces_before))) + 1
        if per_line.sum() != len(values):
            raise ValueError("unexpected clique stream format (expected single-space separated ids per line)")
        sizes = np.repeat(per_line, per_line)
        width = int(sizes.max()) + 1
        if width > self.counts.shape[1]:
            grown = np.zeros((self.n, width), dtype=np.int64)
            grown[:, : self.counts.shape[1]] = self.counts
            self.counts = grown
        width = self.counts.shape[1]
        self.counts += np.bincount(values * width + sizes, minlength=self.n * width).reshape(self.n, width)


def _counts_from_lists(n: int, cliques: list[tuple[int, ...]]) -> np.ndarray:
    width = max((len(c) for c in cliques), default=1) + 1
    counts = np.zeros((n, width), dtype=np.int64)
    for clique in cliques:
        counts[list(clique), len(clique)] += 1
    return counts


def _stream_counts(graph: ig.Graph) -> np.ndarray:
    counter = CliqueCounter(graph.vcount())
    with tempfile.TemporaryDirectory(prefix="mg-cliques-") as tmp:
        edges_file = Path(tmp) / "edges.npy"
        np.save(edges_file, np.asarray(graph.get_edgelist(), dtype=np.int64).reshape(-1, 2))
        child = subprocess.Popen(
            [sys.executable, "-c", _CHILD, str(graph.vcount()), str(edges_file)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        assert child.stdout is not None
        while block := child.stdout.read(CHUNK_BYTES):
            counter.feed(block)
        _, stderr = child.communicate()
        if child.returncode != 0:
            raise RuntimeError(f"maximal-clique enumeration failed: {stderr.decode(errors='replace')[-2000:]}")
    return counter.finish()


def clique_size_counts(graph: ig.Graph, in_memory_limit: int = IN_MEMORY_LIMIT) -> np.ndarray:
    """Matrix ``counts[v, s]``: maximal cliques of size ``s`` containing vertex ``v``.

    Isolated vertices form a maximal clique of size 1. Memory is bounded by
    ``in_memory_limit`` cliques; beyond that the cliques are streamed (see module doc).
    """
    if os.name != "posix":  # /dev/stdout streaming needs a POSIX system
        in_memory_limit = sys.maxsize
    cliques = graph.maximal_cliques(max_results=in_memory_limit + 1)
    if len(cliques) <= in_memory_limit:
        return _counts_from_lists(graph.vcount(), cliques)
    del cliques
    return _stream_counts(graph)

"""Snapshot-source guards: thresholds it cannot honour and files that disagree."""

from __future__ import annotations

from pathlib import Path

import pytest

from mg_platform.analysis.network.snapshot import (
    QUERY_CUT,
    SnapshotFile,
    SnapshotMismatch,
    snapshot_files_needed,
    snapshot_source,
)
from mg_platform.settings import reference_dir

REFERENCE = reference_dir()
PROTEINS = ["OPRM1", "OPRD1", "GRIN1", "GRIN2B"]


def files(categories: list[str]) -> dict[tuple[str, str], SnapshotFile]:
    needed = snapshot_files_needed(categories)
    return {(k, n): SnapshotFile(k, n, REFERENCE / k / n, "unverified-in-this-test") for k, n in needed}


def test_threshold_above_snapshot_is_refused() -> None:
    with pytest.raises(SnapshotMismatch, match="above the snapshot's 0.800"):
        snapshot_source(files([]), PROTEINS, 9606, 0.9, [])


def test_unknown_category_and_species_are_refused() -> None:
    with pytest.raises(SnapshotMismatch, match="no snapshot library"):
        snapshot_files_needed(["Pfam"])
    with pytest.raises(SnapshotMismatch, match="human"):
        snapshot_source(files([]), PROTEINS, 10090, 0.4, [])


def test_subset_of_proteins_and_cut_file_disagreement(tmp_path: Path) -> None:
    source = snapshot_source(files([]), PROTEINS, 9606, 0.4, [])
    assert {tuple(p) for p in source.edges[["protein_a", "protein_b"]].to_numpy()} == {
        ("GRIN1", "GRIN2B"),
        ("OPRD1", "OPRM1"),
    }
    assert source.score_threshold_applied == 0.8 and source.edges["combined_score"].isna().all()

    tampered = tmp_path / QUERY_CUT[1]
    lines = (REFERENCE / "string" / QUERY_CUT[1]).read_text().splitlines()
    tampered.write_text("\n".join(line for line in lines if not line.startswith("OPRD1\tOPRM1")) + "\n")
    broken = files([]) | {QUERY_CUT: SnapshotFile(*QUERY_CUT, tampered, "x")}
    with pytest.raises(SnapshotMismatch, match="OPRD1"):
        snapshot_source(broken, PROTEINS, 9606, 0.4, [])


def test_first_shell_is_refused_without_scores() -> None:
    with pytest.raises(SnapshotMismatch, match="first shell"):
        snapshot_source(files([]), PROTEINS, 9606, 0.4, [], first_shell=5)

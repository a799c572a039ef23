"""Bounded resources: configurable limits reject hostile files whole, with a clear message (issue 10.6).

The limits are set small here so that small files exercise them; the 200 MB case is
measured by ``benchmarks/ingest_hostile_and_large.py``.
"""

from __future__ import annotations

import random
import string

import pytest
from landed_files import MONTH, RECORDS, count, load, read_rows

from mg_platform.analysis.records import Limits


def _garbage(path, lines: int, fields: int | None) -> None:
    rng = random.Random(3)
    header = path.read_text().splitlines(keepends=True)[0]
    body = [
        ",".join("".join(rng.choices(string.ascii_letters, k=5)) for _ in range(fields or rng.randint(2, 9))) + "\n"
        for _ in range(lines)
    ]
    path.write_text(header + "".join(body))


@pytest.mark.parametrize(
    ("edit", "limits", "problem", "line"),
    [
        (lambda p: None, Limits(max_file_bytes=6500), "larger than the limit of 6500 bytes", None),
        (
            lambda p: p.write_text(p.read_text() + "x" * 5000 + "\n"),
            Limits(max_line_bytes=4096),
            "longer than 4096 bytes",
            -1,
        ),
        (
            lambda p: _garbage(p, 40, None),
            Limits(max_broken_rows=10),
            "more than 10 records do not have the header's 37 fields",
            2,
        ),
        (lambda p: _garbage(p, 40, 37), Limits(max_broken_rows=10), "40 of the first 40 records cannot be read", 2),
    ],
    ids=["file_size", "line_length", "garbage_lines", "garbage_with_the_right_field_count"],
)
def test_limits_reject_the_file_whole_and_keep_the_previous_delivery(
    small_landing, tmp_path, edit, limits, problem, line
):
    db = tmp_path / "w.duckdb"
    load(small_landing, db)
    before = count(db, "perioperative_records")
    path = small_landing / MONTH / RECORDS
    n_lines = len(read_rows(path))
    edit(path)
    records, pain = load(small_landing, db, limits=limits)
    assert problem in records.rejected and pain.rejected is None
    assert records.rejected_line == (n_lines + 1 if line == -1 else line)
    assert count(db, "perioperative_records") == before

"""Bounded resources: configurable limits reject hostile files whole, with a clear message (issue 10.6).

The limits are set small here so that small files exercise them; the 200 MB case is
measured by ``benchmarks/ingest_hostile_and_large.py``.
"""

from __future__ import annotations

import random
import string

import duckdb
import pytest
from landed_files import MONTH, PAIN, RECORDS, count, load, read_rows

from mg_platform.analysis.contract import PACU_PAIN_SCORES
from mg_platform.analysis.records import BATCH_RECORDS, Limits, stage_file


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
        (lambda p: _garbage(p, 40, 37), Limits(max_broken_rows=10), "40 of the 40 records checked are unreadable", 2),
    ],
    ids=["file_size", "line_length", "garbage_lines", "garbage_with_the_right_field_count"],
)
def test_limits_reject_the_file_whole(small_landing, tmp_path, edit, limits, problem, line):
    db = tmp_path / "w.duckdb"
    path = small_landing / MONTH / RECORDS
    n_lines = len(read_rows(path))
    edit(path)
    records, pain = load(small_landing, db, limits=limits)
    assert problem in records.rejected and pain.rejected is None
    assert records.rejected_line == (n_lines + 1 if line == -1 else line)
    assert count(db, "perioperative_records") == 0  # nothing of the file is loaded (previous rows: test_accounting)


def test_a_file_longer_than_one_batch_is_staged_whole_in_bounded_batches(tmp_path):
    rows = BATCH_RECORDS * 2 + 7  # two full batches (the first one is checked for garbage) and a partial one
    path = tmp_path / PAIN
    path.write_text("case_id,minute,nrs,recorded_at\n" + "".join(f"SC-{i:06d},0,3,\n" for i in range(rows)))
    with duckdb.connect() as conn:
        staged = stage_file(conn, path, PACU_PAIN_SCORES, "s")
        lines = conn.execute("SELECT min(_line), max(_line), count(DISTINCT _line) FROM s_text").fetchall()
    assert (staged.records, staged.broken) == (rows, 0)
    assert lines == [(2, rows + 1, rows)]

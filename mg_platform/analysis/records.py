"""Exact, accounted reading of one landed CSV file into DuckDB.

Pipeline for one file, derived from :mod:`mg_platform.analysis.contract`:

1. :func:`stage_file` streams the file once with Python's :mod:`csv` reader
   (RFC 4180 quoting, ``strict=True``) over physical lines read with a length
   bound, so that memory stays bounded and every record is accounted for:

   - the header line decides the dialect (``,``, or ``;`` with decimal comma)
     and must name exactly the contract's columns (near misses get a hint:
     tab-delimited, upper case, trailing delimiter);
   - every record is numbered by the **physical line where it starts** (a
     quoted field may span lines; blank lines are not records);
   - a record with the wrong number of fields is a broken row
     (``unparseable_row``); a line that cannot be split (an unterminated quote,
     text after a closing quote) rejects the whole file with the line where the
     trouble starts, as do invalid UTF-8, an over-long line, a file larger than
     the limit, too many broken rows, and a header without records.

   Records go to the temp table ``{prefix}_text`` (``_line`` + one VARCHAR per
   column, exactly the file's text) in bounded batches; broken rows to
   ``{prefix}_broken``.
2. :func:`typed_select` casts every column strictly (the contract's "Values are
   read exactly, never coerced"): int ``-?[0-9]+``; float in decimal notation
   with the dialect's decimal mark and an optional exponent, finite only;
   date ``YYYY-MM-DD``; timestamp ISO 8601 with any offset converted to UTC;
   booleans from true/false, yes/no, y/n, 1/0 in any case. Nothing is trimmed,
   rounded or converted: a value either equals its text or is a ``type`` error
   (:func:`type_violations_select`). Timestamps outside 1900-2100 are ``range``
   errors. Every other value rule is decided by the Great Expectations suites.

Messages name the file, the line and the problem; they never quote the file's
content beyond offending header names, shortened (:func:`shorten`).
"""

from __future__ import annotations

import codecs
import csv
import errno
import hashlib
import os
import stat
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import duckdb
import pyarrow as pa

from mg_platform.analysis.contract import FALSE_TOKENS, TRUE_TOKENS, Column, FileContract

SHOWN_NAME_CHARS = 24
SHOWN_NAMES = 5
BATCH_RECORDS = 20_000
TIMESTAMP_YEARS = (1900, 2100)


class FileRejected(ValueError):
    """A file-level contract failure: the whole file is rejected (``line``: where the trouble starts)."""

    def __init__(self, file_name: str, problem: str, line: int | None = None) -> None:
        super().__init__(f"{file_name}: {problem}")
        self.file_name = file_name
        self.problem = problem
        self.line = line


@dataclass(frozen=True)
class Dialect:
    """CSV dialect of a landed file."""

    delimiter: str
    decimal_comma: bool

    @property
    def name(self) -> str:
        return "semicolon-decimal-comma" if self.decimal_comma else "comma"

    @property
    def float_pattern(self) -> str:
        """Decimal notation with this dialect's decimal mark and an optional exponent (no NaN/Inf)."""
        mark = "," if self.decimal_comma else r"\."
        return rf"-?[0-9]+({mark}[0-9]+)?([eE][-+]?[0-9]+)?"


COMMA = Dialect(",", decimal_comma=False)
SEMICOLON = Dialect(";", decimal_comma=True)

INT_PATTERN = "-?[0-9]+"
DATE_PATTERN = "[0-9]{4}-[0-9]{2}-[0-9]{2}"
TIMESTAMP_PATTERN = rf"{DATE_PATTERN}[T ][0-9]{{2}}:[0-9]{{2}}(:[0-9]{{2}}([.][0-9]{{1,6}})?)?"
OFFSET_PATTERN = "(Z|[+-][0-9]{2}(:?[0-9]{2})?)"


@dataclass(frozen=True)
class Limits:
    """Resource limits of one landed file; exceeding one rejects the file whole with a message.

    Attributes
    ----------
    max_file_bytes : int
        Largest accepted file (bytes). Default 512 MiB (a 1 000 000-row month is ~250 MB).
    max_line_bytes : int
        Longest physical line (bytes, line break included). Default 64 KiB; a contract
        record is ~300 bytes.
    max_broken_rows : int
        Most records with the wrong number of fields before the file is judged not to be
        a contract export at all (instead of quarantining it line by line); also the most
        unreadable records (wrong field count or a value not of its type) when they are
        more than half of the records read (checked after the first batch and at the end).
    """

    max_file_bytes: int = 512 * 1024 * 1024
    max_line_bytes: int = 64 * 1024
    max_broken_rows: int = 1000


@dataclass(frozen=True)
class StagedFile:
    """What staging one file produced: its dialect, record counts and the sha256 of the bytes read."""

    dialect: Dialect
    names: tuple[str, ...]
    records: int
    broken: int
    sha256: str
    size_bytes: int


def shorten(text: str, limit: int = SHOWN_NAME_CHARS) -> str:
    """A header name as it may appear in a message: printable, at most ``limit`` characters."""
    shown = "".join(ch if ch.isprintable() else "?" for ch in text)
    return shown if len(shown) <= limit else shown[: limit - 1] + "…"


def _listed(names: list[str], from_file: bool = True) -> str:
    """Up to :data:`SHOWN_NAMES` names; names read from the file are shortened, the contract's are not."""
    shown = ", ".join(shorten(n) if from_file else n for n in names[:SHOWN_NAMES])
    return shown + (f" and {len(names) - SHOWN_NAMES} more" if len(names) > SHOWN_NAMES else "")


def open_regular_file(path: Path, file_name: str) -> BinaryIO:
    """Open ``path`` for reading only if it is a regular file and not a symbolic link.

    Raises :class:`FileRejected` for a missing file (naming a near-miss sibling such as
    ``perioperative_records.CSV``), a symbolic link, or anything that is not a regular file.
    """
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except FileNotFoundError:
        raise FileRejected(file_name, _missing_file_problem(path, file_name)) from None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise FileRejected(
                file_name, "is a symbolic link; refused (files must be regular files inside the landing zone)"
            ) from None
        raise FileRejected(file_name, f"unreadable file ({exc.strerror})") from None
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise FileRejected(file_name, "is not a regular file; refused")
    return os.fdopen(fd, "rb")


def _missing_file_problem(path: Path, file_name: str) -> str:
    problem = "file is missing from the month folder"
    siblings = sorted(p.name for p in path.parent.iterdir()) if path.parent.is_dir() else []
    near = [s for s in siblings if s.lower() == file_name.lower() or s.lower().strip() == file_name]
    if near:
        problem += f"; found {shorten(near[0], 40)}: file names are case-sensitive, rename it to {file_name}"
    return problem


def _header_problem(names: list[str], header: str, contract: FileContract, dialect: Dialect) -> str | None:
    """None when ``names`` are exactly the contract's columns, else the problem with a near-miss hint."""
    expected = list(contract.column_names)
    if sorted(names) == sorted(expected):
        return None
    if len(names) == 1 and "\t" in header and set(header.split("\t")) >= set(expected):
        return "wrong header: the file is tab-delimited; the contract allows ',' or ';' (decimal comma) only"
    if sorted(n.lower() for n in names) == sorted(expected):
        upper = [n for n in names if n != n.lower()]
        return f"wrong header: column names are case-sensitive and lower case in the contract ({_listed(upper)})"
    if names and names[-1] == "" and sorted(names[:-1]) == sorted(expected):
        return f"wrong header: the header ends with a delimiter, giving an empty column name: remove the trailing '{dialect.delimiter}'"
    missing = [n for n in expected if n not in names]
    unknown = [n for n in names if n not in expected and n != ""]
    duplicated = sorted({n for n in names if names.count(n) > 1 and n != ""})
    problems = []
    if missing:
        problems.append(f"missing column(s) {_listed(missing, from_file=False)}")
    if unknown:
        problems.append(f"unknown column(s) {_listed(unknown)}")
    if "" in names:
        positions = [str(i + 1) for i, n in enumerate(names) if n == ""]
        problems.append(f"empty column name at position(s) {', '.join(positions[:SHOWN_NAMES])}")
    if duplicated:
        problems.append(f"duplicated column(s) {_listed(duplicated)}")
    return "wrong header: " + "; ".join(problems)


def _physical_lines(handle: BinaryIO, file_name: str, limits: Limits, digest) -> Iterator[tuple[int, str]]:
    """(line number, text) of each physical line, bounded in length, UTF-8 checked, hashed."""
    number = 0
    decoder = codecs.getincrementaldecoder("utf-8-sig")()
    while True:
        raw = handle.readline(limits.max_line_bytes + 1)
        if not raw:
            return
        number += 1
        digest.update(raw)
        if len(raw) > limits.max_line_bytes:
            raise FileRejected(file_name, f"line {number} is longer than {limits.max_line_bytes} bytes", number)
        try:
            text = decoder.decode(raw) if number == 1 else raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise FileRejected(
                file_name,
                f"not valid UTF-8: byte 0x{raw[exc.start]:02x} at line {number}, position {exc.start + 1}",
                number,
            ) from None
        yield number, text


def _create_staging(conn: duckdb.DuckDBPyConnection, prefix: str, names: tuple[str, ...]) -> None:
    columns = ", ".join(f"{_quote(n)} VARCHAR" for n in names)
    conn.execute(f"CREATE OR REPLACE TEMP TABLE {prefix}_text (_line BIGINT, {columns})")
    conn.execute(f"CREATE OR REPLACE TEMP TABLE {prefix}_broken (_line BIGINT, message VARCHAR)")
    conn.execute(f"CREATE OR REPLACE TEMP TABLE {prefix}_broken_ids (_line BIGINT, value VARCHAR)")


def _append(conn: duckdb.DuckDBPyConnection, table: str, columns: list[list], names: list[str]) -> None:
    batch = pa.table(
        [pa.array(c, type=pa.int64() if i == 0 else pa.string()) for i, c in enumerate(columns)],
        names=[f"c{i}" for i in range(len(names))],
    )
    conn.register("_batch", batch)
    conn.execute(f"INSERT INTO {table} SELECT * FROM _batch")
    conn.unregister("_batch")


def stage_file(
    conn: duckdb.DuckDBPyConnection, path: Path, contract: FileContract, prefix: str, limits: Limits = Limits()
) -> StagedFile:
    """Stream ``path`` into temp tables ``{prefix}_text`` (records) and ``{prefix}_broken`` (wrong field count).

    Every record is numbered by its starting physical line (header = line 1).
    Raises :class:`FileRejected` when the file cannot be accounted for (see module docstring).
    """
    name = contract.file_name
    with open_regular_file(path, name) as handle:
        size = os.fstat(handle.fileno()).st_size
        if size > limits.max_file_bytes:
            raise FileRejected(name, f"file is {size} bytes, larger than the limit of {limits.max_file_bytes} bytes")
        digest = hashlib.sha256()
        lines = _physical_lines(handle, name, limits, digest)
        first = next(lines, None)
        header = first[1].rstrip("\r\n") if first else ""
        if not header.strip():
            raise FileRejected(name, "empty file or empty header line", 1)
        dialect = SEMICOLON if ";" in header and "," not in header else COMMA
        try:
            names = [n.strip() for n in next(csv.reader([header], delimiter=dialect.delimiter, strict=True))]
        except csv.Error:
            raise FileRejected(name, "wrong header: the header line cannot be split (unbalanced quotes)", 1) from None
        problem = _header_problem(names, header, contract, dialect)
        if problem:
            raise FileRejected(name, problem, 1)
        _create_staging(conn, prefix, tuple(names))
        identifiers = [i for i, n in enumerate(names) if contract.column(n).identifier]

        def check(records: int, broken: int) -> None:
            _check_readable(conn, contract, dialect, prefix, records, broken, limits)

        records, broken = _read_records(conn, lines, name, names, identifiers, dialect, prefix, limits, check)
        for _ in lines:  # drain (only blank lines can remain); keeps the sha256 over the whole file
            pass
    check(records, broken)
    if records + broken == 0:
        raise FileRejected(
            name,
            "the file has a header but no records; it is not loaded and the month's previously loaded rows are kept "
            "(rows leave the warehouse only through a re-delivery with records or an explicit retraction)",
            2,
        )
    return StagedFile(dialect, tuple(names), records, broken, digest.hexdigest(), size)


class _Lines:
    """The text of the physical lines for :func:`csv.reader`, remembering the last line number read."""

    def __init__(self, lines: Iterator[tuple[int, str]]) -> None:
        self._lines = lines
        self.last = 1  # the header

    def __iter__(self) -> Iterator[str]:
        for number, text in self._lines:
            self.last = number
            yield text


def _read_records(
    conn: duckdb.DuckDBPyConnection,
    physical: Iterator[tuple[int, str]],
    file_name: str,
    names: list[str],
    identifiers: list[int],
    dialect: Dialect,
    prefix: str,
    limits: Limits,
    check: Callable[[int, int], None],
) -> tuple[int, int]:
    """Parse the records after the header into the staging tables; return (records, broken) counts.

    Of a broken record, only the fields at the identifier columns' positions are kept
    (``{prefix}_broken_ids``), so that the same values elsewhere are known as identifiers.
    ``check(records, broken)`` runs after the first batch, to refuse a file of garbage early.
    """
    previous_limit = csv.field_size_limit(limits.max_line_bytes)  # bounds a runaway quoted field
    try:
        return _parse_records(conn, _Lines(physical), file_name, names, identifiers, dialect, prefix, limits, check)
    finally:
        csv.field_size_limit(previous_limit)


def _parse_records(
    conn, lines: _Lines, file_name, names, identifiers, dialect, prefix, limits, check
) -> tuple[int, int]:
    """The body of :func:`_read_records` (same arguments, ``lines`` wrapped to remember line numbers)."""
    reader = csv.reader(lines, delimiter=dialect.delimiter, quotechar='"', doublequote=True, strict=True)
    width = len(names)
    good: list[list] = [[] for _ in range(width + 1)]
    bad: list[list] = [[], []]
    bad_ids: list[list] = [[], []]
    records = broken = 0
    while True:
        start = lines.last + 1  # the reader never reads ahead: the next record starts on the next line
        try:
            fields = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            raise FileRejected(file_name, _split_problem(str(exc), start, lines.last, limits), start) from None
        if not fields:  # a blank line is not a record
            continue
        if len(fields) == width:
            good[0].append(start)
            for i, value in enumerate(fields, start=1):
                good[i].append(value)
            records += 1
            if records % BATCH_RECORDS == 0:
                _append(conn, f"{prefix}_text", good, ["_line", *names])
                good = [[] for _ in range(width + 1)]
                if records == BATCH_RECORDS:
                    check(records, broken)
        else:
            bad[0].append(start)
            bad[1].append(f"record has {len(fields)} fields, the header has {width}")
            bad_ids[0] += [start for i in identifiers if i < len(fields)]
            bad_ids[1] += [fields[i] for i in identifiers if i < len(fields)]
            broken += 1
            if broken > limits.max_broken_rows:
                raise FileRejected(
                    file_name,
                    f"more than {limits.max_broken_rows} records do not have the header's {width} fields "
                    f"(first at line {bad[0][0]}): not a contract export",
                    bad[0][0],
                )
    if good[0]:
        _append(conn, f"{prefix}_text", good, ["_line", *names])
    if bad[0]:
        _append(conn, f"{prefix}_broken", bad, ["_line", "message"])
        _append(conn, f"{prefix}_broken_ids", bad_ids, ["_line", "value"])
    return records, broken


def unreadable_sql(contract: FileContract, dialect: Dialect, source: str) -> str:
    """SELECT count(*), min(_line) of the records of ``source`` with a value that does not read as its type."""
    conditions = " OR ".join(
        f"({_quote(c.name)} <> '' AND ({_typed_expr(c, dialect)}) IS NULL)"
        for c in contract.columns
        if c.type != "string"
    )
    return f"SELECT count(*), min(_line) FROM {source} WHERE {conditions}"


def _check_readable(
    conn: duckdb.DuckDBPyConnection,
    contract: FileContract,
    dialect: Dialect,
    prefix: str,
    records: int,
    broken: int,
    limits: Limits,
) -> None:
    """Reject a file most of whose records cannot be read (more than ``max_broken_rows``, and over half)."""
    ((bad, first),) = conn.execute(unreadable_sql(contract, dialect, f"{prefix}_text")).fetchall()
    if bad + broken > limits.max_broken_rows and 2 * (bad + broken) > records + broken:
        raise FileRejected(
            contract.file_name,
            f"{bad + broken} of the {records + broken} records checked are unreadable (values not of their column's "
            f"type or a wrong number of fields; first at line {first}): not a contract export",
            first,
        )


def _split_problem(error: str, start: int, current: int, limits: Limits) -> str:
    """The file-level problem for a :class:`csv.Error` in the record starting at line ``start``."""
    if "unexpected end of data" in error:
        return (
            f"unterminated quote in the record starting at line {start}: the quoted field is never closed "
            "and would swallow the rest of the file"
        )
    if "field larger than field limit" in error:
        return (
            f"a quoted field in the record starting at line {start} runs past {limits.max_line_bytes} bytes "
            f"(line {current}): probably an unterminated quote"
        )
    if "expected after" in error:
        return f"line {current} cannot be split: text follows a closing quote (record starting at line {start})"
    if "NUL" in error:
        return f"line {current} contains a NUL byte (record starting at line {start})"
    return f"the record starting at line {start} cannot be split (csv: {error.split(':')[0]})"


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def _literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _text(column: Column) -> str:
    """The column's text, NULL when the cell is empty (no trimming: values are read exactly)."""
    return f"nullif({_quote(column.name)}, '')"


def _typed_expr(column: Column, dialect: Dialect) -> str:
    raw = _text(column)
    if column.type == "string":
        return raw
    if column.type == "bool":
        trues = ", ".join(_literal(t) for t in TRUE_TOKENS)
        falses = ", ".join(_literal(t) for t in FALSE_TOKENS)
        return f"CASE WHEN lower({raw}) IN ({trues}) THEN true WHEN lower({raw}) IN ({falses}) THEN false END"
    if column.type == "int":
        return f"CASE WHEN regexp_full_match({raw}, '{INT_PATTERN}') THEN TRY_CAST({raw} AS BIGINT) END"
    if column.type == "float":
        text = f"replace({raw}, ',', '.')" if dialect.decimal_comma else raw
        number = f"TRY_CAST({text} AS DOUBLE)"
        return f"CASE WHEN regexp_full_match({raw}, '{dialect.float_pattern}') AND isfinite({number}) THEN {number} END"
    if column.type == "date":
        return f"CASE WHEN regexp_full_match({raw}, '{DATE_PATTERN}') THEN TRY_CAST({raw} AS DATE) END"
    return (  # timestamp: an offset is converted to UTC, never dropped
        f"CASE WHEN regexp_full_match({raw}, '{TIMESTAMP_PATTERN}{OFFSET_PATTERN}') "
        f"THEN timezone('UTC', TRY_CAST({raw} AS TIMESTAMPTZ)) "
        f"WHEN regexp_full_match({raw}, '{TIMESTAMP_PATTERN}') THEN TRY_CAST({raw} AS TIMESTAMP) END"
    )


def typed_select(contract: FileContract, dialect: Dialect, source: str) -> str:
    """SELECT that casts every contract column of ``source`` (keeps ``_line``)."""
    casts = ",\n    ".join(f"{_typed_expr(c, dialect)} AS {_quote(c.name)}" for c in contract.columns)
    return f"SELECT _line,\n    {casts}\nFROM {source}"


TYPE_MESSAGES: dict[str, str] = {
    "bool": "not a valid bool (true/false, yes/no, y/n, 1/0)",
    "int": "not a valid int (digits with an optional minus sign; no decimals, exponents or separators)",
    "float": "not a valid float (decimal notation with the file's decimal mark, optional exponent; no NaN/Inf)",
    "date": "not a valid date (YYYY-MM-DD)",
    "timestamp": "not a valid timestamp (ISO 8601, e.g. 2025-03-09T10:15:00+01:00)",
}


def type_violations_select(contract: FileContract, text: str, typed: str) -> str:
    """UNION ALL of the parser's rules on every typed column: rows (_line, column_name, value, rule, message).

    ``type``: a value present that does not read exactly as the column's type;
    ``range``: a timestamp outside 1900-2100. ``value`` is the file's text (identifier
    values are pseudonymised when quarantined, see :mod:`mg_platform.analysis.ingest`).
    """
    parts = []
    low, high = TIMESTAMP_YEARS
    for column in contract.columns:
        if column.type == "string":
            continue
        name = _quote(column.name)
        select = f"SELECT t._line, {_literal(column.name)} AS column_name, t.{name} AS value"
        source = f"FROM {text} t JOIN {typed} y USING (_line)"
        parts.append(
            f"{select}, 'type' AS rule, {_literal(TYPE_MESSAGES[column.type])} AS message {source} "
            f"WHERE t.{name} <> '' AND y.{name} IS NULL"
        )
        if column.type == "timestamp":
            parts.append(
                f"{select}, 'range' AS rule, 'timestamp year outside {low}-{high} (UTC)' AS message {source} "
                f"WHERE year(y.{name}) NOT BETWEEN {low} AND {high}"
            )
    return "\nUNION ALL\n".join(parts)


def value_by_column_sql(contract: FileContract, selector: str, alias: str) -> str:
    """CASE expression: the text value (row ``alias``) of the column named by ``selector``."""
    branches = " ".join(f"WHEN {_literal(c.name)} THEN {alias}.{_quote(c.name)}" for c in contract.columns)
    return f"CASE {selector} {branches} END"

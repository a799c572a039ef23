"""Typed loading of one landed CSV file inside DuckDB (no Python row loops).

Pipeline for one file, all SQL generated from :mod:`mg_platform.analysis.contract`:

1. :func:`inspect_header` reads only the header line: UTF-8 (BOM allowed),
   dialect (``,`` or ``;`` with decimal comma), exact column set.
2. :func:`stage_file` reads every row as text with DuckDB's ``read_csv``
   (RFC 4180 quoting); structurally broken rows (wrong field count, bad quoting)
   are captured by DuckDB's reject tables with their line numbers.
3. :func:`typed_select` casts each column per the contract (booleans from
   true/false, yes/no, y/n, 1/0 in any case; dates strictly YYYY-MM-DD) and
   :func:`type_violations_select` lists every value that does not cast, as
   (line, column, value, rule, message). This SQL is the parser; every other
   value rule is decided by the Great Expectations suites on the typed rows.

Line numbers are physical lines of the file (header = line 1), assuming no
quoted field spans several lines.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb

from mg_platform.analysis.contract import FALSE_TOKENS, TRUE_TOKENS, Column, FileContract


class FileRejected(ValueError):
    """A file-level contract failure: the whole file is rejected."""

    def __init__(self, file_name: str, problem: str) -> None:
        super().__init__(f"{file_name}: {problem}")
        self.file_name = file_name
        self.problem = problem


@dataclass(frozen=True)
class Dialect:
    """CSV dialect of a landed file."""

    delimiter: str
    decimal_comma: bool

    @property
    def name(self) -> str:
        return "semicolon-decimal-comma" if self.decimal_comma else "comma"


COMMA = Dialect(",", decimal_comma=False)
SEMICOLON = Dialect(";", decimal_comma=True)


def inspect_header(path: Path, contract: FileContract) -> tuple[Dialect, list[str]]:
    """Detect the dialect from the header line and check the column set.

    Raises :class:`FileRejected` for a missing or unreadable file, a file that is
    not UTF-8 (any line), an empty file, an unknown, duplicated or missing column.
    """
    if not path.is_file():
        raise FileRejected(contract.file_name, "file is missing from the month folder")
    try:
        with path.open("rb") as handle:
            first = handle.readline()
            header = first.decode("utf-8-sig").rstrip("\r\n")
            _check_utf8(handle, contract.file_name)
    except UnicodeDecodeError as exc:
        raise FileRejected(contract.file_name, f"not valid UTF-8 in the header line ({exc})") from exc
    except OSError as exc:
        raise FileRejected(contract.file_name, f"unreadable file ({exc.__class__.__name__}: {exc})") from exc
    if not header.strip():
        raise FileRejected(contract.file_name, "empty file or empty header line")
    dialect = SEMICOLON if ";" in header and "," not in header else COMMA
    names = [n.strip().strip('"').strip() for n in header.split(dialect.delimiter)]
    expected = set(contract.column_names)
    unknown = [n for n in names if n not in expected]
    missing = [n for n in contract.column_names if n not in names]
    duplicated = sorted({n for n in names if names.count(n) > 1})
    problems = []
    if missing:
        problems.append(f"missing column(s) {', '.join(missing)}")
    if unknown:
        problems.append(f"unknown column(s) {', '.join(unknown)}")
    if duplicated:
        problems.append(f"duplicated column(s) {', '.join(duplicated)}")
    if problems:
        raise FileRejected(contract.file_name, "wrong header: " + "; ".join(problems))
    return dialect, names


def _check_utf8(handle, file_name: str) -> None:
    """Reject the file at the first line (after the header) that is not valid UTF-8."""
    for number, line in enumerate(handle, start=2):
        try:
            line.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise FileRejected(
                file_name, f"not valid UTF-8: byte 0x{line[exc.start]:02x} at line {number}, position {exc.start + 1}"
            ) from exc


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def _literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def stage_file(
    conn: duckdb.DuckDBPyConnection, path: Path, contract: FileContract, dialect: Dialect, names: list[str], prefix: str
) -> None:
    """Create temp tables ``{prefix}_text`` (one row per accepted line, all VARCHAR,
    with ``_line``) and ``{prefix}_broken`` (line, message) for unparseable lines."""
    columns = "{" + ", ".join(f"{_literal(n)}: 'VARCHAR'" for n in names) + "}"
    conn.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE {prefix}_read AS
        SELECT * FROM read_csv({_literal(str(path))}, auto_detect=false, header=true,
            delim={_literal(dialect.delimiter)}, quote='"', escape='"', columns={columns},
            store_rejects=true, rejects_table='{prefix}_rejects', rejects_scan='{prefix}_scan',
            max_line_size=1048576) WITH ORDINALITY
        """
    )
    conn.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE {prefix}_broken AS
        SELECT line AS _line, min(error_type || ': ' || error_message) AS message, min(csv_line) AS value
        FROM {prefix}_rejects GROUP BY line
        """
    )
    conn.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE {prefix}_text AS
        WITH all_lines AS (
            SELECT range + 2 AS _line FROM range((SELECT count(*) FROM {prefix}_read)
                                               + (SELECT count(*) FROM {prefix}_broken))
        ), good_lines AS (
            SELECT _line, row_number() OVER (ORDER BY _line) AS ordinality
            FROM all_lines WHERE _line NOT IN (SELECT _line FROM {prefix}_broken)
        )
        SELECT g._line, r.* EXCLUDE (ordinality) FROM {prefix}_read r JOIN good_lines g USING (ordinality)
        """
    )
    conn.execute(f"DROP TABLE {prefix}_rejects; DROP TABLE {prefix}_scan; DROP TABLE {prefix}_read")


def _clean(column: Column) -> str:
    return f"nullif(trim({_quote(column.name)}), '')"


def _typed_expr(column: Column, dialect: Dialect) -> str:
    raw = _clean(column)
    if column.type == "string":
        return raw
    if column.type == "bool":
        trues = ", ".join(_literal(t) for t in TRUE_TOKENS)
        falses = ", ".join(_literal(t) for t in FALSE_TOKENS)
        return f"CASE WHEN lower({raw}) IN ({trues}) THEN true WHEN lower({raw}) IN ({falses}) THEN false END"
    if column.type == "date":
        return f"CAST(try_strptime({raw}, '%Y-%m-%d') AS DATE)"
    if column.type == "float" and dialect.decimal_comma:
        return f"TRY_CAST(replace({raw}, ',', '.') AS DOUBLE)"
    return f"TRY_CAST({raw} AS {column.duckdb_type})"


def typed_select(contract: FileContract, dialect: Dialect, source: str) -> str:
    """SELECT that casts every contract column of ``source`` (keeps ``_line``)."""
    casts = ",\n    ".join(f"{_typed_expr(c, dialect)} AS {_quote(c.name)}" for c in contract.columns)
    return f"SELECT _line,\n    {casts}\nFROM {source}"


def type_rule(column: Column) -> tuple[str, str]:
    """(SQL condition on text ``t`` joined with typed ``y``, message): a value present but not castable."""
    raw = _clean(column).replace(_quote(column.name), f"t.{_quote(column.name)}")
    message = f"not a valid {column.type}" + (" (true/false, yes/no, y/n, 1/0)" if column.type == "bool" else "")
    return f"{raw} IS NOT NULL AND y.{_quote(column.name)} IS NULL", message


def type_violations_select(contract: FileContract, text: str, typed: str) -> str:
    """UNION ALL of the ``type`` rule of every typed column: rows (_line, column, value, rule, message).

    The other value rules (missing, range, allowed values, keys) are decided by the
    Great Expectations suites on the typed rows (:mod:`mg_platform.analysis.quality`).
    """
    parts = []
    for column in contract.columns:
        if column.type == "string":
            continue
        condition, message = type_rule(column)
        value = "NULL" if column.identifier else f"t.{_quote(column.name)}"
        parts.append(
            f"SELECT t._line, {_literal(column.name)} AS column_name, {value} AS value, "
            f"'type' AS rule, {_literal(message)} AS message "
            f"FROM {text} t JOIN {typed} y USING (_line) WHERE {condition}"
        )
    return "\nUNION ALL\n".join(parts)


def value_by_column_sql(contract: FileContract, selector: str, alias: str) -> str:
    """CASE expression: the text value (row ``alias``) of the column named by ``selector`` (NULL for identifiers)."""
    branches = " ".join(
        f"WHEN {_literal(c.name)} THEN {alias}.{_quote(c.name)}" for c in contract.columns if not c.identifier
    )
    return f"CASE {selector} {branches} END"

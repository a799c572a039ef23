"""Typed loading of one landed CSV file inside DuckDB (no Python row loops).

Pipeline for one file, all SQL generated from :mod:`mg_platform.analysis.contract`:

1. :func:`inspect_header` reads only the header line: UTF-8 (BOM allowed),
   dialect (``,`` or ``;`` with decimal comma), exact column set.
2. :func:`stage_file` reads every row as text with DuckDB's ``read_csv``
   (RFC 4180 quoting); structurally broken rows (wrong field count, bad quoting)
   are captured by DuckDB's reject tables with their line numbers.
3. :func:`typed_select` casts each column per the contract (booleans from
   true/false, yes/no, y/n, 1/0 in any case; dates strictly YYYY-MM-DD) and
   :func:`violations_select` lists every typing, missing-value and row rule a
   row breaks, as (line, column, value, rule, message).

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

    Raises :class:`FileRejected` for a missing or unreadable file, a non-UTF-8
    header, an unknown, duplicated or missing column.
    """
    if not path.is_file():
        raise FileRejected(contract.file_name, "file is missing from the month folder")
    try:
        with path.open("rb") as handle:
            first = handle.readline()
        header = first.decode("utf-8-sig").rstrip("\r\n")
    except (OSError, UnicodeDecodeError) as exc:
        raise FileRejected(contract.file_name, f"unreadable header ({exc.__class__.__name__}: {exc})") from exc
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


def _range_rule(column: Column) -> tuple[str, str] | None:
    name = _quote(column.name)
    parts, words = [], []
    if column.minimum is not None:
        op = ">" if column.exclusive_minimum else ">="
        parts.append(f"{name} {op} {column.minimum}")
        words.append(f"{op} {column.minimum:g}")
    if column.maximum is not None:
        parts.append(f"{name} <= {column.maximum}")
        words.append(f"<= {column.maximum:g}")
    if not parts:
        return None
    return f"{name} IS NOT NULL AND NOT ({' AND '.join(parts)})", "must be " + " and ".join(words)


def _allowed_rule(column: Column) -> tuple[str, str] | None:
    if column.allowed is None:
        return None
    values = ", ".join(_literal(v) if isinstance(v, str) else str(v) for v in column.allowed)
    shown = ", ".join(str(v) for v in column.allowed)
    return f"{_quote(column.name)} IS NOT NULL AND {_quote(column.name)} NOT IN ({values})", f"must be one of {shown}"


def column_rules(column: Column, dialect: Dialect) -> list[tuple[str, str, str]]:
    """(rule key, SQL condition on text ``t`` joined with typed ``y``, message) for one column."""
    raw = _clean(column).replace(_quote(column.name), f"t.{_quote(column.name)}")
    typed = f"y.{_quote(column.name)}"
    rules = [
        (
            "type",
            f"{raw} IS NOT NULL AND {typed} IS NULL",
            f"not a valid {column.type}" + (" (true/false, yes/no, y/n, 1/0)" if column.type == "bool" else ""),
        )
    ]
    if not column.nullable:
        rules.append(("missing", f"{raw} IS NULL", "required value is missing"))
    for rule_key, rule in (("range", _range_rule(column)), ("allowed_values", _allowed_rule(column))):
        if rule:
            rules.append((rule_key, rule[0].replace(_quote(column.name), typed), rule[1]))
    return rules


def violations_select(contract: FileContract, dialect: Dialect, text: str, typed: str) -> str:
    """UNION ALL of every per-column rule: rows (_line, column, value, rule, message)."""
    parts = []
    for column in contract.columns:
        for rule_key, condition, message in column_rules(column, dialect):
            value = "NULL" if column.identifier else f"t.{_quote(column.name)}"
            parts.append(
                f"SELECT t._line, {_literal(column.name)} AS column_name, {value} AS value, "
                f"{_literal(rule_key)} AS rule, {_literal(message)} AS message "
                f"FROM {text} t JOIN {typed} y USING (_line) WHERE {condition}"
            )
    return "\nUNION ALL\n".join(parts)

"""Great Expectations 1.x suites built in code from :mod:`mg_platform.analysis.contract`.

The suites validate the typed candidate rows of one landed file (a pandas frame
from the typed temp table, with ``_line``). Identifiers are validated through
their pseudonyms (``case_key``, ``patient_key``) so that no clear identifier ever
reaches GX results, metadata or reports; uniqueness and membership are the same
on HMAC pseudonyms as on the clear values.

Every expectation carries ``meta = {"rule", "column", "message"}`` (the rule keys
of :mod:`.rules`, the contract column name) and a GX ``severity``: ``critical``
for error-level rules, ``warning`` for warnings. GX is imported lazily (the
import costs ~3 s), never at module level.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pandas as pd

from mg_platform.analysis.contract import MGSO4_PROTOCOL, PACU_PAIN_SCORES, PERIOPERATIVE_RECORDS, Column, FileContract

PSEUDONYM_COLUMNS: dict[str, str] = {"case_id": "case_key", "mrn": "patient_key"}
"""Identifier column of the contract -> its pseudonym column in the validated frame."""

TYPE_FAMILIES: dict[str, str] = {
    "string": "string",
    "int": "integer",
    "float": "float",
    "bool": "boolean",
    "date": "datetime",
    "timestamp": "datetime",
}

CRITICAL, WARNING = "critical", "warning"


def frame_column(column: Column) -> str:
    """Name of a contract column in the validated frame (identifiers become pseudonyms)."""
    return PSEUDONYM_COLUMNS.get(column.name, column.name)


CASE_HAS_RECORD = "case_has_record"
"""Derived column of the pain-score frame: True when its case_key is an accepted record of the month.

Computed by a join before validation, so that the orphan expectation does not carry
every accepted case key in its ``value_set`` (GX serialises an expectation's
configuration many times per validation: a 100 000-key set made a month take minutes).
"""


def frame_columns(contract: FileContract) -> list[str]:
    """Columns of the validated frame, in order: ``_line``, the contract's columns, derived columns."""
    derived = [CASE_HAS_RECORD] if contract is PACU_PAIN_SCORES else []
    return ["_line", *(frame_column(c) for c in contract.columns), *derived]


def dtype_family(dtype) -> str:
    """Family of a pandas dtype as the typed loader produces it (nullable variants included)."""
    from pandas.api import types

    if types.is_bool_dtype(dtype):
        return "boolean"
    if types.is_integer_dtype(dtype):
        return "integer"
    if types.is_float_dtype(dtype):
        return "float"
    if types.is_datetime64_any_dtype(dtype):
        return "datetime"
    if types.is_string_dtype(dtype) or types.is_object_dtype(dtype):
        return "string"
    return str(dtype)


def schema_frame(frame: pd.DataFrame, contract: FileContract) -> pd.DataFrame:
    """One row per contract column: its expected and its observed type family in ``frame``.

    GX costs ~10 ms per expectation whatever the row count, so the column types
    are validated as one expectation over this frame instead of one per column.
    """
    rows = []
    for column in contract.columns:
        name = frame_column(column)
        observed = dtype_family(frame[name].dtype) if name in frame.columns else "absent"
        rows.append({"column": column.name, "expected_type": TYPE_FAMILIES[column.type], "observed_type": observed})
    return pd.DataFrame(rows)


def schema_suite(contract: FileContract):
    """Column types of the typed candidate rows equal the contract's (validated on :func:`schema_frame`)."""
    import great_expectations as gx

    gxe = _gxe()
    return gx.ExpectationSuite(
        name=f"{contract.table}_schema",
        expectations=[
            gxe.ExpectColumnPairValuesToBeEqual(
                column_A="observed_type",
                column_B="expected_type",
                severity=CRITICAL,
                **_meta("schema", "*", "typed column has the contract's type"),
            )
        ],
    )


def month_window(month: str) -> tuple[datetime, datetime]:
    """First and last day of a YYYY-MM month (inclusive)."""
    start = pd.Period(month, freq="M")
    return start.start_time.to_pydatetime(), start.end_time.normalize().to_pydatetime()


def _gxe():
    import great_expectations.expectations as gxe

    return gxe


def _meta(rule: str, column: str, message: str) -> dict[str, Any]:
    return {"meta": {"rule": rule, "column": column, "message": message}}


def _range_words(column: Column) -> str:
    words = []
    if column.minimum is not None:
        words.append(f"{'>' if column.exclusive_minimum else '>='} {column.minimum:g}")
    if column.maximum is not None:
        words.append(f"<= {column.maximum:g}")
    return "must be " + " and ".join(words)


def column_expectations(contract: FileContract) -> list:
    """Column set, missing, range, allowed-value and plausibility expectations of every column."""
    gxe = _gxe()
    out = [
        gxe.ExpectTableColumnsToMatchOrderedList(
            column_list=frame_columns(contract), severity=CRITICAL, **_meta("schema", "*", "columns match the contract")
        )
    ]
    for column in contract.columns:
        name = frame_column(column)
        if not column.nullable:
            out.append(
                gxe.ExpectColumnValuesToNotBeNull(
                    column=name, severity=CRITICAL, **_meta("missing", column.name, "required value is missing")
                )
            )
        if column.minimum is not None or column.maximum is not None:
            out.append(
                gxe.ExpectColumnValuesToBeBetween(
                    column=name,
                    min_value=column.minimum,
                    max_value=column.maximum,
                    strict_min=column.exclusive_minimum,
                    severity=CRITICAL,
                    **_meta("range", column.name, _range_words(column)),
                )
            )
        if column.allowed is not None:
            shown = ", ".join(str(v) for v in column.allowed)
            out.append(
                gxe.ExpectColumnValuesToBeInSet(
                    column=name,
                    value_set=list(column.allowed),
                    severity=CRITICAL,
                    **_meta("allowed_values", column.name, f"must be one of {shown}"),
                )
            )
        if column.plausible_max is not None:
            out.append(
                gxe.ExpectColumnValuesToBeBetween(
                    column=name,
                    max_value=column.plausible_max,
                    severity=WARNING,
                    **_meta(
                        "plausibility",
                        column.name,
                        f"above the plausible maximum of {column.plausible_max:g} {column.unit}".rstrip(),
                    ),
                )
            )
    return out


def protocol_expectations() -> list:
    """MgSO4 doses present exactly when given, and near the protocol (warnings)."""
    from great_expectations.expectations.row_conditions import Column as GxColumn

    gxe = _gxe()
    given = GxColumn(MGSO4_PROTOCOL.flag_column) == True  # noqa: E712 - builds a GX condition, not a bool
    not_given = GxColumn(MGSO4_PROTOCOL.flag_column) == False  # noqa: E712
    tolerance = MGSO4_PROTOCOL.relative_tolerance
    out = []
    for dose, expected in MGSO4_PROTOCOL.doses:
        low, high = expected * (1 - tolerance), expected * (1 + tolerance)
        out += [
            gxe.ExpectColumnValuesToNotBeNull(
                column=dose,
                row_condition=given,
                severity=WARNING,
                **_meta("mgso4_dose_presence", dose, "dose missing although MgSO4 was administered"),
            ),
            gxe.ExpectColumnValuesToBeInSet(
                column=dose,
                value_set=[0, 0.0],
                row_condition=not_given,
                severity=WARNING,
                **_meta("mgso4_dose_presence", dose, "dose recorded although MgSO4 was not administered"),
            ),
            gxe.ExpectColumnValuesToBeBetween(
                column=dose,
                min_value=low,
                max_value=high,
                row_condition=given,
                severity=WARNING,
                **_meta(
                    "mgso4_dose_protocol",
                    dose,
                    f"outside the protocol {expected:g} ± {tolerance:.0%} ({low:g}-{high:g})",
                ),
            ),
        ]
    return out


def records_suite(month: str):
    """The perioperative-records suite for one partition month."""
    import great_expectations as gx

    gxe = _gxe()
    first, last = month_window(month)
    expectations = [
        *column_expectations(PERIOPERATIVE_RECORDS),
        gxe.ExpectColumnValuesToBeUnique(
            column="case_key",
            severity=CRITICAL,
            **_meta("duplicate_key", "case_id", "case_id occurs more than once in this file"),
        ),
        gxe.ExpectColumnValuesToBeBetween(
            column="surgery_date",
            min_value=first,
            max_value=last,
            severity=CRITICAL,
            **_meta("date_outside_month", "surgery_date", f"surgery_date is outside the partition month {month}"),
        ),
        *protocol_expectations(),
    ]
    return gx.ExpectationSuite(name=f"perioperative_records_{month}", expectations=expectations)


def pain_suite(month: str):
    """The PACU pain-score suite for one month (the frame carries :data:`CASE_HAS_RECORD`)."""
    import great_expectations as gx

    gxe = _gxe()
    expectations = [
        *column_expectations(PACU_PAIN_SCORES),
        gxe.ExpectCompoundColumnsToBeUnique(
            column_list=["case_key", "minute"],
            severity=CRITICAL,
            **_meta("duplicate_key", "case_id", "(case_id, minute) occurs more than once in this file"),
        ),
        gxe.ExpectColumnValuesToBeInSet(
            column=CASE_HAS_RECORD,
            value_set=[True],
            severity=CRITICAL,
            **_meta("orphan_pain_score", "case_id", "no accepted perioperative record of this month has this case_id"),
        ),
    ]
    return gx.ExpectationSuite(name=f"pain_scores_{month}", expectations=expectations)


def cross_month_suite():
    """Uniqueness of case_id over every month of raw.perioperative_records (warning: staging rejects)."""
    import great_expectations as gx

    gxe = _gxe()
    return gx.ExpectationSuite(
        name="perioperative_records_all_months",
        expectations=[
            gxe.ExpectColumnValuesToBeUnique(
                column="case_key",
                severity=WARNING,
                **_meta("duplicate_key_across_months", "case_id", "case_id delivered in more than one month"),
            )
        ],
    )


def suite_for(contract: FileContract, month: str):
    """The suite of one landed file."""
    if contract is PERIOPERATIVE_RECORDS:
        return records_suite(month)
    return pain_suite(month)

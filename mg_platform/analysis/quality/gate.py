"""Run a GX suite on a pandas frame and turn the result into row findings.

One ephemeral GX context per process (:func:`quality_gate`), hence once per
Dagster run step, reused for every month and file. Results use
``result_format=COMPLETE`` with ``unexpected_index_column_names`` (``_line``) so
that GX names the failing lines.
"""

from __future__ import annotations

import functools
import os
import time
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from mg_platform.analysis.quality.suites import PSEUDONYM_COLUMNS

IDENTIFIER_COLUMNS = frozenset(PSEUDONYM_COLUMNS)


@dataclass(frozen=True)
class Finding:
    """One failing (row, column) of one expectation. ``value`` is None for identifiers."""

    index: tuple[Any, ...]
    column: str
    rule: str
    level: str
    message: str
    value: Any = None

    @property
    def line(self) -> int:
        """The physical line, when the frame was indexed by ``_line``."""
        return int(self.index[0])


@dataclass(frozen=True)
class ExpectationOutcome:
    """One expectation's result, for metadata and reports."""

    expectation: str
    rule: str
    level: str
    column: str
    success: bool
    element_count: int | None
    unexpected_count: int | None
    message: str


@dataclass
class Validation:
    """A suite's outcome on one frame."""

    suite: str
    rows_checked: int
    outcomes: list[ExpectationOutcome] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    seconds: float = 0.0

    def of_level(self, level: str) -> list[Finding]:
        return [f for f in self.findings if f.level == level]

    @property
    def schema_failures(self) -> list[ExpectationOutcome]:
        return [o for o in self.outcomes if o.rule == "schema" and not o.success]


def _plain(value: Any) -> Any:
    if value is None or value is pd.NA:
        return None
    if hasattr(value, "item"):
        return value.item()
    return value


class QualityGate:
    """An ephemeral GX context with one pandas dataframe asset, reused for every validation."""

    def __init__(self) -> None:
        os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
        import great_expectations as gx

        self.context = gx.get_context(mode="ephemeral")
        self.context.variables.progress_bars = {"globally": False, "metric_calculations": False}
        source = self.context.data_sources.add_pandas("mg_platform_raw")
        self._batch_definition = source.add_dataframe_asset(
            "typed_candidate_rows"
        ).add_batch_definition_whole_dataframe("whole_frame")

    def validate(self, frame: pd.DataFrame, suite, index_columns: tuple[str, ...] = ("_line",)) -> Validation:
        """Validate ``frame`` with ``suite``; failing rows become findings keyed by ``index_columns``."""
        started = time.perf_counter()
        batch = self._batch_definition.get_batch(batch_parameters={"dataframe": frame})
        result = batch.validate(
            suite,
            result_format={
                "result_format": "COMPLETE",
                "unexpected_index_column_names": list(index_columns),
                "return_unexpected_index_query": False,
            },
        )
        validation = Validation(suite=suite.name, rows_checked=len(frame))
        for r in result.results:
            config = r.expectation_config
            meta = config.meta or {}
            severity = getattr(config, "severity", None)
            level = "warning" if getattr(severity, "value", severity) == "warning" else "error"
            column = meta.get("column", config.kwargs.get("column", "*"))
            details = r.result or {}
            if r.exception_info and r.exception_info.get("raised_exception"):
                raise RuntimeError(f"GX expectation {config.type} on {column} raised: {r.exception_info}")
            validation.outcomes.append(
                ExpectationOutcome(
                    expectation=config.type,
                    rule=meta.get("rule", config.type),
                    level=level,
                    column=column,
                    success=bool(r.success),
                    element_count=details.get("element_count"),
                    unexpected_count=details.get("unexpected_count"),
                    message=meta.get("message", ""),
                )
            )
            if r.success:
                continue
            value_column = config.kwargs.get("column") or config.kwargs.get("column_A")
            for entry in details.get("unexpected_index_list") or []:
                validation.findings.append(
                    Finding(
                        index=tuple(_plain(entry[c]) for c in index_columns),
                        column=column,
                        rule=meta.get("rule", config.type),
                        level=level,
                        message=f"{config.type}: {meta.get('message', '')}",
                        value=None if column in IDENTIFIER_COLUMNS else _plain(entry.get(value_column)),
                    )
                )
        validation.seconds = time.perf_counter() - started
        return validation


@functools.cache
def quality_gate() -> QualityGate:
    """The process-wide gate: the GX import and context creation happen once."""
    return QualityGate()

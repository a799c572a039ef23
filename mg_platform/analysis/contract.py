"""The raw-records contract (../shared/contracts/raw-records.md) as data.

This module is the single source of truth for column names, types, ranges,
allowed values and missing-value rules. The typed loader (``records.py``) and
the Great Expectations suites (``quality/suites.py``) are both derived from it:
types, missing-value rules, ranges and allowed values are error-level rules
(the row is quarantined); ``plausible_max`` and :data:`MGSO4_PROTOCOL` are
warning-level rules (the row passes, the warning is reported).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

ColumnType = Literal["string", "int", "float", "bool", "date", "timestamp"]

DUCKDB_TYPES: dict[str, str] = {
    "string": "VARCHAR",
    "int": "BIGINT",
    "float": "DOUBLE",
    "bool": "BOOLEAN",
    "date": "DATE",
    "timestamp": "TIMESTAMP",
}

TRUE_TOKENS = ("true", "yes", "y", "1")
FALSE_TOKENS = ("false", "no", "n", "0")


@dataclass(frozen=True)
class Column:
    """One contract column.

    ``minimum``/``maximum`` are inclusive bounds; ``exclusive_minimum`` makes the
    lower bound strict (``> 0``). ``allowed`` lists permitted values.
    ``identifier`` columns are pseudonymised at ingest. ``plausible_max`` is a
    warning threshold, not a contract limit: larger values load but are reported.
    """

    name: str
    type: ColumnType
    nullable: bool = False
    minimum: float | None = None
    maximum: float | None = None
    exclusive_minimum: bool = False
    allowed: tuple[str | int, ...] | None = None
    identifier: bool = False
    unit: str = ""
    plausible_max: float | None = None

    @property
    def duckdb_type(self) -> str:
        return DUCKDB_TYPES[self.type]


@dataclass(frozen=True)
class FileContract:
    """A landed file: its name, its columns in canonical order, its keys."""

    table: str
    file_name: str
    columns: tuple[Column, ...]
    unique_key: tuple[str, ...]

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


def _flag(name: str) -> Column:
    return Column(name, "bool")


PERIOPERATIVE_RECORDS = FileContract(
    table="perioperative_records",
    file_name="perioperative_records.csv",
    unique_key=("case_id",),
    columns=(
        Column("case_id", "string", identifier=True),
        Column("mrn", "string", identifier=True),
        Column("surgery_date", "date"),
        Column("procedure", "string"),
        Column("levels_operated", "int", minimum=1),
        Column("disc_level", "string", allowed=("L3-L4", "L4-L5", "L5-S1")),
        _flag("elective"),
        Column("surgeon_id", "string"),
        Column("anesthesiologist_id", "string"),
        Column("age_years", "int", minimum=0, maximum=120, unit="years"),
        Column("sex", "string", allowed=("F", "M")),
        Column("weight_kg", "float", minimum=30, maximum=250, unit="kg"),
        Column("height_cm", "float", minimum=120, maximum=230, unit="cm"),
        Column("asa_class", "int", minimum=1, maximum=5),
        Column("creatinine_clearance_ml_min", "float", nullable=True, minimum=0, unit="mL/min"),
        _flag("neuromuscular_disorder"),
        Column("chronic_opioid_use_months", "float", minimum=0, unit="months"),
        _flag("pregnant"),
        _flag("repeat_spinal_surgery"),
        _flag("av_block_or_arrhythmia"),
        _flag("interacting_medication"),
        _flag("contraindication_morphine_mgso4"),
        Column("preop_nrs", "int", nullable=True, minimum=0, maximum=10),
        Column("symptom_duration_months", "float", nullable=True, minimum=0, unit="months"),
        Column("comorbidities", "string", nullable=True),
        Column("preop_analgesic", "string", nullable=True),
        Column("surgery_duration_min", "float", minimum=0, exclusive_minimum=True, unit="min", plausible_max=480),
        _flag("mgso4_administered"),
        Column("mgso4_bolus_mg_per_kg", "float", nullable=True, minimum=0, unit="mg/kg"),
        Column("mgso4_infusion_mg_per_kg_h", "float", nullable=True, minimum=0, unit="mg/kg/h"),
        Column("remifentanil_total_ug", "float", nullable=True, minimum=0, unit="ug"),
        Column("extubation_time_min", "float", nullable=True, minimum=0, unit="min", plausible_max=120),
        Column("time_to_mobilization_min", "float", nullable=True, minimum=0, unit="min", plausible_max=1440),
        _flag("ae_hemodynamic_instability"),
        _flag("ae_arrhythmia"),
        _flag("ae_delayed_nm_recovery"),
        _flag("ae_respiratory_complication"),
    ),
)

PACU_PAIN_SCORES = FileContract(
    table="pain_scores",
    file_name="pacu_pain_scores.csv",
    unique_key=("case_id", "minute"),
    columns=(
        Column("case_id", "string", identifier=True),
        Column("minute", "int", allowed=(0, 5, 10, 15, 30), unit="min after PACU admission"),
        Column("nrs", "int", minimum=0, maximum=10),
        Column("recorded_at", "timestamp", nullable=True),
    ),
)

FILE_CONTRACTS: tuple[FileContract, ...] = (PERIOPERATIVE_RECORDS, PACU_PAIN_SCORES)

PAIN_MINUTES: tuple[int, ...] = (0, 5, 10, 15, 30)


@dataclass(frozen=True)
class DoseProtocol:
    """The study's MgSO4 protocol: doses expected when MgSO4 was given (warning-level rules).

    When ``mgso4_administered`` is true both doses must be present and within
    ``relative_tolerance`` of the protocol; when false they must be empty or 0.
    """

    flag_column: str = "mgso4_administered"
    doses: tuple[tuple[str, float], ...] = (("mgso4_bolus_mg_per_kg", 30.0), ("mgso4_infusion_mg_per_kg_h", 10.0))
    relative_tolerance: float = 0.10


MGSO4_PROTOCOL = DoseProtocol()

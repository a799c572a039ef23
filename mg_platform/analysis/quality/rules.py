"""Every data-quality rule of the raw layer: a stable key, its level, what decides it.

``error`` rules quarantine the row (or, for ``file_rejected``, the whole file);
``warning`` rules let the row through and are reported in the asset checks and
the month's HTML report. The keys appear in ``raw.quarantine.rule`` and in
check metadata; never rename one without migrating the quarantine.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Level = Literal["error", "warning"]


@dataclass(frozen=True)
class Rule:
    key: str
    level: Level
    decided_by: str
    description: str


RULES: tuple[Rule, ...] = (
    Rule(
        "file_rejected",
        "error",
        "header inspection (records.inspect_header) + DuckDB",
        "missing or unreadable file, not UTF-8, empty, wrong header (missing, unknown or duplicated column): "
        "the whole file is rejected, its previous rows are kept and the month's downstream is blocked",
    ),
    Rule(
        "unparseable_row",
        "error",
        "DuckDB read_csv reject table",
        "structurally broken line: wrong number of fields or bad quoting",
    ),
    Rule("type", "error", "SQL typing (the parser)", "value is not a valid int/float/bool/date/timestamp"),
    Rule(
        "schema",
        "error",
        "GX expect_table_columns_to_match_ordered_list, expect_column_values_to_be_of_type",
        "typed columns and dtypes match the contract (a failure means a loader bug: the file is rejected)",
    ),
    Rule("missing", "error", "GX expect_column_values_to_not_be_null", "required value is empty"),
    Rule(
        "range",
        "error",
        "GX expect_column_values_to_be_between",
        "age 0-120, weight 30-250 kg, height 120-230 cm, ASA 1-5, NRS 0-10, levels >= 1, durations, "
        "doses and times >= 0, surgery duration > 0",
    ),
    Rule(
        "allowed_values",
        "error",
        "GX expect_column_values_to_be_in_set",
        "sex in {F, M}, disc_level in {L3-L4, L4-L5, L5-S1}, minute in {0, 5, 10, 15, 30}",
    ),
    Rule(
        "duplicate_key",
        "error",
        "GX expect_column_values_to_be_unique / expect_compound_columns_to_be_unique",
        "case_id (records) or (case_id, minute) (pain scores) occurs more than once in the file: every copy "
        "is quarantined",
    ),
    Rule(
        "date_outside_month",
        "error",
        "GX expect_column_values_to_be_between",
        "surgery_date falls outside the partition month",
    ),
    Rule(
        "orphan_pain_score",
        "error",
        "GX expect_column_values_to_be_in_set",
        "pain score whose case_id is not an accepted perioperative record of the same month",
    ),
    Rule(
        "duplicate_key_across_months",
        "warning",
        "GX expect_column_values_to_be_unique on all months of raw.perioperative_records; "
        "the SQL model staging.rejected_cross_month rejects",
        "case_id already delivered in an earlier month: the earliest copy is kept by staging, later ones "
        "are rejected there (order independent)",
    ),
    Rule(
        "mgso4_dose_presence",
        "warning",
        "GX expect_column_values_to_not_be_null / _to_be_in_set with row_condition",
        "MgSO4 bolus and infusion doses present exactly when mgso4_administered (empty or 0 otherwise)",
    ),
    Rule(
        "mgso4_dose_protocol",
        "warning",
        "GX expect_column_values_to_be_between with row_condition",
        "doses within 10 % of the protocol: bolus 30 mg/kg, infusion 10 mg/kg/h",
    ),
    Rule(
        "plausibility",
        "warning",
        "GX expect_column_values_to_be_between",
        "extubation_time_min <= 120, surgery_duration_min <= 480, time_to_mobilization_min <= 1440",
    ),
)

RULES_BY_KEY: dict[str, Rule] = {r.key: r for r in RULES}

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
        "the streaming reader (records.stage_file)",
        "missing file, symbolic link, not UTF-8, empty, wrong header (missing, unknown, duplicated or empty "
        "column name, with near-miss hints), a record that cannot be split (unterminated quote, text after a "
        "closing quote), a header without records, a size or line-length limit, mostly unreadable records: "
        "the whole file is rejected at the line where the trouble starts, its previous rows are kept and the "
        "month's downstream is blocked",
    ),
    Rule(
        "unparseable_row",
        "error",
        "the streaming reader (records.stage_file)",
        "record with a different number of fields than the header",
    ),
    Rule(
        "type",
        "error",
        "SQL typing (the parser)",
        "value does not read exactly as its type: int -?[0-9]+; float in decimal notation with the file's "
        "decimal mark (no NaN/Inf); date YYYY-MM-DD; timestamp ISO 8601; bool true/false, yes/no, y/n, 1/0",
    ),
    Rule(
        "identifier_in_wrong_column",
        "error",
        "SQL (ingest)",
        "a value equal to a case_id or mrn of the month's files in another column (a shifted column); "
        "stored as its pseudonym",
    ),
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
        "records_file_rejected",
        "error",
        "ingest",
        "pain scores of a month whose records file was rejected and whose case has no previously loaded "
        "record: held back under one raw.quarantine entry naming their count",
    ),
    Rule(
        "duplicate_key_across_months",
        "warning",
        "GX expect_column_values_to_be_unique on all months of raw.perioperative_records; "
        "the SQL model staging.rejected_cross_month rejects",
        "case_id already delivered in an earlier month: the earliest copy is kept by staging, later ones "
        "are rejected there and listed in raw.quarantine with the columns whose values differ (order independent)",
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

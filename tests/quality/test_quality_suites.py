"""The GX suites are derived from the contract: one rule per contract property, with the right level."""

from __future__ import annotations

import pandas as pd

from mg_platform.analysis.contract import PACU_PAIN_SCORES, PERIOPERATIVE_RECORDS
from mg_platform.analysis.quality import suites
from mg_platform.analysis.quality.rules import RULES_BY_KEY


def _rules(suite) -> dict[tuple[str, str], object]:
    return {(e.meta["rule"], e.meta["column"]): e for e in suite.expectations}


def test_records_suite_follows_the_contract():
    rules = _rules(suites.records_suite("2025-02"))
    required = {c.name for c in PERIOPERATIVE_RECORDS.columns if not c.nullable}
    assert {col for rule, col in rules if rule == "missing"} == required
    assert "creatinine_clearance_ml_min" not in required  # nullable in the contract
    age = rules[("range", "age_years")]
    assert (age.column, age.min_value, age.max_value) == ("age_years", 0, 120)
    assert rules[("range", "surgery_duration_min")].strict_min is True  # > 0
    assert rules[("allowed_values", "sex")].value_set == ["F", "M"]
    assert rules[("allowed_values", "disc_level")].value_set == ["L3-L4", "L4-L5", "L5-S1"]
    window = rules[("date_outside_month", "surgery_date")]
    assert (window.min_value, window.max_value) == (pd.Timestamp("2025-02-01"), pd.Timestamp("2025-02-28"))
    assert rules[("duplicate_key", "case_id")].column == "case_key"  # validated on the pseudonym
    extubation = rules[("plausibility", "extubation_time_min")]
    assert extubation.max_value == 120 and extubation.severity.value == "warning"
    assert age.severity.value == "critical"
    protocol = rules[("mgso4_dose_protocol", "mgso4_bolus_mg_per_kg")]
    assert (protocol.min_value, protocol.max_value) == (27.0, 33.0)
    assert {rule for rule, _ in rules} <= set(RULES_BY_KEY)
    levels = {rule: ("warning" if e.severity.value == "warning" else "error") for (rule, _), e in rules.items()}
    assert all(RULES_BY_KEY[rule].level == level for rule, level in levels.items())


def test_pain_suite_follows_the_contract():
    rules = _rules(suites.pain_suite("2025-02"))
    assert rules[("allowed_values", "minute")].value_set == [0, 5, 10, 15, 30]
    assert (rules[("range", "nrs")].min_value, rules[("range", "nrs")].max_value) == (0, 10)
    assert rules[("duplicate_key", "case_id")].column_list == ["case_key", "minute"]
    orphan = rules[("orphan_pain_score", "case_id")]  # on a joined flag, not a value_set of every case key
    assert (orphan.column, orphan.value_set) == (suites.CASE_HAS_RECORD, [True])
    assert {col for rule, col in rules if rule == "missing"} == {"case_id", "minute", "nrs"}
    assert [c.name for c in PACU_PAIN_SCORES.columns if c.nullable] == ["recorded_at"]

"""Human labels for the warehouse's names: variables with units, tests, model terms, arms.

The report never shows a SQL column name in its main text; this module is the one place that
maps ``age_years`` to "Age, years" and ``group[T.MgSO4]:C(minute)[T.30]`` to "MgSO4 × minute 30".
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd

# name -> (label, unit or None)
VARIABLES: dict[str, tuple[str, str | None]] = {
    "age_years": ("Age", "years"),
    "weight_kg": ("Weight", "kg"),
    "height_cm": ("Height", "cm"),
    "bmi": ("BMI", "kg/m²"),
    "preop_nrs": ("Preoperative pain, NRS 0–10", None),
    "symptom_duration_months": ("Symptom duration", "months"),
    "surgery_duration_min": ("Surgery duration", "min"),
    "comorbidity_count": ("Number of comorbidities", None),
    "creatinine_clearance_ml_min": ("Creatinine clearance", "mL/min"),
    "chronic_opioid_use_months": ("Opioid use before surgery", "months"),
    "sex": ("Sex", None),
    "asa_class": ("ASA physical status", None),
    "disc_level": ("Operated disc level", None),
    "preop_analgesic": ("Preoperative analgesic", None),
    "comorbidities": ("Comorbidities", None),
    "pain_auc_0_30": ("Pain AUC 0–30 min", "NRS × min"),
    "nrs": ("Pain, NRS 0–10", None),
    "remifentanil_total_ug": ("Intraoperative remifentanil", "µg"),
    "extubation_time_min": ("Extubation time", "min"),
    "time_to_mobilization_min": ("Time to first mobilisation", "min"),
    "pain_group_average": ("Pain averaged over 0–30 min, NRS", None),
    "ae_hemodynamic_instability": ("Haemodynamic instability", None),
    "ae_arrhythmia": ("Cardiac arrhythmia", None),
    "ae_delayed_nm_recovery": ("Delayed neuromuscular recovery (clinically suspected)", None),
    "ae_respiratory_complication": ("Postoperative respiratory complication", None),
}

LEVELS: dict[str, dict[str, str]] = {
    "sex": {"F": "Female", "M": "Male"},
    "asa_class": {"1": "I", "2": "II", "3": "III", "4": "IV"},
}

REASONS: dict[str, str] = {
    "age_outside_18_70": "Age outside 18–70 years",
    "asa_above_2": "ASA physical status above II",
    "not_elective": "Not elective",
    "not_single_level": "Not single-level",
    "not_lumbar_microdiscectomy": "Not lumbar microdiscectomy",
    "creatinine_clearance_below_30": "Creatinine clearance < 30 mL/min",
    "neuromuscular_disorder": "Neuromuscular disorder",
    "chronic_opioid_use_over_3_months": "Chronic opioid use > 3 months",
    "pregnancy": "Pregnancy",
    "repeat_spinal_surgery": "Repeat spinal surgery",
    "av_block_or_arrhythmia": "AV block or uncontrolled arrhythmia",
    "interacting_medication": "Interacting medication",
    "contraindication_morphine_mgso4": "Contraindication to morphine or magnesium",
}

TESTS: dict[str, str] = {
    "welch_t": "Welch t-test",
    "student_t": "Student t-test",
    "mann_whitney_u": "Mann–Whitney U",
    "chi_square": "χ² test",
    "fisher_exact": "Fisher's exact test",
    "not_tested": "not tested",
}

WEIGHTINGS: dict[str, str] = {"none": "Unadjusted", "overlap": "Overlap-weighted (ATO)", "iptw": "IPTW (ATE)"}

ENGINES: dict[str, str] = {"vina": "AutoDock Vina", "vinardo": "Vina (Vinardo)", "ad4": "AutoDock 4.2"}


def variable_label(name: str, with_unit: bool = True) -> str:
    """``"Age, years"``; unknown names are made readable (underscores to spaces, first letter capital)."""
    if name in VARIABLES:
        label, unit = VARIABLES[name]
        return f"{label}, {unit}" if unit and with_unit else label
    if name.startswith("pain_contrast_"):
        return f"Pain at {name.removeprefix('pain_contrast_')} min, NRS"
    text = str(name).replace("_", " ")
    return text[:1].upper() + text[1:]


def unit_of(name: str) -> str:
    """The unit of a variable (``""`` when it has none)."""
    return (VARIABLES.get(name, ("", None))[1]) or ""


def level_label(variable: str, level: object) -> str:
    """Human label of a categorical level (``F`` -> Female, ASA ``2`` -> II)."""
    text = str(level)
    if text.endswith(".0"):
        text = text[:-2]
    return LEVELS.get(variable, {}).get(text, text)


def reason_label(name: object) -> str:
    """An exclusion reason key of raw-records.md in words."""
    return REASONS.get(str(name), str(name).replace("_", " ").capitalize())


def test_label(name: object) -> str:
    """``welch_t`` -> ``Welch t-test``."""
    return TESTS.get(str(name), str(name).replace("_", " "))


def engine_label(name: object) -> str:
    """``vina`` -> ``AutoDock Vina``."""
    return ENGINES.get(str(name), str(name))


def humanise_note(note: str) -> str:
    """A computation note with variable names replaced by their labels (``dropped preop_analgesic: ...``)."""
    text = re.sub(
        r"\b[a-z]+(?:_[a-z0-9]+)+\b",
        lambda m: variable_label(m.group(0), with_unit=False).lower() if m.start() else variable_label(m.group(0)),
        note,
    )
    return text[:1].upper() + text[1:]


@dataclass(frozen=True)
class ArmLabels:
    """How the report names the two arms: study labels, or coded arms when the analysis is blinded.

    The warehouse's ``*_control`` columns hold the reference arm and ``*_mgso4`` the comparison arm
    (A and B when blinded); every difference is comparison minus reference.
    """

    blinded: bool

    @property
    def reference(self) -> str:
        return "Arm A" if self.blinded else "Control"

    @property
    def comparison(self) -> str:
        return "Arm B" if self.blinded else "MgSO4"

    @property
    def codes(self) -> tuple[str, str]:
        """The warehouse's group labels of (reference, comparison)."""
        return ("A", "B") if self.blinded else ("Control", "MgSO4")

    @property
    def difference(self) -> str:
        return f"{self.comparison} − {self.reference}"

    @property
    def comparison_phrase(self) -> str:
        """What follows "lower"/"higher": ``with MgSO4`` or ``in Arm B than in Arm A``."""
        return f"in {self.comparison} than in {self.reference}" if self.blinded else f"with {self.comparison}"

    def name(self, group: object) -> str:
        """The report's name of a warehouse group label (``A`` -> ``Arm A``)."""
        text = str(group)
        if text in {"A", "B"}:
            return f"Arm {text}"
        return text


def term_label(term: str, arms: ArmLabels) -> str:
    """Readable model term: ``group[T.MgSO4]:C(minute)[T.30]`` -> ``MgSO4 × minute 30 (vs 0)``."""
    if term == "Intercept":
        return "Intercept"
    parts = []
    for piece in term.split(":"):
        match = re.fullmatch(r"(?:C\()?(?P<var>[a-z_]+)\)?\[T\.(?P<level>[^\]]+)\]", piece)
        if not match:
            parts.append(variable_label(piece))
            continue
        var, level = match["var"], match["level"]
        if var == "group":
            parts.append(f"{arms.name(level)} (vs {arms.reference})")
        elif var == "minute":
            parts.append(f"minute {level} (vs 0)")
        else:
            parts.append(f"{variable_label(var, with_unit=False)}: {level_label(var, level)}")
    return " × ".join(parts)


def blinded_from(tables: dict[str, pd.DataFrame | None]) -> bool:
    """True when the statistics were computed on coded arms A/B (read from any stats table's arm columns)."""
    for name in ("stats.secondary_outcomes", "stats.pain_contrasts", "stats.baseline", "stats.adverse_events"):
        frame = tables.get(name)
        if frame is not None and "reference_arm" in frame.columns and len(frame):
            return str(frame["reference_arm"].iloc[0]) in {"A", "B"}
    emmeans = tables.get("stats.pain_emmeans")
    if emmeans is not None and len(emmeans):
        return set(emmeans["group"].astype(str)) <= {"A", "B"}
    return False

"""Demo cohort generator: synthetic monthly exports shaped like the study's design.

The default reproduces the study's design and its reported findings: 76
screened between March and September 2025, 38 eligible (19 MgSO4, 19
Control), the other 38 excluded by one to three of the contract's reasons.
Pain (NRS 0-10, integers) rises over the 30 PACU minutes in both groups; about
3 % of scores are missing. With ``effect="paper"`` (the default) MgSO4 carries
modest effects in the favourable direction (pain, remifentanil) that the study's
n cannot detect, as the paper reports; ``effect="strong"`` plants effects large
enough to be found at this n, for demonstrations of a positive result. Both use
the same random draws, so the two cohorts differ only in the planted effects.
Everything is vectorised with numpy and deterministic for a seed, so it scales
to 100 000 screened cases over 60 months for benchmarks.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from mg_platform.analysis.contract import PACU_PAIN_SCORES, PAIN_MINUTES, PERIOPERATIVE_RECORDS

REASONS: tuple[str, ...] = (
    "age_outside_18_70",
    "asa_above_2",
    "not_elective",
    "not_single_level",
    "not_lumbar_microdiscectomy",
    "creatinine_clearance_below_30",
    "neuromuscular_disorder",
    "chronic_opioid_use_over_3_months",
    "pregnancy",
    "repeat_spinal_surgery",
    "av_block_or_arrhythmia",
    "interacting_medication",
    "contraindication_morphine_mgso4",
)

COMORBIDITIES = ("hypertension", "diabetes", "asthma", "hypothyroidism", "obesity")


@dataclass(frozen=True)
class PlantedEffects:
    """Effects of MgSO4 planted in the demo cohort (MgSO4 - Control, in each outcome's units).

    Attributes
    ----------
    pain_nrs
        Shift of every MgSO4 case's pain level, NRS points (the same at every minute, so no
        group x time interaction is planted).
    remifentanil_ug
        Shift of total intraoperative remifentanil, ug.
    extubation_min
        Shift of extubation time, min.
    mobilization_min
        Shift of time to first mobilisation, min.
    ae_hemodynamic_instability, ae_delayed_nm_recovery
        Added probability of the adverse event with MgSO4.
    """

    pain_nrs: float
    remifentanil_ug: float
    extubation_min: float
    mobilization_min: float
    ae_hemodynamic_instability: float
    ae_delayed_nm_recovery: float


EFFECTS: dict[str, PlantedEffects] = {
    # The paper: modest, non-significant trends favouring MgSO4 in pain and remifentanil; no
    # difference in extubation or mobilisation.
    "paper": PlantedEffects(-0.5, -40.0, 0.0, -10.0, 0.02, 0.01),
    # A positive study: effects the 19 + 19 design detects.
    "strong": PlantedEffects(-1.2, -120.0, 0.6, -20.0, 0.05, 0.04),
}


@dataclass(frozen=True)
class DemoCohort:
    """Generated records and pain scores (contract columns) plus what was planted."""

    records: pd.DataFrame
    pain: pd.DataFrame
    truth: dict = field(default_factory=dict)


def month_range(spec: str) -> list[str]:
    """Months of ``"2025-03..2025-09"`` (inclusive) or a single ``"2025-03"``."""
    first, _, last = spec.partition("..")
    periods = pd.period_range(first, last or first, freq="M")
    return [str(p) for p in periods]


def _violate(records: pd.DataFrame, rows: np.ndarray, reason: str, rng: np.random.Generator) -> None:
    """Make ``rows`` fail ``reason`` by editing the fields the criterion reads."""
    n = len(rows)
    if reason == "age_outside_18_70":
        records.loc[rows, "age_years"] = np.where(rng.random(n) < 0.7, rng.integers(71, 90, n), rng.integers(16, 18, n))
    elif reason == "asa_above_2":
        records.loc[rows, "asa_class"] = rng.integers(3, 5, n)
    elif reason == "not_elective":
        records.loc[rows, "elective"] = False
    elif reason == "not_single_level":
        records.loc[rows, "levels_operated"] = rng.integers(2, 4, n)
    elif reason == "not_lumbar_microdiscectomy":
        records.loc[rows, "procedure"] = rng.choice(["lumbar fusion", "lumbar laminectomy"], n)
    elif reason == "creatinine_clearance_below_30":
        records.loc[rows, "creatinine_clearance_ml_min"] = np.round(rng.uniform(10, 29.9, n), 1)
    elif reason == "neuromuscular_disorder":
        records.loc[rows, "neuromuscular_disorder"] = True
    elif reason == "chronic_opioid_use_over_3_months":
        records.loc[rows, "chronic_opioid_use_months"] = np.round(rng.uniform(3.5, 24, n), 1)
    elif reason == "pregnancy":
        records.loc[rows, "pregnant"] = True
        records.loc[rows, "sex"] = "F"
    else:
        records.loc[rows, reason] = True


def generate_cohort(
    seed: int = 20250301,
    months: list[str] | None = None,
    screened: int = 76,
    eligible_fraction: float = 0.5,
    missing_pain_rate: float = 0.03,
    effect: str = "paper",
) -> DemoCohort:
    """Generate a deterministic cohort; ``truth`` records screened, reasons, groups and planted effects.

    Parameters
    ----------
    effect
        Key of :data:`EFFECTS`: ``"paper"`` (default, the study's null-but-favourable findings) or
        ``"strong"`` (a clearly positive study).
    """
    if effect not in EFFECTS:
        raise ValueError(f"unknown demo effect {effect!r}; choose one of {', '.join(EFFECTS)}")
    planted = EFFECTS[effect]
    months = months or month_range("2025-03..2025-09")
    rng = np.random.default_rng(seed)
    n = screened
    n_included = int(round(n * eligible_fraction))
    included = np.zeros(n, dtype=bool)
    included[rng.permutation(n)[:n_included]] = True
    mgso4 = np.zeros(n, dtype=bool)
    inc_idx = np.flatnonzero(included)
    mgso4[inc_idx[rng.permutation(len(inc_idx))[: len(inc_idx) // 2]]] = True
    exc_idx = np.flatnonzero(~included)
    mgso4[exc_idx] = rng.random(len(exc_idx)) < 0.5

    month_of = np.array(months)[np.arange(n) % len(months)]
    rng.shuffle(month_of)
    month_start = pd.to_datetime(pd.Series(month_of) + "-01")
    days_in_month = month_start.dt.days_in_month.to_numpy()
    surgery_date = month_start + pd.to_timedelta(rng.integers(0, 10_000, n) % days_in_month, unit="D")

    sex = np.where(rng.random(n) < 0.5, "F", "M")
    height = np.round(np.where(sex == "F", rng.normal(163, 6, n), rng.normal(176, 7, n)), 1)
    bmi = rng.normal(27, 3.5, n).clip(19, 38)
    weight = np.round(bmi * (height / 100) ** 2, 1)
    n_comorb = rng.binomial(2, 0.3, n)
    comorbidities = [";".join(sorted(rng.choice(COMORBIDITIES, k, replace=False))) if k else "" for k in n_comorb]
    treated = np.where(mgso4, 1.0, 0.0)
    records = pd.DataFrame(
        {
            "case_id": [f"SC{d.year}-{i:06d}" for i, d in zip(rng.permutation(n) + 1, surgery_date, strict=True)],
            "mrn": [f"MRN{v:09d}" for v in rng.choice(10**9, n, replace=False)],
            "surgery_date": surgery_date.dt.strftime("%Y-%m-%d"),
            "procedure": "lumbar microdiscectomy",
            "levels_operated": 1,
            "disc_level": rng.choice(["L4-L5", "L5-S1", "L3-L4"], n, p=[0.5, 0.42, 0.08]),
            "elective": True,
            "surgeon_id": "NS01",
            "anesthesiologist_id": rng.choice(["AN01", "AN02", "AN03", "AN04"], n),
            "age_years": rng.integers(22, 69, n),
            "sex": sex,
            "weight_kg": weight,
            "height_cm": height,
            "asa_class": rng.integers(1, 3, n),
            "creatinine_clearance_ml_min": np.where(
                rng.random(n) < 0.15, np.nan, np.round(rng.normal(95, 18, n).clip(35), 1)
            ),
            "neuromuscular_disorder": False,
            "chronic_opioid_use_months": np.where(rng.random(n) < 0.85, 0.0, np.round(rng.uniform(0.5, 3.0, n), 1)),
            "pregnant": False,
            "repeat_spinal_surgery": False,
            "av_block_or_arrhythmia": False,
            "interacting_medication": False,
            "contraindication_morphine_mgso4": False,
            "preop_nrs": np.where(rng.random(n) < 0.03, np.nan, rng.integers(5, 10, n)),
            "symptom_duration_months": np.where(rng.random(n) < 0.05, np.nan, np.round(rng.gamma(3, 3, n) + 1, 1)),
            "comorbidities": comorbidities,
            "preop_analgesic": "NSAID",
            "surgery_duration_min": np.round(rng.normal(75, 15, n).clip(35), 0),
            "mgso4_administered": mgso4,
            "mgso4_bolus_mg_per_kg": np.where(mgso4, 30.0, np.nan),
            "mgso4_infusion_mg_per_kg_h": np.where(mgso4, 10.0, np.nan),
            "remifentanil_total_ug": np.round(rng.normal(720 + planted.remifentanil_ug * treated, 110, n).clip(200), 1),
            "extubation_time_min": np.round(rng.gamma(9, 0.8, n) + planted.extubation_min * treated, 1),
            "time_to_mobilization_min": np.round(
                rng.normal(190 + planted.mobilization_min * treated, 30, n).clip(60), 0
            ),
            "ae_hemodynamic_instability": rng.random(n) < 0.05 + planted.ae_hemodynamic_instability * treated,
            "ae_arrhythmia": rng.random(n) < 0.02,
            "ae_delayed_nm_recovery": rng.random(n) < 0.02 + planted.ae_delayed_nm_recovery * treated,
            "ae_respiratory_complication": rng.random(n) < 0.03,
        }
    )
    records["preop_nrs"] = records["preop_nrs"].astype("Int64")

    reason_counts = dict.fromkeys(REASONS, 0)
    n_reasons = rng.choice([1, 1, 1, 2, 2, 3], len(exc_idx))
    chosen = [rng.choice(len(REASONS), k, replace=False) for k in n_reasons]
    for reason_no, reason in enumerate(REASONS):
        rows = exc_idx[[reason_no in c for c in chosen]]
        if len(rows):
            _violate(records, rows, reason, rng)
            reason_counts[reason] += len(rows)

    case_effect = rng.normal(0, 0.9, n) + planted.pain_nrs * treated
    minutes = np.array(PAIN_MINUTES)
    trend = np.array([2.6, 3.4, 4.0, 4.5, 5.2])
    nrs = np.rint(trend[None, :] + case_effect[:, None] + rng.normal(0, 0.8, (n, len(minutes)))).clip(0, 10)
    pain = pd.DataFrame(
        {
            "case_id": np.repeat(records["case_id"].to_numpy(), len(minutes)),
            "minute": np.tile(minutes, n),
            "nrs": nrs.ravel().astype(int),
            "recorded_at": (
                np.repeat(pd.to_datetime(records["surgery_date"]).to_numpy(), len(minutes))
                + pd.to_timedelta(11 * 60 + np.tile(minutes, n), unit="m").to_numpy()
            ),
        }
    )
    pain["recorded_at"] = pd.to_datetime(pain["recorded_at"]).dt.strftime("%Y-%m-%dT%H:%M:%S")
    pain = pain[rng.random(len(pain)) >= missing_pain_rate].reset_index(drop=True)

    truth = {
        "seed": seed,
        "effect": effect,
        "planted_effects": asdict(planted),
        "months": months,
        "screened": n,
        "excluded_total": int(len(exc_idx)),
        "excluded_by_reason": reason_counts,
        "included": {"Control": int((included & ~mgso4).sum()), "MgSO4": int((included & mgso4).sum())},
        "screened_by_month": pd.Series(month_of).value_counts().sort_index().astype(int).to_dict(),
        "pain_scores": int(len(pain)),
    }
    return DemoCohort(records=records, pain=pain, truth=truth)


def _format_bools(frame: pd.DataFrame, true_token: str, false_token: str) -> pd.DataFrame:
    out = frame.copy()
    for column in out.select_dtypes(bool).columns:
        out[column] = np.where(out[column], true_token, false_token)
    return out


def write_landing(cohort: DemoCohort, landing_dir: Path, dialect: str = "comma") -> list[Path]:
    """Write ``landing/YYYY-MM/{perioperative_records,pacu_pain_scores}.csv`` per month.

    ``dialect="comma"`` writes RFC 4180 CSV with ``true/false``; ``"semicolon"``
    writes ``;`` with decimal comma, a UTF-8 BOM and ``Y/N`` booleans, as
    European-locale spreadsheets export.
    """
    semicolon = dialect == "semicolon"
    sep, decimal = (";", ",") if semicolon else (",", ".")
    records = _format_bools(cohort.records, *(("Y", "N") if semicolon else ("true", "false")))
    month_key = records["surgery_date"].str[:7]
    case_month = dict(zip(records["case_id"], month_key, strict=True))
    pain_month = cohort.pain["case_id"].map(case_month)
    written = []
    for month in sorted(month_key.unique()):
        folder = Path(landing_dir) / month
        folder.mkdir(parents=True, exist_ok=True)
        for frame, contract in (
            (records[month_key == month], PERIOPERATIVE_RECORDS),
            (cohort.pain[pain_month == month], PACU_PAIN_SCORES),
        ):
            path = folder / contract.file_name
            frame[list(contract.column_names)].to_csv(
                path, sep=sep, decimal=decimal, index=False, encoding="utf-8-sig" if semicolon else "utf-8"
            )
            written.append(path)
    return written


def write_truth(cohort: DemoCohort, path: Path) -> None:
    """Write what was planted (counts only, no identifiers) as JSON."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(cohort.truth, indent=2, sort_keys=True))

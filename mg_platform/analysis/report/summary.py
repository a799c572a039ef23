"""The results paragraph: every sentence computed from the warehouse, none hand-written.

Each function returns one sentence (or ``None`` when its tables are missing); :func:`results_paragraph`
joins those that exist. Directions are read from the sign of the estimate (MgSO4 - Control, or
B - A when blinded), significance from the two-sided p against ``alpha``.
"""

from __future__ import annotations

import pandas as pd

from mg_platform.analysis.report import formatting as fmt
from mg_platform.analysis.report.labels import ArmLabels, test_label, unit_of, variable_label
from mg_platform.analysis.report.tables import arm_size

Tables = dict[str, pd.DataFrame | None]
ALPHA = 0.05
# Words for a negative / positive difference per outcome (times get shorter or longer).
DIRECTION: dict[str, tuple[str, str]] = {
    "extubation_time_min": ("shorter", "longer"),
    "time_to_mobilization_min": ("shorter", "longer"),
}
UNIT_WORDS: dict[str, str] = {"": "points", "µg": "µg", "min": "min", "NRS × min": "NRS·min"}


def lower_first(text: str) -> str:
    """Lower-case the first letter unless the word is an acronym (``AUC``, ``ASA``)."""
    return text if text[1:2].isupper() else text[:1].lower() + text[1:]


def _present(tables: Tables, *names: str) -> bool:
    return all(tables.get(n) is not None and len(tables[n]) for n in names)  # type: ignore[arg-type]


def difference_phrase(name: str, estimate: float, arms: ArmLabels, unit: str | None = None) -> str:
    """``0.80 points lower with MgSO4`` (magnitude, unit, direction, arm)."""
    unit = unit_of(name) if unit is None else unit
    digits = fmt.digits_for(unit)
    lower, higher = DIRECTION.get(name, ("lower", "higher"))
    word = lower if estimate < 0 else higher
    return f"{fmt.number(abs(estimate), digits)} {UNIT_WORDS.get(unit, unit)} {word} {arms.comparison_phrase}"


def _ci_p(low: float, high: float, p: float, digits: int, p_name: str = "p", test: str = "") -> str:
    test_text = f"{test} " if test else ""
    return f"95 % CI {fmt.ci(low, high, digits)}; {test_text}{fmt.p_phrase(p, p_name)}"


def cohort_sentence(tables: Tables, arms: ArmLabels, months: list[str]) -> str | None:
    """Screened, excluded, analysed per arm, over which months."""
    if not _present(tables, "cohort.strobe_flow"):
        return None
    flow = tables["cohort.strobe_flow"]

    def n(step: str) -> int:
        rows = flow[(flow["step"] == step) & flow["reason"].isna() & flow["group"].isna()]
        return int(rows["n"].iloc[0]) if len(rows) else 0

    period = ""
    if months:
        first, last = pd.Period(months[0], "M"), pd.Period(months[-1], "M")
        span = f"{first.strftime('%B %Y')}" if first == last else f"{first.strftime('%B')} and {last.strftime('%B %Y')}"
        period = f" between {span}" if first != last else f" in {span}"
    ref, cmp = arm_size(tables)
    arms_text = f" ({ref} {arms.reference}, {cmp} {arms.comparison})" if ref is not None else ""
    return (
        f"Of {n('screened')} patients screened{period}, {n('excluded_total')} were excluded and "
        f"{n('included')} were analysed{arms_text}."
    )


def pain_course_sentence(tables: Tables, arms: ArmLabels) -> str | None:
    """How pain moved over the PACU minutes in each arm, with the time effect's test."""
    if not _present(tables, "stats.pain_emmeans", "stats.pain_lmm_tests"):
        return None
    emmeans, tests = tables["stats.pain_emmeans"], tables["stats.pain_lmm_tests"]
    first, last = int(emmeans["minute"].min()), int(emmeans["minute"].max())
    parts = []
    for code in arms.codes:
        rows = emmeans[emmeans["group"].astype(str) == code].set_index("minute")["emmean"]
        parts.append(f"from {fmt.number(rows[first], 1)} to {fmt.number(rows[last], 1)} {_in_arm(arms, code)}")
    time = tests.set_index("effect").loc["time"]
    rising = all(
        emmeans[emmeans["group"].astype(str) == c].set_index("minute")["emmean"][last]
        > emmeans[emmeans["group"].astype(str) == c].set_index("minute")["emmean"][first]
        for c in arms.codes
    )
    verb = "rose" if rising else "changed"
    return (
        f"Pain {verb} over the first {last} PACU minutes in both arms (estimated mean NRS {parts[0]} and "
        f"{parts[1]}; time effect {fmt.p_phrase(time['p_value'])})."
    )


def _in_arm(arms: ArmLabels, code: str) -> str:
    name = arms.reference if code == arms.codes[0] else arms.comparison
    return f"in {name}" if arms.blinded else f"in the {name} arm"


def pain_group_sentence(tables: Tables, arms: ArmLabels) -> str | None:
    """The arm effect averaged over time and the arm x time interaction."""
    if not _present(tables, "stats.pain_lmm_tests"):
        return None
    tests = tables["stats.pain_lmm_tests"].set_index("effect")
    group, inter = tests.loc["group"], tests.loc["group:time"]
    differ = "differed significantly" if group["p_value"] < ALPHA else "did not differ significantly"
    inter_word = "was significant" if inter["p_value"] < ALPHA else "was not significant"
    return (
        f"Averaged over the five time points, pain {differ} between arms (Wald χ² = "
        f"{fmt.number(group['statistic'], 2)}, {int(group['df'])} df, {fmt.p_phrase(group['p_value'])}), and the "
        f"arm × time interaction {inter_word} (χ² = {fmt.number(inter['statistic'], 2)}, {int(inter['df'])} df, "
        f"{fmt.p_phrase(inter['p_value'])})."
    )


def pain_contrast_sentence(tables: Tables, arms: ArmLabels) -> str | None:
    """The last minute's contrast in words, and which Holm-adjusted contrasts were significant."""
    if not _present(tables, "stats.pain_contrasts"):
        return None
    contrasts = tables["stats.pain_contrasts"].sort_values("minute")
    last = contrasts.iloc[-1]
    text = (
        f"At {int(last['minute'])} min, pain was {difference_phrase('nrs', last['estimate'], arms)} "
        f"({_ci_p(last['ci_low'], last['ci_high'], last['p_holm'], 2, 'Holm p')})"
    )
    significant = contrasts[contrasts["p_holm"] < ALPHA]
    largest = contrasts.loc[contrasts["estimate"].abs().idxmax()]
    if significant.empty:
        text += (
            f"; no Holm-corrected contrast was significant at any time point (largest difference "
            f"{fmt.number(largest['estimate'], 2)} at {int(largest['minute'])} min, "
            f"{fmt.p_phrase(largest['p_holm'], 'Holm p')})."
        )
    else:
        minutes = ", ".join(str(int(m)) for m in significant["minute"])
        text += f"; Holm-corrected differences were significant at {minutes} min."
    return text


def two_group_sentence(row: pd.Series, name: str, arms: ArmLabels, subject: str) -> str:
    """``Intraoperative remifentanil was 77 µg lower with MgSO4 (95 % CI ...; Student t-test p = ...; d = ...)``."""
    digits = fmt.digits_for(unit_of(name))
    d = row.get("cohens_d")
    d_text = f"; Cohen's d {fmt.number(d, 2)}" if not fmt.missing(d) else ""
    return (
        f"{subject} was {difference_phrase(name, row['mean_difference'], arms)} "
        f"({_ci_p(row['ci_low'], row['ci_high'], row['p_value'], digits, test=test_label(row['test']))}{d_text})"
    )


def auc_sentence(tables: Tables, arms: ArmLabels) -> str | None:
    """The pain burden over 0-30 min."""
    if not _present(tables, "stats.pain_auc"):
        return None
    row = tables["stats.pain_auc"].iloc[0]
    n = f"; {int(row['n_control'])} + {int(row['n_mgso4'])} patients with all five scores"
    return two_group_sentence(row, "pain_auc_0_30", arms, "The pain burden over 0–30 min (AUC)")[:-1] + n + ")."


def secondary_sentence(tables: Tables, arms: ArmLabels) -> str | None:
    """One clause per outcome of stats.secondary_outcomes."""
    if not _present(tables, "stats.secondary_outcomes"):
        return None
    clauses = [
        two_group_sentence(row, str(row["outcome"]), arms, variable_label(str(row["outcome"]), with_unit=False))
        for _, row in tables["stats.secondary_outcomes"].iterrows()
    ]
    clauses = [clauses[0]] + [lower_first(c) for c in clauses[1:]]
    return "; ".join(clauses[:-1]) + (", and " if len(clauses) > 1 else "") + clauses[-1] + "."


def adverse_events_sentence(tables: Tables, arms: ArmLabels) -> str | None:
    """Counts per arm and whether any differed."""
    if not _present(tables, "stats.adverse_events"):
        return None
    events = tables["stats.adverse_events"]
    counts = "; ".join(
        f"{lower_first(variable_label(str(r.event)))} {int(r.n_control)} vs {int(r.n_mgso4)}"
        for r in events.itertuples(index=False)
    )
    significant = events[events["p_value"] < ALPHA]
    verdict = (
        f"none differed significantly between arms (Fisher's exact p ≥ {fmt.p_value(events['p_value'].min())})"
        if significant.empty
        else "significant differences: "
        + ", ".join(lower_first(variable_label(str(e))) for e in significant["event"])
        + " (Fisher's exact p < 0.05)"
    )
    return f"Adverse events were few ({arms.reference} vs {arms.comparison}: {counts}), and {verdict}."


def adjusted_sentence(tables: Tables, arms: ArmLabels) -> str | None:
    """Whether adjustment for baseline covariates changed the picture."""
    if not _present(tables, "stats.sensitivity_regression"):
        return None
    frame = tables["stats.sensitivity_regression"]
    group = frame[frame["term"].astype(str).str.startswith("group[")]
    if group.empty:
        return None
    significant = group[group["p_value"] < ALPHA]
    verdict = (
        "no adjusted arm effect was significant"
        if significant.empty
        else "adjusted arm effects were significant for "
        + ", ".join(lower_first(variable_label(str(o), with_unit=False)) for o in significant["outcome"])
    )
    remi = group[group["outcome"] == "remifentanil_total_ug"]
    example = ""
    if len(remi):
        r = remi.iloc[0]
        example = (
            f" (remifentanil {fmt.number(r['estimate'], 0)} µg, 95 % CI {fmt.ci(r['ci_low'], r['ci_high'], 0)}; "
            f"n = {int(r['n'])})"
        )
    return f"After adjustment for the baseline covariates, {verdict}{example}."


def conclusion_sentence(tables: Tables, arms: ArmLabels) -> str | None:
    """Which primary and secondary comparisons reached significance, if any."""
    found: list[str] = []
    if _present(tables, "stats.pain_contrasts"):
        c = tables["stats.pain_contrasts"]
        minutes = [str(int(m)) for m in c.loc[c["p_holm"] < ALPHA, "minute"]]
        if minutes:
            listed = minutes[0] if len(minutes) == 1 else ", ".join(minutes[:-1]) + " and " + minutes[-1]
            found.append(f"pain at {listed} min")
    if _present(tables, "stats.pain_lmm_tests"):
        t = tables["stats.pain_lmm_tests"].set_index("effect")
        found += ["pain averaged over time"] if t.loc["group", "p_value"] < ALPHA else []
    for name, outcome in (("stats.pain_auc", None), ("stats.secondary_outcomes", "outcome")):
        if _present(tables, name):
            frame = tables[name]
            for _, row in frame[frame["p_value"] < ALPHA].iterrows():
                name_ = str(row[outcome]) if outcome else "pain_auc_0_30"
                found.append(lower_first(variable_label(name_, with_unit=False)))
    if not _present(tables, "stats.pain_contrasts", "stats.secondary_outcomes"):
        return None
    if not found:
        return (
            f"No primary or secondary comparison between {arms.comparison} and {arms.reference} reached "
            "significance at the two-sided 5 % level; the differences seen are trends, not demonstrated effects."
        )
    return f"Comparisons significant at the two-sided 5 % level: {', '.join(found)}."


def results_paragraph(tables: Tables, arms: ArmLabels, months: list[str]) -> list[list[str]]:
    """The results summary as paragraphs of sentences: the cohort and pain, then the other outcomes.

    A sentence whose tables are missing is left out; ``" %"`` becomes a non-breaking ``"\u00a0%"``.
    """
    paragraphs = (
        (
            cohort_sentence(tables, arms, months),
            pain_course_sentence(tables, arms),
            pain_group_sentence(tables, arms),
            pain_contrast_sentence(tables, arms),
            auc_sentence(tables, arms),
        ),
        (
            secondary_sentence(tables, arms),
            adverse_events_sentence(tables, arms),
            adjusted_sentence(tables, arms),
            conclusion_sentence(tables, arms),
        ),
    )
    return [[s.replace(" %", "\u00a0%") for s in paragraph if s] for paragraph in paragraphs if any(paragraph)]

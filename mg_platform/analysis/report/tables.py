"""The paper's tables, built with great-tables from the warehouse's result tables.

Table 1 (baseline, as R tableone/gtsummary lay it out), Table 2 (primary and secondary outcomes),
the model-level tests, adverse events and the covariate-adjusted effects. Every builder takes the
warehouse frames, formats numbers with :mod:`.formatting` and names its source tables under the
table; none recomputes a statistic. Each returns HTML (a ``div.gt-block``).
"""

from __future__ import annotations

import re

import pandas as pd
from great_tables import GT, loc, style
from great_tables import html as gt_html

from mg_platform.analysis.report import formatting as fmt
from mg_platform.analysis.report.exports import is_exported
from mg_platform.analysis.report.html import esc
from mg_platform.analysis.report.labels import (
    ArmLabels,
    humanise_note,
    level_label,
    test_label,
    unit_of,
    variable_label,
)

WARN = "#8a2d2d"
PRIMARY_OUTCOMES = ("remifentanil_total_ug",)  # the paper's second primary outcome (Methods 2.4)


def _source(*names: str) -> str:
    """HTML: the source tables, each linked to its CSV export when it has one."""
    links = [f'<a href="exports/{esc(n)}.csv">{esc(n)}</a>' if is_exported(n) else esc(n) for n in names]
    return "Source: warehouse " + ("table " if len(names) == 1 else "tables ") + ", ".join(links) + "."


def gt_block(table: GT) -> str:
    """The table as HTML in a block that print keeps whole ("95 %" never breaks between number and sign)."""
    body = re.sub(r"(\d) %", "\\1\u00a0%", table.as_raw_html())
    return f'<div class="gt-block">{body}</div>'


def styled(
    table: GT,
    title: str,
    subtitle: str | None,
    sources: tuple[str, ...],
    notes: tuple[str, ...] = (),
    full_width: bool = True,
) -> GT:
    """The report's common look: left-aligned title, compact rows, source and notes under the table.

    ``full_width=False`` lets a small table take only the width it needs (left-aligned by the CSS).
    """
    table = table.tab_header(title=title, subtitle=subtitle).tab_options(
        table_width="100%" if full_width else "auto",
        table_font_size="14px",
        table_font_names=["Helvetica", "Arial", "sans-serif"],
        heading_align="left",
        heading_title_font_size="16px",
        heading_subtitle_font_size="13px",
        column_labels_font_weight="bold",
        row_group_font_weight="bold",
        data_row_padding="3px",
        source_notes_font_size="12px",
    )
    for note in notes:
        table = table.tab_source_note(gt_html(note))
    return table.tab_source_note(gt_html(_source(*sources)))


def arm_size(tables: dict[str, pd.DataFrame | None]) -> tuple[int | None, int | None]:
    """Patients per arm (reference, comparison) from the adverse-event or baseline table."""
    events = tables.get("stats.adverse_events")
    if events is not None and len(events) and "total_control" in events.columns:
        return int(events["total_control"].max()), int(events["total_mgso4"].max())
    baseline = tables.get("stats.baseline")
    if baseline is not None and len(baseline):
        return int(baseline["n_control"].max()), int(baseline["n_mgso4"].max())
    return None, None


def _arm_header(name: str, n: int | None) -> str:
    return f"{name} (n = {n})" if n is not None else name


def _median_brackets(summary: object, kind: object) -> str:
    """``53.0 (42.5–62.0)`` -> ``53.0 [42.5–62.0]`` for medians (IQR in brackets, as the issue asks)."""
    text = "–" if fmt.missing(summary) else str(summary)
    return re.sub(r"^(.*) \((.*)\)$", r"\1 [\2]", text) if kind == "median_iqr" else text


STATISTIC_OF = {"mean_sd": "mean ± SD", "median_iqr": "median [IQR]", "n_pct": "n (%)"}


def baseline_rows(baseline: pd.DataFrame, arms: ArmLabels, sizes: tuple[int | None, int | None]) -> pd.DataFrame:
    """Table 1's rows: one per continuous variable; a header row plus one row per level for categoricals."""
    rows = []
    for variable, block in baseline.groupby("variable", sort=False):
        first = block.iloc[0]
        kind = first.get("summary_type", "n_pct" if block["level"].notna().any() else "mean_sd")
        label = f"{variable_label(str(variable))}, {STATISTIC_OF.get(kind, '')}".rstrip(", ")
        n_ref, n_cmp = int(first.get("n_control", 0)), int(first.get("n_mgso4", 0))
        if sizes[0] is not None and (n_ref < sizes[0] or n_cmp < (sizes[1] or 0)):
            label += f" (data for {n_ref} + {n_cmp})"
        common = {
            "p": fmt.p_value(first["p_value"]),
            "smd": fmt.number(first["smd"], 2),
            "test": test_label(first["test"]) if first["test"] != "not_tested" else "not tested",
            "imbalanced": bool(first.get("imbalanced", False)),
            "level_row": False,
        }
        if block["level"].notna().any():
            rows.append({"characteristic": label, "reference": "", "comparison": "", **common})
            for level in block.itertuples(index=False):
                rows.append(
                    {
                        "characteristic": level_label(str(variable), level.level),
                        "reference": _median_brackets(level.control_summary, "n_pct"),
                        "comparison": _median_brackets(level.mgso4_summary, "n_pct"),
                        "p": "",
                        "smd": "",
                        "test": "",
                        "imbalanced": False,
                        "level_row": True,
                    }
                )
        else:
            rows.append(
                {
                    "characteristic": label,
                    "reference": _median_brackets(first["control_summary"], kind),
                    "comparison": _median_brackets(first["mgso4_summary"], kind),
                    **common,
                }
            )
    return pd.DataFrame(rows)


def table1(tables: dict[str, pd.DataFrame | None], arms: ArmLabels, smd_threshold: float = 0.1) -> str:
    """Table 1: baseline characteristics by arm with p, |SMD| and the imbalance flag."""
    baseline = tables["stats.baseline"]
    sizes = arm_size(tables)
    rows = baseline_rows(baseline, arms, sizes)
    flagged = [i for i, flag in enumerate(rows["imbalanced"]) if flag]
    levels = [i for i, level in enumerate(rows["level_row"]) if level]
    table = (
        GT(rows.drop(columns=["imbalanced", "level_row"]), rowname_col="characteristic", id="table1")
        .tab_stubhead(label="Characteristic")
        .cols_label(
            reference=_arm_header(arms.reference, sizes[0]),
            comparison=_arm_header(arms.comparison, sizes[1]),
            p="p",
            smd="|SMD|",
            test="Test",
        )
        .cols_align("right", columns=["p", "smd"])
        .tab_style(style.css("padding-left:1.8em"), loc.stub(rows=levels))
        .tab_style(style.css("white-space:nowrap"), loc.body(columns=["reference", "comparison"]))
        .tab_style(style.text(weight="bold", color=WARN), loc.body(columns="smd", rows=flagged))
    )
    names = [variable_label(str(v), with_unit=False) for v in baseline.loc[baseline["imbalanced"], "variable"].unique()]
    return gt_block(
        styled(
            table,
            "Table 1. Baseline characteristics",
            f"{len(names)} of {baseline['variable'].nunique()} characteristics with |SMD| ≥ {smd_threshold:g} "
            "(bold red): " + (", ".join(names) if names else "none"),
            ("stats.baseline",),
            (
                "Continuous variables as mean ± SD when both arms pass Shapiro–Wilk (p &gt; 0.05), otherwise "
                "median [IQR]; categorical as n (%). p from the test named (t-test, Welch when Levene rejects "
                "equal variances, Mann–Whitney U otherwise; χ² or Fisher's exact when an expected count is "
                f"below 5). |SMD|: absolute standardised mean difference; ≥ {smd_threshold:g} flags a possible "
                "imbalance.",
            ),
        )
    )


def _group_summary(row: pd.Series, side: str, digits: int) -> str:
    """mean ± SD after a t-test, median [IQR] after Mann–Whitney (the rule's choice)."""
    if row["test"] == "mann_whitney_u":
        q1, q3 = row.get(f"q1_{side}"), row.get(f"q3_{side}")
        return f"{fmt.number(row[f'median_{side}'], digits)} [{fmt.number(q1, digits)}–{fmt.number(q3, digits)}]"
    return f"{fmt.number(row[f'mean_{side}'], digits)} ± {fmt.number(row[f'sd_{side}'], digits)}"


def _two_group_row(row: pd.Series, group: str, name: str) -> dict[str, str]:
    digits = fmt.digits_for(unit_of(name))
    d = fmt.estimate_ci(row.get("cohens_d"), row.get("cohens_d_ci_low"), row.get("cohens_d_ci_high"), 2)
    return {
        "group": group,
        "outcome": variable_label(name),
        "reference": _group_summary(row, "control", digits),
        "comparison": _group_summary(row, "mgso4", digits),
        "difference": fmt.estimate_ci(row["mean_difference"], row["ci_low"], row["ci_high"], digits),
        "p": fmt.p_value(row["p_value"]),
        "test": test_label(row["test"]),
        "d": d,
    }


def outcome_rows(tables: dict[str, pd.DataFrame | None], arms: ArmLabels) -> pd.DataFrame:
    """Table 2's rows: pain per minute (mixed model), pain AUC, remifentanil, then the secondary outcomes."""
    rows: list[dict[str, str]] = []
    emmeans, contrasts = tables.get("stats.pain_emmeans"), tables.get("stats.pain_contrasts")
    primary = "Primary outcomes"
    if emmeans is not None and contrasts is not None and len(contrasts):
        ref_name, cmp_name = arms.codes
        by = emmeans.set_index(["group", "minute"])
        for c in contrasts.sort_values("minute").itertuples(index=False):
            ref, cmp = by.loc[(ref_name, c.minute)], by.loc[(cmp_name, c.minute)]
            rows.append(
                {
                    "group": primary,
                    "outcome": f"Pain (NRS 0–10) at {c.minute} min",
                    "reference": fmt.estimate_ci(ref["emmean"], ref["ci_low"], ref["ci_high"]),
                    "comparison": fmt.estimate_ci(cmp["emmean"], cmp["ci_low"], cmp["ci_high"]),
                    "difference": fmt.estimate_ci(c.estimate, c.ci_low, c.ci_high),
                    "p": fmt.p_value(c.p_holm),
                    "test": "LMM, Holm",
                    "d": "–",
                }
            )
    auc = tables.get("stats.pain_auc")
    if auc is not None and len(auc):
        rows.append(_two_group_row(auc.iloc[0], primary, "pain_auc_0_30"))
    secondary = tables.get("stats.secondary_outcomes")
    if secondary is not None:
        for _, row in secondary.iterrows():
            group = primary if row["outcome"] in PRIMARY_OUTCOMES else "Secondary outcomes"
            rows.append(_two_group_row(row, group, str(row["outcome"])))
    frame = pd.DataFrame(rows)
    return frame.sort_values("group", key=lambda g: g != primary, kind="stable") if len(frame) else frame


def table2(tables: dict[str, pd.DataFrame | None], arms: ArmLabels) -> str:
    """Table 2: primary and secondary outcomes with estimate, CI, p, test and Cohen's d."""
    rows = outcome_rows(tables, arms)
    sizes = arm_size(tables)
    table = (
        GT(rows, rowname_col="outcome", groupname_col="group", id="table2")
        .tab_stubhead(label="Outcome")
        .cols_label(
            reference=_arm_header(arms.reference, sizes[0]),
            comparison=_arm_header(arms.comparison, sizes[1]),
            difference=f"Difference, {arms.difference} (95 % CI)",
            p="p",
            test="Test",
            d="Cohen's d (95 % CI)",
        )
        .cols_align("right", columns=["p"])
        .tab_style(
            style.css("white-space:nowrap"), loc.body(columns=["reference", "comparison", "difference", "test", "d"])
        )
    )
    return gt_block(
        styled(
            table,
            "Table 2. Primary and secondary outcomes",
            f"Differences are {arms.difference}; negative values mean less pain, less remifentanil or a shorter time.",
            ("stats.pain_emmeans", "stats.pain_contrasts", "stats.pain_auc", "stats.secondary_outcomes"),
            (
                "Pain at each minute: estimated marginal means (95 % CI) of the linear mixed model (LMM) "
                "NRS ~ arm × time with a random intercept per patient (REML, Wald z); p Holm-adjusted over the "
                "five time points. Other outcomes: mean ± SD with the t-test, median [IQR] with Mann–Whitney U, "
                "as the normality rule chose; the difference CI is from the t-test (Welch after "
                "Mann–Whitney). Pain AUC over 0–30 min by the trapezoid rule, patients with all five scores.",
            ),
        )
    )


def model_tests_table(tests: pd.DataFrame, arms: ArmLabels) -> str:
    """The mixed model's type III Wald tests: arm, time, arm × time."""
    names = {
        "group": f"Arm ({arms.comparison} vs {arms.reference}, averaged over time)",
        "time": "Time (0–30 min)",
        "group:time": "Arm × time interaction",
    }
    rows = pd.DataFrame(
        {
            "effect": [names.get(str(e), str(e)) for e in tests["effect"]],
            "chi2": [fmt.number(s, 2) for s in tests["statistic"]],
            "df": [str(int(d)) for d in tests["df"]],
            "p": [fmt.p_value(p) for p in tests["p_value"]],
        }
    )
    table = (
        GT(rows, rowname_col="effect", id="model_tests")
        .tab_stubhead(label="Effect")
        .cols_label(chi2="Wald χ²", df="df", p="p")
        .cols_align("right", columns=["chi2", "df", "p"])
    )
    return gt_block(
        styled(
            table,
            "Mixed-model tests of pain over time",
            "Type III Wald χ² tests",
            ("stats.pain_lmm_tests",),
            full_width=False,
        )
    )


def adverse_events_table(events: pd.DataFrame, arms: ArmLabels) -> str:
    """Adverse events, n (%) per arm with Fisher's exact p."""
    rows = pd.DataFrame(
        {
            "event": [variable_label(str(e)) for e in events["event"]],
            "reference": [fmt.percent(n, t) for n, t in zip(events["n_control"], events["total_control"], strict=True)],
            "comparison": [fmt.percent(n, t) for n, t in zip(events["n_mgso4"], events["total_mgso4"], strict=True)],
            "p": [fmt.p_value(p) for p in events["p_value"]],
        }
    )
    sizes = (int(events["total_control"].max()), int(events["total_mgso4"].max()))
    table = (
        GT(rows, rowname_col="event", id="adverse_events")
        .tab_stubhead(label="Event")
        .cols_label(
            reference=_arm_header(arms.reference, sizes[0]), comparison=_arm_header(arms.comparison, sizes[1]), p="p"
        )
        .cols_align("right", columns=["p"])
    )
    return gt_block(
        styled(
            table,
            "Adverse events",
            "n (%) of patients; Fisher's exact test",
            ("stats.adverse_events",),
            full_width=False,
        )
    )


def adjusted_effects_table(sensitivity: pd.DataFrame, arms: ArmLabels) -> str:
    """The covariate-adjusted arm effect per outcome (sensitivity OLS, complete cases)."""
    group = sensitivity[sensitivity["term"].astype(str).str.startswith("group[")]
    rows = []
    for row in group.itertuples(index=False):
        digits = fmt.digits_for(unit_of(str(row.outcome)))
        rows.append(
            {
                "outcome": variable_label(str(row.outcome)),
                "difference": fmt.estimate_ci(row.estimate, row.ci_low, row.ci_high, digits),
                "p": fmt.p_value(row.p_value),
                "n": str(int(row.n)),
            }
        )
    notes = sorted({str(n) for n in sensitivity.get("note", pd.Series(dtype=str)).dropna() if str(n)})
    table = (
        GT(pd.DataFrame(rows), rowname_col="outcome", id="adjusted_effects")
        .tab_stubhead(label="Outcome")
        .cols_label(difference=f"Adjusted difference, {arms.difference} (95 % CI)", p="p", n="Patients")
        .cols_align("right", columns=["p", "n"])
    )
    return gt_block(
        styled(
            table,
            "Covariate-adjusted arm effects (sensitivity analysis)",
            "OLS of each outcome on the arm and the baseline covariates (age, sex, BMI, preoperative NRS, symptom "
            "duration, disc level, surgery duration, ASA, comorbidity count, preoperative analgesic); complete cases",
            ("stats.sensitivity_regression",),
            tuple(esc(humanise_note(n)) for n in notes),
            full_width=False,
        )
    )


def simple_table(
    frame: pd.DataFrame,
    table_id: str,
    title: str,
    subtitle: str | None,
    sources: tuple[str, ...],
    stub: str,
    full_width: bool = False,
    nowrap: tuple[str, ...] = (),
) -> str:
    """A ready-formatted frame (text cells, human column names) as a styled table; first column is the stub.

    ``nowrap`` names columns kept on one line (numbers with exponents, CIs).
    """
    table = GT(frame, rowname_col=frame.columns[0], id=table_id).tab_stubhead(label=stub)
    if nowrap:
        table = table.tab_style(style.css("white-space:nowrap"), loc.body(columns=list(nowrap)))
    return gt_block(styled(table, title, subtitle, sources, full_width=full_width))

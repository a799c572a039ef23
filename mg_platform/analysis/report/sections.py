"""The report's sections in reading order: results in brief, Table 1, Table 2, population, pain over
time, robustness, network, docking, provenance.

Main text: the paper's tables and figures with human labels. Detail: every full warehouse table
behind a disclosure, naming its source. A block whose tables are not in the warehouse says so
("not materialised yet") instead of disappearing, so a section of a stage still being built (the
robustness tables, the hub consensus, the redocking tables) appears as soon as its tables exist.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from mg_platform.analysis.report import formatting as fmt
from mg_platform.analysis.report import tables as paper
from mg_platform.analysis.report.figures import Context, figures_by_section
from mg_platform.analysis.report.html import (
    Section,
    detail_table,
    esc,
    figure_html,
    kpis_html,
    missing_html,
    source_note,
)
from mg_platform.analysis.report.labels import (
    WEIGHTINGS,
    ArmLabels,
    engine_label,
    humanise_note,
    term_label,
    test_label,
    unit_of,
    variable_label,
)
from mg_platform.analysis.report.provenance import Provenance
from mg_platform.analysis.report.strobe_figure import strobe_diagram_png
from mg_platform.analysis.report.summary import results_paragraph

Tables = dict[str, pd.DataFrame | None]
Figures = dict[str, list[Path]]

# Tables the report reads. CORE ones are asset keys of this code base (the report depends on them);
# ROBUSTNESS, HUBS and DOCKING_VALIDATION come from stages being added (results contract), and are
# shown when present.
CORE_TABLES: tuple[str, ...] = (
    "cohort.strobe_flow",
    "stats.baseline",
    "stats.assumptions",
    "stats.pain_lmm_fixed",
    "stats.pain_lmm_tests",
    "stats.pain_emmeans",
    "stats.pain_contrasts",
    "stats.pain_auc",
    "stats.secondary_outcomes",
    "stats.sensitivity_regression",
    "stats.adverse_events",
    "network.edges",
    "network.centrality",
    "network.summary",
    "network.enrichment",
    "network.provenance",
    "docking.best",
    "docking.contacts",
    "docking.mg_pore",
    "docking.pore_profile",
    "docking.poses",
)
ROBUSTNESS_TABLES: tuple[str, ...] = (
    "stats.propensity",
    "stats.balance",
    "stats.weighting_summary",
    "stats.weighted_effects",
    "stats.evalues",
    "stats.evalue_benchmarks",
    "stats.robustness_estimates",
    "stats.power",
    "stats.power_curve",
)
NEW_STAGE_TABLES: tuple[str, ...] = ("network.hub_consensus", "docking.redock", "docking.interactions")
# Read when present, without a dependency (not asset keys of their own, or not in every branch yet).
OPTIONAL_TABLES: tuple[str, ...] = ("docking.engine_summary", "docking.redock_poses", "raw.retractions")
REPORT_TABLES: tuple[str, ...] = CORE_TABLES + ROBUSTNESS_TABLES + NEW_STAGE_TABLES + OPTIONAL_TABLES


def _has(tables: Tables, *names: str) -> bool:
    return all(tables.get(n) is not None for n in names)


def _built_or_missing(tables: Tables, name: str, build, what: str) -> str:
    """``build(frame)`` for a table in the warehouse, else the "not materialised yet" line naming it."""
    frame = tables.get(name)
    if frame is None:
        return missing_html([name], what)
    return build(frame) if len(frame) else f'<p class="note">{esc(what)}: table <code>{esc(name)}</code> is empty.</p>'


def _missing(tables: Tables, *names: str) -> list[str]:
    return [n for n in names if tables.get(n) is None]


def alerts_html(provenance: Provenance) -> str:
    """The prominent box stating which files are left out of the analysis and why (empty when none)."""
    items = []
    if provenance.rejected is not None and len(provenance.rejected):
        for row in provenance.rejected.itertuples(index=False):
            kept = (
                f"{int(row.rows_in_analysis)} rows of an earlier accepted delivery of this month remain in the analysis"
                if row.rows_in_analysis
                else "no rows of this month's file are in the analysis"
            )
            items.append(f"<li><b>{esc(row.month)}/{esc(row.file)}</b>: rejected ({esc(row.problem)}); {kept}.</li>")
    if provenance.retractions is not None:
        for row in provenance.retractions.sort_values("retracted_at").itertuples(index=False):
            items.append(
                f"<li><b>{esc(row.month)}</b>: retracted on {esc(str(row.retracted_at)[:16])} UTC ({esc(row.reason)}); "
                f"{int(row.records_removed)} records and {int(row.pain_scores_removed)} pain scores removed.</li>"
            )
    for month in provenance.vanished_months:
        items.append(
            f"<li><b>{esc(month)}</b>: the landing folder has disappeared since it was loaded; the analysis still "
            "contains its rows as loaded (sha256 at load time in the provenance section).</li>"
        )
    if not items:
        return ""
    return (
        '<div class="alert" id="left-out"><h3>Files left out of this analysis</h3><ul>'
        + "".join(items)
        + "</ul><p class=note>Source: warehouse tables <code>raw.quarantine</code> (rule file_rejected) and "
        "<code>raw.retractions</code>, and the landing zone. Correct and re-deliver the files, then re-run, to bring "
        "them in.</p></div>"
    )


def summary_section(tables: Tables, arms: ArmLabels, provenance: Provenance) -> Section:
    """Results in brief: the computed paragraph and the headline numbers."""
    paragraphs = results_paragraph(tables, arms, provenance.months)
    blocks = []
    if paragraphs:
        blocks.append('<div class="summary">' + "".join(f"<p>{esc(' '.join(p))}</p>" for p in paragraphs) + "</div>")
    else:
        blocks.append(missing_html(["stats.*"], "Results summary"))
    blocks.append(
        '<p class="source">Every number above is read from the warehouse tables shown below '
        "(sentences generated, not written by hand).</p>"
    )
    return Section("summary", "Results in brief", "", blocks)


def table1_section(tables: Tables, arms: ArmLabels) -> Section:
    """Table 1 and the normality / variance checks behind its tests."""
    blocks = (
        [paper.table1(tables, arms)]
        if _has(tables, "stats.baseline")
        else [missing_html(["stats.baseline"], "Table 1")]
    )
    assumptions = tables.get("stats.assumptions")
    if assumptions is not None:
        assumptions = assumptions.assign(
            outcome=assumptions["outcome"].map(lambda v: variable_label(str(v))),
            group=assumptions["group"].map(arms.name),
            test=assumptions["test"].map(test_label),
        )
    blocks.append(
        detail_table(
            assumptions,
            "stats.assumptions",
            "Assumption checks: Shapiro–Wilk and Levene per variable and arm",
            ["outcome", "group", "n", "shapiro_w", "shapiro_p", "levene_p", "test"],
        )
    )
    return Section("baseline", "Baseline characteristics", "", blocks)


def table2_section(tables: Tables, arms: ArmLabels, figures: dict[str, list[str]]) -> Section:
    """Table 2, the forest plot, adverse events and covariate-adjusted effects, with their full tables."""
    need = ("stats.pain_emmeans", "stats.pain_contrasts", "stats.pain_auc", "stats.secondary_outcomes")
    blocks = [paper.table2(tables, arms) if _has(tables, *need) else missing_html(_missing(tables, *need), "Table 2")]
    blocks += figures.get("outcomes", [])
    blocks.append(
        _built_or_missing(
            tables, "stats.adverse_events", lambda f: paper.adverse_events_table(f, arms), "Adverse events"
        )
    )
    sensitivity = tables.get("stats.sensitivity_regression")
    if sensitivity is not None:
        blocks.append(paper.adjusted_effects_table(sensitivity, arms))
        blocks.append(
            detail_table(
                sensitivity.assign(
                    outcome=sensitivity["outcome"].map(lambda v: variable_label(str(v))),
                    term=sensitivity["term"].map(lambda t: term_label(str(t), arms)),
                ),
                "stats.sensitivity_regression",
                "Sensitivity regressions: every term",
                ["outcome", "term", "estimate", "std_error", "ci_low", "ci_high", "p_value", "n", "note"],
            )
        )
    else:
        blocks.append(missing_html(["stats.sensitivity_regression"], "Covariate-adjusted effects"))
    secondary = tables.get("stats.secondary_outcomes")
    if secondary is not None:
        blocks.append(
            detail_table(
                secondary.assign(
                    outcome=secondary["outcome"].map(lambda v: variable_label(str(v))),
                    test=secondary["test"].map(test_label),
                ),
                "stats.secondary_outcomes",
                "Secondary outcomes: all columns",
                [c for c in secondary.columns if c not in {"reference_arm", "comparison_arm"}],
            )
        )
    return Section(
        "outcomes",
        "Outcomes",
        "Primary outcomes (Methods 2.4): pain over the first 30 PACU minutes and intraoperative remifentanil; "
        "secondary: extubation time and time to first mobilisation, with adverse events.",
        blocks,
    )


def population_section(tables: Tables, arms: ArmLabels) -> Section:
    """STROBE flow: screened, excluded by reason, analysed per arm."""
    flow = tables.get("cohort.strobe_flow")
    blocks = []
    if flow is not None and len(flow):

        def n(step: str, group: str | None = None) -> str:
            rows = flow[(flow["step"] == step) & flow["reason"].isna()]
            rows = rows[rows["group"].isna()] if group is None else rows[rows["group"] == group]
            return str(int(rows["n"].iloc[0])) if len(rows) else "–"

        # Blinded, the cohort's study labels must not show: per-arm counts come from the coded stats tables.
        sizes = paper.arm_size(tables) if arms.blinded else (n("included", "Control"), n("included", "MgSO4"))

        blocks.append(
            kpis_html(
                [
                    ("screened", n("screened")),
                    ("excluded", n("excluded_total")),
                    (arms.reference, str(sizes[0]) if sizes[0] is not None else "–"),
                    (arms.comparison, str(sizes[1]) if sizes[1] is not None else "–"),
                ]
            )
        )
        png = strobe_diagram_png(
            flow, arms=(arms.reference, arms.comparison), arm_sizes=sizes if arms.blinded else None
        )
        blocks.append(
            figure_html(
                png,
                esc(
                    f"STROBE flow diagram: {n('screened')} screened, {n('excluded_total')} excluded "
                    f"(a patient counts under every reason that applies), {n('included')} analysed "
                    f"({sizes[0]} {arms.reference}, {sizes[1]} {arms.comparison})."
                ),
            )
        )
        shown = flow[flow["group"].isna()] if arms.blinded else flow
        shown = shown.assign(
            step=shown["step"].str.replace("_", " "),
            reason=shown["reason"].map(lambda r: "" if fmt.missing(r) else str(r).replace("_", " ")),
        )
        blocks.append(detail_table(shown, "cohort.strobe_flow", "STROBE flow counts", ["step", "reason", "group", "n"]))
    else:
        blocks.append(missing_html(["cohort.strobe_flow"], "STROBE flow"))
    intro = (
        "Every screened patient is checked against the eligibility criteria (config/eligibility.yaml); an excluded "
        "patient counts under every reason that applies, so reason counts can add up to more than the excluded "
        "total. "
        + (
            "The analysis is blinded: the arms are coded A and B."
            if arms.blinded
            else "Included patients are grouped by intraoperative MgSO4 administration."
        )
    )
    return Section("population", "Study population (STROBE)", intro, blocks)


def pain_section(tables: Tables, arms: ArmLabels, figures: dict[str, list[str]]) -> Section:
    """The pain trajectory: figure, model tests, then the model's full tables."""
    blocks = list(figures.get("pain", []))
    blocks.append(
        _built_or_missing(tables, "stats.pain_lmm_tests", lambda f: paper.model_tests_table(f, arms), "Model tests")
    )
    emmeans = tables.get("stats.pain_emmeans")
    if emmeans is not None:
        emmeans = emmeans.assign(group=emmeans["group"].map(arms.name))
    blocks.append(
        detail_table(
            emmeans,
            "stats.pain_emmeans",
            "Estimated marginal means per arm and minute",
            ["group", "minute", "emmean", "std_error", "ci_low", "ci_high"],
        )
    )
    contrasts = tables.get("stats.pain_contrasts")
    blocks.append(
        detail_table(
            contrasts.assign(contrast=arms.difference) if contrasts is not None else None,
            "stats.pain_contrasts",
            f"Contrasts {arms.difference} per minute (Holm over five minutes)",
            [
                "minute",
                "contrast",
                "estimate",
                "std_error",
                "ci_low",
                "ci_high",
                "p_value",
                "p_holm",
                "df_satterthwaite",
                "p_satterthwaite",
            ],
        )
    )
    fixed = tables.get("stats.pain_lmm_fixed")
    if fixed is not None:
        fixed = fixed.assign(term=fixed["term"].map(lambda t: term_label(str(t), arms)))
    blocks.append(
        detail_table(
            fixed,
            "stats.pain_lmm_fixed",
            "Fixed effects of the mixed model",
        )
    )
    return Section(
        "pain",
        "Pain over the first 30 PACU minutes",
        "Linear mixed model of NRS on arm, time (0, 5, 10, 15, 30 min) and their interaction with a random intercept "
        "per patient (REML; Wald tests, asymptotic df as emmeans). Contrasts between arms at each minute are "
        "Holm-adjusted over the five time points (Table 2).",
        blocks,
    )


ESTIMATOR_COLUMNS: dict[str, tuple[str, dict[str, str]]] = {
    # table -> (column naming the estimator, its values in display order with their labels)
    "stats.robustness_estimates": (
        "estimator",
        {
            "unadjusted": "Unadjusted",
            "adjusted": "Covariate-adjusted",
            "overlap-weighted": "Overlap-weighted (ATO)",
            "IPTW": "IPTW (ATE)",
        },
    ),
    "stats.weighted_effects": ("weighting", WEIGHTINGS),
}


def _estimators_table(tables: Tables, arms: ArmLabels) -> str:
    """One row per outcome, one column per estimator: estimate (95 % CI) and p."""
    name = next((n for n in ESTIMATOR_COLUMNS if tables.get(n) is not None), None)
    if name is None:
        return missing_html(list(ESTIMATOR_COLUMNS), "Adjusted and propensity-weighted effects")
    frame = tables[name]
    column, levels = ESTIMATOR_COLUMNS[name]
    rows = []
    for outcome, block in frame.groupby("outcome", sort=False):
        digits = fmt.digits_for(unit_of(str(outcome)))
        row = {"Outcome": variable_label(str(outcome))}
        for level, label in levels.items():
            hit = block[block[column] == level]
            row[label] = (
                f"{fmt.estimate_ci(hit['estimate'].iloc[0], hit['ci_low'].iloc[0], hit['ci_high'].iloc[0], digits)}; "
                f"p {fmt.p_value(hit['p_value'].iloc[0])}"
                if len(hit)
                else "–"
            )
        rows.append(row)
    return paper.simple_table(
        pd.DataFrame(rows),
        "estimators",
        "Unadjusted, adjusted and propensity-weighted effects",
        f"{arms.difference}, estimate (95 % CI); p. Weighted estimates as R survey::svyglm on patients with "
        "complete covariates",
        (name,),
        "Outcome",
        full_width=True,
    )


def _power_table(power: pd.DataFrame) -> str:
    rows = []
    for r in power.itertuples(index=False):
        digits = fmt.digits_for(unit_of(str(r.outcome)))
        rows.append(
            {
                "Outcome": variable_label(str(r.outcome)),
                "Effect": ("observed" if r.effect_source == "observed" else "target")
                + f" {fmt.number(r.effect, digits)}",
                "Power at study n": f"{100 * float(r.power_at_study_n):.0f} %"
                if not fmt.missing(r.power_at_study_n)
                else "–",
                "n per arm for 80 %": "–" if fmt.missing(r.n_per_arm_80) else str(int(r.n_per_arm_80)),
                "n per arm for 90 %": "–" if fmt.missing(r.n_per_arm_90) else str(int(r.n_per_arm_90)),
            }
        )
    return paper.simple_table(
        pd.DataFrame(rows),
        "power",
        "Power and sample size",
        "Two-sided α = 0.05, equal arms",
        ("stats.power",),
        "Outcome",
    )


def robustness_section(tables: Tables, arms: ArmLabels, figures: dict[str, list[str]]) -> Section:
    """Could confounding explain the result, and how large must a follow-up trial be (when materialised)."""
    intro = (
        "The study was observational (the anaesthesiologist chose the arm) and small. Propensity weighting "
        "(overlap and IPTW) and E-values ask whether confounding could explain the result; the power analysis "
        "asks how large a follow-up trial must be."
    )
    if not any(tables.get(n) is not None for n in ROBUSTNESS_TABLES):
        blocks = [missing_html(list(ROBUSTNESS_TABLES), "Propensity weighting, E-values and power")]
        return Section("robustness", "Robustness: confounding and power", intro, blocks + figures.get("robustness", []))
    blocks: list[str] = []
    blocks.append(_estimators_table(tables, arms))
    evalues = tables.get("stats.evalues")
    if evalues is not None and "sentence" in evalues.columns:
        # One sentence per outcome in the main text (the unweighted estimate), the strongest measured
        # covariate beside it; every weighting's sentence stays in the detail table.
        main = evalues[evalues["weighting"] == "none"] if "weighting" in evalues.columns else evalues
        sentences = [str(s) for s in main["sentence"].dropna() if str(s)]
        benchmarks = tables.get("stats.evalue_benchmarks")
        if benchmarks is not None and {"sentence", "is_strongest"} <= set(benchmarks.columns):
            sentences += [str(s) for s in benchmarks.loc[benchmarks["is_strongest"].astype(bool), "sentence"].dropna()]
        blocks.append(
            "<h3>How strong would unmeasured confounding have to be? (E-values)</h3><ul class=sentences>"
            + "".join(f"<li>{esc(humanise_note(s))}</li>" for s in sentences)
            + "</ul>"
            + source_note("stats.evalues", "stats.evalue_benchmarks")
        )
    elif evalues is None:
        blocks.append(missing_html(["stats.evalues"], "E-values"))
    blocks.append(_built_or_missing(tables, "stats.power", _power_table, "Power and sample size"))
    blocks += figures.get("robustness", [])
    for name, summary in (
        ("stats.weighted_effects", "Propensity-weighted effects per weighting"),
        ("stats.robustness_estimates", "Estimates per outcome and estimator"),
        ("stats.balance", "Covariate balance per weighting (signed SMD, variance ratio)"),
        ("stats.weighting_summary", "Weights per arm: effective n, minimum and maximum"),
        ("stats.evalues", "E-values per outcome and weighting"),
        ("stats.evalue_benchmarks", "E-value benchmarks: observed covariates"),
        ("stats.power_curve", "Power curve values"),
    ):
        frame = tables.get(name)
        if frame is None:
            continue
        relabel = {
            "group": arms.name,
            "variable": lambda v: variable_label(str(v)),
            "outcome": lambda v: variable_label(str(v)),
        }
        frame = frame.assign(**{c: frame[c].map(f) for c, f in relabel.items() if c in frame.columns})
        blocks.append(detail_table(frame, name, summary))
    propensity = tables.get("stats.propensity")
    if propensity is not None:
        blocks.append(
            f'<p class="note">{len(propensity)} patients with complete covariates have a propensity score.</p>'
        )
    return Section("robustness", "Robustness: confounding and power", intro, blocks)


def network_section(tables: Tables, figures: dict[str, list[str]]) -> Section:
    """Source sentence, summary, hub table, enrichment (top terms), full tables behind disclosure."""
    provenance, summary = tables.get("network.provenance"), tables.get("network.summary")
    blocks = []
    if provenance is not None and len(provenance):
        first = provenance.iloc[0]
        blocks.append(
            f'<p class="lead"><b>Source:</b> {esc(first["source"])}; STRING {esc(first["string_version"])}; '
            f"score threshold requested {first['score_threshold_requested']:.3f}, applied "
            f"{first['score_threshold_applied']:.3f}.</p>"
        )
    if summary is not None and len(summary):
        s = summary.iloc[0]
        blocks.append(
            f"<p>The network has {int(s['nodes'])} proteins and {int(s['edges'])} interactions (average degree "
            f"{fmt.number(s['average_degree'], 2)}, clustering coefficient {fmt.number(s['clustering_coefficient'], 2)}; "
            f"{fmt.number(s['expected_edges'], 1)} interactions expected at random, PPI enrichment "
            f"p = {fmt.scientific(s['ppi_enrichment_p'])}).</p>" + source_note("network.summary")
        )
    centrality = tables.get("network.centrality")
    consensus = tables.get("network.hub_consensus")
    if centrality is not None:
        top = centrality.sort_values("mcc_rank").head(10)
        frame = pd.DataFrame(
            {
                "Protein": top["protein"],
                "MCC rank": top["mcc_rank"].astype(int).astype(str),
                "MCC": top["mcc"].map(lambda v: fmt.number(v, 0)),
                "Degree": top["degree"].astype(int).astype(str),
                "Betweenness": top["betweenness"].map(lambda v: fmt.number(v, 3)),
                "Closeness": top["closeness"].map(lambda v: fmt.number(v, 3)),
            }
        )
        sources = ["network.centrality"]
        if consensus is not None and "methods_in_top10" in consensus.columns:
            votes = consensus.set_index("protein")["methods_in_top10"]
            frame["Methods ranking it top 10"] = (
                top["protein"].map(votes).map(lambda v: "–" if fmt.missing(v) else str(int(v)))
            )
            sources.append("network.hub_consensus")
        blocks.append(
            paper.simple_table(
                frame,
                "hubs",
                "Hub proteins (top 10 by cytoHubba MCC)",
                "Centralities as Cytoscape NetworkAnalyzer",
                tuple(sources),
                "Protein",
            )
        )
        if consensus is None:
            blocks.append(missing_html(["network.hub_consensus"], "Hub consensus over the cytoHubba methods"))
    else:
        blocks.append(missing_html(["network.centrality"], "Hub proteins"))
    blocks += figures.get("network", [])
    enrichment = tables.get("network.enrichment")
    if enrichment is not None and len(enrichment):
        top = enrichment.sort_values(["category", "fdr"]).groupby("category").head(5)
        frame = pd.DataFrame(
            {
                "Term": top["description"],
                "Category": top["category"],
                "Genes": top["genes"].map(fmt.gene_list),
                "FDR": top["fdr"].map(fmt.scientific),
            }
        )
        blocks.append(
            paper.simple_table(
                frame,
                "enrichment",
                "Top enriched terms per category",
                "Five lowest FDR per category",
                ("network.enrichment",),
                "Term",
                nowrap=("FDR", "Category"),
            )
        )
    for name, summary_text, columns in (
        ("network.centrality", "All proteins: centralities and hub ranks", None),
        ("network.hub_consensus", "Hub consensus: rank per cytoHubba method", None),
        (
            "network.enrichment",
            "All enriched terms with their genes",
            ["category", "term_id", "description", "genes_observed", "genes_in_set", "fdr", "genes"],
        ),
        ("network.edges", "All interactions with STRING evidence channels", None),
        ("network.provenance", "Network source files and checksums", None),
    ):
        frame = tables.get(name)
        if frame is not None:
            blocks.append(detail_table(frame, name, summary_text, columns))
    return Section(
        "network",
        "Protein–protein interaction network",
        "Interactions among the study proteins from STRING (Homo sapiens); centralities as Cytoscape NetworkAnalyzer "
        "defines them and hub ranking by cytoHubba's Maximal Clique Centrality (MCC). An offline snapshot may use a "
        "stricter threshold than the study's 0.400; the threshold actually applied is stated.",
        blocks,
    )


def _score(value: object, engine: object) -> str:
    """A docking score with its engine: AutoDock 4 estimates a free energy, Vina's scores are its own scale."""
    text = fmt.number(value, 2)
    if str(engine) == "ad4":
        return f"{text} kcal/mol (AutoDock 4 ΔG estimate)"
    return f"{text} ({engine_label(engine)} score)"


def _column(frame: pd.DataFrame, name: str, default: str) -> pd.Series:
    """A column, or ``default`` on every row when the table predates it (engine, ligand)."""
    return frame[name] if name in frame.columns else pd.Series([default] * len(frame), index=frame.index)


def _docking_best_table(best: pd.DataFrame) -> str:
    best = best.assign(engine=_column(best, "engine", "vina"), ligand=_column(best, "ligand", "morphine"))
    best = best.sort_values(["receptor", "ligand", "engine"], kind="stable")
    frame = pd.DataFrame(
        {
            "Receptor": best["receptor"] + " (" + best["pdb_id"] + ")",
            "Ligand": best["ligand"],
            "Engine": best["engine"].map(engine_label),
            "Best score": [_score(v, e) for v, e in zip(best["best_affinity_kcal_mol"], best["engine"], strict=True)],
            "Mean ± SD of run bests": [
                f"{fmt.number(m, 2)} ± {fmt.number(s, 2)}"
                for m, s in zip(best["mean_best_affinity_kcal_mol"], best["sd_best_affinity_kcal_mol"], strict=True)
            ],
            "Runs": best["runs"].map(lambda v: "–" if fmt.missing(v) else str(int(v))),
            "Redocking RMSD, Å": best["redock_rmsd_a"].map(lambda v: fmt.number(v, 2)),
        }
    )
    return paper.simple_table(
        frame,
        "docking_best",
        "Best docking pose per receptor and engine",
        "Scores are engine-specific and not comparable across engines; more negative = tighter predicted binding. "
        "A run is one independent search: a Monte Carlo chain (Vina) or a Lamarckian GA run (AutoDock 4). "
        "Redocking RMSD only where the structure has the ligand co-crystallised (– otherwise)",
        ("docking.best",),
        "Receptor",
        nowrap=("Best score",),
    )


def _interactions_table(interactions: pd.DataFrame) -> str:
    """One line per receptor x ligand x engine: each interaction type with its residues."""
    rows = []
    keys = ["receptor", "ligand", "engine"]
    for (receptor, ligand, engine), block in interactions.groupby(keys, sort=True):
        parts = []
        for kind, hits in block.groupby("interaction", sort=True):
            residues = sorted({f"{r}{int(n)}" for r, n in zip(hits["residue"], hits["residue_number"], strict=True)})
            parts.append(f"{str(kind).replace('_', ' ')}: {', '.join(residues)}")
        rows.append(
            {"Receptor": receptor, "Ligand": ligand, "Engine": engine_label(engine), "Interactions": "; ".join(parts)}
        )
    return paper.simple_table(
        pd.DataFrame(rows),
        "docking_interactions",
        "Interactions of the best pose",
        "Residues per interaction type (distances and angles in the detail table)",
        ("docking.interactions",),
        "Receptor",
    )


def _redock_table(redock: pd.DataFrame) -> str:
    name = redock["complex"] if "complex" in redock.columns else redock["pdb_id"] + " · " + redock["ligand"].astype(str)
    frame = pd.DataFrame(
        {
            "Complex": name,
            "Engine": redock["engine"].map(engine_label),
            "Top-pose RMSD, Å": redock["top_pose_rmsd_a"].map(lambda v: fmt.number(v, 2)),
            "Success (< 2 Å)": redock["success"].map(lambda v: "–" if fmt.missing(v) else ("yes" if bool(v) else "no")),
            "Runs": redock["runs"].map(lambda v: "–" if fmt.missing(v) else str(int(v))),
        }
    )
    if "success_rate" in redock.columns:
        frame["Runs under 2 Å"] = redock["success_rate"].map(lambda v: "–" if fmt.missing(v) else f"{100 * v:.0f} %")
    return paper.simple_table(
        frame,
        "redock",
        "Redocking validation",
        "Co-crystal ligands rebuilt from their SMILES (a fresh conformer per run, each with its own search seed) and "
        "redocked with each engine; success = the top-scored pose within 2 Å of the deposited ligand",
        ("docking.redock",),
        "Complex",
    )


def _engine_summary_table(summary: pd.DataFrame) -> str:
    frame = pd.DataFrame(
        {
            "Engine": summary["engine"].map(engine_label),
            "Complexes": summary["complexes"].astype(int).astype(str),
            "Successes": summary["successes"].astype(int).astype(str),
            "Success rate": summary["success_rate"].map(lambda v: f"{100 * v:.0f} %"),
            "Median top-pose RMSD, Å": summary["median_top_pose_rmsd_a"].map(lambda v: fmt.number(v, 2)),
        }
    )
    if "best_by_redocking" in summary.columns:
        frame["Best engine"] = summary["best_by_redocking"].map(lambda v: "yes" if bool(v) else "")
    return paper.simple_table(
        frame, "engine_summary", "Which engine redocks best", None, ("docking.engine_summary",), "Engine"
    )


def docking_section(tables: Tables, figures: dict[str, list[str]]) -> Section:
    """Best poses per receptor and engine, redocking validation, the Mg2+ site; full tables behind disclosure."""
    blocks = [_built_or_missing(tables, "docking.best", _docking_best_table, "Docking results")]
    interactions = tables.get("docking.interactions")
    if interactions is not None and len(interactions):
        blocks.append(_interactions_table(interactions))
    blocks.append(_built_or_missing(tables, "docking.redock", _redock_table, "Redocking validation per engine"))
    summary = tables.get("docking.engine_summary")
    if summary is not None and len(summary):
        blocks.append(_engine_summary_table(summary))
    pore = tables.get("docking.mg_pore")
    if pore is not None and len(pore):
        frame = pd.DataFrame(
            {
                "Structure": pore["pdb_id"],
                "Site": pore["site"],
                "Coordinating residues": pore["residues"],
                "Closest distance, Å": pore["min_distance_a"].map(lambda v: fmt.number(v, 2)),
                "Coordination": pore["coordination"],
            }
        )
        blocks.append(
            paper.simple_table(
                frame, "mg_pore", "Mg²⁺ in the NMDA receptor pore", None, ("docking.mg_pore",), "Structure"
            )
        )
    blocks += figures.get("docking", [])
    formatters = {"box_center": lambda v: fmt.coordinates(v, 1), "box_size": lambda v: fmt.coordinates(v, 1)}
    for name, summary_text in (
        ("docking.best", "Best poses: all columns (box centre and size in Å)"),
        ("docking.contacts", "Receptor residues within 4 Å of the best pose"),
        ("docking.interactions", "Interactions of the best pose with distances and angles"),
        ("docking.poses", "Every pose of every run"),
        ("docking.redock", "Redocking: all columns"),
        ("docking.redock_poses", "Redocking: every pose"),
        ("docking.engine_summary", "Engine comparison: all columns"),
        ("docking.pore_profile", "Pore radius profile"),
    ):
        frame = tables.get(name)
        if frame is not None:
            drop = [c for c in ("structure_sha256",) if c in frame.columns]
            blocks.append(detail_table(frame.drop(columns=drop), name, summary_text, formatters=formatters))
    return Section(
        "docking",
        "Molecular docking and the Mg²⁺ site",
        "Morphine docked into the μ (8EF6), δ (6PT2) and κ (6VI4) opioid receptors; every score is shown with the "
        "engine that produced it (AutoDock 4.2 is the study's engine; AutoDock Vina and Vinardo score on their own "
        "scales). The redocking RMSD compares the docked pose with the experimental ligand (success below 2 Å). The "
        "Mg²⁺ site is modelled at the selectivity-filter asparagine ring of the GluN1/GluN2B NMDA receptor; the "
        "structure actually used is named in the table." + _validation_verdict(tables.get("docking.redock")),
        blocks,
    )


def _validation_verdict(redock: pd.DataFrame | None) -> str:
    """' Validation: ...' — per engine, the complexes whose top-scored redocked pose is within 2 Å ('' if none)."""
    if redock is None or not len(redock) or "engine" not in redock.columns:
        return ""
    counts = [
        f"{int(block['success'].fillna(False).astype(bool).sum())} of {len(block)} complexes with {engine_label(engine)}"
        for engine, block in redock.groupby("engine", sort=True)
    ]
    return (
        " Validation: the top-scored pose of a redocked co-crystal ligand lay within 2 Å of the experimental one in "
        f"{'; '.join(counts)}. Where that count is low, read the docked poses and scores as hypotheses, not as "
        "evidence of binding."
    )


def provenance_section(provenance: Provenance) -> Section:
    """Run, code, blinding and reference data; files in the analysis; quarantine; retractions."""
    items = "".join(f"<dt>{esc(k)}</dt><dd>{esc(v)}</dd>" for k, v in provenance.items.items())
    blocks = [f'<dl class="prov">{items}</dl>']
    files = provenance.files
    if files is not None and len(files):
        shown = files.assign(sha256_at_load=files["sha256_at_load"].map(lambda h: f"{h[:16]}…" if len(h) == 64 else h))
        blocks.append(
            paper.simple_table(
                shown.rename(
                    columns={
                        "month": "Month",
                        "file": "File",
                        "rows": "Rows in warehouse",
                        "sha256_at_load": "sha256 at load (first 16)",
                        "status": "Landing folder now",
                    }
                ),
                "files",
                "Files whose rows are in this analysis",
                f"{files['month'].nunique()} months, {len(files)} files",
                ("raw.perioperative_records", "raw.pain_scores"),
                "Month",
            )
        )
        blocks.append(detail_table(files, "raw files", "Full sha256 of every file at load time"))
    retractions = provenance.retractions
    if retractions is not None and len(retractions):
        frame = pd.DataFrame(
            {
                "Month": retractions["month"],
                "Retracted at (UTC)": retractions["retracted_at"].map(lambda t: str(t)[:16]),
                "Reason": retractions["reason"],
                "Records removed": retractions["records_removed"].map(lambda v: str(int(v))),
                "Pain scores removed": retractions["pain_scores_removed"].map(lambda v: str(int(v))),
            }
        )
        blocks.append(paper.simple_table(frame, "retractions", "Retracted months", None, ("raw.retractions",), "Month"))
    elif retractions is not None:
        blocks.append('<p class="note">No month has been retracted (raw.retractions is empty).</p>')
    quarantine = provenance.quarantine
    if quarantine is not None and len(quarantine):
        blocks.append(detail_table(quarantine, "raw.quarantine", "Quarantined rows by month, file and rule"))
    else:
        blocks.append('<p class="note">No row was quarantined by the data contract.</p>')
    return Section(
        "provenance",
        "Provenance and data quality",
        "What produced this report: the run, the code version, whether the analysis was blinded, the reference "
        "data, and the landed files whose rows are analysed (sha256 when they were loaded). Rows rejected by the "
        "data contract are listed by month and rule.",
        blocks,
    )


def build_sections(tables: Tables, figures: Figures, provenance: Provenance, arms: ArmLabels) -> list[Section]:
    """All sections of the report, in reading order."""
    placed = figures_by_section(figures, Context(tables, arms))
    return [
        summary_section(tables, arms, provenance),
        table1_section(tables, arms),
        table2_section(tables, arms, placed),
        population_section(tables, arms),
        pain_section(tables, arms, placed),
        robustness_section(tables, arms, placed),
        network_section(tables, placed),
        docking_section(tables, placed),
        provenance_section(provenance),
    ]

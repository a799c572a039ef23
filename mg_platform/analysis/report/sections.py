"""The report's sections, in the order of the paper: cohort, statistics, network, docking, provenance."""

from __future__ import annotations

import html
from pathlib import Path

import pandas as pd

from mg_platform.analysis.report.html import Section, figure_html, kpis_html, table_html
from mg_platform.analysis.report.strobe_figure import strobe_diagram_png

Tables = dict[str, pd.DataFrame | None]
Figures = dict[str, list[Path]]

REPORT_TABLES: tuple[str, ...] = (
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
)


BASELINE_COLUMNS = ["variable", "level", "control_summary", "mgso4_summary", "test", "p_value", "smd", "imbalanced"]
ASSUMPTION_COLUMNS = ["outcome", "group", "n", "shapiro_w", "shapiro_p", "levene_p", "levene_center", "test"]
SECONDARY_COLUMNS = [
    "outcome",
    "test",
    "n_control",
    "mean_control",
    "sd_control",
    "n_mgso4",
    "mean_mgso4",
    "sd_mgso4",
    "median_control",
    "iqr_control",
    "median_mgso4",
    "iqr_mgso4",
    "mean_difference",
    "ci_low",
    "ci_high",
    "p_value",
    "cohens_d",
    "cohens_d_ci_low",
    "cohens_d_ci_high",
]


def _cols(frame: pd.DataFrame | None, wanted: list[str]) -> pd.DataFrame | None:
    if frame is None:
        return None
    return frame[[c for c in wanted if c in frame.columns]]


def _figures(figures: Figures, stage: str, caption: str, name_contains: str = "") -> list[str]:
    paths = [p for p in figures.get(stage, []) if name_contains in p.stem]
    if not paths:
        return [figure_html(None, f"{caption} ({stage} stage not materialised yet)")]
    return [figure_html(p, f"{caption}: {p.stem.replace('_', ' ')}") for p in paths]


def blinded_labels(tables: Tables) -> bool:
    """True when the statistics were computed on coded arms (A/B) instead of study labels."""
    secondary = tables.get("stats.secondary_outcomes")
    if secondary is not None and "reference_arm" in secondary.columns and len(secondary):
        return str(secondary["reference_arm"].iloc[0]) in {"A", "B"}
    return False


def cohort_section(tables: Tables) -> Section:
    flow = tables.get("cohort.strobe_flow")
    blocks = []
    if flow is not None and len(flow):

        def n(step: str, group: str | None = None) -> str:
            rows = flow[(flow["step"] == step) & flow["reason"].isna()]
            rows = rows[rows["group"].isna()] if group is None else rows[rows["group"] == group]
            return str(int(rows["n"].iloc[0])) if len(rows) else "–"

        blocks.append(
            kpis_html(
                [
                    ("screened", n("screened")),
                    ("excluded", n("excluded_total")),
                    ("Control", n("included", "Control")),
                    ("MgSO4", n("included", "MgSO4")),
                ]
            )
        )
        blocks.append(figure_html(strobe_diagram_png(flow), "STROBE flow diagram"))
    blocks.append(table_html(_cols(flow, ["step", "reason", "group", "n"]), "cohort.strobe_flow"))
    return Section(
        "cohort",
        "Study population (STROBE)",
        "Every screened case is checked against the eligibility criteria (config/eligibility.yaml). An excluded "
        "case is counted under each reason that applies, so reason counts can add up to more than the excluded "
        "total. Included cases are grouped by intraoperative MgSO4 administration.",
        blocks,
    )


def baseline_section(tables: Tables) -> Section:
    return Section(
        "baseline",
        "Baseline characteristics",
        "Continuous variables as mean ± SD or median (IQR) by the Shapiro-Wilk rule; categorical variables as "
        "n (%). The absolute standardised mean difference (SMD) describes balance independent of sample size; "
        "|SMD| ≥ 0.1 is highlighted as a possible imbalance.",
        [
            table_html(_cols(tables.get("stats.baseline"), BASELINE_COLUMNS), "stats.baseline", flag="imbalanced"),
            "<h3>Assumption checks</h3>",
            table_html(_cols(tables.get("stats.assumptions"), ASSUMPTION_COLUMNS), "stats.assumptions"),
        ],
    )


def pain_section(tables: Tables, figures: Figures) -> Section:
    return Section(
        "pain",
        "Primary outcome: pain in the PACU",
        "Linear mixed model of NRS on group, time (0, 5, 10, 15, 30 min) and their interaction with a random "
        "intercept per patient (REML). Estimated marginal means are shown with 95 % CIs; group differences "
        "(MgSO4 − Control) at each minute are Holm-adjusted across the five time points.",
        [
            *_figures(figures, "stats", "Pain trajectory", "trajectory"),
            "<h3>Model-level tests (Wald chi-square, type III)</h3>",
            table_html(tables.get("stats.pain_lmm_tests"), "stats.pain_lmm_tests"),
            "<h3>Group differences at each minute</h3>",
            table_html(tables.get("stats.pain_contrasts"), "stats.pain_contrasts"),
            "<h3>Estimated marginal means</h3>",
            table_html(tables.get("stats.pain_emmeans"), "stats.pain_emmeans"),
            "<h3>Area under the pain curve (0–30 min, trapezoid)</h3>",
            table_html(tables.get("stats.pain_auc"), "stats.pain_auc"),
            "<h3>Fixed effects</h3>",
            table_html(tables.get("stats.pain_lmm_fixed"), "stats.pain_lmm_fixed"),
        ],
    )


def secondary_section(tables: Tables, figures: Figures) -> Section:
    sensitivity = tables.get("stats.sensitivity_regression")
    group_terms = None
    if sensitivity is not None and "term" in sensitivity.columns:
        group_terms = sensitivity[sensitivity["term"].astype(str).str.startswith("group")]
    return Section(
        "secondary",
        "Secondary outcomes, sensitivity analyses and adverse events",
        "Each outcome is compared with the test chosen by the stated rule (t-test when both groups pass "
        "Shapiro-Wilk, Welch when Levene's test rejects equal variances, otherwise Mann-Whitney U); mean "
        "differences are MgSO4 − Control with 95 % CIs and Cohen's d. The sensitivity models adjust each "
        "outcome for baseline covariates (OLS, complete cases); only the group effect is shown here.",
        [
            *_figures(figures, "stats", "Forest plot of mean differences", "forest"),
            table_html(_cols(tables.get("stats.secondary_outcomes"), SECONDARY_COLUMNS), "stats.secondary_outcomes"),
            "<h3>Sensitivity regressions: adjusted group effect</h3>",
            table_html(group_terms, "stats.sensitivity_regression (group terms)"),
            "<h3>Adverse events (Fisher's exact test)</h3>",
            table_html(tables.get("stats.adverse_events"), "stats.adverse_events"),
        ],
    )


def _network_source_html(provenance: pd.DataFrame | None) -> str:
    """One sentence naming the source, STRING version and the thresholds requested and applied."""
    if provenance is None or provenance.empty:
        return ""
    first = provenance.iloc[0]
    return (
        f'<p class="lead"><b>Source:</b> {html.escape(str(first["source"]))}; STRING {html.escape(str(first["string_version"]))}; '
        f"score threshold requested {first['score_threshold_requested']:.3f}, applied "
        f"{first['score_threshold_applied']:.3f}.</p>"
    )


def network_section(tables: Tables, figures: Figures) -> Section:
    provenance = tables.get("network.provenance")
    centrality = tables.get("network.centrality")
    if centrality is not None and "mcc_rank" in centrality.columns:
        centrality = centrality.sort_values("mcc_rank")
    enrichment = tables.get("network.enrichment")
    if enrichment is not None and {"category", "fdr"} <= set(enrichment.columns):
        enrichment = enrichment.sort_values(["category", "fdr"]).groupby("category").head(5)
    return Section(
        "network",
        "Protein-protein interaction network",
        "Interactions among the 13 study proteins from STRING (Homo sapiens); centralities as Cytoscape "
        "NetworkAnalyzer defines them and hub ranking by cytoHubba's Maximal Clique Centrality (MCC). "
        "The source, STRING version and score threshold actually used are listed below: an offline snapshot "
        "may use a stricter threshold than the study's 0.400.",
        [
            _network_source_html(provenance),
            table_html(_cols(provenance, ["resource", "sha256", "retrieved_at", "note"]), "network.provenance"),
            *_figures(figures, "network", "Network figure"),
            table_html(tables.get("network.summary"), "network.summary"),
            "<h3>Hub ranking (MCC) and centralities</h3>",
            table_html(centrality, "network.centrality"),
            "<h3>Top enriched terms per category (FDR)</h3>",
            table_html(enrichment, "network.enrichment (top 5 per category)"),
        ],
    )


def docking_section(tables: Tables, figures: Figures) -> Section:
    return Section(
        "docking",
        "Molecular docking and the Mg²⁺ site",
        "Morphine docked into the μ (8EF6), δ (6PT2) and κ (6VI4) opioid receptors with AutoDock Vina "
        "(20 seeded runs per receptor). Affinities are Vina scores in kcal/mol (more negative = tighter); the "
        "redocking RMSD compares the best pose with the cryo-EM morphine pose (success below 2 Å). The Mg²⁺ "
        "site is modelled at the selectivity-filter asparagine ring of the GluN1/GluN2B NMDA receptor; the "
        "structure actually used is named in the table.",
        [
            table_html(tables.get("docking.best"), "docking.best"),
            "<h3>Receptor residues in contact with the best pose (≤ 4 Å)</h3>",
            table_html(tables.get("docking.contacts"), "docking.contacts", max_rows=80),
            "<h3>Mg²⁺ in the NMDA receptor pore</h3>",
            table_html(tables.get("docking.mg_pore"), "docking.mg_pore"),
            *_figures(figures, "docking", "Docking figure"),
        ],
    )


def provenance_section(provenance: dict[str, object], quarantine: pd.DataFrame | None) -> Section:
    months = provenance.get("months", pd.DataFrame())
    items = "".join(
        f"<tr><td>{html.escape(str(k))}</td><td>{html.escape(str(v))}</td></tr>"
        for k, v in provenance.items()
        if k != "months"
    )
    return Section(
        "provenance",
        "Provenance and data quality",
        "What produced this report: the landed files (sha256), the code version, the run, whether the analysis "
        "was blinded, and the reference data. Quarantined rows were rejected by the data contract and are listed "
        "by month and rule in raw.quarantine.",
        [
            f"<table><tr><th>item</th><th>value</th></tr>{items}</table>",
            table_html(months if isinstance(months, pd.DataFrame) else None, "landed files"),
            table_html(quarantine, "quarantine by month and rule"),
        ],
    )


def build_sections(
    tables: Tables, figures: Figures, provenance: dict[str, object], quarantine: pd.DataFrame | None
) -> list[Section]:
    """All sections of the report."""
    return [
        cohort_section(tables),
        baseline_section(tables),
        pain_section(tables, figures),
        secondary_section(tables, figures),
        network_section(tables, figures),
        docking_section(tables, figures),
        provenance_section(provenance, quarantine),
    ]

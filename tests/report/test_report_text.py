"""The report's words and tables: computed sentences, human labels, blinding, missing stages, figures."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
from report_tables import all_tables, robustness_tables, stats_tables, strobe_flow

from mg_platform.analysis.report import html, sections, summary, tables
from mg_platform.analysis.report.figures import Context, caption_for, discover, figures_by_section
from mg_platform.analysis.report.labels import ArmLabels, blinded_from
from mg_platform.analysis.report.provenance import Provenance
from mg_platform.analysis.report.strobe_figure import strobe_diagram_png

UNBLINDED, BLINDED = ArmLabels(blinded=False), ArmLabels(blinded=True)
MONTHS = [f"2025-{m:02d}" for m in range(3, 10)]


def document(tables_: dict, arms: ArmLabels, figures: dict | None = None) -> str:
    full = {name: tables_.get(name) for name in sections.REPORT_TABLES} | tables_
    facts = Provenance(items={"Run": "r1"}, months=MONTHS)
    doc = html.render("Study", "sub", sections.build_sections(full, figures or {}, facts, arms))
    return doc.replace("\u00a0", " ")  # non-breaking spaces keep "95 %" together; compare as plain text


def visible_main_text(doc: str) -> str:
    """Text outside <details>, <style> and tags (what a reader sees without expanding anything)."""
    doc = re.sub(r"<style.*?</style>", "", doc, flags=re.S)
    doc = re.sub(r"<details>.*?</details>", "", doc, flags=re.S)
    return re.sub(r"<[^>]+>", " ", doc)


def test_the_issues_example_sentence_is_computed_from_the_contrasts():
    sentence = summary.pain_contrast_sentence(stats_tables(), UNBLINDED)
    assert sentence.startswith(
        "At 30 min, pain was 0.80 points lower with MgSO4 (95 % CI −1.53 to −0.07; Holm p = 0.031); "
        "Holm-corrected differences were significant at 30 min."
    )


def test_paragraph_reads_cohort_model_and_outcomes_in_words():
    tables_ = {"cohort.strobe_flow": strobe_flow(), **stats_tables()}
    paragraphs = summary.results_paragraph(tables_, UNBLINDED, MONTHS)
    assert len(paragraphs) == 2
    text = " ".join(s for p in paragraphs for s in p).replace("\u00a0", " ")
    assert text.startswith(
        "Of 76 patients screened between March and September 2025, 38 were excluded and 38 were analysed "
        "(19 Control, 19 MgSO4)."
    )
    # emmeans rise by 0.5 per time point from 2.6 (Control) and 2.2 (MgSO4): 2.6 -> 4.6 and 2.2 -> 4.2.
    assert "from 2.6 to 4.6 in the Control arm and from 2.2 to 4.2 in the MgSO4 arm; time effect p < 0.001" in text
    assert "pain did not differ significantly between arms (Wald χ² = 1.90, 1 df, p = 0.168)" in text
    assert "arm × time interaction was not significant (χ² = 2.71, 4 df, p = 0.607)" in text
    assert (
        "Intraoperative remifentanil was 77 µg lower with MgSO4 (95 % CI −166 to 11; Student t-test p = 0.085" in text
    )
    assert "extubation time was 0.1 min shorter with MgSO4" in text and "Mann–Whitney U p = 0.854" in text
    assert "time to first mobilisation was 3.3 min longer with MgSO4" in text
    assert (
        "Adverse events were few (Control vs MgSO4: haemodynamic instability 1 vs 3; cardiac arrhythmia 0 vs 2)" in text
    )
    assert "none differed significantly between arms (Fisher's exact p ≥ 0.486)" in text
    assert text.endswith("Comparisons significant at the two-sided 5 % level: pain at 30 min.")


def test_no_significant_comparison_gives_the_null_conclusion():
    tables_ = stats_tables()
    tables_["stats.pain_contrasts"] = tables_["stats.pain_contrasts"].assign(p_holm=0.5)
    assert summary.conclusion_sentence(tables_, UNBLINDED).startswith(
        "No primary or secondary comparison between MgSO4 and Control reached significance"
    )


def test_table1_uses_human_labels_the_rules_statistic_and_flags_imbalance():
    rendered = tables.table1(stats_tables(), UNBLINDED).replace("\u00a0", " ")
    for label in ("Age, years, median [IQR]", "BMI, kg/m², mean ± SD", "ASA physical status, n (%)", "Female"):
        assert label in rendered
    assert "53.0 [42.5–62.0]" in rendered and "26.8 ± 2.8" in rendered
    assert "(data for 19 + 18)" in rendered  # BMI missing once in MgSO4
    flagged = stats_tables()["stats.baseline"].query("smd >= 0.1")["variable"].unique()
    assert f"{len(flagged)} of 4 characteristics with |SMD| ≥ 0.1" in rendered
    assert "Age, Sex, ASA physical status" in rendered
    assert 'Source: warehouse table <a href="exports/stats.baseline.csv">stats.baseline</a>.' in rendered


def test_table2_has_estimate_ci_p_test_and_d_per_outcome():
    rendered = tables.table2(stats_tables(), UNBLINDED).replace("\u00a0", " ")
    assert "−0.80 (−1.53 to −0.07)" in rendered and "0.031" in rendered
    assert "725 ± 134" in rendered and "−77 (−166 to 11)" in rendered and "−0.57 (−1.22 to 0.07)" in rendered
    assert "6.5 [5.3–8.3]" in rendered or "6.5 [5.3–8.4]" in rendered  # median [IQR] after Mann–Whitney
    assert "Mann–Whitney U" in rendered and "Welch t-test" in rendered
    assert rendered.index("Intraoperative remifentanil") < rendered.index("Secondary outcomes")


def test_blinded_report_says_arm_a_and_b_everywhere():
    doc = document(all_tables(blinded=True, robustness=True), BLINDED)
    body = doc.split("</header>", 1)[1]
    assert blinded_from(all_tables(blinded=True))
    assert "MgSO4" not in body and "Control" not in body
    assert "Arm B − Arm A" in body and "Arm A (n = 19)" in body
    assert "lower in Arm B than in Arm A" in body


def test_unblinded_tables_are_not_taken_for_blinded():
    assert not blinded_from(all_tables())


def test_main_text_has_no_warehouse_column_names():
    doc = document(all_tables(robustness=True), UNBLINDED)
    text = visible_main_text(doc)
    columns = {c for frame in all_tables(robustness=True).values() for c in frame.columns if "_" in c}
    variables = {"age_years", "remifentanil_total_ug", "extubation_time_min", "ae_arrhythmia", "pain_auc_0_30"}
    leaked = sorted(name for name in columns | variables if re.search(rf"\b{re.escape(name)}\b", text))
    assert leaked == []


def test_missing_stages_are_named_and_present_ones_shown():
    doc = document({"cohort.strobe_flow": strobe_flow(), **stats_tables()}, UNBLINDED)
    assert "Propensity weighting, E-values and power: not materialised yet" in doc
    assert "Docking results: not materialised yet" in doc and "Hub proteins: not materialised yet" in doc
    doc = document(all_tables(robustness=True), UNBLINDED)
    assert "Unadjusted, adjusted and propensity-weighted effects" in doc and "Covariate-adjusted" in doc
    # adjusted estimates in each outcome's digits: NRS × min 1 decimal, µg none
    assert "−9.0 (−49.0 to 31.0); p 0.300" in doc and "−9 (−49 to 31); p 0.300" in doc
    main = visible_main_text(doc)
    assert main.count("an unmeasured confounder would need RR 1.96") == 2  # one per outcome (unweighted)
    assert "the strongest measured covariate, age, is weaker" in main
    assert "Power at study n" in doc and "71 %" in doc
    assert "Redocking validation per engine: not materialised yet" in doc


def test_details_compact_gene_lists_and_coordinates():
    doc = document(all_tables(), UNBLINDED)
    assert "GRIN1, GRIN2B, GRIA1, GRIA2, CAMK2A" in doc
    assert "(138.7, 125.3, 134.2) Å" in doc and "[138.74" not in doc
    assert "−7.58 (AutoDock Vina score)" in doc
    assert doc.count("<details>") >= 10 and "Source: warehouse table <code>docking.best</code>" in doc


def _png(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(strobe_diagram_png(strobe_flow()))
    return path


def test_figures_are_found_recursively_and_captioned_with_n(tmp_path):
    outputs = tmp_path / "outputs"
    _png(outputs / "stats" / "pain_trajectory.png")
    _png(outputs / "docking" / "nmda_pore" / "pore_profile.png")
    _png(outputs / "network" / "brand_new_plot.png")
    found = discover(outputs)
    assert [p.name for p in found["docking"]] == ["pore_profile.png"]
    context = Context(all_tables(), UNBLINDED)
    section, caption = caption_for(found["stats"][0], context)
    assert section == "pain" and "n = 19 (Control) and 19 (MgSO4) patients" in caption
    section, caption = caption_for(found["network"][0], context)
    assert (section, caption) == (
        "network",
        "Network stage figure “brand new plot” (outputs/network/brand_new_plot.png).",
    )
    placed = figures_by_section(found, context)
    missing = [block for blocks in placed.values() for block in blocks if "figure-missing" in block]
    # network.png and the enrichment plot are expected: their stage ran (tables present), so the reason says so.
    assert len(missing) == 3 and all("ran but wrote no such figure" in m for m in missing)
    assert sum("Network figure" in m or "Enrichment dot plot" in m or "Forest plot" in m for m in missing) == 3
    not_run = figures_by_section({}, Context({"cohort.strobe_flow": strobe_flow()}, UNBLINDED))
    reasons = [b for blocks in not_run.values() for b in blocks]
    assert reasons and all("stage not materialised yet" in b for b in reasons)


def test_figures_are_numbered_in_reading_order(tmp_path):
    pain = _png(tmp_path / "outputs" / "stats" / "pain_trajectory.png")
    doc = document(all_tables(), UNBLINDED, {"stats": [pain]})
    numbers = [int(n) for n in re.findall(r"<figcaption><b>Figure (\d+)\.</b>", doc)]
    assert numbers == list(range(1, len(numbers) + 1)) and len(numbers) >= 2


def test_alert_names_files_left_out(tmp_path):
    from mg_platform.analysis.report.provenance import files_in_analysis, rejected_files, vanished_months

    loaded = pd.DataFrame(
        {"month": ["2025-03", "2025-04", "2025-05"], "file": ["a.csv", "a.csv", "a.csv"], "rows": [10, 11, 12]}
    )
    files = files_in_analysis(
        loaded,
        {("2025-03", "a.csv"): "h3", ("2025-04", "a.csv"): "h4"},
        {("2025-03", "a.csv"): "h3", ("2025-04", "a.csv"): "new"},
    )
    assert list(files["status"]) == ["unchanged", "changed since load", "removed from landing"]
    assert vanished_months(loaded, ["2025-03", "2025-04"]) == ["2025-05"]
    rejected = rejected_files(
        pd.DataFrame(
            {"month": ["2025-04", "2025-06"], "file": ["a.csv", "a.csv"], "problem": ["missing column x", "empty"]}
        ),
        loaded,
    )
    assert list(rejected["rows_in_analysis"]) == [11, 0]
    retractions = pd.DataFrame(
        {
            "month": ["2025-07"],
            "retracted_at": [pd.Timestamp("2026-11-30 10:15:00")],
            "reason": ["wrong hospital export"],
            "records_removed": [11],
            "pain_scores_removed": [52],
        }
    )
    facts = Provenance(items={}, rejected=rejected, vanished_months=["2025-05"], retractions=retractions)
    alert = sections.alerts_html(facts)
    assert (
        "<b>2025-07</b>: retracted on 2026-11-30 10:15 UTC (wrong hospital export); 11 records and 52 pain scores"
        in alert
    )
    listed = "".join(sections.provenance_section(facts).blocks)
    assert "Retracted months" in listed and "wrong hospital export" in listed
    assert "2025-04/a.csv</b>: rejected (missing column x); 11 rows of an earlier accepted delivery" in alert
    assert "2025-06/a.csv</b>: rejected (empty); no rows of this month" in alert
    assert "<b>2025-05</b>: the landing folder has disappeared" in alert
    assert sections.alerts_html(Provenance(items={})) == ""


def test_robustness_tables_keep_contract_names():
    assert set(robustness_tables()) <= set(sections.REPORT_TABLES)


def test_conclusion_lists_minutes_once_and_keeps_acronyms():
    tables_ = stats_tables()
    tables_["stats.pain_contrasts"] = tables_["stats.pain_contrasts"].assign(p_holm=[0.01, 0.02, 0.5, 0.5, 0.03])
    tables_["stats.pain_auc"] = tables_["stats.pain_auc"].assign(p_value=0.004)
    assert summary.conclusion_sentence(tables_, UNBLINDED) == (
        "Comparisons significant at the two-sided 5 % level: pain at 0, 5 and 30 min, pain AUC 0–30 min."
    )


def test_docking_with_engines_names_every_score_and_validation():
    tables_ = all_tables()
    best = tables_["docking.best"]
    tables_["docking.best"] = pd.concat(
        [best.assign(engine="vina", ligand="morphine"), best.head(1).assign(engine="ad4", ligand="morphine")]
    )
    tables_["docking.interactions"] = pd.DataFrame(
        {
            "receptor": ["MOR", "MOR", "MOR"],
            "ligand": ["morphine"] * 3,
            "engine": ["ad4"] * 3,
            "interaction": ["salt_bridge", "hydrogen_bond", "hydrogen_bond"],
            "residue": ["ASP", "TYR", "HIS"],
            "residue_number": [147, 148, 297],
            "chain": ["R"] * 3,
            "distance_a": [3.1, 2.9, 3.0],
            "angle_deg": [None, 160.0, 150.0],
        }
    )
    tables_["docking.redock"] = pd.DataFrame(
        {
            "complex": ["8EF6 morphine"],
            "pdb_id": ["8EF6"],
            "ligand": ["morphine"],
            "engine": ["ad4"],
            "top_pose_rmsd_a": [1.234],
            "success": [True],
            "runs": [20],
            "success_rate": [0.85],
        }
    )
    doc = visible_main_text(document(tables_, UNBLINDED))
    assert "−7.58 kcal/mol (AutoDock 4 ΔG estimate)" in doc and "−7.58 (AutoDock Vina score)" in doc
    assert "hydrogen bond: HIS297, TYR148; salt bridge: ASP147" in doc
    assert "8EF6 morphine" in doc and "1.23" in doc and "85 %" in doc
    assert "within 2 Å of the experimental one in 1 of 1 complexes with AutoDock 4.2." in doc
    tables_["docking.redock"] = pd.concat(
        [
            tables_["docking.redock"],
            tables_["docking.redock"].assign(engine="vina", success=False),
            tables_["docking.redock"].assign(complex="7SCG", engine="vina", success=None),
        ]
    )
    doc = visible_main_text(document(tables_, UNBLINDED))
    assert "in 1 of 1 complexes with AutoDock 4.2; 0 of 2 complexes with AutoDock Vina." in doc


def test_docking_figure_stems_get_their_captions():
    context = Context(all_tables(), UNBLINDED)
    section, caption = caption_for(Path("/o/docking/MOR/pose_MOR_morphine.png"), context)
    assert section == "docking" and caption.startswith("Best pose of each engine for MOR · morphine")
    assert "20 seeded runs per receptor and engine" in caption
    section, caption = caption_for(Path("/o/docking/redock_rmsd_by_engine.png"), context)
    assert caption.startswith("Redocking benchmark") and caption.endswith("0 complex × engine results.")
    section, caption = caption_for(Path("/o/stats/robustness_forest.png"), context)
    assert section == "robustness" and "IPTW" in caption


def test_network_caption_matches_the_figure():
    _, caption = caption_for(Path("/o/network/network.png"), Context(all_tables(), UNBLINDED))
    assert caption == (
        "STRING protein–protein interaction network of the study proteins; node area by MCC, hubs coloured as the "
        "figure's legend states; n = 13 proteins, 40 interactions."
    )

"""Figure discovery and captions.

Every PNG under ``outputs/<stage>/`` (subfolders included) is a figure of that stage. Its caption
comes from :data:`CAPTIONS`, a registry keyed by the file stem (first matching pattern wins), filled
with the counts of the tables it shows (so each caption says what is shown and the n); a figure
that no entry knows gets a generic caption naming the stage and the file, so a new figure written by
any stage appears without a change here. A placeholder is shown only for a figure whose stage has not
run (none of its tables in the warehouse).
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from mg_platform.analysis.report.html import figure_html, figure_placeholder
from mg_platform.analysis.report.labels import ArmLabels
from mg_platform.analysis.report.tables import arm_size

Tables = dict[str, pd.DataFrame | None]
STAGES: tuple[str, ...] = ("stats", "network", "docking")


@dataclass(frozen=True)
class Context:
    """What a caption may mention."""

    tables: Tables
    arms: ArmLabels

    def arms_n(self) -> str:
        ref, cmp = arm_size(self.tables)
        return f"n = {ref} ({self.arms.reference}) and {cmp} ({self.arms.comparison}) patients" if ref else ""

    def rows(self, name: str) -> int:
        frame = self.tables.get(name)
        return 0 if frame is None else len(frame)

    def value(self, name: str, column: str) -> object:
        frame = self.tables.get(name)
        if frame is None or not len(frame) or column not in frame.columns:
            return None
        return frame[column].iloc[0]


@dataclass(frozen=True)
class Caption:
    """A registry entry: stem pattern, section that shows the figure, caption builder, expected or optional."""

    pattern: str
    section: str
    text: Callable[[Context, Path], str]
    expected: bool = False  # drawn by every run of its stage: a missing file is a placeholder
    what: str = ""


def _receptor(path: Path) -> str:
    return path.parent.name if path.parent.name not in STAGES else ""


def _stem_rest(path: Path, prefix: str) -> str:
    """``pose_MOR_morphine`` -> ``MOR · morphine``."""
    return path.stem.removeprefix(prefix).replace("_", " · ", 1).replace("_", " ")


def _network_counts(c: Context) -> str:
    nodes, edges = c.value("network.summary", "nodes"), c.value("network.summary", "edges")
    return f"n = {nodes} proteins, {edges} interactions" if nodes is not None else ""


def _docking_runs(c: Context) -> str:
    runs = c.value("docking.best", "runs")
    return f"{runs} seeded runs per receptor and engine" if runs is not None else ""


CAPTIONS: tuple[Caption, ...] = (
    Caption(
        "pain_trajectory",
        "pain",
        lambda c, p: (
            f"Pain over the first 30 PACU minutes: estimated marginal mean NRS (95 % CI) per arm from the "
            f"linear mixed model; {c.arms_n()}."
        ),
        expected=True,
        what="Pain trajectory",
    ),
    Caption(
        "secondary_outcomes_forest",
        "outcomes",
        lambda c, p: (
            f"Mean difference {c.arms.difference} (95 % CI) for remifentanil, extubation time and time to "
            f"first mobilisation, each on its own scale; {c.arms_n()}."
        ),
        expected=True,
        what="Forest plot of the secondary outcomes",
    ),
    Caption(
        "love",
        "robustness",
        lambda c, p: (
            "Covariate balance (love plot): standardised mean difference of each baseline covariate "
            f"{c.arms.difference} before and after overlap and inverse-probability weighting; "
            f"{c.rows('stats.propensity')} patients with complete covariates."
        ),
        what="Love plot",
    ),
    Caption(
        "robustness_forest|forest",
        "robustness",
        lambda c, p: (
            f"Effect estimates {c.arms.difference} (95 % CI) unadjusted, covariate-adjusted, "
            f"overlap-weighted and IPTW-weighted; {c.arms_n()}."
        ),
        what="Forest plot of adjusted and weighted effects",
    ),
    Caption(
        "power",
        "robustness",
        lambda c, p: (
            "Power (two-sided α = 0.05) by patients per arm for the observed and the clinically relevant "
            "target effects; analytic curves with simulated points where computed."
        ),
        what="Power curve",
    ),
    Caption(
        r"^network$",
        "network",
        lambda c, p: (
            "STRING protein–protein interaction network of the study proteins; node area by MCC, hubs "
            f"coloured as the figure's legend states; {_network_counts(c)}."
        ),
        expected=True,
        what="Network figure",
    ),
    Caption(
        "enrichment",
        "network",
        lambda c, p: (
            "Top enriched GO, KEGG and Reactome terms per category (dot size = genes observed, colour = "
            f"FDR); {c.rows('network.enrichment')} terms with FDR < 0.05 in total."
        ),
        expected=True,
        what="Enrichment dot plot",
    ),
    Caption(
        "consensus|heatmap",
        "network",
        lambda c, p: (
            "Hub consensus: rank of each protein under the eleven cytoHubba methods (rows: proteins in any "
            f"method's top 10, columns: methods); {_network_counts(c)}."
        ),
        what="Hub consensus heatmap",
    ),
    Caption(
        "pore_profile",
        "docking",
        lambda c, p: (
            f"Pore radius along the channel axis of the NMDA receptor ({c.value('docking.mg_pore', 'pdb_id')}) "
            "with the placed Mg²⁺ at the selectivity-filter asparagine ring."
        ),
        expected=True,
        what="NMDA receptor pore profile",
    ),
    Caption(
        "redock_rmsd",
        "docking",
        lambda c, p: (
            "Redocking benchmark: RMSD of each engine's top-scored pose to the deposited ligand per complex "
            f"(success below 2 Å); {c.rows('docking.redock')} complex × engine results."
        ),
        what="Redocking RMSD by engine",
    ),
    Caption(
        "^redock_",
        "docking",
        lambda c, p: f"Redocking of {_stem_rest(p, 'redock_')}: the top pose of each engine over the deposited ligand.",
        what="Redocking pose",
    ),
    Caption(
        "^pose_",
        "docking",
        lambda c, p: (
            f"Best pose of each engine for {_stem_rest(p, 'pose_')} in the receptor pocket; {_docking_runs(c)}."
        ),
        what="Docking pose",
    ),
    Caption(
        "^interactions_",
        "docking",
        lambda c, p: f"Interactions of the best poses for {_stem_rest(p, 'interactions_')} (2D diagram per engine).",
        what="Interaction diagram",
    ),
    Caption(
        "pose",
        "docking",
        lambda c, p: f"Best docking pose{' in ' + _receptor(p) if _receptor(p) else ''}; {_docking_runs(c)}.",
        what="Docking pose",
    ),
)


def caption_for(path: Path, context: Context) -> tuple[str, str]:
    """(section, caption) of a figure file; unknown stems get a generic caption in their stage's section."""
    for entry in CAPTIONS:
        if re.search(entry.pattern, path.stem):
            return entry.section, _tidy(entry.text(context, path))
    stage = _stage(path)
    where = "/".join(path.parts[-3:] if _receptor(path) else path.parts[-2:])
    return stage, f"{stage.capitalize()} stage figure “{path.stem.replace('_', ' ')}” (outputs/{where})."


def _tidy(text: str) -> str:
    """A caption built from parts, without an empty trailing n-clause."""
    return re.sub(r";\s*\.$", ".", text.strip())


def _stage(path: Path) -> str:
    for part in reversed(path.parts[:-1]):
        if part in STAGES:
            return part
    return path.parent.name


def discover(outputs: Path, stages: tuple[str, ...] = STAGES) -> dict[str, list[Path]]:
    """PNG files per stage under ``outputs/<stage>/`` (recursively), sorted for a stable order."""
    return {stage: sorted((outputs / stage).rglob("*.png")) for stage in stages if (outputs / stage).is_dir()}


def _registry_order(path: Path) -> int:
    """Figures in the order of :data:`CAPTIONS` (unknown ones last), so a section reads in a fixed order."""
    return next((i for i, e in enumerate(CAPTIONS) if re.search(e.pattern, path.stem)), len(CAPTIONS))


def stage_ran(tables: Tables, stage: str) -> bool:
    """True when any table of the stage's schema is in the warehouse."""
    return any(frame is not None for name, frame in tables.items() if name.startswith(f"{stage}."))


def figures_by_section(figures: dict[str, list[Path]], context: Context) -> dict[str, list[str]]:
    """Figure HTML per report section: every file found, plus a placeholder for each expected figure missing.

    The placeholder names its reason: the stage has not run, or (a fault) it ran without drawing the figure.
    """
    by_section: dict[str, list[str]] = {}
    found = [p for stage in STAGES for p in figures.get(stage, [])]
    found.sort(key=_registry_order)
    for path in found:
        section, caption = caption_for(path, context)
        by_section.setdefault(section, []).append(figure_html(path, html.escape(caption)))
    for entry in CAPTIONS:
        if entry.expected and not any(re.search(entry.pattern, p.stem) for p in found):
            stage = {"pain": "stats", "outcomes": "stats"}.get(entry.section, entry.section)
            reason = (
                f"the {stage} stage ran but wrote no such figure under outputs/{stage}/; rerun it"
                if stage_ran(context.tables, stage)
                else f"{stage} stage not materialised yet"
            )
            by_section.setdefault(entry.section, []).append(figure_placeholder(entry.what, reason))
    return by_section

"""Report layer: the self-contained HTML report and CSV exports of every result table."""

import subprocess
from pathlib import Path

import dagster as dg
import pandas as pd

from mg_platform import settings
from mg_platform.analysis.contract import FILE_CONTRACTS
from mg_platform.analysis.report import (
    exports,
    figures,
    formatting,
    html,
    labels,
    provenance,
    sections,
    strobe_figure,
    summary,
    tables,
)
from mg_platform.assets import cohort, docking, network, raw, stats
from mg_platform.assets.metadata import code_version
from mg_platform.assets.raw import RAW_KEYS
from mg_platform.resources.landing import LandingZone
from mg_platform.resources.run_settings import OutputsFolder
from mg_platform.resources.warehouse import Warehouse

TITLE = "Intraoperative MgSO4 and early recovery after lumbar microdiscectomy"
# The report depends on every table it reads that some asset of this code base writes: a table of a
# stage not built yet (or not an asset key of its own) is read when present but is no dependency, so
# the report's declarative automation never waits on an asset that cannot exist.
DEFINED_KEYS = {key for module in (raw, cohort, stats, network, docking) for a in module.assets for key in a.keys}
REPORT_DEPS = [
    key
    for key in (dg.AssetKey(name.split(".")) for name in (*sections.REPORT_TABLES, "raw.quarantine"))
    if key in DEFINED_KEYS
]


def _git_revision() -> str:
    try:
        out = subprocess.run(
            ["git", "-C", str(settings.REPO_ROOT), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            timeout=5,
            check=True,
        )
        return out.stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def _read_tables(warehouse: Warehouse) -> tuple[dict[str, pd.DataFrame | None], dict[str, pd.DataFrame], dict]:
    """Report tables (None when absent), tables to export, and the raw-layer frames behind provenance."""
    with warehouse.get_connection() as conn:
        present = {
            f"{s}.{t}" for s, t in conn.execute("SELECT schema_name, table_name FROM duckdb_tables()").fetchall()
        }

        def read(sql: str, needs: str) -> pd.DataFrame | None:
            return conn.execute(sql).fetchdf() if needs in present else None

        report = {name: read(f"SELECT * FROM {name}", name) for name in sections.REPORT_TABLES}
        export = {
            name: conn.execute(f"SELECT * FROM {name}").fetchdf()
            for name in sorted(present)
            if exports.is_exported(name)
        }
        loaded = [
            f"SELECT month, '{c.file_name}' AS file, count(*) AS rows FROM raw.{c.table} GROUP BY ALL"
            for c in FILE_CONTRACTS
            if f"raw.{c.table}" in present
        ]
        raw = {
            "loaded": conn.execute(" UNION ALL ".join(loaded)).fetchdf()
            if loaded
            else pd.DataFrame(columns=["month", "file", "rows"]),
            "quarantine": read(
                "SELECT month, file, rule, count(*) AS n FROM raw.quarantine GROUP BY ALL ORDER BY ALL",
                "raw.quarantine",
            ),
            "rejections": read(
                f"SELECT month, file, message AS problem FROM raw.quarantine WHERE rule = '{provenance.FILE_REJECTED}'",
                "raw.quarantine",
            ),
        }
    return report, export, raw


def _sha_at_load(instance: dg.DagsterInstance, loaded: pd.DataFrame) -> dict[tuple[str, str], str | None]:
    """sha256 of each loaded file as its raw materialisation recorded it (metadata ``source_sha256``)."""
    tables_of = {c.file_name: c.table for c in FILE_CONTRACTS}
    out: dict[tuple[str, str], str | None] = {}
    for month, file in zip(loaded["month"], loaded["file"], strict=True):
        key = RAW_KEYS.get(tables_of.get(file, ""))
        if key is None:
            continue
        records = instance.fetch_materializations(
            dg.AssetRecordsFilter(asset_key=key, asset_partitions=[month]), limit=1
        ).records
        entry = records[0].asset_materialization.metadata.get("source_sha256") if records else None
        out[(month, file)] = str(entry.value) if entry is not None else None
    return out


@dg.asset(
    key=["report", "study_report"],
    group_name="report",
    kinds={"html", "csv"},
    deps=REPORT_DEPS,
    code_version=code_version(
        sections, html, exports, strobe_figure, figures, formatting, labels, provenance, summary, tables
    ),
)
def study_report(
    context: dg.AssetExecutionContext, warehouse: Warehouse, landing: LandingZone, outputs_folder: OutputsFolder
) -> dg.MaterializeResult:
    """The study report (outputs/report.html, self-contained) and a CSV export of every result table
    (outputs/exports/<schema>.<table>.csv, safe against spreadsheet formula injection).

    The report opens with the computed results paragraph, Table 1 and Table 2; it names the files left
    out of the analysis (rejected deliveries still in effect, landing folders gone since loading)."""
    outputs = Path(outputs_folder.path)
    report_tables, export_tables, raw = _read_tables(warehouse)
    arms = labels.ArmLabels(blinded=labels.blinded_from(report_tables))
    landing_months = landing.months()
    landing_now = {(m, f): h for m in landing_months for f, h in landing.fingerprint(m).items()}
    loaded = raw["loaded"]
    facts = provenance.Provenance(
        items={
            "Run": context.run_id,
            "Code version (git)": _git_revision(),
            "Analysis": "BLINDED: coded arms A/B" if arms.blinded else "unblinded (Control / MgSO4)",
            "Reference snapshot": str(settings.reference_dir() or "none (live services)"),
            "Months in the analysis": ", ".join(sorted(loaded["month"].unique())) or "none",
        },
        files=provenance.files_in_analysis(loaded, _sha_at_load(context.instance, loaded), landing_now),
        quarantine=raw["quarantine"],
        rejected=None if raw["rejections"] is None else provenance.rejected_files(raw["rejections"], loaded),
        vanished_months=provenance.vanished_months(loaded, landing_months),
        months=sorted(loaded["month"].unique()),
        retractions=report_tables.get("raw.retractions"),
    )
    document = html.render(
        TITLE,
        f"Reproducible analysis report · run {context.run_id} · code {facts.items['Code version (git)']}"
        + (" · BLINDED analysis (arms A/B)" if arms.blinded else ""),
        sections.build_sections(report_tables, figures.discover(outputs), facts, arms),
        preamble=sections.alerts_html(facts),
    )
    outputs.mkdir(parents=True, exist_ok=True)
    report_path = outputs / "report.html"
    report_path.write_text(document, encoding="utf-8")
    written = [
        exports.write_safe_csv(frame, outputs / "exports" / f"{name}.csv") for name, frame in export_tables.items()
    ]
    missing = [name for name, frame in report_tables.items() if frame is None]
    return dg.MaterializeResult(
        metadata={
            "report": dg.MetadataValue.url(report_path.as_uri()),
            "report_path": dg.MetadataValue.path(str(report_path)),
            "report_bytes": len(document.encode("utf-8")),
            "exports": dg.MetadataValue.json([p.name for p in written]),
            "missing_tables": dg.MetadataValue.json(missing),
            "figure_placeholders": document.count("figure-missing"),
            "files_left_out": 0 if facts.rejected is None else len(facts.rejected),
            "blinded": arms.blinded,
            "months": dg.MetadataValue.json(facts.months),
        }
    )


assets = [study_report]

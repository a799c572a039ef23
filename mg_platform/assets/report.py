"""Report layer: the self-contained HTML report and CSV exports of every result table."""

import subprocess
from pathlib import Path

import dagster as dg
import pandas as pd

from mg_platform import settings
from mg_platform.analysis.report import exports, html, sections, strobe_figure
from mg_platform.assets.metadata import code_version
from mg_platform.resources.landing import LandingZone
from mg_platform.resources.warehouse import Warehouse

EXPORT_SCHEMAS = ("cohort", "stats", "network", "docking")
EXCLUDED_EXPORTS = {"cohort.analysis_set", "cohort.pain_long", "cohort.eligibility"}


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


def _read_tables(warehouse: Warehouse) -> tuple[dict[str, pd.DataFrame | None], dict[str, pd.DataFrame], pd.DataFrame]:
    with warehouse.get_connection() as conn:
        present = {
            f"{s}.{t}" for s, t in conn.execute("SELECT schema_name, table_name FROM duckdb_tables()").fetchall()
        }
        report = {
            name: conn.execute(f"SELECT * FROM {name}").fetchdf() if name in present else None
            for name in sections.REPORT_TABLES
        }
        export = {
            name: conn.execute(f"SELECT * FROM {name}").fetchdf()
            for name in sorted(present)
            if name.split(".")[0] in EXPORT_SCHEMAS and name not in EXCLUDED_EXPORTS
        }
        quarantine = (
            conn.execute(
                "SELECT month, file, rule, count(*) AS n FROM raw.quarantine GROUP BY ALL ORDER BY ALL"
            ).fetchdf()
            if "raw.quarantine" in present
            else None
        )
    return report, export, quarantine


@dg.asset(
    key=["report", "study_report"],
    group_name="report",
    kinds={"html", "csv"},
    deps=[dg.AssetKey(name.split(".")) for name in sections.REPORT_TABLES] + [dg.AssetKey(["raw", "quarantine"])],
    code_version=code_version(sections, html, exports, strobe_figure),
)
def study_report(context: dg.AssetExecutionContext, warehouse: Warehouse, landing: LandingZone) -> dg.MaterializeResult:
    """The study report (outputs/report.html, self-contained) and a CSV export of every result table
    (outputs/exports/<schema>.<table>.csv, safe against spreadsheet formula injection)."""
    outputs = Path(warehouse.database).parent / "outputs"
    tables, export_tables, quarantine = _read_tables(warehouse)
    figures = {stage: sorted((outputs / stage).glob("*.png")) for stage in ("stats", "network", "docking")}
    months = pd.DataFrame(
        [{"month": m, "file": f, "sha256": h} for m in landing.months() for f, h in landing.fingerprint(m).items()]
    )
    blinded = sections.blinded_labels(tables)
    provenance = {
        "run id": context.run_id,
        "code version (git)": _git_revision(),
        "analysis": "BLINDED (coded arms A/B)" if blinded else "unblinded (Control / MgSO4)",
        "reference snapshot": settings.reference_dir() or "none (live services)",
        "months": months,
    }
    document = html.render(
        "Intraoperative MgSO4 and early recovery after lumbar microdiscectomy",
        f"Reproducible analysis report. Run {context.run_id}, code {provenance['code version (git)']}.",
        sections.build_sections(tables, figures, provenance, quarantine),
    )
    outputs.mkdir(parents=True, exist_ok=True)
    report_path = outputs / "report.html"
    report_path.write_text(document, encoding="utf-8")
    written = [
        exports.write_safe_csv(frame, outputs / "exports" / f"{name}.csv") for name, frame in export_tables.items()
    ]
    missing = [name for name, frame in tables.items() if frame is None]
    return dg.MaterializeResult(
        metadata={
            "report": dg.MetadataValue.url(report_path.as_uri()),
            "report_path": dg.MetadataValue.path(str(report_path)),
            "report_bytes": len(document.encode("utf-8")),
            "exports": dg.MetadataValue.json([p.name for p in written]),
            "missing_tables": dg.MetadataValue.json(missing),
            "blinded": blinded,
            "months": dg.MetadataValue.json(months["month"].unique().tolist() if len(months) else []),
        }
    )


assets = [study_report]

"""Network stage (schema ``network``): the study's 13 proteins in STRING v12.0, their topology,
cytoHubba MCC hubs and functional enrichment.

One multi-asset fetches the query network once (the verified offline snapshot when one is
configured, else the live STRING API; ``source_mode`` overrides), computes everything with
:func:`mg_platform.analysis.network.results.network_results` and writes the five tables in
one transaction. Exports and figures go to ``<data dir>/outputs/network/``.
"""

import json
from collections.abc import Iterator
from pathlib import Path

import dagster as dg
from pydantic import Field

from mg_platform.analysis.network import (
    centrality,
    cliques,
    enrichment,
    genesets,
    hubs,
    outputs,
    ppi_enrichment,
    results,
    snapshot,
    source,
    string_api,
)
from mg_platform.analysis.network.results import network_results
from mg_platform.analysis.network.snapshot import (
    STUDY_PROTEINS,
    SnapshotFile,
    snapshot_files_needed,
    snapshot_source,
)
from mg_platform.analysis.network.source import NetworkSource
from mg_platform.analysis.network.string_api import live_source
from mg_platform.assets.metadata import code_version, figure_metadata, table_metadata
from mg_platform.resources import string_client as string_client_module
from mg_platform.resources.reference import ReferenceSnapshot, SnapshotError
from mg_platform.resources.string_client import StringClient, StringUnavailable
from mg_platform.resources.warehouse import Warehouse

STUDY_CATEGORIES = ["GO BP", "GO MF", "GO CC", "KEGG", "Reactome"]
SOURCE_MODES = ("auto", "snapshot", "live")

NETWORK_CODE_VERSION = code_version(
    centrality,
    cliques,
    hubs,
    ppi_enrichment,
    genesets,
    enrichment,
    source,
    snapshot,
    string_api,
    results,
    outputs,
    string_client_module,
)

TABLES: dict[str, str] = {
    "edges": "One row per interaction among the query proteins at or above the score threshold "
    "(protein_a < protein_b; scores 0-1, NULL in snapshot mode).",
    "centrality": "One row per protein: NetworkAnalyzer degree/betweenness/closeness, cytoHubba MCC "
    "(exact), MCC rank and hub flag.",
    "summary": "One row for the network: nodes, edges, average degree, clustering, expected edges, "
    "PPI-enrichment p-value, source and threshold.",
    "enrichment": "One row per enriched term (FDR below the cut-off): category, term, set size, genes observed, FDR.",
    "provenance": "One row per file or API response used: source, STRING version, thresholds, sha256, retrieval time.",
}


class NetworkConfig(dg.Config):
    """Run configuration of the network stage; defaults are the study's (STRING v12.0, score 400)."""

    proteins: list[str] = Field(default=list(STUDY_PROTEINS), description="Query gene symbols (no interactors added).")
    species: int = Field(default=9606, description="NCBI taxon id.")
    required_score: int = Field(default=400, description="STRING minimum combined score, 0-1000 (400 = medium).")
    enrichment_categories: list[str] = Field(
        default=STUDY_CATEGORIES, description="Categories among GO BP, GO MF, GO CC, KEGG, Reactome."
    )
    fdr_cutoff: float = Field(default=0.05, description="Terms with FDR below this are reported.")
    hub_count: int = Field(default=10, description="Number of top-MCC proteins flagged as hubs.")
    source_mode: str = Field(
        default="auto",
        description="auto: the verified offline snapshot when one is configured (MG_REFERENCE_DIR), else live "
        "STRING; snapshot: offline only; live: STRING first, the snapshot if STRING is unreachable.",
    )


SPEC_DEPS = {
    "edges": [dg.AssetKey(["reference", "string"])],
    "centrality": [dg.AssetKey(["network", "edges"])],
    "summary": [dg.AssetKey(["network", "edges"]), dg.AssetKey(["reference", "string"])],
    "enrichment": [dg.AssetKey(["reference", "genesets"])],
}


def _spec(name: str) -> dg.AssetSpec:
    deps = SPEC_DEPS.get(name, [])
    return dg.AssetSpec(
        key=["network", name],
        group_name="network",
        kinds={"python", "duckdb"},
        description=TABLES[name],
        code_version=NETWORK_CODE_VERSION,
        deps=deps,
    )


def _snapshot(config: NetworkConfig, reference: ReferenceSnapshot) -> NetworkSource:
    files = {}
    for kind, name in snapshot_files_needed(list(config.enrichment_categories)):
        verified = reference.verified(kind, name)
        files[(kind, name)] = SnapshotFile(kind, name, verified.path, verified.sha256)
    return snapshot_source(
        files, list(config.proteins), config.species, config.required_score / 1000, list(config.enrichment_categories)
    )


def network_source(
    context: dg.AssetExecutionContext,
    config: NetworkConfig,
    string_client: StringClient,
    reference: ReferenceSnapshot,
) -> NetworkSource:
    """The query network from STRING or the snapshot, as ``source_mode`` says."""
    if config.source_mode not in SOURCE_MODES:
        raise dg.Failure(description=f"source_mode must be one of {SOURCE_MODES}, not {config.source_mode!r}")
    if config.source_mode == "snapshot" or (config.source_mode == "auto" and reference.configured):
        return _snapshot(config, reference)
    try:
        responses = string_client.study_responses(list(config.proteins), config.species, config.required_score)
        return live_source(
            responses,
            list(config.proteins),
            config.species,
            config.required_score / 1000,
            list(config.enrichment_categories),
        )
    except StringUnavailable as exc:
        if not reference.configured:
            raise dg.Failure(
                description=(
                    f"STRING is unreachable ({exc}). Check the network or proxy and retry, or run with "
                    "source_mode='auto' or 'snapshot' and MG_REFERENCE_DIR set to the offline snapshot."
                )
            ) from exc
        context.log.warning(f"STRING unreachable, falling back to the configured offline snapshot: {exc}")
    try:
        return _snapshot(config, reference)
    except SnapshotError as exc:
        raise dg.Failure(description=f"STRING is unreachable and the offline snapshot cannot be used: {exc}") from exc


@dg.multi_asset(name="string_network", specs=[_spec(name) for name in TABLES], can_subset=False)
def string_network(
    context: dg.AssetExecutionContext,
    config: NetworkConfig,
    warehouse: Warehouse,
    reference: ReferenceSnapshot,
    string_client: StringClient,
) -> Iterator[dg.MaterializeResult]:
    """The query proteins' STRING network, centralities, MCC hubs, PPI enrichment and functional enrichment."""
    net_source = network_source(context, config, string_client, reference)
    result = network_results(net_source, top_n=config.hub_count, fdr_cutoff=config.fdr_cutoff)
    files = outputs.write_outputs(result, Path(warehouse.database).parent / "outputs" / "network")
    tables = {f"network.{name}": getattr(result, name) for name in TABLES}
    warehouse.replace_tables(tables)

    lineage = {
        "source": net_source.source,
        "string_version": net_source.string_version,
        "score_threshold_requested": net_source.score_threshold_requested,
        "score_threshold_applied": net_source.score_threshold_applied,
        "score_note": net_source.score_note,
        "sha256": dg.MetadataValue.json({r.resource: r.sha256 for r in net_source.records}),
        "retrieved_at": dg.MetadataValue.json({r.resource: r.retrieved_at for r in net_source.records}),
    }
    extra = {
        "centrality": {
            "hubs": ", ".join(result.hubs),
            "graphml": dg.MetadataValue.path(str(files["graphml"])),
            "node_metrics_tsv": dg.MetadataValue.path(str(files["node_metrics"])),
            **figure_metadata("network_figure", {"png": files["network_figure"]}),
        },
        "summary": {"ppi_method": net_source.ppi.method, "ppi_enrichment_p": net_source.ppi.p_value},
        "enrichment": {
            "method": net_source.enrichment_method,
            "terms_per_category": dg.MetadataValue.json(
                json.loads(result.enrichment["category"].value_counts().sort_index().to_json())
            ),
            **figure_metadata("enrichment_figure", {"png": files["enrichment_figure"]}),
        },
    }
    for name in TABLES:
        frame = getattr(result, name)
        yield dg.MaterializeResult(
            asset_key=["network", name],
            metadata={**table_metadata(f"network.{name}", frame), **lineage, **extra.get(name, {})},
        )


assets = [string_network]

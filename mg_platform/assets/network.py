"""Network stage (schema ``network``): the study's 13 proteins in STRING v12.0, their topology,
cytoHubba's eleven hub rankings and their consensus, and functional enrichment.

One multi-asset fetches the query network once (the verified offline snapshot when one is
configured, else the live STRING API; ``source_mode`` overrides), computes everything with
:func:`mg_platform.analysis.network.results.network_results` and writes the tables in one
transaction. Exports and figures go to ``<data dir>/outputs/network/``: ``network.graphml``,
``node_metrics.tsv``, ``network.png``, ``hub_consensus_heatmap.png``, ``enrichment_dotplot.png``
and, from the live source, ``string_network_image.png`` (STRING's own picture).
"""

import json
from collections.abc import Iterator

import dagster as dg
from pydantic import Field

from mg_platform.analysis.network import (
    centrality,
    enrichment,
    genesets,
    hubs,
    kernels,
    outputs,
    ppi_enrichment,
    results,
    snapshot,
    source,
    string_api,
)
from mg_platform.analysis.network.hubs import DEFAULT_EPC, EpcSettings
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
from mg_platform.resources.run_settings import OutputsFolder
from mg_platform.resources.string_client import StringClient, StringUnavailable
from mg_platform.resources.warehouse import Warehouse

STUDY_CATEGORIES = ["GO BP", "GO MF", "GO CC", "KEGG", "Reactome"]
SOURCE_MODES = ("auto", "snapshot", "live")

NETWORK_CODE_VERSION = code_version(
    centrality,
    kernels,
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
    "centrality": "One row per protein: NetworkAnalyzer degree/betweenness/closeness; cytoHubba's eleven scores "
    "(mcc exact in mcc_exact, dmnc, mnc, degree, epc, bottleneck, eccentricity, cytohubba_closeness, radiality, "
    "cytohubba_betweenness, stress) with one <method>_rank each (closeness_rank and betweenness_rank rank "
    "cytoHubba's sum of 1/distance and unnormalised betweenness); hub flag = top hub_count by MCC.",
    "hub_consensus": "One row per protein in the top hub_count (10) of at least one cytoHubba method: "
    "methods_in_top10 (of 11), mean rank, consensus rank and each method's rank.",
    "functional_annotation": "One row per term annotating at least one query protein (STRING "
    "functional_annotation, or the snapshot's gene-set libraries): category, term, genes.",
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
    hub_count: int = Field(
        default=10, description="Number of top-MCC proteins flagged as hubs; also the top-N of the hub consensus."
    )
    first_shell: int = Field(
        default=0,
        description="Interaction partners added per query protein (STRING interaction_partners limit, live "
        "source only); 0 = none, as in the study.",
    )
    epc_samples: int = Field(default=1000, description="EPC: number of random reduced networks (cytoHubba: 1000).")
    epc_threshold: float = Field(
        default=0.5, description="EPC: an edge is kept when its uniform random number is >= this (cytoHubba: 0.5)."
    )
    epc_seed: int = Field(default=DEFAULT_EPC.seed, description="EPC: seed of numpy's PCG64 generator.")
    source_mode: str = Field(
        default="auto",
        description="auto: the verified offline snapshot when one is configured (MG_REFERENCE_DIR), else live "
        "STRING; snapshot: offline only; live: STRING first, the snapshot if STRING is unreachable.",
    )


SPEC_DEPS = {
    "edges": [dg.AssetKey(["reference", "string"])],
    "centrality": [dg.AssetKey(["network", "edges"])],
    "hub_consensus": [dg.AssetKey(["network", "edges"])],
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
        files,
        list(config.proteins),
        config.species,
        config.required_score / 1000,
        list(config.enrichment_categories),
        config.first_shell,
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
        responses = string_client.study_responses(
            list(config.proteins), config.species, config.required_score, config.first_shell
        )
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
    outputs_folder: OutputsFolder,
) -> Iterator[dg.MaterializeResult]:
    """The query proteins' STRING network, centralities, cytoHubba hubs, PPI enrichment and functional enrichment."""
    net_source = network_source(context, config, string_client, reference)
    epc = EpcSettings(samples=config.epc_samples, threshold=config.epc_threshold, seed=config.epc_seed)
    result = network_results(net_source, top_n=config.hub_count, fdr_cutoff=config.fdr_cutoff, epc=epc)
    out_dir = outputs_folder.stage("network")
    files = outputs.write_outputs(result, out_dir, top_n=config.hub_count)
    string_image = out_dir / "string_network_image.png"
    string_image.unlink(missing_ok=True)
    if net_source.image:
        string_image.write_bytes(net_source.image)
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
            **({"string_network_image": dg.MetadataValue.path(str(string_image))} if net_source.image else {}),
        },
        "hub_consensus": {
            "epc": f"{epc.samples} reduced networks, keep edge if uniform >= {epc.threshold}, PCG64 seed {epc.seed}",
            **figure_metadata("hub_consensus_heatmap", {"png": files["hub_consensus_heatmap"]}),
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

"""The network multi-asset end to end: snapshot mode offline, live mode on recorded responses."""

from __future__ import annotations

import itertools
from pathlib import Path

import dagster as dg
import duckdb
import networkx as nx
import pandas as pd
import pytest
from network_recorded_string import FIXTURES, RecordedAdapter, recorded_client

from mg_platform.assets.network import STUDY_PROTEINS, assets
from mg_platform.resources.bundle import default_resources
from mg_platform.resources.reference import provenance_hashes
from mg_platform.settings import reference_dir

REFERENCE = reference_dir()
STRING_DIR = REFERENCE / "string"
TABLES = ["edges", "centrality", "hub_consensus", "functional_annotation", "summary", "enrichment", "provenance"]
METHOD_SCORES = {
    "mcc": "mcc",
    "dmnc": "dmnc",
    "mnc": "mnc",
    "degree": "degree",
    "epc": "epc",
    "bottleneck": "bottleneck",
    "eccentricity": "eccentricity",
    "closeness": "cytohubba_closeness",
    "radiality": "radiality",
    "betweenness": "cytohubba_betweenness",
    "stress": "stress",
}


def run(tmp_path: Path, mode: str, adapter: RecordedAdapter | None = None, **config) -> dg.ExecuteInProcessResult:  # noqa: ANN003
    resources = default_resources(tmp_path, REFERENCE)
    resources["string_client"] = recorded_client(tmp_path / "cache" / "string", adapter or RecordedAdapter())
    return dg.materialize(
        assets,
        resources=resources,
        run_config={"ops": {"string_network": {"config": {"source_mode": mode, **config}}}},
        raise_on_error=False,
    )


def read(tmp_path: Path, table: str) -> pd.DataFrame:
    with duckdb.connect(str(tmp_path / "warehouse.duckdb"), read_only=True) as conn:
        return conn.execute(f"SELECT * FROM network.{table}").fetchdf()


@pytest.fixture(scope="module")
def snapshot_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("snapshot")
    assert run(folder, "snapshot").success
    return folder


def test_snapshot_edges_are_the_cut_file(snapshot_run: Path) -> None:
    edges = read(snapshot_run, "edges")
    cut = pd.read_csv(STRING_DIR / "string13_v12_combined_ge800_edges_from_pathfindR.tsv", sep="\t")
    assert len(edges) == 22
    assert set(zip(edges["protein_a"], edges["protein_b"], strict=True)) == set(
        zip(cut["gene_A"], cut["gene_B"], strict=True)
    )
    score_columns = [c for c in edges.columns if c.endswith("_score")]
    assert len(score_columns) == 8 and edges[score_columns].isna().all().all()


def test_snapshot_centrality_and_summary(snapshot_run: Path) -> None:
    cut = pd.read_csv(STRING_DIR / "string13_v12_combined_ge800_edges_from_pathfindR.tsv", sep="\t")
    expected_degree = pd.concat([cut["gene_A"], cut["gene_B"]]).value_counts()
    table = read(snapshot_run, "centrality").set_index("protein")
    assert sorted(table.index) == sorted(STUDY_PROTEINS)
    assert all(table.loc[p, "degree"] == expected_degree.get(p, 0) for p in STUDY_PROTEINS)
    assert sorted(table["mcc_rank"]) == list(range(1, 14)) and table["is_hub"].sum() == 10

    summary = read(snapshot_run, "summary").iloc[0]
    whole = pd.read_csv(STRING_DIR / "pathfindR.data_2.1.0_STRING_v12.0_hsa_combined_ge800_edges.tsv", sep="\t")
    degree = pd.concat([whole["gene_A"], whole["gene_B"]]).value_counts()
    brute = sum(degree[a] * degree[b] for a, b in itertools.combinations(STUDY_PROTEINS, 2)) / (2 * len(whole))
    assert summary["nodes"] == 13 and summary["edges"] == 22
    assert summary["average_degree"] == pytest.approx(44 / 13)
    assert summary["expected_edges"] == pytest.approx(brute)
    assert summary["score_threshold_requested"] == 0.4 and summary["score_threshold_applied"] == 0.8
    assert summary["ppi_enrichment_p"] < 1e-10


def test_snapshot_enrichment_and_provenance(snapshot_run: Path) -> None:
    enrichment = read(snapshot_run, "enrichment")
    assert set(enrichment["category"]) == {"GO BP", "GO MF", "GO CC", "KEGG", "Reactome"}
    assert (enrichment["fdr"] < 0.05).all()
    kegg = enrichment[enrichment["category"] == "KEGG"].set_index("term_id")
    assert "hsa05032" in kegg.index and "CACNA1A" in kegg.loc["hsa05032", "genes"]  # Morphine addiction

    provenance = read(snapshot_run, "provenance")
    recorded = provenance_hashes(STRING_DIR / "PROVENANCE.md") | provenance_hashes(
        REFERENCE / "genesets" / "PROVENANCE.md"
    )
    pairs = zip(provenance["resource"], provenance["sha256"], strict=True)
    assert all(recorded[resource.split("/", 1)[1]] == digest for resource, digest in pairs)
    assert (provenance["endpoint"] == "snapshot file").all()
    assert set(provenance["endpoint_version"]) >= {"STRING 12.0 (>= 0.800)", "Enrichr_KEGG_2021_Human"}
    outputs = snapshot_run / "outputs" / "network"
    for name in ("network.graphml", "node_metrics.tsv", "network.png", "hub_consensus_heatmap.png"):
        assert (outputs / name).stat().st_size > 0
    assert not (outputs / "string_network_image.png").exists()  # STRING's picture needs the live service

    annotation = read(snapshot_run, "functional_annotation")
    assert set(annotation["category"]) == {"GO BP", "GO MF", "GO CC", "KEGG", "Reactome"}
    assert all(set(genes.split(",")) <= set(STUDY_PROTEINS) for genes in annotation["genes"])
    assert (annotation["genes_observed"] == annotation["genes"].str.count(",") + 1).all()


def test_eleven_ranks_and_the_consensus(snapshot_run: Path) -> None:
    table = read(snapshot_run, "centrality")
    for method, column in METHOD_SCORES.items():
        scores = table[column] if method != "mcc" else table["mcc_exact"].map(int)
        # independent ranking: sort by (-score, name) with pandas
        order = pd.DataFrame({"s": scores.map(lambda v: -v), "p": table["protein"]}).sort_values(["s", "p"])
        expected = pd.Series(range(1, len(table) + 1), index=order.index)
        assert table[f"{method}_rank"].tolist() == expected.sort_index().tolist(), method
    consensus = read(snapshot_run, "hub_consensus").set_index("protein")
    ranks = table.set_index("protein")[[f"{m}_rank" for m in METHOD_SCORES]]
    in_top = (ranks <= 10).sum(axis=1)
    assert sorted(consensus.index) == sorted(in_top[in_top > 0].index)
    assert (consensus["methods_in_top10"] == in_top[consensus.index]).all()
    assert (consensus[ranks.columns] == ranks.loc[consensus.index]).all().all()
    summary = read(snapshot_run, "summary").iloc[0]
    assert summary["epc_samples"] == 1000 and summary["epc_threshold"] == 0.5 and summary["maximal_cliques"] > 0


def test_graphml_carries_every_method(snapshot_run: Path) -> None:
    graph = nx.read_graphml(snapshot_run / "outputs" / "network" / "network.graphml")
    table = read(snapshot_run, "centrality").set_index("protein")
    nodes = {data["name"]: data for _, data in graph.nodes(data=True)}
    assert sorted(nodes) == sorted(table.index)
    for protein, data in nodes.items():
        for method, column in METHOD_SCORES.items():
            assert data[f"{method}_rank"] == table.loc[protein, f"{method}_rank"]
            if method != "mcc":
                assert data[column] == pytest.approx(float(table.loc[protein, column]))
        assert int(data["mcc_exact"]) == int(table.loc[protein, "mcc_exact"])


def test_rematerialisation_is_identical(snapshot_run: Path, tmp_path: Path) -> None:
    assert run(tmp_path, "snapshot").success
    for table in TABLES:
        pd.testing.assert_frame_equal(read(snapshot_run, table), read(tmp_path, table))


def test_live_mode_on_recorded_responses(tmp_path: Path) -> None:
    result = run(tmp_path, "live", proteins=["OPRM1", "OPRD1", "GRIN1", "GRIN2B", "AKT1", "MAPK1"])
    assert result.success
    edges = read(tmp_path, "edges")
    assert len(edges) == 5 and edges["combined_score"].notna().all()
    summary = read(tmp_path, "summary").iloc[0]
    assert summary["source"] == "STRING API" and summary["ppi_enrichment_p"] == pytest.approx(0.00366)
    assert read(tmp_path, "enrichment")["category"].tolist().count("GO CC") == 0  # FDR 0.21 dropped
    events = {tuple(e.asset_key.path): e for e in result.get_asset_materialization_events()}
    metadata = events[("network", "summary")].materialization.metadata
    assert metadata["string_version"].value == "12.0"
    assert "version-12-0.string-db.org/api/tsv/network" in str(metadata["sha256"].value)
    image = tmp_path / "outputs" / "network" / "string_network_image.png"
    assert image.read_bytes() == (FIXTURES / "network_image.png").read_bytes()
    provenance = read(tmp_path, "provenance")
    assert "/api/tsv/functional_annotation" in set(provenance["endpoint"])
    assert (
        provenance["retrieved_at"].notna().all() and provenance["endpoint_version"].str.startswith("STRING 12.0").all()
    )
    assert len(read(tmp_path, "functional_annotation")) == 5


def test_configured_snapshot_is_used_and_unreachable_string_fails_clearly(tmp_path: Path) -> None:
    unreachable = RecordedAdapter(failures=10**6, failure_status=None)
    auto = run(tmp_path / "auto", "auto", adapter=unreachable)
    assert auto.success
    assert read(tmp_path / "auto", "summary").iloc[0]["source"].startswith("offline snapshot")

    fallback = run(tmp_path / "live", "live", adapter=unreachable)
    assert fallback.success
    assert read(tmp_path / "live", "summary").iloc[0]["source"].startswith("offline snapshot")

    resources = default_resources(tmp_path / "none", Path(tmp_path / "no-snapshot"))
    resources["string_client"] = recorded_client(tmp_path / "none" / "cache", unreachable)
    failed = dg.materialize(
        assets,
        resources=resources,
        raise_on_error=False,
        run_config={"ops": {"string_network": {"config": {"source_mode": "auto"}}}},
    )
    assert not failed.success
    message = str(failed.get_step_failure_events()[0].event_specific_data.error)
    assert "STRING is unreachable" in message and "MG_REFERENCE_DIR" in message

"""The STRING client against recorded API responses (no network)."""

from __future__ import annotations

from urllib.parse import urlparse

import pytest
from network_recorded_string import FIXTURES, RecordedAdapter, form, recorded_client

from mg_platform.analysis.network.string_api import live_source
from mg_platform.resources.string_client import StringUnavailable

PROTEINS = ["OPRM1", "OPRD1", "GRIN1", "GRIN2B", "AKT1", "MAPK1"]
CATEGORIES = ["GO BP", "GO MF", "GO CC", "KEGG", "Reactome"]


def test_study_calls_parse_and_are_cached(tmp_path) -> None:  # noqa: ANN001
    adapter = RecordedAdapter()
    client = recorded_client(tmp_path / "cache", adapter)
    responses = client.study_responses(PROTEINS, 9606, 400)
    paths = [r.path_url.split("?")[0] for r in adapter.requests]
    assert paths == [
        "/api/json/version",
        "/api/tsv/get_string_ids",
        "/api/tsv/network",
        "/api/tsv/ppi_enrichment",
        "/api/tsv/enrichment",
        "/api/tsv/functional_annotation",
        "/api/image/network",
    ]  # no interaction_partners call: no first shell unless asked for
    network_call = form(adapter.requests[2])
    assert network_call["required_score"] == ["400"] and network_call["add_nodes"] == ["0"]
    assert network_call["identifiers"][0].split("\r")[0] == "9606.ENSP00000394624"
    assert all(form(r)["caller_identity"][0].startswith("mg-platform") for r in adapter.requests)

    source = live_source(responses, PROTEINS, 9606, 0.4, CATEGORIES)
    assert source.string_version == "12.0"
    edges = source.edges.set_index(["protein_a", "protein_b"])
    # duplicate GRIN1/GRIN2B row collapsed; pairs ordered by name; all 5 edges >= 0.400
    assert len(edges) == 5
    assert edges.loc[("AKT1", "MAPK1"), "combined_score"] == pytest.approx(0.988)
    assert edges.loc[("AKT1", "MAPK1"), "textmining_score"] == pytest.approx(0.872)
    assert edges.loc[("OPRD1", "OPRM1"), "string_id_a"] == "9606.ENSP00000234961"
    assert source.ppi.expected_edges == 1 and source.ppi.p_value == pytest.approx(0.00366)
    assert sorted(source.enrichment["category"]) == ["GO BP", "GO CC", "GO MF", "KEGG", "Reactome"]
    assert "R-HSA-438064" in set(source.enrichment["term_id"])  # STRING's HSA-438064, Reactome's form
    assert all(r.note == "fetched" for r in source.records)

    stricter = live_source(responses, PROTEINS, 9606, 0.7, CATEGORIES)
    assert len(stricter.edges) == 3

    again = recorded_client(tmp_path / "cache", RecordedAdapter(failures=99, failure_status=None))
    cached = again.study_responses(PROTEINS, 9606, 400)
    fields = ("version", "string_ids", "network", "ppi_enrichment", "enrichment", "functional_annotation")
    for field in (*fields, "network_image"):
        assert getattr(cached, field) == getattr(responses, field)
    assert all(r.note.startswith("from cache") for r in cached.records)
    assert [r.sha256 for r in cached.records] == [r.sha256 for r in responses.records]


def test_retries_with_backoff_then_succeeds(tmp_path) -> None:  # noqa: ANN001
    adapter = RecordedAdapter(failures=2, failure_status=503)
    client = recorded_client(tmp_path / "cache", adapter, max_retries=3)
    client.study_responses(PROTEINS, 9606, 400)
    assert len(adapter.requests) == 7 + 2


def test_unreachable_raises_after_retries(tmp_path) -> None:  # noqa: ANN001
    adapter = RecordedAdapter(failures=99, failure_status=None)
    client = recorded_client(tmp_path / "cache", adapter, max_retries=2)
    with pytest.raises(StringUnavailable, match="ConnectionError"):
        client.study_responses(PROTEINS, 9606, 400)
    assert len(adapter.requests) == 3


def test_client_error_is_not_retried(tmp_path) -> None:  # noqa: ANN001
    adapter = RecordedAdapter(failures=1, failure_status=400)
    client = recorded_client(tmp_path / "cache", adapter, max_retries=3)
    with pytest.raises(StringUnavailable, match="HTTP 400"):
        client.study_responses(PROTEINS, 9606, 400)
    assert len(adapter.requests) == 1


def test_annotation_image_and_provenance_of_each_endpoint(tmp_path) -> None:  # noqa: ANN001
    adapter = RecordedAdapter()
    responses = recorded_client(tmp_path / "cache", adapter).study_responses(PROTEINS, 9606, 400)
    assert responses.network_image == (FIXTURES / "network_image.png").read_bytes()
    image_call = form(adapter.requests[-1])
    assert image_call["identifiers"][0].split("\r") == form(adapter.requests[2])["identifiers"][0].split("\r")
    source = live_source(responses, PROTEINS, 9606, 0.4, CATEGORIES)
    assert source.image[:8] == b"\x89PNG\r\n\x1a\n"
    annotation = source.annotation.set_index("term_id")
    assert len(annotation) == 5 and annotation.loc["R-HSA-438064", "category"] == "Reactome"
    assert annotation.loc["KW-0675", "category"] == "Keyword" and annotation.loc["KW-0675", "genes_observed"] == 4
    assert annotation.loc["R-HSA-438064", "genes"] == "GRIN1,GRIN2B"  # sorted
    endpoints = [r.endpoint for r in source.records]
    assert endpoints == [urlparse(r.url).path for r in adapter.requests]
    assert {r.version for r in source.records} == {"STRING 12.0 (https://version-12-0.string-db.org)"}
    assert all(r.retrieved_at and r.retrieved_at.startswith("20") for r in source.records)


def test_first_shell_adds_the_top_partners(tmp_path) -> None:  # noqa: ANN001
    adapter = RecordedAdapter()
    responses = recorded_client(tmp_path / "cache", adapter).study_responses(PROTEINS, 9606, 700, first_shell=2)
    partner_call = form(adapter.requests[2])
    assert urlparse(adapter.requests[2].url).path == "/api/tsv/interaction_partners"
    assert partner_call["limit"] == ["2"] and partner_call["required_score"] == ["700"]
    network_ids = form(adapter.requests[3])["identifiers"][0].split("\r")
    # the 6 query ids, then the 4 invented partners; OPRD1 and AKT1 (query proteins) are not added twice
    assert len(network_ids) == 10 and network_ids[:2] == ["9606.ENSP00000394624", "9606.ENSP00000234961"]
    assert network_ids[6:] == [f"9606.ENSP0000090000{i}" for i in range(1, 5)]
    source = live_source(responses, PROTEINS, 9606, 0.7, CATEGORIES)
    assert source.first_shell == ("ARRB2", "MAP2K1", "MTOR", "PDPK1")
    assert source.proteins[:6] == tuple(PROTEINS) and len(source.proteins) == 10
    edges = set(zip(source.edges["protein_a"], source.edges["protein_b"], strict=True))
    # >= 0.700 among the 10 nodes: the 3 query edges, OPRM1-ARRB2, AKT1-MTOR, AKT1-PDPK1, MAP2K1-MAPK1, MTOR-PDPK1
    assert edges == {
        ("GRIN1", "GRIN2B"),
        ("OPRD1", "OPRM1"),
        ("AKT1", "MAPK1"),
        ("ARRB2", "OPRM1"),
        ("AKT1", "MTOR"),
        ("AKT1", "PDPK1"),
        ("MAP2K1", "MAPK1"),
        ("MTOR", "PDPK1"),
    }
    assert source.string_ids["MTOR"] == "9606.ENSP00000900002" and "first shell of 4" in source.score_note

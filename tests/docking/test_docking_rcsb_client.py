"""The RCSB client: verified snapshot first, sha256-recorded cache, downloads with retries, offline failure."""

from __future__ import annotations

import hashlib
import json

import pytest
import requests

from mg_platform import settings
from mg_platform.resources import rcsb_client as rcsb_module
from mg_platform.resources.rcsb_client import RcsbClient, StructureUnavailable
from mg_platform.resources.reference import ReferenceSnapshot, SnapshotError

SHA_8EF6 = "d2e3021936e1545053153a883174e0d2628979e209ce1eb276edc6f029939d4e"  # PROVENANCE.md


class _Response:
    def __init__(self, status: int, content: bytes = b""):
        self.status_code, self.content = status, content

    def raise_for_status(self):
        if self.status_code >= 400:
            raise requests.HTTPError(f"HTTP {self.status_code}")


def test_snapshot_file_is_verified_and_used(tmp_path):
    client = RcsbClient(cache_dir=str(tmp_path), offline=True)
    found = client.structure("8ef6", ReferenceSnapshot(path=str(settings.reference_dir())))
    assert (found.pdb_id, found.source, found.sha256) == ("8EF6", "snapshot", SHA_8EF6)
    assert found.path.name == "8ef6.cif"


def test_no_silent_substitution_9iyp_offline_fails_with_instructions(tmp_path):
    client = RcsbClient(cache_dir=str(tmp_path), offline=True)
    with pytest.raises(StructureUnavailable) as error:
        client.structure("9IYP", ReferenceSnapshot(path=str(settings.reference_dir())))
    message = str(error.value)
    assert "9IYP" in message and "MG_REFERENCE_DIR" in message and "9iyp.cif" in message


def test_offline_without_snapshot_fails(tmp_path):
    with pytest.raises(StructureUnavailable, match="offline"):
        RcsbClient(cache_dir=str(tmp_path), offline=True).structure("8EF6", ReferenceSnapshot(path=""))


def test_download_retries_then_caches_with_sha256(tmp_path, monkeypatch):
    calls = []
    body = b"data_1ABC\n#\n"

    def fake_get(url, timeout):
        calls.append((url, timeout))
        if len(calls) < 3:
            raise requests.ConnectionError("temporary")
        return _Response(200, body)

    monkeypatch.setattr(rcsb_module.requests, "get", fake_get)
    client = RcsbClient(cache_dir=str(tmp_path / "rcsb"), retries=3, backoff_s=0.0, timeout_s=5.0)
    found = client.structure("1abc")
    assert [c[0] for c in calls] == ["https://files.rcsb.org/download/1ABC.cif"] * 3
    assert calls[0][1] == (5.0, 5.0)
    assert found.source == "live" and found.sha256 == hashlib.sha256(body).hexdigest()
    record = json.loads((tmp_path / "rcsb" / "1abc.cif.json").read_text())
    assert record["sha256"] == found.sha256

    # now offline: served from the cache, verified against the recorded sha256
    cached = RcsbClient(cache_dir=str(tmp_path / "rcsb"), offline=True).structure("1ABC")
    assert cached.source == "cache" and cached.sha256 == found.sha256
    (tmp_path / "rcsb" / "1abc.cif").write_bytes(b"tampered")
    with pytest.raises(SnapshotError, match="sha256"):
        RcsbClient(cache_dir=str(tmp_path / "rcsb"), offline=True).structure("1ABC")


def test_download_gives_up_after_retries_with_a_message(tmp_path, monkeypatch):
    def always_fail(url, timeout):
        raise requests.Timeout("slow")

    monkeypatch.setattr(rcsb_module.requests, "get", always_fail)
    client = RcsbClient(cache_dir=str(tmp_path), retries=2, backoff_s=0.0)
    with pytest.raises(StructureUnavailable, match="after 2 attempts"):
        client.structure("2XYZ")


def test_unknown_id_is_not_retried(tmp_path, monkeypatch):
    calls = []
    monkeypatch.setattr(rcsb_module.requests, "get", lambda url, timeout: calls.append(url) or _Response(404))
    with pytest.raises(StructureUnavailable, match="404"):
        RcsbClient(cache_dir=str(tmp_path), backoff_s=0.0).structure("0000")
    assert len(calls) == 1

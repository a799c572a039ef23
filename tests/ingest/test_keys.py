"""Key lifecycle: one key per warehouse, recorded by fingerprint; another key refuses to write (issue 10.5)."""

from __future__ import annotations

import hashlib
import hmac

import dagster as dg
import pytest
from conftest import table_digest
from landed_files import KEY, MONTH, query

from mg_platform.analysis.pseudonym import FINGERPRINT_LABEL, KeyProblem
from mg_platform.assets.raw import raw_month
from mg_platform.resources.bundle import default_resources
from mg_platform.resources.pseudonymiser import Pseudonymiser


def _load(data_dir, month: str = MONTH) -> dg.ExecuteInProcessResult:
    return dg.materialize([raw_month], partition_key=month, resources=default_resources(data_dir), raise_on_error=False)


def _failure(result: dg.ExecuteInProcessResult) -> str:
    return result.get_step_failure_events()[0].event_specific_data.error.message


def test_the_warehouse_records_a_fingerprint_never_the_key(small_landing, tmp_path, monkeypatch):
    monkeypatch.setenv("MG_PSEUDONYM_KEY", KEY.hex())
    assert _load(tmp_path).success
    db = tmp_path / "warehouse.duckdb"
    expected = hmac.new(KEY, FINGERPRINT_LABEL.encode(), hashlib.sha256).hexdigest()
    assert query(db, "SELECT fingerprint FROM raw.pseudonym_key") == [(expected,)]
    assert KEY.hex().encode() not in db.read_bytes() and KEY not in db.read_bytes()


def test_a_changed_key_refuses_to_write_and_says_how_to_restore_it(small_landing, tmp_path, monkeypatch):
    monkeypatch.setenv("MG_PSEUDONYM_KEY", KEY.hex())
    assert _load(tmp_path).success
    db = tmp_path / "warehouse.duckdb"
    before = [table_digest(db, t) for t in ("raw.perioperative_records", "raw.quarantine")]
    monkeypatch.setenv("MG_PSEUDONYM_KEY", "cd" * 32)
    result = _load(tmp_path, "2025-04")  # another month: the key is the warehouse's, not the month's
    assert not result.success
    message = _failure(result)
    assert "not the key this warehouse was built with" in message and "Restore the original key" in message
    assert [table_digest(db, t) for t in ("raw.perioperative_records", "raw.quarantine")] == before
    monkeypatch.setenv("MG_PSEUDONYM_KEY", KEY.hex())  # the original key: writes again
    assert _load(tmp_path, "2025-04").success


def test_a_deleted_key_file_is_never_silently_replaced(small_landing, tmp_path, monkeypatch):
    monkeypatch.delenv("MG_PSEUDONYM_KEY", raising=False)
    assert _load(tmp_path).success
    key_file = tmp_path / ".pseudonym_key"
    original = key_file.read_text()
    key_file.unlink()
    result = _load(tmp_path, "2025-04")
    assert not result.success and "is missing" in _failure(result) and "Restore the key file" in _failure(result)
    assert not key_file.exists()  # no new key was made
    key_file.write_text(original)
    assert _load(tmp_path, "2025-04").success


@pytest.mark.parametrize(
    ("text", "problem"),
    [("ab", "holds a 1-byte key; at least 32 bytes"), ("ab" * 31, "31-byte key"), ("not-hex!" * 8, "not a hex string")],
)
def test_weak_or_malformed_keys_are_refused_naming_the_variable(tmp_path, monkeypatch, text, problem):
    monkeypatch.setenv("MG_PSEUDONYM_KEY", text)
    with pytest.raises(KeyProblem, match="MG_PSEUDONYM_KEY") as raised:
        Pseudonymiser(key_file=str(tmp_path / ".pseudonym_key")).key()
    assert problem in str(raised.value) and text not in str(raised.value)


def test_a_short_key_file_is_refused(tmp_path, monkeypatch):
    monkeypatch.delenv("MG_PSEUDONYM_KEY", raising=False)
    (tmp_path / ".pseudonym_key").write_text("ab" * 16)
    with pytest.raises(KeyProblem, match="16-byte key"):
        Pseudonymiser(key_file=str(tmp_path / ".pseudonym_key")).key()

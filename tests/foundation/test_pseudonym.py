import hashlib
import hmac
import os
import stat

import duckdb

from mg_platform.analysis.pseudonym import hmac_pads, hmac_sql, pseudonym
from mg_platform.resources.pseudonymiser import Pseudonymiser


def test_sql_hmac_equals_python_hmac():
    key = bytes(range(40))
    opad, ipad = hmac_pads(key)
    values = ["SC2025-000001", "ÄÖÜ-ß", ""]
    with duckdb.connect() as conn:
        got = [
            conn.execute(f"SELECT {hmac_sql('$v')}", {"v": v, "opad": opad, "ipad": ipad}).fetchone()[0] for v in values
        ]
    expected = [hmac.new(key, v.encode(), hashlib.sha256).hexdigest()[:20] for v in values]
    assert got == expected == [pseudonym(key, v) for v in values]


def test_long_keys_are_hashed_first_as_rfc2104_requires():
    key = b"k" * 100
    opad, ipad = hmac_pads(key)
    with duckdb.connect() as conn:
        got = conn.execute(f"SELECT {hmac_sql('$v')}", {"v": "x", "opad": opad, "ipad": ipad}).fetchone()[0]
    assert got == hmac.new(key, b"x", hashlib.sha256).hexdigest()[:20]


def test_key_file_is_created_once_with_0600(tmp_path, monkeypatch):
    monkeypatch.delenv("MG_PSEUDONYM_KEY", raising=False)
    resource = Pseudonymiser(key_file=str(tmp_path / ".pseudonym_key"))
    first = resource.key(create=True)  # a new warehouse: the key file may be created (see tests/ingest/test_keys.py)
    assert len(first) == 32
    assert stat.S_IMODE(os.stat(tmp_path / ".pseudonym_key").st_mode) == 0o600
    assert resource.key() == first


def test_key_from_environment_wins(tmp_path, monkeypatch):
    monkeypatch.setenv("MG_PSEUDONYM_KEY", "ab" * 32)
    resource = Pseudonymiser(key_file=str(tmp_path / ".pseudonym_key"))
    assert resource.key() == bytes.fromhex("ab" * 32)
    assert not (tmp_path / ".pseudonym_key").exists()

"""Keyed pseudonyms (HMAC-SHA256, RFC 2104) computed inside DuckDB, and the key's lifecycle.

The key is fixed for the life of a warehouse (raw-records.md): the warehouse keeps a
fingerprint of it in ``raw.pseudonym_key`` (HMAC of a fixed label, never the key
itself) and a load with another key refuses to write (:func:`verify_key`).
"""

from __future__ import annotations

import hashlib
import hmac

import duckdb

PSEUDONYM_HEX_CHARS = 20
HMAC_BLOCK_BYTES = 64
MIN_KEY_BYTES = 32
KEY_TABLE = "raw.pseudonym_key"
FINGERPRINT_LABEL = "mg-platform pseudonym key fingerprint v1"


class KeyProblem(ValueError):
    """The pseudonymisation key is unusable, missing, or not the warehouse's key."""


def hmac_pads(key: bytes) -> tuple[bytes, bytes]:
    """The (outer, inner) padded keys of HMAC-SHA256 for ``key``."""
    if len(key) > HMAC_BLOCK_BYTES:
        key = hashlib.sha256(key).digest()
    padded = key.ljust(HMAC_BLOCK_BYTES, b"\0")
    return bytes(b ^ 0x5C for b in padded), bytes(b ^ 0x36 for b in padded)


def hmac_sql(value_sql: str, outer_param: str = "$opad", inner_param: str = "$ipad") -> str:
    """DuckDB expression for the pseudonym of ``value_sql``: HMAC-SHA256, first 20 hex chars.

    sha256(opad || sha256(ipad || value)) equals Python's
    ``hmac.new(key, value, hashlib.sha256).hexdigest()``; the pads are bound parameters.
    """
    inner = f"unhex(sha256({inner_param}::BLOB || encode({value_sql})))"
    return f"substr(sha256({outer_param}::BLOB || {inner}), 1, {PSEUDONYM_HEX_CHARS})"


def pseudonym(key: bytes, value: str) -> str:
    """The same pseudonym computed in Python (for lookups and tests)."""
    return hmac.new(key, value.encode("utf-8"), hashlib.sha256).hexdigest()[:PSEUDONYM_HEX_CHARS]


def parse_key(hex_text: str, source: str) -> bytes:
    """Decode a hex key and check its length; ``source`` names where it came from in messages.

    Raises :class:`KeyProblem` for text that is not hex or a key shorter than
    :data:`MIN_KEY_BYTES` bytes (64 hex characters).
    """
    try:
        key = bytes.fromhex(hex_text.strip())
    except ValueError:
        raise KeyProblem(
            f"{source} is not a hex string; it must hold at least {MIN_KEY_BYTES} random bytes as "
            f"{2 * MIN_KEY_BYTES} hex characters (e.g. from `python -c 'import secrets; print(secrets.token_hex(32))'`)"
        ) from None
    if len(key) < MIN_KEY_BYTES:
        raise KeyProblem(f"{source} holds a {len(key)}-byte key; at least {MIN_KEY_BYTES} bytes are required")
    return key


def fingerprint(pads: tuple[bytes, bytes]) -> str:
    """HMAC-SHA256 of a fixed label under the key (from its pads): identifies the key, reveals nothing."""
    opad, ipad = pads
    inner = hashlib.sha256(ipad + FINGERPRINT_LABEL.encode()).digest()
    return hashlib.sha256(opad + inner).hexdigest()


def recorded_fingerprint(conn: duckdb.DuckDBPyConnection) -> str | None:
    """The key fingerprint the warehouse was built with, or None for a warehouse without pseudonyms."""
    exists = conn.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'raw' AND table_name = 'pseudonym_key'"
    ).fetchone()[0]
    if not exists:
        return None
    row = conn.execute(f"SELECT fingerprint FROM {KEY_TABLE}").fetchone()
    return row[0] if row else None


def holds_pseudonyms(conn: duckdb.DuckDBPyConnection) -> bool:
    """True when the warehouse has a key fingerprint or any raw records (made with some key)."""
    if recorded_fingerprint(conn) is not None:
        return True
    tables = conn.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'raw' AND table_name = 'perioperative_records'"
    ).fetchone()[0]
    return bool(tables) and conn.execute("SELECT count(*) FROM raw.perioperative_records").fetchone()[0] > 0


def verify_key(conn: duckdb.DuckDBPyConnection, pads: tuple[bytes, bytes], key_source: str) -> None:
    """Record the key's fingerprint in a new warehouse; refuse a key other than the recorded one.

    Raises :class:`KeyProblem` with the way out (restore the key named by ``key_source``)
    when the warehouse holds pseudonyms made with another key.
    """
    current = fingerprint(pads)
    recorded = recorded_fingerprint(conn)
    if recorded is None:
        conn.execute("CREATE SCHEMA IF NOT EXISTS raw")
        conn.execute(f"CREATE TABLE IF NOT EXISTS {KEY_TABLE} (fingerprint VARCHAR NOT NULL, label VARCHAR NOT NULL)")
        conn.execute(f"INSERT INTO {KEY_TABLE} VALUES (?, ?)", [current, FINGERPRINT_LABEL])
    elif recorded != current:
        raise KeyProblem(
            f"the pseudonymisation key ({key_source}) is not the key this warehouse was built with "
            f"(fingerprint {recorded[:12]}…, this key {current[:12]}…); nothing was written. Restore the original "
            "key (put the original key file back or set MG_PSEUDONYM_KEY to the original hex key). A new key would "
            "give every case new pseudonyms and hide cross-month duplicates; to start over with a new key, move the "
            "warehouse file away first."
        )

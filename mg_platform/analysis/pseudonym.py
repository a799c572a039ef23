"""Keyed pseudonyms (HMAC-SHA256, RFC 2104) computed inside DuckDB."""

from __future__ import annotations

import hashlib

PSEUDONYM_HEX_CHARS = 20
HMAC_BLOCK_BYTES = 64


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
    import hmac

    return hmac.new(key, value.encode("utf-8"), hashlib.sha256).hexdigest()[:PSEUDONYM_HEX_CHARS]

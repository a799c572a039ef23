"""Keyed pseudonymisation (HMAC-SHA256) of direct identifiers.

The key comes from ``$MG_PSEUDONYM_KEY`` (hex) when set, otherwise from
``<data dir>/.pseudonym_key``, created on first use with 0600 permissions.
The key is never stored in the repository, the warehouse or metadata.
"""

from __future__ import annotations

import os
import secrets
import tempfile
from pathlib import Path

import dagster as dg
from pydantic import Field

from mg_platform.analysis.pseudonym import hmac_pads


class Pseudonymiser(dg.ConfigurableResource):
    """Supplies the HMAC key; the key file is created atomically (mkstemp is 0600, then link)."""

    key_file: str = Field(description="Key file, created with 0600 permissions when missing.")
    key_env_var: str = Field(default="MG_PSEUDONYM_KEY", description="Environment variable holding a hex key.")

    def key(self) -> bytes:
        """The secret key: the environment variable if set, else the key file (created if absent)."""
        from_env = os.environ.get(self.key_env_var)
        if from_env:
            return bytes.fromhex(from_env)
        path = Path(self.key_file)
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".key-")
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_hex(32))
            try:
                os.link(tmp, path)
            except FileExistsError:
                pass
            finally:
                os.unlink(tmp)
        return bytes.fromhex(path.read_text().strip())

    def pads(self) -> tuple[bytes, bytes]:
        """The (outer, inner) padded keys bound into :func:`mg_platform.analysis.pseudonym.hmac_sql`."""
        return hmac_pads(self.key())

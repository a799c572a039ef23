"""Keyed pseudonymisation (HMAC-SHA256) of direct identifiers.

The key comes from ``$MG_PSEUDONYM_KEY`` (hex, at least 32 bytes) when set, otherwise
from ``<data dir>/.pseudonym_key``. The key file is created (0600) only for a
warehouse that holds no pseudonyms yet: a lost key file is another key, never a
reason to make a new one silently (raw-records.md). The key is never stored in
the repository, the warehouse or metadata; the warehouse keeps only its
fingerprint (:func:`mg_platform.analysis.pseudonym.verify_key`).
"""

from __future__ import annotations

import os
import secrets
import tempfile
from pathlib import Path

import dagster as dg
from pydantic import Field

from mg_platform.analysis.pseudonym import MIN_KEY_BYTES, KeyProblem, hmac_pads, parse_key


class Pseudonymiser(dg.ConfigurableResource):
    """Supplies the HMAC key; the key file is created atomically (mkstemp is 0600, then link)."""

    key_file: str = Field(description="Key file, created with 0600 permissions for a new warehouse only.")
    key_env_var: str = Field(default="MG_PSEUDONYM_KEY", description="Environment variable holding a hex key.")

    @property
    def source(self) -> str:
        """Where the key comes from, for messages (the variable's name or the file's path, never the key)."""
        return self.key_env_var if os.environ.get(self.key_env_var) else f"key file {self.key_file}"

    def key(self, create: bool = False) -> bytes:
        """The secret key: the environment variable if set, else the key file.

        With ``create`` a missing key file is created (for a warehouse without
        pseudonyms); otherwise a missing file raises :class:`KeyProblem` saying how
        to restore it.
        """
        from_env = os.environ.get(self.key_env_var)
        if from_env:
            return parse_key(from_env, self.key_env_var)
        path = Path(self.key_file)
        if not path.exists():
            if not create:
                raise KeyProblem(
                    f"the key file {path} is missing and the warehouse holds pseudonyms made with a key; nothing "
                    f"was written. Restore the key file from your backup, or set {self.key_env_var} to the original "
                    "hex key. A new key would give every case new pseudonyms."
                )
            _create_key_file(path)
        return parse_key(path.read_text(), f"key file {path}")

    def pads(self, create: bool = False) -> tuple[bytes, bytes]:
        """The (outer, inner) padded keys bound into :func:`mg_platform.analysis.pseudonym.hmac_sql`."""
        return hmac_pads(self.key(create))


def _create_key_file(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".key-")
    with os.fdopen(fd, "w") as handle:
        handle.write(secrets.token_hex(MIN_KEY_BYTES))
    try:
        os.link(tmp, path)
    except FileExistsError:
        pass
    finally:
        os.unlink(tmp)

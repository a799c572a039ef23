"""STRING's public API (https://string-db.org/help/api/) as a Dagster resource.

Polite use, as STRING asks: every call carries ``caller_identity``; calls have a timeout and
are retried with exponential backoff on connection errors, timeouts, HTTP 429 and 5xx; every
response body is cached under ``cache_dir`` with its URL, parameters, retrieval time and
sha256, so a second run with the same query makes no request. The default base URL is
STRING 12.0's stable address, the version the study used. Text endpoints and STRING's network
image (PNG bytes) share one cache.
"""

from __future__ import annotations

import hashlib
import json
import time
from datetime import UTC, datetime
from pathlib import Path

import dagster as dg
import requests
from pydantic import Field

from mg_platform.analysis.network.source import SourceRecord
from mg_platform.analysis.network.string_api import StringResponses, parse_string_ids
from mg_platform.analysis.network.string_api import first_shell as shell_ids

RETRY_STATUS = frozenset({429, 500, 502, 503, 504})


class StringUnavailable(RuntimeError):
    """STRING could not be reached or refused the request."""


class StringClient(dg.ConfigurableResource):
    """Cached, polite client for STRING's API."""

    cache_dir: str = Field(description="Folder for cached responses (<data dir>/cache/string).")
    base_url: str = Field(default="https://version-12-0.string-db.org", description="STRING server (12.0 stable).")
    caller_identity: str = Field(
        default="mg-platform (MgSO4 lumbar microdiscectomy reproduction)",
        description="Sent with every call, as STRING's API terms ask.",
    )
    timeout_s: float = Field(default=30.0, description="Per-request timeout in seconds.")
    max_retries: int = Field(default=3, description="Retries after the first attempt.")
    backoff_s: float = Field(default=2.0, description="First backoff delay; doubles at each retry.")

    def make_session(self) -> requests.Session:
        """The HTTP session (tests mount a recorded-response adapter on it)."""
        session = requests.Session()
        session.headers["User-Agent"] = self.caller_identity
        return session

    # -- one call -------------------------------------------------------------------------
    def _cache_paths(self, path: str, params: dict[str, str]) -> tuple[Path, Path]:
        key = hashlib.sha256(json.dumps([self.base_url, path, params], sort_keys=True).encode()).hexdigest()[:20]
        stem = path.strip("/").replace("/", "_")
        folder = Path(self.cache_dir)
        return folder / f"{stem}-{key}.body", folder / f"{stem}-{key}.json"

    def _send(self, session: requests.Session, path: str, params: dict[str, str]) -> bytes:
        url = f"{self.base_url.rstrip('/')}{path}"
        data = {**params, "caller_identity": self.caller_identity}
        problem = ""
        for attempt in range(self.max_retries + 1):
            try:
                if path.startswith("/api/json/version"):
                    response = session.get(url, params=data, timeout=self.timeout_s)
                else:
                    response = session.post(url, data=data, timeout=self.timeout_s)
            except (requests.ConnectionError, requests.Timeout) as exc:
                problem = f"{type(exc).__name__}: {exc}"
            else:
                if response.status_code == 200:
                    return response.content
                problem = f"HTTP {response.status_code}: {response.text[:300]}"
                if response.status_code not in RETRY_STATUS:
                    break
            if attempt < self.max_retries:
                time.sleep(self.backoff_s * 2**attempt)
        raise StringUnavailable(f"STRING request {url} failed ({problem})")

    def call_bytes(self, session: requests.Session, path: str, params: dict[str, str]) -> tuple[bytes, SourceRecord]:
        """Raw body of one API call, from the cache when present and intact, else from STRING."""
        body_path, meta_path = self._cache_paths(path, params)
        if body_path.is_file() and meta_path.is_file():
            meta = json.loads(meta_path.read_text(encoding="utf-8"))
            body = body_path.read_bytes()
            if hashlib.sha256(body).hexdigest() == meta["sha256"]:
                note = "from cache " + body_path.name
                return body, SourceRecord(meta["url"], meta["sha256"], meta["retrieved_at"], note, endpoint=path)
        body = self._send(session, path, params)
        digest = hashlib.sha256(body).hexdigest()
        retrieved_at = datetime.now(UTC).isoformat(timespec="seconds")
        url = f"{self.base_url.rstrip('/')}{path}"
        body_path.parent.mkdir(parents=True, exist_ok=True)
        body_path.write_bytes(body)
        meta_path.write_text(
            json.dumps({"url": url, "params": params, "retrieved_at": retrieved_at, "sha256": digest}, indent=1),
            encoding="utf-8",
        )
        return body, SourceRecord(url, digest, retrieved_at, "fetched", endpoint=path)

    def call(self, session: requests.Session, path: str, params: dict[str, str]) -> tuple[str, SourceRecord]:
        """Text body (UTF-8) of one API call; see :meth:`call_bytes`."""
        body, record = self.call_bytes(session, path, params)
        return body.decode("utf-8"), record

    # -- the study's calls ------------------------------------------------------------------
    def study_responses(
        self, proteins: list[str], species: int, required_score: int, first_shell: int = 0
    ) -> StringResponses:
        """Version, id mapping, (first shell,) network, PPI enrichment, enrichment, annotation, image.

        ``first_shell`` > 0 adds up to that many interaction partners per query protein
        (``/api/tsv/interaction_partners`` with ``limit``) to the network; 0, the study's choice,
        makes no partner call. The network and its image cover query + shell; PPI enrichment,
        enrichment and annotation the query proteins only.
        """
        session = self.make_session()
        try:
            version, r_version = self.call(session, "/api/json/version", {})
            id_text, r_ids = self.call(
                session,
                "/api/tsv/get_string_ids",
                {"identifiers": "\r".join(proteins), "species": str(species), "limit": "1", "echo_query": "1"},
            )
            ids = parse_string_ids(id_text)
            if ids.empty:
                raise StringUnavailable(f"STRING mapped none of {proteins} for species {species}")
            query_ids = list(ids["string_id"])
            query = {"identifiers": "\r".join(query_ids), "species": str(species)}
            scored = {**query, "required_score": str(required_score)}
            records = [r_version, r_ids]
            partners = ""
            network_ids = query_ids
            if first_shell > 0:
                partners, r_partners = self.call(
                    session, "/api/tsv/interaction_partners", {**scored, "limit": str(first_shell)}
                )
                records.append(r_partners)
                network_ids = query_ids + [i for i in shell_ids(partners, query_ids) if i not in query_ids]
            nodes = {
                "identifiers": "\r".join(network_ids),
                "species": str(species),
                "required_score": str(required_score),
            }
            network, r_net = self.call(
                session, "/api/tsv/network", {**nodes, "add_nodes": "0", "network_type": "functional"}
            )
            ppi, r_ppi = self.call(session, "/api/tsv/ppi_enrichment", scored)
            enrichment, r_enr = self.call(session, "/api/tsv/enrichment", query)
            annotation, r_ann = self.call(session, "/api/tsv/functional_annotation", query)
            image, r_img = self.call_bytes(
                session, "/api/image/network", {**nodes, "add_nodes": "0", "network_flavor": "confidence"}
            )
        finally:
            session.close()
        return StringResponses(
            version=version,
            string_ids=id_text,
            network=network,
            ppi_enrichment=ppi,
            enrichment=enrichment,
            functional_annotation=annotation,
            network_image=image,
            records=(*records, r_net, r_ppi, r_enr, r_ann, r_img),
            interaction_partners=partners,
        )

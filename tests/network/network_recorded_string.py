"""A requests transport adapter that answers STRING API calls from recorded fixture files."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, urlparse

import requests
from requests.adapters import BaseAdapter

from mg_platform.resources.string_client import StringClient

FIXTURES = Path(__file__).parent / "fixtures" / "string"
ROUTES = {
    "/api/json/version": "version.json",
    "/api/tsv/get_string_ids": "get_string_ids.tsv",
    "/api/tsv/network": "network.tsv",
    "/api/tsv/ppi_enrichment": "ppi_enrichment.tsv",
    "/api/tsv/enrichment": "enrichment.tsv",
    "/api/tsv/interaction_partners": "interaction_partners.tsv",
    "/api/tsv/functional_annotation": "functional_annotation.tsv",
    "/api/image/network": "network_image.png",
}


class RecordedAdapter(BaseAdapter):
    """Serves fixture bodies; can fail the first ``failures`` calls (HTTP status or ConnectionError)."""

    def __init__(self, failures: int = 0, failure_status: int | None = 503) -> None:
        super().__init__()
        self.failures = failures
        self.failure_status = failure_status
        self.requests: list[requests.PreparedRequest] = []

    def send(self, request, **kwargs):  # noqa: ANN001, ANN003 - requests' adapter signature
        self.requests.append(request)
        if self.failures > 0:
            self.failures -= 1
            if self.failure_status is None:
                raise requests.ConnectionError("recorded adapter: network unreachable")
            return self._response(request, self.failure_status, b"busy")
        path = urlparse(request.url).path
        return self._response(request, 200, (FIXTURES / ROUTES[path]).read_bytes())

    @staticmethod
    def _response(request, status: int, body: bytes) -> requests.Response:  # noqa: ANN001
        response = requests.Response()
        response.status_code = status
        response._content = body
        response.encoding = "utf-8"
        response.url = request.url
        response.request = request
        return response

    def close(self) -> None:
        pass


def form(request: requests.PreparedRequest) -> dict[str, list[str]]:
    """The parameters of a recorded request (form body for POST, query string for GET)."""
    if request.body:
        body = request.body.decode() if isinstance(request.body, bytes) else request.body
        return parse_qs(body)
    return parse_qs(urlparse(request.url).query)


class RecordedStringClient(StringClient):
    """StringClient whose session is served by the RecordedAdapter registered for its cache_dir."""

    def make_session(self) -> requests.Session:
        session = super().make_session()
        session.mount("https://", ADAPTERS[self.cache_dir])
        return session


#: cache_dir -> adapter; a resource is a frozen pydantic model, so the adapter is looked up by key.
ADAPTERS: dict[str, RecordedAdapter] = {}


def recorded_client(cache_dir: Path, adapter: RecordedAdapter, **kwargs) -> RecordedStringClient:  # noqa: ANN003
    ADAPTERS[str(cache_dir)] = adapter
    return RecordedStringClient(cache_dir=str(cache_dir), backoff_s=0.0, **kwargs)

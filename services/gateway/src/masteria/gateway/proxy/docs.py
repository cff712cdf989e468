"""The one public OpenAPI document: the gateway's operations plus every service's, cached briefly."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping
from typing import Any

import httpx

from masteria.gateway.proxy.openapi import Doc, merge_documents
from masteria.observability.logging import get_logger

log = get_logger(__name__)


def security_schemes(session_cookie: str) -> dict[str, Any]:
    """The two ways to call the public API."""
    return {
        "sessionCookie": {"type": "apiKey", "in": "cookie", "name": session_cookie},
        "apiKey": {"type": "http", "scheme": "bearer", "description": "an API key: mia_<prefix>_<secret>"},
    }


def public_gateway_doc(own: Doc, session_cookie: str) -> Doc:
    """The gateway's own document as the public sees it: API and auth paths, both credentials."""
    doc = dict(own)
    doc["info"] = {**own.get("info", {}), "title": "Master IA API", "version": "1"}
    doc["paths"] = {p: item for p, item in own.get("paths", {}).items() if p.startswith(("/api/v1/", "/auth/"))}
    components = dict(own.get("components", {}))
    components["securitySchemes"] = {**components.get("securitySchemes", {}), **security_schemes(session_cookie)}
    doc["components"] = components
    doc["security"] = [{"sessionCookie": []}, {"apiKey": []}]
    return doc


class OpenApiAggregator:
    """Fetches each service's ``/openapi.json`` with a short timeout; a service that is down is listed."""

    def __init__(
        self,
        client: httpx.AsyncClient,
        service_urls: Mapping[str, str],
        *,
        timeout_s: float,
        cache_s: float,
        session_cookie: str,
    ) -> None:
        self.client, self.service_urls, self.session_cookie = client, dict(service_urls), session_cookie
        self.timeout_s, self.cache_s = timeout_s, cache_s
        self._cached: tuple[float, Doc] | None = None
        self._lock = asyncio.Lock()

    async def _fetch(self, service: str, base_url: str) -> Doc | None:
        try:
            response = await self.client.get(f"{base_url}/openapi.json", timeout=self.timeout_s)
            response.raise_for_status()
            doc = response.json()
        except (httpx.HTTPError, ValueError) as exc:
            log.info("openapi of a service unavailable", upstream=service, error=repr(exc)[:200])
            return None
        return doc if isinstance(doc, dict) else None

    async def document(self, gateway_doc: Doc) -> Doc:
        """The merged document, rebuilt at most every ``cache_s`` seconds."""
        async with self._lock:  # one rebuild at a time; waiters get the fresh copy
            if self._cached and time.monotonic() - self._cached[0] < self.cache_s:
                return self._cached[1]
            names = sorted(self.service_urls)
            docs = await asyncio.gather(*(self._fetch(n, self.service_urls[n]) for n in names))
            available = {n: d for n, d in zip(names, docs, strict=True) if d is not None}
            unavailable = [n for n, d in zip(names, docs, strict=True) if d is None]
            merged = merge_documents(public_gateway_doc(gateway_doc, self.session_cookie), available, unavailable)
            self._cached = (time.monotonic(), merged)
            return merged

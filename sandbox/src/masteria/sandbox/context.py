"""Everything the sandbox holds while it runs, shared by its routes."""

import ssl
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Annotated, cast

import httpx
from fastapi import Depends, Request

from masteria.sandbox.jobs import JobRegistry
from masteria.sandbox.meta.burst import RetryPolicy
from masteria.sandbox.meta.state import MetaRegistry
from masteria.sandbox.meta.statuses import StatusDispatcher
from masteria.sandbox.meta.webhooks import WebhookDeliverer
from masteria.sandbox.oauth.oidc import OidcIssuer
from masteria.sandbox.oauth.store import OAuthStore
from masteria.sandbox.settings import SandboxSettings
from masteria.sandbox.twilio.state import TwilioRegistry


@dataclass
class SandboxContext:
    """State of one sandbox app: registries, jobs and the outgoing HTTP client."""

    settings: SandboxSettings
    meta: MetaRegistry
    oauth: OAuthStore
    oidc: OidcIssuer
    jobs: JobRegistry = field(default_factory=JobRegistry)
    twilio: TwilioRegistry = field(default_factory=TwilioRegistry)
    # Lets in-process tests deliver webhooks to an ASGI app instead of a socket.
    webhook_transport: httpx.AsyncBaseTransport | None = None
    _http: httpx.AsyncClient | None = None
    _lazy_lock: threading.RLock = field(default_factory=threading.RLock)
    _tls: ssl.SSLContext | None = None
    _meta_statuses: StatusDispatcher | None = None

    @property
    def http(self) -> httpx.AsyncClient:
        """The one client for every outgoing call, created on first use so the app also works unstarted."""
        with self._lazy_lock:
            if self._http is None:
                self._http = self._new_client()
            return self._http

    @property
    def deliverer(self) -> WebhookDeliverer:
        """Webhook delivery over the shared client."""
        return WebhookDeliverer(self.http)

    @property
    def meta_statuses(self) -> StatusDispatcher:
        """Meta's status webhooks (sent, delivered, read, failed) for accepted sends, batched per number."""
        with self._lazy_lock:
            if self._meta_statuses is None:
                self._meta_statuses = StatusDispatcher(
                    self.meta, self.meta.behaviours, lambda: self.http, self.retry_policy
                )
            return self._meta_statuses

    @property
    def retry_policy(self) -> RetryPolicy:
        """Backoff for deliveries that must not be lost."""
        return RetryPolicy(self.settings.retry_initial_s, self.settings.retry_max_s)

    async def aclose(self) -> None:
        """Stop the jobs, then release the HTTP client."""
        await self.jobs.shutdown()
        if self._meta_statuses is not None:
            await self._meta_statuses.aclose()
        await self.twilio.aclose()
        with self._lazy_lock:
            client, self._http = self._http, None
        if client is not None:
            await client.aclose()

    @asynccontextmanager
    async def lane_client(self) -> AsyncIterator[httpx.AsyncClient]:
        """A client of its own (one connection) for one lane of a burst, closed when the lane ends."""
        if self.webhook_transport is not None:
            # Closing a client closes its transport, and an injected transport belongs to the caller.
            yield self.http
            return
        async with self._new_client(max_connections=1) as client:
            yield client

    def _new_client(self, max_connections: int | None = None) -> httpx.AsyncClient:
        connections = max_connections or self.settings.max_connections
        # One TLS context for every client: building one loads the CA bundle (~25 ms of blocked loop),
        # too slow to pay per burst lane.
        with self._lazy_lock:
            if self._tls is None:
                self._tls = ssl.create_default_context()
            tls = self._tls
        return httpx.AsyncClient(
            verify=tls,
            timeout=self.settings.webhook_timeout_s,
            limits=httpx.Limits(max_connections=connections, max_keepalive_connections=connections),
            transport=self.webhook_transport,
            follow_redirects=False,
        )


async def get_context(request: Request) -> SandboxContext:
    """The context of the app serving this request (async: FastAPI runs a plain `def` dependency in a
    worker thread, a hop that cost more than the whole Graph send path)."""
    return cast(SandboxContext, request.app.state.sandbox)


Context = Annotated[SandboxContext, Depends(get_context)]

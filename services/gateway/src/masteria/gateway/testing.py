"""Helpers for tests that drive the gateway: engines' URLs, real servers on free ports, a fake upstream
service, and short journeys (sign up, CSRF header). Shipped in the package so that the end-to-end
tests can use them too, as ``masteria.sandbox.testing`` does for the sandbox."""

from __future__ import annotations

import asyncio
import os
import socket
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import urlsplit, urlunsplit

import httpx
import uvicorn
from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse

if TYPE_CHECKING:
    from masteria.gateway.settings import GatewaySettings
    from masteria.runtime.service import Service

Lifespan = Literal["auto", "on", "off"]
DEFAULT_ADMIN_URL = "postgresql+asyncpg://postgres@127.0.0.1:55432/masteria"


async def wait_for(
    condition: Callable[[], bool | Awaitable[bool]],
    what: str,
    timeout: float = 10.0,  # noqa: ASYNC109 - the failure message names what never happened
) -> None:
    """Poll ``condition`` until true; fail naming ``what`` after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if not isinstance(result, bool):
            result = await result
        if result:
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        await asyncio.sleep(0.02)


def free_port() -> int:
    """A loopback port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def admin_url() -> str:
    """The superuser URL: DATABASE_ADMIN_URL, else the devstack's (which follows MASTERIA_PG_PORT)."""
    if url := os.environ.get("DATABASE_ADMIN_URL"):
        return url
    try:
        from masteria.devstack import postgres
    except ImportError:
        return DEFAULT_ADMIN_URL
    return postgres.admin_url()


def app_url(database: str) -> str:
    """The services' role (no BYPASSRLS) on ``database``: DATABASE_URL's credentials, else the dev ones."""
    if url := os.environ.get("DATABASE_URL"):
        return with_database(url, database)
    return with_database(admin_url(), database, user="masteria_app", password="masteria_app")  # noqa: S106 - dev role


def redis_url() -> str:
    """Redis of the local infrastructure: REDIS_URL, else the devstack's (MASTERIA_REDIS_PORT)."""
    try:
        from masteria.devstack import redis
    except ImportError:
        return os.environ.get("REDIS_URL", "redis://127.0.0.1:16379/0")
    return redis.url()


def nats_url() -> str:
    """NATS of the local infrastructure: NATS_URL, else the devstack's (MASTERIA_NATS_PORT)."""
    try:
        from masteria.devstack import nats
    except ImportError:
        return os.environ.get("NATS_URL", "nats://127.0.0.1:14222")
    return nats.url()


def with_database(url: str, database: str, *, user: str | None = None, password: str | None = None) -> str:
    """``url`` pointing at another database (and, optionally, another role)."""
    parts = urlsplit(url)
    netloc = parts.netloc.rsplit("@", 1)[-1]
    if user:
        netloc = f"{user}:{password}@{netloc}" if password else f"{user}@{netloc}"
    elif "@" in parts.netloc:
        netloc = parts.netloc
    return urlunsplit(parts._replace(netloc=netloc, path=f"/{database}"))


def plain_dsn(url: str) -> str:
    """A SQLAlchemy URL as asyncpg wants it."""
    scheme, rest = url.split("://", 1)
    return f"{scheme.split('+', 1)[0]}://{rest}"


def unique_email(label: str = "user") -> str:
    """An address no other test (or earlier run) used."""
    return f"{label}-{uuid.uuid4().hex[:10]}@example.com"


class BackgroundServer:
    """An ASGI app served by uvicorn inside the test's event loop, on a real socket."""

    def __init__(self, app: FastAPI, port: int | None = None, *, lifespan: Lifespan = "on") -> None:
        # lifespan="off" serves an app whose service a fixture already started in-process.
        self.app, self.port, self.lifespan = app, port or free_port(), lifespan
        self._server: uvicorn.Server | None = None
        self._task: asyncio.Task[None] | None = None

    @property
    def url(self) -> str:
        """Base URL."""
        return f"http://127.0.0.1:{self.port}"

    async def start(self) -> None:
        """Listen, and return once uvicorn says it started."""
        config = uvicorn.Config(
            self.app,
            host="127.0.0.1",
            port=self.port,
            log_level="warning",
            lifespan=self.lifespan,
            timeout_graceful_shutdown=2,  # an open event stream never ends by itself
        )
        server = self._server = uvicorn.Server(config)
        self._task = asyncio.create_task(server.serve())
        await wait_for(lambda: server.started, "uvicorn to start")

    async def stop(self) -> None:
        """Stop listening."""
        if self._server and self._task:
            self._server.should_exit = True
            await asyncio.wait_for(self._task, 10)


@dataclass
class Received:
    """One request the fake upstream saw."""

    method: str
    path: str
    query: str
    headers: dict[str, str]
    body: bytes


@dataclass
class FakeUpstream:
    """A stand-in for a downstream service: records every request and echoes it back."""

    received: list[Received] = field(default_factory=list)
    url: str = ""

    def app(self) -> FastAPI:
        """A FastAPI app with one documented route (for the OpenAPI merge) and an echo catch-all."""
        app = FastAPI(title="fake upstream")

        @app.get("/api/v1/contacts", operation_id="list_contacts")
        async def contacts(request: Request) -> Response:
            return await self._echo(request)

        @app.api_route("/{path:path}", methods=["GET", "POST", "PUT", "PATCH", "DELETE"], include_in_schema=False)
        async def echo(request: Request, path: str) -> Response:
            del path
            return await self._echo(request)

        return app

    async def _echo(self, request: Request) -> Response:
        body = await request.body()
        self.received.append(Received(request.method, request.url.path, request.url.query, dict(request.headers), body))
        status = int(request.headers.get("x-answer-status", "200"))
        payload = {"path": request.url.path, "length": len(body)}
        return JSONResponse(payload, status_code=status, headers={"x-upstream": "yes", "set-cookie": "up=1"})

    def last(self, path_prefix: str) -> Received:
        """The latest request whose path starts with ``path_prefix``."""
        return next(r for r in reversed(self.received) if r.path.startswith(path_prefix))


PASSWORD = "correct horse battery staple"  # noqa: S105 - a test password


async def sign_up(client: httpx.AsyncClient, label: str = "user", tenant: str = "Acme") -> dict[str, Any]:
    """Sign up a new user with a new tenant; the client keeps the session cookies."""
    body = {"email": unique_email(label), "password": PASSWORD, "name": label.title(), "tenant_name": tenant}
    response = await client.post("/auth/signup", json=body)
    assert response.status_code == 201, response.text
    me: dict[str, Any] = response.json()
    me["password"] = PASSWORD
    return me


def csrf(client: httpx.AsyncClient) -> dict[str, str]:
    """The header that proves the request comes from our own page."""
    return {"X-CSRF-Token": client.cookies["masteria_csrf"]}


ClientFactory = Callable[[], Awaitable[httpx.AsyncClient]]


@dataclass(frozen=True)
class Database:
    """A throwaway database: the app role's URL (RLS applies) and the superuser's."""

    name: str
    app_url: str
    admin_url: str


@dataclass(frozen=True)
class Gateway:
    """A running gateway and the public key that verifies the internal tokens it mints."""

    service: Service
    public_key: str
    settings: GatewaySettings

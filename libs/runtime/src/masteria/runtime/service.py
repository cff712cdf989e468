"""One process per service: its FastAPI app and its FastStream app, sharing engines and lifecycle.

Start order matters: the database and Redis first, then NATS with the streams and consumers
provisioned before any subscriber binds, then the outbox relay; readiness turns on last.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import redis.asyncio as aioredis
from fastapi import APIRouter, FastAPI, Request, Response
from faststream import FastStream
from faststream.nats import NatsBroker
from nats.js import JetStreamContext
from opentelemetry.trace import SpanKind
from sqlalchemy import Table, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from starlette.types import ASGIApp, Receive, Scope, Send

from masteria.contracts.streams import ALL_STREAMS, ConsumerSpec, StreamSpec
from masteria.messaging.batch_consumer import BatchConsumer, BatchHandler
from masteria.messaging.broker import create_broker
from masteria.messaging.outbox import Outbox, OutboxRelay
from masteria.messaging.provisioning import ensure_consumers, ensure_streams
from masteria.observability import metrics
from masteria.observability.logging import configure_logging, get_logger
from masteria.observability.tracing import configure_tracing, extract_context, tracer
from masteria.persistence.engine import create_engine, session_factory
from masteria.runtime.problems import install_problem_handlers
from masteria.runtime.settings import ServiceSettings
from masteria.security.internal_token import InternalTokenVerifier
from masteria.security.secretbox import SecretBox

log = get_logger(__name__)
Hook = Callable[["Service"], Awaitable[None]]
HandlerFactory = Callable[["Service"], BatchHandler]


@dataclass
class Service:
    """A service's engines and apps; handlers reach it through ``request.app.state.service``."""

    name: str
    settings: ServiceSettings
    outbox_table: Table | None = None
    streams: list[StreamSpec] = field(default_factory=lambda: list(ALL_STREAMS))
    consumers: list[ConsumerSpec] = field(default_factory=list)
    # Hot-path consumers: (durable consumer, handler built once the engines are open).
    batch_consumers: list[tuple[ConsumerSpec, HandlerFactory]] = field(default_factory=list)
    routers: list[APIRouter] = field(default_factory=list)
    on_start: list[Hook] = field(default_factory=list)
    on_stop: list[Hook] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.broker: NatsBroker = create_broker(self.settings.nats_url, self.name)
        self.stream_app = FastStream(self.broker)  # the AsyncAPI document is generated from this
        self.http = self._build_http()
        self.outbox = Outbox(self.outbox_table) if self.outbox_table is not None else None
        self.secret_box = (
            SecretBox.from_spec(self.settings.secret_keys, self.settings.secret_active_kid)
            if self.settings.secret_keys
            else None
        )
        self.ready = False

    # engines, set during start-up
    engine: AsyncEngine = field(init=False)
    sessions: async_sessionmaker[AsyncSession] = field(init=False)
    redis: aioredis.Redis = field(init=False)
    js: JetStreamContext = field(init=False)
    relay: OutboxRelay | None = field(init=False, default=None)
    running_consumers: list[BatchConsumer] = field(init=False, default_factory=list)

    def _build_http(self) -> FastAPI:
        # FastAPI's native telemetry makes five spans per request (measured ~0.5 ms); our middleware
        # makes the one server span that matters and continues the caller's trace.
        app = FastAPI(
            title=f"Master IA {self.name}",
            version="1",
            lifespan=self._lifespan,
            telemetry={"tracing": False, "metrics": False, "logs": False, "operation_spans": False},
        )
        app.state.service = self
        install_problem_handlers(app)
        app.add_middleware(_TelemetryMiddleware, service=self.name)
        app.add_api_route("/health", self._health, methods=["GET"], include_in_schema=False)
        app.add_api_route("/ready", self._ready, methods=["GET"], include_in_schema=False)
        app.add_api_route("/metrics", _metrics, methods=["GET"], include_in_schema=False)
        for router in self.routers:
            app.include_router(router)
        return app

    @asynccontextmanager
    async def _lifespan(self, app: FastAPI) -> AsyncIterator[None]:
        await self.start()
        try:
            yield
        finally:
            await self.stop()

    async def start(self) -> None:
        """Open engines, provision messaging, start subscribers and the relay."""
        s = self.settings
        configure_logging(self.name, level=s.log_level, json=s.log_json)
        configure_tracing(self.name)
        if s.internal_token_public_key:
            self.http.state.token_verifier = InternalTokenVerifier(s.internal_token_public_key, self.name)
        self.engine = create_engine(s.database_url, pool_size=s.database_pool_size)
        self.sessions = session_factory(self.engine)
        # A pool that waits for a free connection: redis-py's default pool raises once its connections
        # are all in use, which hundreds of concurrent sends asking for rate-limit slots would hit.
        pool = aioredis.BlockingConnectionPool.from_url(
            s.redis_url, max_connections=s.redis_max_connections, timeout=30
        )
        self.redis = aioredis.Redis.from_pool(pool)  # closing the client closes its pool
        await self.broker.connect()
        self.js = self.broker.config.connection_state.stream
        await ensure_streams(self.js, self.streams)
        await ensure_consumers(self.js, [*self.consumers, *(spec for spec, _ in self.batch_consumers)])
        for hook in self.on_start:
            await hook(self)
        await self.broker.start()
        for spec, make_handler in self.batch_consumers:
            consumer = BatchConsumer(self.js, spec, make_handler(self))
            await consumer.start()
            self.running_consumers.append(consumer)
        if self.outbox_table is not None:
            self.relay = OutboxRelay(self.sessions, self.outbox_table, self.js, service=self.name)
            self.relay.start()
        self.ready = True
        log.info("service started", port=s.port)

    async def stop(self) -> None:
        """Stop taking work, then close engines."""
        self.ready = False
        for consumer in self.running_consumers:
            await consumer.stop()
        for hook in self.on_stop:
            await hook(self)
        if self.relay:
            await self.relay.stop()
        await self.broker.stop()
        await self.redis.aclose()
        await self.engine.dispose()

    async def _health(self) -> dict[str, str]:
        return {"status": "ok", "service": self.name}

    async def _ready(self, response: Response) -> dict[str, Any]:
        checks = await _check_dependencies(self)
        ok = self.ready and all(v == "ok" for v in checks.values())
        response.status_code = 200 if ok else 503
        return {"status": "ready" if ok else "not ready", "checks": checks}


async def _check_dependencies(service: Service) -> dict[str, str]:
    async def database() -> None:
        async with service.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))

    async def redis_ping() -> None:
        await service.redis.ping()

    async def nats() -> None:
        if not service.broker.config.connection_state.connection.is_connected:
            raise ConnectionError("not connected")

    results: dict[str, str] = {}
    for name, check in (("database", database), ("redis", redis_ping), ("nats", nats)):
        try:
            await asyncio.wait_for(check(), 2)
            results[name] = "ok"
        except Exception as exc:  # readiness reports, it never raises
            results[name] = f"failed: {exc!r}"[:200]
    return results


async def _metrics() -> Response:
    body, content_type = metrics.render()
    return Response(body, media_type=content_type)


class _TelemetryMiddleware:
    """A server span per request (child of the caller's traceparent) and request metrics."""

    def __init__(self, app: ASGIApp, service: str) -> None:
        self.app, self.tracer = app, tracer(f"masteria.{service}.http")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in ("/health", "/ready", "/metrics"):
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
        status = {"code": 500}

        async def send_wrapper(message: Any) -> None:
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
            await send(message)

        started = time.perf_counter()
        with self.tracer.start_as_current_span(
            f"{scope['method']} {scope['path']}", context=extract_context(headers), kind=SpanKind.SERVER
        ) as span:
            try:
                await self.app(scope, receive, send_wrapper)
            finally:
                span.set_attribute("http.response.status_code", status["code"])
                route = _route_template(scope)
                metrics.HTTP_REQUESTS.labels(scope["method"], route, str(status["code"])).inc()
                metrics.HTTP_LATENCY.labels(scope["method"], route).observe(time.perf_counter() - started)


def _route_template(scope: Scope) -> str:
    route = scope.get("route")
    return getattr(route, "path", "unmatched")


def service_of(request: Request) -> Service:
    """The running service behind a request."""
    service: Service = request.app.state.service
    return service

"""Integration-test harness: one service in-process against a fresh, migrated database.

Real PostgreSQL (RLS applies: the service connects as the app role), real NATS and Redis; only the
HTTP transport is in-process. Libraries never import services, so the caller passes the builder.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any, Protocol

import httpx

from . import postgres
from .infra import ensure_infra
from .secrets_file import DevSecrets
from .stack import ServiceDef, migrate_all, service_named


class _Service(Protocol):
    http: Any

    async def start(self) -> None: ...
    async def stop(self) -> None: ...


@dataclass
class ScratchDatabase:
    """A fresh database with every service's migrations applied."""

    name: str
    app_url: str
    admin_url: str


@asynccontextmanager
async def fresh_database(prefix: str) -> AsyncIterator[ScratchDatabase]:
    """Create and migrate a database named after ``prefix``; drop it afterwards."""
    await asyncio.to_thread(ensure_infra)
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    urls = await postgres.create_database(name)
    try:
        await migrate_all(urls.admin)
        yield ScratchDatabase(name, urls.app, urls.admin)
    finally:
        await postgres.drop_database(name)


def settings_env(database: ScratchDatabase, secrets: DevSecrets) -> dict[str, Any]:
    """Settings values (by their env names) that point a service at the test engines."""
    infra = ensure_infra()
    return {
        "DATABASE_URL": database.app_url,
        "NATS_URL": infra.nats_url,
        "REDIS_URL": infra.redis_url,
        "MASTERIA_ENV": "test",
        "MASTERIA_SECRET_KEYS": secrets.secret_keys,
        "MASTERIA_INTERNAL_TOKEN_PUBLIC_KEY": secrets.internal_token_public_key,
        "LOG_JSON": False,
    }


@dataclass
class RunningService:
    """A started service and an HTTP client bound to its app."""

    service: Any
    client: httpx.AsyncClient
    definition: ServiceDef


@asynccontextmanager
async def running_service(name: str, build: Callable[[], _Service]) -> AsyncIterator[RunningService]:
    """Start ``build()`` (its lifespan opens the engines) and give a client for its HTTP app."""
    service = build()
    await service.start()
    try:
        transport = httpx.ASGITransport(app=service.http)
        async with httpx.AsyncClient(transport=transport, base_url="http://service.test") as client:
            yield RunningService(service, client, service_named(name))
    finally:
        await service.stop()


async def wait_for(predicate: Callable[[], Any], *, within: float = 10.0, interval: float = 0.02) -> Any:
    """Poll an async or sync predicate until it returns a truthy value, or fail after ``within`` seconds."""
    deadline = asyncio.get_running_loop().time() + within
    while True:
        result = predicate()
        if asyncio.iscoroutine(result):
            result = await result
        if result:
            return result
        if asyncio.get_running_loop().time() > deadline:
            raise TimeoutError(f"condition not met within {within}s")
        await asyncio.sleep(interval)

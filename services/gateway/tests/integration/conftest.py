"""Fixtures: a fresh migrated database, the gateway started against real engines, a fake upstream, the sandbox."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import nats
import pytest
import redis.asyncio as aioredis
from nats.js import JetStreamContext

from masteria.gateway.main import build_service
from masteria.gateway.settings import GatewaySettings
from masteria.gateway.testing import (
    BackgroundServer,
    ClientFactory,
    Database,
    FakeUpstream,
    Gateway,
    admin_url,
    app_url,
    free_port,
    nats_url,
    plain_dsn,
    redis_url,
    with_database,
)
from masteria.persistence.migrations import upgrade
from masteria.security.internal_token import generate_keypair

SERVICE_DIR = Path(__file__).resolve().parents[2]
OAUTH_CLIENTS = {"google": ("gw-google", "google-secret"), "facebook": ("gw-facebook", "facebook-secret")}


async def _reachable() -> str | None:
    """Why the engines cannot be used, or None."""
    try:
        connection = await asyncpg.connect(plain_dsn(admin_url()), timeout=3)
        await connection.close()
    except (OSError, asyncpg.PostgresError, TimeoutError) as exc:
        return f"PostgreSQL at {admin_url()} is unreachable ({exc!r}); run `python -m masteria.devstack infra up`"
    try:
        client = aioredis.from_url(redis_url())
        await client.ping()
        await client.aclose()
    except (OSError, aioredis.RedisError) as exc:
        return f"Redis at {redis_url()} is unreachable ({exc!r})"
    return None


@pytest.fixture(scope="session")
async def database() -> AsyncIterator[Database]:
    """CREATE DATABASE gateway_test_<random>, migrated with the gateway's Alembic history; dropped at the end."""
    if reason := await _reachable():
        if os.environ.get("MASTERIA_REQUIRE_INFRA"):
            pytest.fail(reason)
        pytest.skip(reason)
    name = f"gateway_test_{uuid.uuid4().hex[:12]}"
    admin = await asyncpg.connect(plain_dsn(with_database(admin_url(), "postgres")))
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
        db = Database(
            name=name,
            app_url=app_url(name),
            admin_url=with_database(admin_url(), name),
        )
        await asyncio.to_thread(upgrade, SERVICE_DIR, db.admin_url)
        yield db
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


@pytest.fixture(scope="session")
async def upstream() -> AsyncIterator[FakeUpstream]:
    """The fake crm / campaigns / whatsapp-meta service, on a real socket."""
    fake = FakeUpstream()
    server = BackgroundServer(fake.app())
    await server.start()
    fake.url = server.url
    yield fake
    await server.stop()


@pytest.fixture(scope="session")
async def sandbox() -> AsyncIterator[str | None]:
    """The provider sandbox (OAuth stand-in) on a free port, or None when it is not installed."""
    try:
        from masteria.sandbox.app import create_app
        from masteria.sandbox.settings import OAuthClientConfig, SandboxSettings
    except ImportError:
        yield None
        return
    port = free_port()
    clients = [
        OAuthClientConfig(client_id=cid, client_secret=secret, provider=provider)  # type: ignore[arg-type]
        for provider, (cid, secret) in OAUTH_CLIENTS.items()
    ]
    settings = SandboxSettings(port=port, public_url=f"http://127.0.0.1:{port}", oauth_clients=clients)
    server = BackgroundServer(create_app(settings), port=port)
    await server.start()
    yield server.url
    await server.stop()


def _oauth_settings(sandbox: str | None) -> dict[str, Any]:
    if sandbox is None:
        return {}
    values: dict[str, Any] = {}
    for provider, (client_id, secret) in OAUTH_CLIENTS.items():
        userinfo = "userinfo" if provider == "google" else "me?fields=id,name,email"
        values |= {
            f"oauth_{provider}_client_id": client_id,
            f"oauth_{provider}_client_secret": secret,
            f"oauth_{provider}_authorize_url": f"{sandbox}/oauth/{provider}/authorize",
            f"oauth_{provider}_token_url": f"{sandbox}/oauth/{provider}/token",
            f"oauth_{provider}_userinfo_url": f"{sandbox}/oauth/{provider}/{userinfo}",
        }
    return values


@pytest.fixture(scope="session")
async def gateway(database: Database, upstream: FakeUpstream, sandbox: str | None) -> AsyncIterator[Gateway]:
    """The gateway, started as in production (engines, NATS, Redis) and driven in-process."""
    private, public = generate_keypair()
    down = f"http://127.0.0.1:{free_port()}"  # nobody listens here: a service that is down
    fake = upstream.url
    settings = GatewaySettings(
        **{"DATABASE_URL": database.app_url, "REDIS_URL": redis_url(), "NATS_URL": nats_url()},
        **{"MASTERIA_PUBLIC_URL": "http://testserver", "LOG_JSON": False, "LOG_LEVEL": "WARNING"},
        internal_token_private_key=private,
        service_urls={
            "crm": fake,
            "campaigns": fake,
            "whatsapp-meta": fake,
            "whatsapp-qr": down,
            "sms": down,
            "ai-engine": down,
            "voice": down,
        },
        auth_rate_ip_per_min=100_000,
        auth_burst_ip=100_000,
        # Live events: fast heartbeats and access checks, so tests wait fractions of a second.
        events_heartbeat_s=0.3,
        events_recheck_s=0.3,
        **_oauth_settings(sandbox),
    )
    service = build_service(settings)
    await service.start()
    yield Gateway(service, public, settings)
    await service.stop()


@pytest.fixture(scope="session")
async def gateway_url(gateway: Gateway) -> AsyncIterator[str]:
    """The same running gateway on a real socket, for what ASGITransport cannot do (streaming)."""
    server = BackgroundServer(gateway.service.http, lifespan="off")
    await server.start()
    yield server.url
    await server.stop()


@pytest.fixture(scope="session")
async def jetstream(gateway: Gateway) -> AsyncIterator[JetStreamContext]:
    """A separate NATS connection, as another service publishing its events would have."""
    connection = await nats.connect(nats_url())
    yield connection.jetstream()
    await connection.close()


@pytest.fixture
async def new_client(gateway: Gateway) -> AsyncIterator[ClientFactory]:
    """Fresh HTTP clients (each with its own cookie jar, like separate browsers) into the gateway app."""
    clients: list[httpx.AsyncClient] = []

    async def make() -> httpx.AsyncClient:
        client = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=gateway.service.http), base_url="http://testserver"
        )
        clients.append(client)
        return client

    yield make
    for client in clients:
        await client.aclose()


@pytest.fixture
async def app_connection(database: Database) -> AsyncIterator[asyncpg.Connection]:
    """A raw connection as masteria_app (no BYPASSRLS), for checking Row-Level Security directly."""
    connection = await asyncpg.connect(plain_dsn(database.app_url))
    yield connection
    await connection.close()

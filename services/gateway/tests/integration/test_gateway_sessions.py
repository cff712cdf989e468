"""Sliding session expiry and the demo account."""

from datetime import UTC, datetime, timedelta

import asyncpg
import pytest

from masteria.gateway.demo import ensure_demo
from masteria.gateway.identity.tokens import digest
from masteria.gateway.testing import ClientFactory, Database, Gateway, plain_dsn, sign_up

pytestmark = pytest.mark.integration


async def _as_superuser(database: Database, sql: str, *args: object) -> None:
    connection = await asyncpg.connect(plain_dsn(database.admin_url))
    try:
        await connection.execute(sql, *args)
    finally:
        await connection.close()


async def test_session_slides_forward_and_expires(
    new_client: ClientFactory, database: Database, gateway: Gateway, app_connection: asyncpg.Connection
) -> None:
    client = await new_client()
    await sign_up(client)
    token_hash = digest(client.cookies["masteria_session"])
    two_days_ago = datetime.now(UTC) - timedelta(days=2)
    await _as_superuser(
        database,
        "UPDATE gateway.sessions SET refreshed_at = $2::timestamptz, expires_at = $2::timestamptz + interval '14 days'"
        " WHERE token_hash = $1",
        token_hash,
        two_days_ago,
    )
    refreshed = await client.get("/auth/me")
    assert refreshed.status_code == 200
    assert any("masteria_session=" in c for c in refreshed.headers.get_list("set-cookie"))
    quiet = await client.get("/auth/me")
    assert quiet.headers.get_list("set-cookie") == []  # refreshed at most once a day

    await _as_superuser(
        database,
        "UPDATE gateway.sessions SET expires_at = now() - interval '1 second' WHERE token_hash = $1",
        token_hash,
    )
    assert (await client.get("/auth/me")).status_code == 401
    assert await gateway.service.http.state.gateway.purger.purge_once() >= 1
    await app_connection.execute("SELECT set_config('app.system', 'on', false)")
    assert await app_connection.fetchval("SELECT count(*) FROM gateway.sessions WHERE token_hash = $1", token_hash) == 0


async def test_demo_account_is_idempotent(gateway: Gateway, new_client: ClientFactory) -> None:
    sessions = gateway.service.sessions
    values = {
        "email": "demo-test@masteria.local",
        "password": "demo-password-123",
        "name": "Demo",
        "tenant_name": "Demo Co",
    }
    first = await ensure_demo(sessions, **values)
    second = await ensure_demo(sessions, **values)
    assert (first.user_id, first.tenant_id) == (second.user_id, second.tenant_id)
    client = await new_client()
    login = await client.post("/auth/login", json={"email": values["email"], "password": values["password"]})
    assert login.status_code == 200
    assert login.json()["tenant"]["name"] == "Demo Co"

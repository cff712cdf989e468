"""Tenants never see each other's data, and a database dump holds no provider secret."""

from __future__ import annotations

import asyncio

import asyncpg

from masteria.devstack.harness import wait_for
from masteria.devstack.pgserver import bin_dir, clean_env
from masteria.devstack.postgres import asyncpg_dsn, port
from masteria.e2e.clients import Operator, Sandbox, connect_whatsapp
from masteria.e2e.stack import RunningStack

from .test_first_message import inbox_with

TENANT_TABLES = ("crm.contacts", "crm.conversations", "crm.messages", "whatsapp_meta.phone_numbers")


async def test_tenant_b_gets_404_and_its_database_role_sees_none_of_a(
    stack: RunningStack, operator: Operator, sandbox: Sandbox
) -> None:
    number, _ = await connect_whatsapp(operator, sandbox, stack.config.gateway_url)
    await sandbox.customer_writes(number, "segredo do tenant A")
    conversation = await wait_for(lambda: inbox_with(operator, "segredo do tenant A"), within=5)

    other = Operator(stack.config.gateway_url)
    try:
        me = await other.signup(tenant_name="Concorrente")
        for path in (f"/api/v1/conversations/{conversation['id']}",
                     f"/api/v1/conversations/{conversation['id']}/messages"):
            response = await other.get(path)
            assert response.status_code == 404, path
        assert (await other.get("/api/v1/conversations")).json()["items"] == []
        assert (await other.get("/api/v1/whatsapp/phone-numbers")).json() == []
        tenant_b = me["tenant"]["id"] if "tenant" in me else me["current_tenant"]["id"]
    finally:
        await other.close()

    conn = await asyncpg.connect(asyncpg_dsn(stack.app_url))
    try:
        async with conn.transaction():
            await conn.execute("SELECT set_config('app.tenant_id', $1, true)", str(tenant_b))
            for table in TENANT_TABLES:
                assert await conn.fetchval(f"SELECT count(*) FROM {table}") == 0, table  # noqa: S608
    finally:
        await conn.close()


async def test_a_database_dump_contains_no_token_or_app_secret(
    stack: RunningStack, operator: Operator, sandbox: Sandbox
) -> None:
    number, _ = await connect_whatsapp(operator, sandbox, stack.config.gateway_url)
    dump = await asyncio.to_thread(_pg_dump, stack.database)
    assert "whatsapp_meta.phone_numbers" in dump, "the dump must cover the numbers table"
    assert number.phone_number_id in dump, "the dump must contain the registered number"
    assert number.access_token not in dump
    assert number.app_secret not in dump


def _pg_dump(database: str) -> str:
    import subprocess

    result = subprocess.run(
        [str(bin_dir() / "pg_dump"), "-h", "127.0.0.1", "-p", str(port()), "-U", "postgres", database],
        capture_output=True, text=True, env=clean_env(), check=True, timeout=120,
    )
    return result.stdout

"""Memberships and roles, and tenant isolation down to Row-Level Security."""

import uuid
from typing import Any

import asyncpg
import httpx
import pytest

from masteria.gateway.testing import ClientFactory, csrf, sign_up

pytestmark = pytest.mark.integration


async def _member_emails(client: httpx.AsyncClient) -> set[str]:
    response = await client.get("/api/v1/members")
    assert response.status_code == 200, response.text
    return {m["email"] for m in response.json()["items"]}


async def _join(owner: httpx.AsyncClient, user: dict[str, Any], role: str) -> httpx.Response:
    return await owner.post("/api/v1/members", json={"email": user["user"]["email"], "role": role}, headers=csrf(owner))


async def _act_in(client: httpx.AsyncClient, tenant_id: str) -> None:
    switched = await client.post("/auth/switch-tenant", json={"tenant_id": tenant_id}, headers=csrf(client))
    assert switched.status_code == 200, switched.text


async def test_tenant_b_never_sees_tenant_a(new_client: ClientFactory, app_connection: asyncpg.Connection) -> None:
    a_client, b_client = await new_client(), await new_client()
    a = await sign_up(a_client, "alice", tenant="Tenant A")
    b = await sign_up(b_client, "bob", tenant="Tenant B")
    assert await _member_emails(b_client) == {b["user"]["email"]}
    assert await _member_emails(a_client) == {a["user"]["email"]}

    async with app_connection.transaction():
        await app_connection.execute("SELECT set_config('app.tenant_id', $1, true)", b["tenant"]["id"])
        rows = await app_connection.fetch("SELECT tenant_id FROM gateway.memberships")
        tenants = await app_connection.fetch("SELECT id FROM gateway.tenants")
    assert {str(r["tenant_id"]) for r in rows} == {b["tenant"]["id"]}
    assert {str(r["id"]) for r in tenants} == {b["tenant"]["id"]}
    async with app_connection.transaction():  # no tenant set: fails closed
        assert await app_connection.fetch("SELECT 1 FROM gateway.memberships") == []
        assert await app_connection.fetch("SELECT 1 FROM gateway.api_keys") == []


async def test_rls_refuses_writing_into_another_tenant(
    new_client: ClientFactory, app_connection: asyncpg.Connection
) -> None:
    a = await sign_up(await new_client(), "alice")
    b = await sign_up(await new_client(), "bob")
    insert = "INSERT INTO gateway.memberships (id, tenant_id, user_id, role) VALUES ($1, $2, $3, 'owner')"
    async with app_connection.transaction():
        await app_connection.execute("SELECT set_config('app.tenant_id', $1, true)", b["tenant"]["id"])
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            await app_connection.execute(insert, uuid.uuid4(), uuid.UUID(a["tenant"]["id"]), uuid.UUID(b["user"]["id"]))


async def test_members_and_roles(new_client: ClientFactory) -> None:
    owner_client, agent_client = await new_client(), await new_client()
    owner = await sign_up(owner_client, "owner", tenant="Shop")
    agent = await sign_up(agent_client, "agent")
    added = await _join(owner_client, agent, "agent")
    assert added.status_code == 201
    assert added.json()["role"] == "agent"
    assert (await _join(owner_client, agent, "viewer")).status_code == 409
    assert await _member_emails(owner_client) == {owner["user"]["email"], agent["user"]["email"]}

    await _act_in(agent_client, owner["tenant"]["id"])
    outsider = await sign_up(await new_client(), "outsider")
    assert (await _join(agent_client, outsider, "viewer")).status_code == 403  # agents do not manage members

    owner_id = owner["user"]["id"]
    last_owner = await owner_client.patch(
        f"/api/v1/members/{owner_id}", json={"role": "admin"}, headers=csrf(owner_client)
    )
    assert last_owner.status_code == 409
    removing_last = await owner_client.delete(f"/api/v1/members/{owner_id}", headers=csrf(owner_client))
    assert removing_last.status_code == 409

    promoted = await owner_client.patch(
        f"/api/v1/members/{agent['user']['id']}", json={"role": "admin"}, headers=csrf(owner_client)
    )
    assert promoted.json()["role"] == "admin"
    assert (await _join(agent_client, outsider, "owner")).status_code == 403  # only an owner grants owner
    assert (await _join(agent_client, outsider, "admin")).status_code == 201
    demote_owner = await agent_client.patch(
        f"/api/v1/members/{owner_id}", json={"role": "viewer"}, headers=csrf(agent_client)
    )
    assert demote_owner.status_code == 403

    removed = await owner_client.delete(f"/api/v1/members/{outsider['user']['id']}", headers=csrf(owner_client))
    assert removed.status_code == 204
    assert outsider["user"]["email"] not in await _member_emails(owner_client)


async def test_members_pagination(new_client: ClientFactory) -> None:
    owner_client = await new_client()
    await sign_up(owner_client, "owner")
    for label in ("m1", "m2", "m3"):
        assert (await _join(owner_client, await sign_up(await new_client(), label), "viewer")).status_code == 201
    seen: list[str] = []
    cursor = None
    while True:
        params = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = (await owner_client.get("/api/v1/members", params=params)).json()
        seen += [m["email"] for m in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert len(seen) == 4
    assert seen == sorted(seen)
    bad = await owner_client.get("/api/v1/members", params={"cursor": "garbage!"})
    assert bad.status_code == 400


async def test_viewer_is_read_only_through_the_proxy(new_client: ClientFactory) -> None:
    owner_client, viewer_client = await new_client(), await new_client()
    owner = await sign_up(owner_client, "owner")
    viewer = await sign_up(viewer_client, "viewer")
    assert (await _join(owner_client, viewer, "viewer")).status_code == 201
    await _act_in(viewer_client, owner["tenant"]["id"])
    assert (await viewer_client.get("/api/v1/contacts")).status_code == 200
    refused = await viewer_client.post(
        "/api/v1/contacts", json={"phone": "+5511999990000"}, headers=csrf(viewer_client)
    )
    assert refused.status_code == 403


async def test_removed_member_loses_access_at_once(new_client: ClientFactory) -> None:
    owner_client, agent_client = await new_client(), await new_client()
    owner = await sign_up(owner_client, "owner")
    agent = await sign_up(agent_client, "agent")
    assert (await _join(owner_client, agent, "agent")).status_code == 201
    await _act_in(agent_client, owner["tenant"]["id"])
    assert (await agent_client.get("/api/v1/contacts")).status_code == 200
    removed = await owner_client.delete(f"/api/v1/members/{agent['user']['id']}", headers=csrf(owner_client))
    assert removed.status_code == 204
    assert (await agent_client.get("/api/v1/contacts")).status_code == 403
    me = (await agent_client.get("/auth/me")).json()
    assert me["tenant"] is None
    assert [m["tenant"]["id"] for m in me["memberships"]] == [agent["tenant"]["id"]]
    assert [t["id"] for t in (await agent_client.get("/api/v1/tenants")).json()] == [agent["tenant"]["id"]]

"""The tenant's time zone: the default, changing it, refusing unknown names and members without the right."""

from typing import Any

import httpx
import pytest

from masteria.gateway.testing import ClientFactory, csrf, sign_up

pytestmark = pytest.mark.integration


async def _set_zone(client: httpx.AsyncClient, timezone: Any) -> httpx.Response:
    return await client.patch("/api/v1/tenants/current", json={"timezone": timezone}, headers=csrf(client))


async def _me_zone(client: httpx.AsyncClient) -> str:
    me = await client.get("/auth/me")
    assert me.status_code == 200, me.text
    zone: str = me.json()["tenant"]["timezone"]
    return zone


async def _member(owner: httpx.AsyncClient, tenant_id: str, client: httpx.AsyncClient, role: str) -> None:
    person = await sign_up(client, role)
    joined = await owner.post(
        "/api/v1/members", json={"email": person["user"]["email"], "role": role}, headers=csrf(owner)
    )
    assert joined.status_code == 201, joined.text
    switched = await client.post("/auth/switch-tenant", json={"tenant_id": tenant_id}, headers=csrf(client))
    assert switched.status_code == 200, switched.text


async def test_a_new_tenant_is_in_sao_paulo_and_the_owner_moves_it(new_client: ClientFactory) -> None:
    owner = await new_client()
    signed_up = await sign_up(owner, "owner", tenant="Padaria")
    assert signed_up["tenant"]["timezone"] == "America/Sao_Paulo"
    assert await _me_zone(owner) == "America/Sao_Paulo"

    changed = await _set_zone(owner, " Europe/Lisbon ")
    assert changed.status_code == 200, changed.text
    assert (changed.json()["timezone"], changed.json()["role"]) == ("Europe/Lisbon", "owner")
    assert await _me_zone(owner) == "Europe/Lisbon"
    listed = (await owner.get("/api/v1/tenants")).json()
    assert [t["timezone"] for t in listed] == ["Europe/Lisbon"]


async def test_an_unknown_zone_is_refused_with_the_reason(new_client: ClientFactory) -> None:
    owner = await new_client()
    await sign_up(owner, "owner")
    for bad in ("Mars/Olympus_Mons", "", "../../etc/passwd", "America/" + "x" * 80):
        refused = await _set_zone(owner, bad)
        assert refused.status_code == 422, (bad, refused.text)
        assert refused.headers["content-type"].startswith("application/problem+json")
        problem = refused.json()
        assert problem["errors"][0]["field"] == "timezone"
        assert "IANA" in problem["detail"], problem
    assert (await _set_zone(owner, 3)).status_code == 422
    assert await _me_zone(owner) == "America/Sao_Paulo"


async def test_only_owners_and_admins_change_it(new_client: ClientFactory) -> None:
    owner = await new_client()
    tenant_id = (await sign_up(owner, "owner"))["tenant"]["id"]
    agent, viewer, admin = await new_client(), await new_client(), await new_client()
    await _member(owner, tenant_id, agent, "agent")
    await _member(owner, tenant_id, viewer, "viewer")
    await _member(owner, tenant_id, admin, "admin")

    for refused_client in (agent, viewer):
        refused = await _set_zone(refused_client, "America/Manaus")
        assert refused.status_code == 403, refused.text
        assert await _me_zone(refused_client) == "America/Sao_Paulo"  # every member sees the zone
    assert "owners and admins" in (await _set_zone(agent, "America/Manaus")).json()["detail"]

    changed = await _set_zone(admin, "America/Manaus")
    assert changed.status_code == 200, changed.text
    assert changed.json()["role"] == "admin"
    assert await _me_zone(owner) == "America/Manaus"
    assert await _me_zone(agent) == "America/Manaus"


async def test_a_change_needs_the_csrf_header(new_client: ClientFactory) -> None:
    owner = await new_client()
    await sign_up(owner, "owner")
    response = await owner.patch("/api/v1/tenants/current", json={"timezone": "Europe/Lisbon"})
    assert response.status_code == 403
    assert await _me_zone(owner) == "America/Sao_Paulo"

"""API keys: shown once, stored hashed, scoped, revocable, no CSRF needed."""

from typing import Any

import asyncpg
import httpx
import pytest

from masteria.gateway.testing import ClientFactory, csrf, sign_up

pytestmark = pytest.mark.integration


async def _issue(client: httpx.AsyncClient, scopes: list[str], role: str = "agent") -> dict[str, Any]:
    response = await client.post(
        "/api/v1/api-keys", json={"name": "partner", "scopes": scopes, "role": role}, headers=csrf(client)
    )
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


def _bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


async def test_scopes_are_enforced(new_client: ClientFactory) -> None:
    owner = await new_client()
    await sign_up(owner)
    created = await _issue(owner, ["contacts:read", "tenants:read"])
    assert created["key"].startswith(f"mia_{created['prefix']}_")
    partner = await new_client()  # no cookies: a server somewhere
    assert (await partner.get("/api/v1/contacts", headers=_bearer(created["key"]))).status_code == 200
    refused = await partner.post("/api/v1/contacts", json={}, headers=_bearer(created["key"]))
    assert refused.status_code == 403
    assert refused.json()["missing_scope"] == "contacts:write"
    assert "contacts:write" in refused.json()["detail"]
    assert (await partner.get("/api/v1/campaigns", headers=_bearer(created["key"]))).status_code == 403
    tenants = (await partner.get("/api/v1/tenants", headers=_bearer(created["key"]))).json()
    assert [t["role"] for t in tenants] == ["agent"]


async def test_key_is_shown_once_stored_hashed_and_revocable(
    new_client: ClientFactory, app_connection: asyncpg.Connection
) -> None:
    owner = await new_client()
    await sign_up(owner)
    created = await _issue(owner, ["*"])
    listed = (await owner.get("/api/v1/api-keys")).json()
    assert [k["id"] for k in listed] == [created["id"]]
    assert "key" not in listed[0]
    assert listed[0]["last_used_at"] is None

    partner = await new_client()
    write = await partner.post("/api/v1/campaigns", json={"name": "x"}, headers=_bearer(created["key"]))
    assert write.status_code == 200  # API keys are exempt from CSRF: no cookies involved
    assert (await owner.get("/api/v1/api-keys")).json()[0]["last_used_at"] is not None

    await app_connection.execute("SELECT set_config('app.system', 'on', false)")
    stored = await app_connection.fetchrow("SELECT key_hash FROM gateway.api_keys WHERE prefix = $1", created["prefix"])
    assert stored is not None
    assert created["key"] not in stored["key_hash"]

    assert (await owner.delete(f"/api/v1/api-keys/{created['id']}", headers=csrf(owner))).status_code == 204
    revoked = await partner.get("/api/v1/contacts", headers=_bearer(created["key"]))
    assert revoked.status_code == 401
    assert revoked.headers["www-authenticate"].startswith("Bearer")


async def test_key_roles_and_bad_keys(new_client: ClientFactory) -> None:
    owner = await new_client()
    await sign_up(owner)
    viewer_key = await _issue(owner, ["*"], role="viewer")
    partner = await new_client()
    assert (await partner.post("/api/v1/contacts", json={}, headers=_bearer(viewer_key["key"]))).status_code == 403
    bad_scope = await owner.post(
        "/api/v1/api-keys", json={"name": "x", "scopes": ["crm:everything"], "role": "agent"}, headers=csrf(owner)
    )
    assert bad_scope.status_code == 422
    assert bad_scope.json()["errors"][0]["field"] == "scopes"
    forged = viewer_key["key"][:-4] + "AAAA"
    assert (await partner.get("/api/v1/contacts", headers=_bearer(forged))).status_code == 401
    assert (await partner.get("/api/v1/contacts", headers=_bearer("not-a-key"))).status_code == 401
    assert (await partner.get("/api/v1/api-keys", headers=_bearer(viewer_key["key"]))).status_code == 403

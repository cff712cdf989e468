"""Sign-up, login, sessions, CSRF and sign-in throttling, through the HTTP API."""

import pytest

from masteria.gateway.testing import PASSWORD, ClientFactory, csrf, sign_up, unique_email

pytestmark = pytest.mark.integration


async def test_signup_me_logout(new_client: ClientFactory) -> None:
    client = await new_client()
    signed = await sign_up(client, "ana", tenant="Ana Co")
    assert signed["role"] == "owner"
    assert signed["tenant"]["name"] == "Ana Co"
    set_cookies = list(client.cookies.jar)
    session = next(c for c in set_cookies if c.name == "masteria_session")
    assert session.has_nonstandard_attr("HttpOnly")
    assert not next(c for c in set_cookies if c.name == "masteria_csrf").has_nonstandard_attr("HttpOnly")

    me = (await client.get("/auth/me")).json()
    assert me["user"]["email"] == signed["user"]["email"]
    assert me["memberships"] == [{"tenant": signed["tenant"], "role": "owner"}]

    refused = await client.post("/auth/logout")
    assert refused.status_code == 403
    assert refused.headers["content-type"] == "application/problem+json"
    assert (await client.post("/auth/logout", headers=csrf(client))).status_code == 204
    after = await client.get("/auth/me")
    assert after.status_code == 401
    assert after.json()["status"] == 401


async def test_session_cookie_is_stored_hashed(new_client: ClientFactory, app_connection) -> None:  # type: ignore[no-untyped-def]
    client = await new_client()
    await sign_up(client)
    token = client.cookies["masteria_session"]
    await app_connection.execute("SELECT set_config('app.system', 'on', false)")
    stored = await app_connection.fetch("SELECT token_hash FROM gateway.sessions")
    assert all(row["token_hash"] != token for row in stored)


@pytest.mark.parametrize(
    ("patch", "field"),
    [({"email": "not-an-email"}, "email"), ({"password": "short"}, "password"), ({"tenant_name": ""}, "tenant_name")],
)
async def test_invalid_signup_names_the_field(new_client: ClientFactory, patch: dict[str, str], field: str) -> None:
    client = await new_client()
    body = {"email": unique_email(), "password": PASSWORD, "name": "Bo", "tenant_name": "Bo Co", **patch}
    response = await client.post("/auth/signup", json=body)
    assert response.status_code == 422
    problem = response.json()
    assert [e["field"] for e in problem["errors"]] == [field]


async def test_duplicate_email_conflicts(new_client: ClientFactory) -> None:
    first = await sign_up(await new_client())
    body = {"email": first["user"]["email"].upper(), "password": PASSWORD, "name": "X", "tenant_name": "Y"}
    response = await (await new_client()).post("/auth/signup", json=body)
    assert response.status_code == 409


async def test_login_does_not_reveal_which_part_was_wrong(new_client: ClientFactory) -> None:
    me = await sign_up(await new_client())
    client = await new_client()
    wrong_password = await client.post("/auth/login", json={"email": me["user"]["email"], "password": "x" * 12})
    unknown_user = await client.post("/auth/login", json={"email": unique_email(), "password": "x" * 12})
    assert wrong_password.status_code == unknown_user.status_code == 401
    assert wrong_password.json()["detail"] == unknown_user.json()["detail"]
    ok = await client.post("/auth/login", json={"email": me["user"]["email"], "password": PASSWORD})
    assert ok.status_code == 200
    assert ok.json()["tenant"] == me["tenant"]
    assert (await client.get("/auth/me")).json()["user"]["id"] == me["user"]["id"]


async def test_login_is_rate_limited(new_client: ClientFactory) -> None:
    client = await new_client()
    attempt = {"email": unique_email("target"), "password": "guess-guess-guess"}
    statuses = [(await client.post("/auth/login", json=attempt)).status_code for _ in range(8)]
    assert statuses[:5] == [401] * 5
    assert 429 in statuses
    limited = await client.post("/auth/login", json=attempt)
    assert limited.status_code == 429
    assert int(limited.headers["retry-after"]) >= 1
    assert limited.headers["content-type"] == "application/problem+json"


async def test_unsafe_request_without_csrf_is_refused(new_client: ClientFactory) -> None:
    client = await new_client()
    await sign_up(client)
    refused = await client.post("/api/v1/tenants", json={"name": "Second"})
    assert refused.status_code == 403
    assert "CSRF" in refused.json()["title"]
    forged = await client.post("/api/v1/tenants", json={"name": "Second"}, headers={"X-CSRF-Token": "forged"})
    assert forged.status_code == 403
    created = await client.post("/api/v1/tenants", json={"name": "Second"}, headers=csrf(client))
    assert created.status_code == 201
    assert created.json()["role"] == "owner"


async def test_switch_tenant(new_client: ClientFactory) -> None:
    client = await new_client()
    me = await sign_up(client, tenant="First")
    second = (await client.post("/api/v1/tenants", json={"name": "Second"}, headers=csrf(client))).json()
    switched = await client.post("/auth/switch-tenant", json={"tenant_id": second["id"]}, headers=csrf(client))
    assert switched.status_code == 200
    assert switched.json()["tenant"]["name"] == "Second"
    tenants = (await client.get("/api/v1/tenants")).json()
    assert {t["name"] for t in tenants} == {"First", "Second"}
    stranger = await sign_up(await new_client())
    refused = await client.post(
        "/auth/switch-tenant", json={"tenant_id": stranger["tenant"]["id"]}, headers=csrf(client)
    )
    assert refused.status_code == 404
    assert (await client.get("/auth/me")).json()["tenant"]["id"] == second["id"]
    assert me["user"]["id"] == switched.json()["user"]["id"]

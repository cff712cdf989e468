"""Routing to the owning service: same path, body streamed, cookies stripped, internal token minted."""

import pytest

from masteria.gateway.testing import ClientFactory, FakeUpstream, Gateway, csrf, sign_up
from masteria.security.internal_token import InternalTokenVerifier, InvalidInternalToken

pytestmark = pytest.mark.integration


async def test_forwards_path_and_body_with_an_internal_token(
    new_client: ClientFactory, gateway: Gateway, upstream: FakeUpstream
) -> None:
    client = await new_client()
    me = await sign_up(client)
    body = b'{"phone": "+5511988887777", "tags": ["vip"]}'
    headers = {**csrf(client), "content-type": "application/json", "traceparent": f"00-{'a' * 32}-{'b' * 16}-01"}
    response = await client.post("/api/v1/contacts/import?dry_run=1", content=body, headers=headers)
    assert response.status_code == 200
    assert response.json() == {"path": "/api/v1/contacts/import", "length": len(body)}
    assert response.headers["x-upstream"] == "yes"
    assert "set-cookie" not in response.headers  # a service cannot set cookies on the dashboard's origin

    assert (await client.get("/api/v1/contacts")).status_code == 200
    assert "cookie" not in upstream.last("/api/v1/contacts").headers  # the pooled client keeps no cookie jar

    seen = upstream.last("/api/v1/contacts/import")
    assert (seen.method, seen.query, seen.body) == ("POST", "dry_run=1", body)
    assert "cookie" not in seen.headers
    assert "x-csrf-token" not in seen.headers
    assert seen.headers["x-forwarded-proto"] == "http"
    assert seen.headers["x-forwarded-host"] == "testserver"
    assert seen.headers["traceparent"].split("-")[1] == "a" * 32  # same trace, new parent span

    scheme, token = seen.headers["authorization"].split(" ", 1)
    assert scheme == "Bearer"
    identity = InternalTokenVerifier(gateway.public_key, "crm").verify(token)
    assert str(identity.tenant_id) == me["tenant"]["id"]
    assert str(identity.user_id) == me["user"]["id"]
    assert identity.roles == ("owner",)
    with pytest.raises(InvalidInternalToken):
        InternalTokenVerifier(gateway.public_key, "campaigns").verify(token)


async def test_audience_is_the_owning_service(
    new_client: ClientFactory, gateway: Gateway, upstream: FakeUpstream
) -> None:
    client = await new_client()
    await sign_up(client)
    assert (await client.get("/api/v1/cadences/7/steps")).status_code == 200
    token = upstream.last("/api/v1/cadences/7").headers["authorization"].split(" ", 1)[1]
    assert InternalTokenVerifier(gateway.public_key, "campaigns").verify(token).roles == ("owner",)


async def test_api_key_never_reaches_the_service(new_client: ClientFactory, upstream: FakeUpstream) -> None:
    owner = await new_client()
    await sign_up(owner)
    key = (
        await owner.post("/api/v1/api-keys", json={"name": "k", "scopes": ["*"], "role": "agent"}, headers=csrf(owner))
    ).json()["key"]
    response = await (await new_client()).get("/api/v1/leads", headers={"Authorization": f"Bearer {key}"})
    assert response.status_code == 200
    assert key not in upstream.last("/api/v1/leads").headers["authorization"]


async def test_failures_are_problems(new_client: ClientFactory) -> None:
    anonymous = await new_client()
    unauthenticated = await anonymous.get("/api/v1/contacts")
    assert unauthenticated.status_code == 401
    assert unauthenticated.headers["content-type"] == "application/problem+json"
    client = await new_client()
    await sign_up(client)
    unknown = await client.get("/api/v1/bananas/1")
    assert unknown.status_code == 404
    assert unknown.json()["title"] == "Not found"
    down = await client.get("/api/v1/voice/calls")
    assert down.status_code == 503
    assert down.json()["service"] == "voice"
    assert "voice" in down.json()["detail"]


async def test_webhooks_pass_through_untouched(new_client: ClientFactory, upstream: FakeUpstream) -> None:
    provider = await new_client()
    raw = b'{"object":"whatsapp_business_account","entry":[]}'
    headers = {
        "x-hub-signature-256": "sha256=abc",
        "content-type": "application/json",
        "user-agent": "facebookexternalua",
    }
    response = await provider.post("/webhooks/whatsapp-meta/meta?hub.mode=x", content=raw, headers=headers)
    assert response.status_code == 200
    seen = upstream.last("/webhooks/whatsapp-meta/meta")
    assert (seen.body, seen.query) == (raw, "hub.mode=x")
    assert seen.headers["x-hub-signature-256"] == "sha256=abc"
    assert seen.headers["user-agent"] == "facebookexternalua"
    assert "authorization" not in seen.headers
    assert (await provider.post("/webhooks/nobody/x", content=b"{}")).status_code == 404


async def test_aggregated_openapi(new_client: ClientFactory) -> None:
    doc = (await (await new_client()).get("/api/v1/openapi.json")).json()
    assert {"/auth/login", "/api/v1/members", "/api/v1/api-keys"} <= set(doc["paths"])
    assert "get" in doc["paths"]["/api/v1/contacts"]  # from the (fake) crm service
    assert "voice" in doc["x-unavailable-services"]
    assert "crm" not in doc["x-unavailable-services"]
    assert "HTTPValidationError" in doc["components"]["schemas"]
    docs_page = await (await new_client()).get("/api/v1/docs")
    assert docs_page.status_code == 200
    assert "/api/v1/openapi.json" in docs_page.text

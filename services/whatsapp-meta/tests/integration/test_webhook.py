"""The Meta webhook end to end inside the adapter: signature, dedup, outbox, NATS, RLS, sealing."""

from __future__ import annotations

import asyncio
import json
import random
import time
import uuid
from typing import Any

import asyncpg
import nats
import pytest
from nats.js.api import ConsumerConfig, DeliverPolicy

from masteria.contracts.registry import decode_envelope
from masteria.devstack.harness import RunningService, ScratchDatabase, wait_for
from masteria.devstack.infra import ensure_infra
from masteria.devstack.postgres import asyncpg_dsn
from masteria.security.internal_token import InternalTokenIssuer
from masteria.security.webhook_signatures import meta_signature

from .conftest import bearer

pytestmark = pytest.mark.integration
APP_SECRET = "app-secret-for-tests"
TOKEN = "EAAG-very-secret-access-token"


async def register(meta: RunningService, issuer: InternalTokenIssuer, tenant: uuid.UUID) -> dict[str, Any]:
    pnid = str(random.randint(10**14, 10**15))
    response = await meta.client.post(
        "/api/v1/whatsapp/phone-numbers",
        json={
            "phone_number_id": pnid,
            "waba_id": "42",
            "display_phone_number": "+55 11 90000-0000",
            "access_token": TOKEN,
            "app_secret": APP_SECRET,
        },
        headers=bearer(issuer, tenant),
    )
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def webhook(pnid: str, wamid: str, text: str = "oi") -> bytes:
    return json.dumps(
        {
            "object": "whatsapp_business_account",
            "entry": [
                {
                    "id": "42",
                    "changes": [
                        {
                            "field": "messages",
                            "value": {
                                "messaging_product": "whatsapp",
                                "metadata": {"display_phone_number": "5511900000000", "phone_number_id": pnid},
                                "contacts": [{"profile": {"name": "Maria"}, "wa_id": "5511999990001"}],
                                "messages": [
                                    {
                                        "from": "5511999990001",
                                        "id": wamid,
                                        "timestamp": str(int(time.time())),
                                        "type": "text",
                                        "text": {"body": text},
                                    }
                                ],
                            },
                        }
                    ],
                }
            ],
        }
    ).encode()


async def post(meta: RunningService, body: bytes, secret: str = APP_SECRET, **headers: str) -> Any:
    return await meta.client.post(
        "/webhooks/whatsapp-meta",
        content=body,
        headers={"X-Hub-Signature-256": meta_signature(secret, body), "Content-Type": "application/json", **headers},
    )


async def published_for(tenant: uuid.UUID, expect: int, within: float = 5.0) -> list[Any]:
    """Everything JetStream holds on the tenant's inbound subject."""
    nc = await nats.connect(ensure_infra().nats_url)
    try:
        js = nc.jetstream()
        sub = await js.subscribe(
            f"message.inbound.whatsapp_meta.{tenant}",
            config=ConsumerConfig(deliver_policy=DeliverPolicy.ALL),
            ordered_consumer=True,
        )
        got: list[Any] = []
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            try:
                got.append(await sub.next_msg(timeout=max(0.05, min(0.3, deadline - time.monotonic()))))
            except TimeoutError:
                if len(got) >= expect:
                    break
        return got
    finally:
        await nc.close()


async def outbox_rows(database: ScratchDatabase) -> int:
    conn = await asyncpg.connect(asyncpg_dsn(database.admin_url))
    try:
        return int(await conn.fetchval("SELECT count(*) FROM whatsapp_meta.outbox"))
    finally:
        await conn.close()


async def test_signed_text_is_published_once_with_tenant_and_trace(
    meta: RunningService, issuer: InternalTokenIssuer, database: ScratchDatabase
) -> None:
    tenant = uuid.uuid4()
    number = await register(meta, issuer, tenant)
    trace_id = uuid.uuid4().hex
    body = webhook(number["phone_number_id"], "wamid.ONE")
    first = await post(meta, body, traceparent=f"00-{trace_id}-{uuid.uuid4().hex[:16]}-01")
    again = await post(meta, body)
    assert first.json()["published"] == 1
    assert again.status_code == 200
    assert (again.json()["published"], again.json()["duplicates"]) == (0, 1)

    [msg] = await published_for(tenant, expect=1)
    envelope = decode_envelope(msg.data)
    assert envelope.tenant == tenant
    assert envelope.data.external_id == "wamid.ONE"
    assert envelope.data.content.body == "oi"
    assert envelope.data.sender.address == "+5511999990001"
    assert msg.headers["Nats-Msg-Id"] == str(envelope.id)
    assert msg.headers["masteria-tenant"] == str(tenant)
    assert msg.headers["traceparent"].split("-")[1] == trace_id, "the trace must follow the message onto NATS"
    await wait_for(lambda: _outbox_empty(database), within=5)


async def _outbox_empty(database: ScratchDatabase) -> bool:
    return await outbox_rows(database) == 0


async def test_wrong_signature_is_401_and_publishes_nothing(meta: RunningService, issuer: InternalTokenIssuer) -> None:
    tenant = uuid.uuid4()
    number = await register(meta, issuer, tenant)
    response = await post(meta, webhook(number["phone_number_id"], "wamid.FORGED"), secret="not-the-app-secret")
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
    assert await published_for(tenant, expect=0, within=1.0) == []


async def test_malformed_body_is_400_and_unknown_number_is_acknowledged(meta: RunningService) -> None:
    bad = await meta.client.post("/webhooks/whatsapp-meta", content=b"{not json")
    assert bad.status_code == 400
    assert "detail" in bad.json()
    unknown = await post(meta, webhook("999999999999999", "wamid.NOBODY"))
    assert unknown.status_code == 200
    assert unknown.json()["ignored_phone_number_ids"] == ["999999999999999"]


async def test_verify_handshake_echoes_the_challenge_only_for_our_token(
    meta: RunningService, issuer: InternalTokenIssuer
) -> None:
    number = await register(meta, issuer, uuid.uuid4())
    ok = await meta.client.get(
        "/webhooks/whatsapp-meta",
        params={"hub.mode": "subscribe", "hub.verify_token": number["verify_token"], "hub.challenge": "1158201444"},
    )
    assert ok.status_code == 200
    assert ok.text == "1158201444"
    wrong = await meta.client.get(
        "/webhooks/whatsapp-meta", params={"hub.mode": "subscribe", "hub.verify_token": "guess", "hub.challenge": "1"}
    )
    assert wrong.status_code == 403


async def test_secrets_are_sealed_and_other_tenants_see_no_numbers(
    meta: RunningService, issuer: InternalTokenIssuer, database: ScratchDatabase
) -> None:
    tenant_a, tenant_b = uuid.uuid4(), uuid.uuid4()
    number = await register(meta, issuer, tenant_a)
    conn = await asyncpg.connect(asyncpg_dsn(database.admin_url))
    try:
        row = await conn.fetchrow("SELECT * FROM whatsapp_meta.phone_numbers WHERE id = $1", uuid.UUID(number["id"]))
        assert TOKEN not in str(dict(row))
        assert APP_SECRET not in str(dict(row))
    finally:
        await conn.close()
    app = await asyncpg.connect(asyncpg_dsn(database.app_url))
    try:
        async with app.transaction():
            await app.execute("SELECT set_config('app.tenant_id', $1, true)", str(tenant_b))
            assert await app.fetchval("SELECT count(*) FROM whatsapp_meta.phone_numbers") == 0
        async with app.transaction():  # no tenant at all: fails closed
            assert await app.fetchval("SELECT count(*) FROM whatsapp_meta.phone_numbers") == 0
    finally:
        await app.close()
    listed = await meta.client.get("/api/v1/whatsapp/phone-numbers", headers=bearer(issuer, tenant_b))
    assert listed.json() == []
    other = await meta.client.get(f"/api/v1/whatsapp/phone-numbers/{number['id']}", headers=bearer(issuer, tenant_b))
    assert other.status_code == 404


async def test_registration_needs_an_admin_and_valid_fields(meta: RunningService, issuer: InternalTokenIssuer) -> None:
    tenant = uuid.uuid4()
    as_agent = await meta.client.post(
        "/api/v1/whatsapp/phone-numbers",
        headers=bearer(issuer, tenant, role="agent"),
        json={"phone_number_id": "1", "waba_id": "2", "access_token": TOKEN, "app_secret": APP_SECRET},
    )
    assert as_agent.status_code == 403
    invalid = await meta.client.post(
        "/api/v1/whatsapp/phone-numbers",
        headers=bearer(issuer, tenant),
        json={"phone_number_id": "abc", "waba_id": "2", "access_token": TOKEN, "app_secret": APP_SECRET},
    )
    assert invalid.status_code == 422
    assert invalid.json()["errors"][0]["field"] == "phone_number_id"
    anonymous = await meta.client.get("/api/v1/whatsapp/phone-numbers")
    assert anonymous.status_code == 401


async def test_concurrent_webhooks_share_transactions_and_each_gets_its_own_answer(
    meta: RunningService, issuer: InternalTokenIssuer
) -> None:
    tenant = uuid.uuid4()
    number = await register(meta, issuer, tenant)
    pnid = number["phone_number_id"]
    same = webhook(pnid, "wamid.SAME")
    bodies = [same] * 10 + [webhook(pnid, f"wamid.C{i}") for i in range(40)]
    responses = await asyncio.gather(*(post(meta, body) for body in bodies))
    assert all(r.status_code == 200 for r in responses)
    same_answers = sorted(r.json()["published"] for r in responses[:10])
    assert same_answers == [0] * 9 + [1], "exactly one of the ten copies is published"
    assert all(r.json()["published"] == 1 for r in responses[10:])
    published = await published_for(tenant, expect=41)
    assert sorted(decode_envelope(m.data).data.external_id for m in published) == sorted(
        ["wamid.SAME", *(f"wamid.C{i}" for i in range(40))]
    )

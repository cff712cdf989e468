"""crm turns inbound events into contacts, conversations and messages, once each, per tenant."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import nats
import pytest

from masteria.contracts.channels import Channel
from masteria.contracts.content import TextContent
from masteria.contracts.envelope import Envelope
from masteria.contracts.messages import InboundMessage, Sender
from masteria.contracts.subjects import subject_for
from masteria.devstack.harness import RunningService, ScratchDatabase, wait_for
from masteria.devstack.infra import ensure_infra
from masteria.devstack.postgres import asyncpg_dsn
from masteria.security.internal_token import InternalTokenIssuer

from .conftest import bearer

pytestmark = pytest.mark.integration
T0 = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)


def inbound(
    tenant: uuid.UUID, account: uuid.UUID, wamid: str, text: str, *, sender: str = "+5511999990001", at: datetime = T0
) -> Envelope[Any]:
    message = InboundMessage(
        channel=Channel.WHATSAPP_META,
        external_id=wamid,
        channel_account_id=account,
        business_address="+5511900000000",
        sender=Sender(address=sender, display_name="Maria"),
        content=TextContent(body=text),
        sent_at=at,
        received_at=at,
    )
    return Envelope.wrap(message, tenant=tenant, source="test")


async def publish(*envelopes: Envelope[Any], bypass_stream_dedup: bool = False) -> None:
    nc = await nats.connect(ensure_infra().nats_url)
    try:
        js = nc.jetstream()
        for env in envelopes:
            # A fresh Nats-Msg-Id makes JetStream store a redelivery, so only the consumer's dedup can stop it.
            msg_id = str(uuid.uuid4()) if bypass_stream_dedup else str(env.id)
            await js.publish(subject_for(env), env.model_dump_json().encode(), headers={"Nats-Msg-Id": msg_id})
    finally:
        await nc.close()


async def conversations(crm: RunningService, issuer: InternalTokenIssuer, tenant: uuid.UUID, **params: Any) -> Any:
    response = await crm.client.get("/api/v1/conversations", params=params, headers=bearer(issuer, tenant))
    assert response.status_code == 200, response.text
    return response.json()


async def messages(crm: RunningService, issuer: InternalTokenIssuer, tenant: uuid.UUID, cid: str, **params: Any) -> Any:
    response = await crm.client.get(
        f"/api/v1/conversations/{cid}/messages", params=params, headers=bearer(issuer, tenant)
    )
    assert response.status_code == 200, response.text
    return response.json()


async def test_first_message_creates_contact_conversation_and_message(
    crm: RunningService, issuer: InternalTokenIssuer
) -> None:
    tenant, account = uuid.uuid4(), uuid.uuid4()
    await publish(inbound(tenant, account, "wamid.1", "oi"))
    page = await wait_for(lambda: _non_empty(conversations(crm, issuer, tenant)))
    [conv] = page["items"]
    assert conv["contact"]["phone"] == "+5511999990001"
    assert conv["contact"]["name"] == "Maria"
    assert conv["unread_count"] == 1
    assert conv["last_message_preview"] == "oi"
    thread = await messages(crm, issuer, tenant, conv["id"])
    assert [m["content"]["body"] for m in thread["items"]] == ["oi"]
    assert thread["items"][0]["direction"] == "inbound"


async def _non_empty(pending: Any) -> Any:
    page = await pending
    return page if page["items"] else None


async def test_redelivered_and_duplicate_provider_ids_are_stored_once(
    crm: RunningService, issuer: InternalTokenIssuer
) -> None:
    tenant, account = uuid.uuid4(), uuid.uuid4()
    env = inbound(tenant, account, "wamid.dup", "primeira")
    same_provider_id = inbound(tenant, account, "wamid.dup", "primeira")  # a new event id, Meta's duplicate
    marker = inbound(tenant, account, "wamid.marker", "depois", at=T0 + timedelta(seconds=5))
    await publish(env)
    await publish(env, same_provider_id, marker, bypass_stream_dedup=True)

    async def marker_seen() -> Any:
        page = await conversations(crm, issuer, tenant)
        return page if page["items"] and page["items"][0]["last_message_preview"] == "depois" else None

    page = await wait_for(marker_seen)
    thread = await messages(crm, issuer, tenant, page["items"][0]["id"])
    assert [m["external_id"] for m in thread["items"]] == ["wamid.marker", "wamid.dup"]
    assert page["items"][0]["unread_count"] == 2


async def test_pages_walk_the_whole_thread_newest_first_without_gaps(
    crm: RunningService, issuer: InternalTokenIssuer
) -> None:
    tenant, account = uuid.uuid4(), uuid.uuid4()
    await publish(*(inbound(tenant, account, f"wamid.p{i}", f"m{i}", at=T0 + timedelta(seconds=i)) for i in range(45)))

    async def all_stored() -> Any:
        page = await conversations(crm, issuer, tenant)
        return page if page["items"] and page["items"][0]["unread_count"] == 45 else None

    conv = (await wait_for(all_stored))["items"][0]
    seen: list[str] = []
    cursor = None
    while True:
        params = {"limit": 20, **({"cursor": cursor} if cursor else {})}
        page = await messages(crm, issuer, tenant, conv["id"], **params)
        seen += [m["content"]["body"] for m in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == [f"m{i}" for i in reversed(range(45))]
    bad = await crm.client.get(
        f"/api/v1/conversations/{conv['id']}/messages", params={"cursor": "zzz"}, headers=bearer(issuer, tenant)
    )
    assert bad.status_code == 400


async def test_conversations_are_listed_by_latest_activity_across_pages(
    crm: RunningService, issuer: InternalTokenIssuer
) -> None:
    tenant, account = uuid.uuid4(), uuid.uuid4()
    await publish(
        *(
            inbound(
                tenant, account, f"wamid.c{i}", f"c{i}", sender=f"+55119999900{i:02d}", at=T0 + timedelta(minutes=i)
            )
            for i in range(7)
        )
    )

    async def seven() -> Any:
        page = await conversations(crm, issuer, tenant, limit=100)
        return page if len(page["items"]) == 7 else None

    await wait_for(seven)
    first = await conversations(crm, issuer, tenant, limit=4)
    second = await conversations(crm, issuer, tenant, limit=4, cursor=first["next_cursor"])
    previews = [c["last_message_preview"] for c in first["items"] + second["items"]]
    assert previews == [f"c{i}" for i in reversed(range(7))]
    assert second["next_cursor"] is None


async def test_another_tenant_gets_404_and_raw_sql_sees_nothing(
    crm: RunningService, issuer: InternalTokenIssuer, database: ScratchDatabase
) -> None:
    tenant_a, tenant_b, account = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    await publish(inbound(tenant_a, account, "wamid.secret", "só para A"))
    conv = (await wait_for(lambda: _non_empty(conversations(crm, issuer, tenant_a))))["items"][0]
    for path in (f"/api/v1/conversations/{conv['id']}", f"/api/v1/conversations/{conv['id']}/messages"):
        response = await crm.client.get(path, headers=bearer(issuer, tenant_b))
        assert response.status_code == 404
        assert response.headers["content-type"] == "application/problem+json"
    assert (await conversations(crm, issuer, tenant_b))["items"] == []
    conn = await asyncpg.connect(asyncpg_dsn(database.app_url))
    try:
        async with conn.transaction():
            await conn.execute("SELECT set_config('app.tenant_id', $1, true)", str(tenant_b))
            for table in ("contacts", "conversations", "messages"):
                assert await conn.fetchval(f"SELECT count(*) FROM crm.{table}") == 0  # noqa: S608
        assert not await conn.fetchval("SELECT rolbypassrls FROM pg_roles WHERE rolname = current_user")
    finally:
        await conn.close()


async def test_the_producers_trace_continues_into_the_events_crm_publishes(
    crm: RunningService, issuer: InternalTokenIssuer
) -> None:
    tenant, account = uuid.uuid4(), uuid.uuid4()
    env = inbound(tenant, account, "wamid.traced", "rastreada")
    trace_id = uuid.uuid4().hex
    nc = await nats.connect(ensure_infra().nats_url)
    try:
        js = nc.jetstream()
        stored = await js.subscribe(f"message.stored.{tenant}", ordered_consumer=True)
        await js.publish(
            subject_for(env),
            env.model_dump_json().encode(),
            headers={"Nats-Msg-Id": str(env.id), "traceparent": f"00-{trace_id}-{uuid.uuid4().hex[:16]}-01"},
        )
        event = await stored.next_msg(timeout=10)
    finally:
        await nc.close()
    assert event.headers["traceparent"].split("-")[1] == trace_id
    decoded = json.loads(event.data)
    assert decoded["causationid"] == str(env.id)
    assert decoded["correlationid"] == str(env.correlationid)


async def test_search_finds_by_name_number_or_last_message_and_treats_wildcards_literally(
    crm: RunningService, issuer: InternalTokenIssuer
) -> None:
    tenant, account = uuid.uuid4(), uuid.uuid4()
    people = [
        ("+5511911110001", "Joana Prado", "quero o boleto"),
        ("+5511922220002", "Carlos", "100% certo"),
        ("+5511933330003", "Bia", "obrigada"),
    ]
    await publish(
        *(
            Envelope.wrap(
                InboundMessage(
                    channel=Channel.WHATSAPP_META,
                    external_id=f"wamid.s{i}",
                    channel_account_id=account,
                    business_address="+5511900000000",
                    sender=Sender(address=phone, display_name=name),
                    content=TextContent(body=text),
                    sent_at=T0 + timedelta(seconds=i),
                    received_at=T0,
                ),
                tenant=tenant,
                source="t",
            )
            for i, (phone, name, text) in enumerate(people)
        )
    )

    async def three() -> Any:
        page = await conversations(crm, issuer, tenant)
        return page if len(page["items"]) == 3 else None

    await wait_for(three)

    async def names(q: str) -> list[str]:
        return [c["contact"]["name"] for c in (await conversations(crm, issuer, tenant, q=q))["items"]]

    assert await names("joana") == ["Joana Prado"]
    assert await names("2222") == ["Carlos"]
    assert await names("boleto") == ["Joana Prado"]
    assert await names("100%") == ["Carlos"]
    assert await names("%") == ["Carlos"], "a % typed by the user is a character, not a wildcard"

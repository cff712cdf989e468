"""Agents answer from the inbox: the reply is stored, queued on message.outbound, refused with a reason when it
cannot go, and its delivery ticks follow whatever order the statuses arrive in."""

from __future__ import annotations

import random
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from masteria.contracts.channels import Channel
from masteria.contracts.content import TextContent
from masteria.contracts.messages import (
    ConsentAction,
    DeliveryError,
    ErrorClassification,
    MessageOrigin,
    MessageStatus,
    MessageStatusChanged,
    SendMessage,
)
from masteria.devstack.harness import RunningService, wait_for
from masteria.security.internal_token import InternalTokenIssuer

from .helpers import Api, collect, envelope, inbound, publish

pytestmark = pytest.mark.integration
TEXT = {"kind": "text", "body": "Olá! Como posso ajudar?"}
TEMPLATE = {
    "kind": "template",
    "name": "retomada",
    "language": "pt_BR",
    "components": [{"type": "body", "parameters": [{"type": "text", "text": "Maria"}]}],
}


async def thread(
    a: Api,
    phone: str,
    *,
    channel: Channel = Channel.WHATSAPP_META,
    ago: timedelta = timedelta(0),
    account: uuid.UUID | None = None,
) -> dict[str, Any]:
    await publish(
        inbound(
            a.tenant,
            account or uuid.uuid4(),
            f"ext.{uuid.uuid4().hex}",
            "oi",
            sender=phone,
            channel=channel,
            at=datetime.now(UTC) - ago,
        )
    )
    return await a.conversation_of(phone)


async def messages(a: Api, conversation_id: str) -> list[dict[str, Any]]:
    page = await a.ok("GET", f"/api/v1/conversations/{conversation_id}/messages", params={"limit": 200})
    items: list[dict[str, Any]] = page["items"]
    return items


async def test_a_reply_is_stored_queued_and_sent_through_the_outbox(
    crm: RunningService, issuer: InternalTokenIssuer
) -> None:
    me = uuid.uuid4()
    a = Api(crm, issuer, uuid.uuid4(), user=me)
    conv = await thread(a, "+5511900010001")
    detail = await a.ok("GET", f"/api/v1/conversations/{conv['id']}")
    assert detail["service_window"]["open"] is True
    assert detail["opted_out"] is False

    sent = await a.ok("POST", f"/api/v1/conversations/{conv['id']}/messages", 202, json={"content": TEXT})
    assert (sent["status"], sent["direction"], sent["author_user_id"], sent["origin"]) == (
        "queued",
        "outbound",
        str(me),
        "agent",
    )
    [command] = await collect(f"message.outbound.whatsapp_meta.{a.tenant}", lambda seen: len(seen) >= 1)
    data = command["data"]
    assert data["message_id"] == sent["id"]
    assert data["conversation_id"] == conv["id"]
    assert (data["to"], data["origin"], data["author_user_id"]) == ("+5511900010001", "agent", str(me))
    assert data["channel_account_id"] == conv["channel_account_id"]
    assert data["content"]["body"] == TEXT["body"]
    stored = await collect(f"message.stored.{a.tenant}", lambda seen: len(seen) >= 2)
    assert [(s["data"]["direction"], s["data"].get("origin")) for s in stored] == [
        ("inbound", None),
        ("outbound", "agent"),
    ]

    # An AI reply on the same lane is recorded by crm-outbound; the agent's own reply is not recorded twice.
    ai = SendMessage(
        channel=Channel.WHATSAPP_META,
        message_id=uuid.uuid4(),
        conversation_id=uuid.UUID(conv["id"]),
        channel_account_id=uuid.UUID(conv["channel_account_id"]),
        to="+5511900010001",
        content=TextContent(body="Sou a assistente virtual"),
        origin=MessageOrigin.AI,
    )
    await publish(envelope(ai, a.tenant))

    async def ai_recorded() -> Any:
        items = await messages(a, conv["id"])
        return items if any(m["id"] == str(ai.message_id) for m in items) else None

    items = await wait_for(ai_recorded)
    assert [(m["direction"], m["origin"]) for m in items] == [
        ("outbound", "ai"),
        ("outbound", "agent"),
        ("inbound", None),
    ]
    after = await a.ok("GET", f"/api/v1/conversations/{conv['id']}")
    assert after["last_message_preview"] == "Sou a assistente virtual"
    assert after["unread_count"] == 1


async def test_outside_the_window_only_a_template_goes(crm: RunningService, issuer: InternalTokenIssuer) -> None:
    a = Api(crm, issuer, uuid.uuid4())
    conv = await thread(a, "+5511900010002", ago=timedelta(hours=25))
    detail = await a.ok("GET", f"/api/v1/conversations/{conv['id']}")
    assert detail["service_window"]["open"] is False
    refused = await a.call("POST", f"/api/v1/conversations/{conv['id']}/messages", json={"content": TEXT})
    assert refused.status_code == 422
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.json()["reason"] == "window_closed"
    assert "only an approved template can be sent outside the 24-hour window" in refused.json()["detail"]
    template = await a.ok("POST", f"/api/v1/conversations/{conv['id']}/messages", 202, json={"content": TEMPLATE})
    assert template["preview"] == "[template] retomada"
    assert [m["id"] for m in await messages(a, conv["id"]) if m["direction"] == "outbound"] == [template["id"]]


async def test_stop_opts_the_contact_out_and_start_back_in(crm: RunningService, issuer: InternalTokenIssuer) -> None:
    a = Api(crm, issuer, uuid.uuid4())
    account = uuid.uuid4()
    conv = await thread(a, "+5511900010003", channel=Channel.SMS, account=account)
    await publish(
        inbound(
            a.tenant,
            account,
            "SMstop",
            "STOP",
            sender="+5511900010003",
            channel=Channel.SMS,
            consent=ConsentAction.OPT_OUT,
        )
    )
    [opted] = await collect(f"contact.opted_out.{a.tenant}", lambda seen: len(seen) >= 1)
    assert (opted["data"]["channel"], opted["data"]["reason"], opted["data"]["keyword"]) == ("sms", "keyword", "STOP")
    contact = await a.ok("GET", f"/api/v1/contacts/{conv['contact']['id']}")
    assert contact["consent"]["sms"]["allowed"] is False
    assert "sms" in contact["last_inbound_at"]
    assert (await a.ok("GET", f"/api/v1/conversations/{conv['id']}"))["opted_out"] is True
    refused = await a.call("POST", f"/api/v1/conversations/{conv['id']}/messages", json={"content": TEXT})
    assert refused.status_code == 422
    assert refused.json()["reason"] == "opted_out"

    await publish(
        inbound(
            a.tenant,
            account,
            "SMstart",
            "START",
            sender="+5511900010003",
            channel=Channel.SMS,
            consent=ConsentAction.OPT_IN,
        )
    )
    await collect(f"contact.opted_in.{a.tenant}", lambda seen: len(seen) >= 1)
    await a.ok("POST", f"/api/v1/conversations/{conv['id']}/messages", 202, json={"content": TEXT})
    [command] = await collect(f"message.outbound.sms.{a.tenant}", lambda seen: len(seen) >= 1)
    assert command["data"]["to"] == "+5511900010003"


@pytest.mark.parametrize(
    ("channel", "content"),
    [
        (Channel.WHATSAPP_META, {"kind": "text", "body": ""}),
        (
            Channel.WHATSAPP_META,
            {"kind": "interactive", "interactive": {"type": "button_reply", "id": "1", "title": "x"}},
        ),
        (Channel.WHATSAPP_META, {"kind": "sticker_pack"}),
        (Channel.SMS, TEMPLATE),
        (Channel.WHATSAPP_META, {"kind": "image", "storage_key": f"{uuid.uuid4()}/ab/{'ab' * 32}"}),
    ],
)
async def test_content_the_channel_cannot_carry_is_invalid_content(
    crm: RunningService, issuer: InternalTokenIssuer, channel: Channel, content: dict[str, Any]
) -> None:
    a = Api(crm, issuer, uuid.uuid4())
    conv = await thread(a, "+5511900010004", channel=channel)
    refused = await a.call("POST", f"/api/v1/conversations/{conv['id']}/messages", json={"content": content})
    assert refused.status_code == 422, refused.text
    assert refused.json()["reason"] == "invalid_content"
    assert [m["direction"] for m in await messages(a, conv["id"])] == ["inbound"]


def status(
    message_id: uuid.UUID | None, wamid: str, value: MessageStatus, at: datetime, *, error: DeliveryError | None = None
) -> MessageStatusChanged:
    return MessageStatusChanged(
        channel=Channel.WHATSAPP_META,
        message_id=message_id,
        external_id=wamid,
        status=value,
        occurred_at=at,
        recipient="+5511900010005",
        error=error,
    )


async def test_statuses_replayed_twice_in_random_order_end_in_the_right_state(
    crm: RunningService, issuer: InternalTokenIssuer
) -> None:
    a = Api(crm, issuer, uuid.uuid4())
    conv = await thread(a, "+5511900010005")
    ok = await a.ok("POST", f"/api/v1/conversations/{conv['id']}/messages", 202, json={"content": TEXT})
    bad = await a.ok(
        "POST",
        f"/api/v1/conversations/{conv['id']}/messages",
        202,
        json={"content": {"kind": "text", "body": "segunda"}},
    )
    t0 = datetime.now(UTC)
    failure = DeliveryError(code="131026", title="Message undeliverable", classification=ErrorClassification.PERMANENT)
    statuses = [
        status(uuid.UUID(ok["id"]), "wamid.ok", s, t0 + timedelta(seconds=i))
        for i, s in enumerate([MessageStatus.ACCEPTED, MessageStatus.SENT, MessageStatus.DELIVERED, MessageStatus.READ])
    ] + [
        status(uuid.UUID(bad["id"]), "wamid.bad", MessageStatus.ACCEPTED, t0),
        status(uuid.UUID(bad["id"]), "wamid.bad", MessageStatus.FAILED, t0 + timedelta(seconds=1), error=failure),
    ]
    replay = [envelope(s, a.tenant) for s in statuses * 2]
    random.Random(5).shuffle(replay)
    half = len(replay) // 2
    await publish(*replay[:half], fresh_ids=True)
    await publish(*replay[half:], fresh_ids=True)

    async def settled() -> Any:
        by_id = {m["id"]: m for m in await messages(a, conv["id"])}
        done = by_id[ok["id"]]["status"] == "read" and by_id[bad["id"]]["status"] == "failed"
        return by_id if done else None

    by_id = await wait_for(settled)
    assert by_id[ok["id"]]["external_id"] == "wamid.ok"
    assert by_id[ok["id"]]["error"] is None
    assert by_id[bad["id"]]["error"]["code"] == "131026"
    assert by_id[bad["id"]]["external_id"] == "wamid.bad"
    updates = await collect(
        f"message.delivery_updated.{a.tenant}",
        lambda seen: (
            {(u["data"]["message_id"], u["data"]["status"]) for u in seen}
            >= {(ok["id"], "read"), (bad["id"], "failed")}
        ),
    )
    for message_id, final in ((ok["id"], "read"), (bad["id"], "failed")):
        mine = [u["data"]["status"] for u in updates if u["data"]["message_id"] == message_id]
        assert mine[-1] == final, mine
        assert len(mine) == len(set(mine)), mine  # forward only, never the same status twice
    # a late stale failure cannot undo a delivery, and a status known only by provider id still lands
    await publish(envelope(status(uuid.UUID(ok["id"]), "wamid.ok", MessageStatus.FAILED, t0, error=failure), a.tenant))
    await publish(envelope(status(None, "wamid.bad", MessageStatus.READ, t0), a.tenant))
    marker = await a.ok(
        "POST",
        f"/api/v1/conversations/{conv['id']}/messages",
        202,
        json={"content": {"kind": "text", "body": "marcador"}},
    )
    await publish(envelope(status(uuid.UUID(marker["id"]), "wamid.marker", MessageStatus.SENT, t0), a.tenant))

    async def marker_sent() -> Any:
        by_id = {m["id"]: m for m in await messages(a, conv["id"])}
        return by_id if by_id[marker["id"]]["status"] == "sent" else None

    by_id = await wait_for(marker_sent)
    assert by_id[ok["id"]]["status"] == "read"
    assert by_id[bad["id"]]["status"] == "failed"


async def test_a_status_that_beats_its_send_waits_for_it(crm: RunningService, issuer: InternalTokenIssuer) -> None:
    a = Api(crm, issuer, uuid.uuid4())
    conv = await thread(a, "+5511900010006")
    ai = SendMessage(
        channel=Channel.WHATSAPP_META,
        message_id=uuid.uuid4(),
        conversation_id=uuid.UUID(conv["id"]),
        to="+5511900010006",
        content=TextContent(body="resposta rápida"),
        origin=MessageOrigin.AI,
    )
    await publish(envelope(status(ai.message_id, "wamid.fast", MessageStatus.DELIVERED, datetime.now(UTC)), a.tenant))
    await publish(envelope(ai, a.tenant))

    async def delivered() -> Any:
        found = [m for m in await messages(a, conv["id"]) if m["id"] == str(ai.message_id)]
        return found[0] if found and found[0]["status"] == "delivered" else None

    message = await wait_for(delivered)
    assert message["external_id"] == "wamid.fast"
    assert message["origin"] == "ai"

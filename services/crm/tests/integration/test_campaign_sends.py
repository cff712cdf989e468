"""Campaign sends (campaign.dispatch) show in the inbox as "sent by campaign", once each, with their delivery
ticks; they move a thread's last activity but never mark it unread nor reopen it."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from masteria.contracts.channels import Channel
from masteria.contracts.content import TextContent
from masteria.contracts.envelope import Envelope
from masteria.contracts.messages import CampaignDispatch, MessageStatus, MessageStatusChanged
from masteria.devstack.harness import RunningService, wait_for
from masteria.security.internal_token import InternalTokenIssuer

from .helpers import Api, collect, envelope, inbound, publish

pytestmark = pytest.mark.integration


def dispatch(
    phone: str,
    body: str,
    *,
    account: uuid.UUID | None,
    campaign: uuid.UUID | None = None,
    step: uuid.UUID | None = None,
    dispatch_id: uuid.UUID | None = None,
    attempt: int = 1,
) -> CampaignDispatch:
    return CampaignDispatch(
        channel=Channel.WHATSAPP_META,
        dispatch_id=dispatch_id or uuid.uuid4(),
        campaign_id=campaign or uuid.uuid4(),
        recipient_id=uuid.uuid4(),
        cadence_step_id=step,
        channel_account_id=account,
        to=phone,
        content=TextContent(body=body),
        attempt=attempt,
    )


def status(d: CampaignDispatch, value: MessageStatus, at: datetime) -> MessageStatusChanged:
    """A status as an adapter reports a bulk-lane send: by dispatch id, not message id."""
    return MessageStatusChanged(
        channel=d.channel,
        dispatch_id=d.dispatch_id,
        external_id=f"wamid.{d.dispatch_id.hex}",
        status=value,
        occurred_at=at,
        recipient=d.to,
    )


async def thread_messages(a: Api, conversation_id: str) -> list[dict[str, Any]]:
    page = await a.ok("GET", f"/api/v1/conversations/{conversation_id}/messages", params={"limit": 200})
    items: list[dict[str, Any]] = page["items"]
    return items


async def message_in(a: Api, conversation_id: str, message_id: uuid.UUID, **wanted: Any) -> dict[str, Any]:
    """The message once it is stored with the wanted fields."""

    async def found() -> Any:
        for m in await thread_messages(a, conversation_id):
            if m["id"] == str(message_id) and all(m[k] == v for k, v in wanted.items()):
                return m
        return None

    message: dict[str, Any] = await wait_for(found)
    return message


async def test_a_dispatch_to_a_new_number_opens_contact_and_thread_as_sent_by_campaign(
    crm: RunningService, issuer: InternalTokenIssuer
) -> None:
    a = Api(crm, issuer, uuid.uuid4())
    account, campaign, step = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    d = dispatch("+5511900020001", "Black Friday: 30% off", account=account, campaign=campaign, step=step)
    await publish(envelope(d, a.tenant))

    conv = await a.conversation_of("+5511900020001")
    assert (conv["unread_count"], conv["status"]) == (0, "open")
    assert conv["last_message_preview"] == "Black Friday: 30% off"
    assert conv["channel_account_id"] == str(account)
    [message] = await thread_messages(a, conv["id"])
    assert (message["id"], message["direction"], message["status"], message["origin"]) == (
        str(d.dispatch_id),
        "outbound",
        "queued",
        "campaign",
    )
    assert message["campaign"] == {
        "campaign_id": str(campaign),
        "dispatch_id": str(d.dispatch_id),
        "cadence_step_id": str(step),
    }
    assert message["content"]["body"] == "Black Friday: 30% off"
    created = await collect(f"contact.created.{a.tenant}", lambda seen: len(seen) >= 1)
    assert created[0]["data"]["phone"] == "+5511900020001"
    opened = await collect(f"conversation.opened.{a.tenant}", lambda seen: len(seen) >= 1)
    assert opened[0]["data"]["conversation_id"] == conv["id"]
    [stored] = await collect(f"message.stored.{a.tenant}", lambda seen: len(seen) >= 1)
    assert stored["data"]["message_id"] == str(d.dispatch_id)
    assert (stored["data"]["campaign_id"], stored["data"]["direction"]) == (str(campaign), "outbound")
    assert stored["causationid"] is not None


async def test_a_dispatch_never_marks_unread_nor_reopens_but_moves_the_last_activity(
    crm: RunningService, issuer: InternalTokenIssuer
) -> None:
    a = Api(crm, issuer, uuid.uuid4())
    account = uuid.uuid4()
    earlier = datetime.now(UTC) - timedelta(minutes=5)
    await publish(inbound(a.tenant, account, "wamid.cs1", "quero saber do frete", sender="+5511900020002", at=earlier))
    conv = await a.conversation_of("+5511900020002")
    await a.ok("PATCH", f"/api/v1/conversations/{conv['id']}", json={"status": "resolved"})

    d = dispatch("+5511900020002", "Sua oferta chegou", account=account)
    await publish(envelope(d, a.tenant))
    await message_in(a, conv["id"], d.dispatch_id)
    after = await a.ok("GET", f"/api/v1/conversations/{conv['id']}")
    assert (after["status"], after["unread_count"]) == ("resolved", 1)
    assert after["last_message_preview"] == "Sua oferta chegou"
    assert after["last_message_at"] > conv["last_message_at"]
    # the customer's answer still reopens it, as any reply does
    await publish(inbound(a.tenant, account, "wamid.cs2", "quero!", sender="+5511900020002"))

    async def reopened() -> Any:
        c = await a.ok("GET", f"/api/v1/conversations/{conv['id']}")
        return c if c["status"] == "open" else None

    assert (await wait_for(reopened))["unread_count"] == 2


async def test_redeliveries_and_retries_are_stored_once(crm: RunningService, issuer: InternalTokenIssuer) -> None:
    a = Api(crm, issuer, uuid.uuid4())
    account = uuid.uuid4()
    first = dispatch("+5511900020003", "Lembrete", account=account)
    retry = dispatch(
        "+5511900020003",
        "Lembrete",
        account=account,
        campaign=first.campaign_id,
        dispatch_id=first.dispatch_id,
        attempt=2,
    )
    marker = dispatch("+5511900020003", "marcador", account=account)
    once = envelope(first, a.tenant)
    await publish(once)
    await publish(once, envelope(retry, a.tenant), fresh_ids=True)
    await publish(envelope(marker, a.tenant))
    conv = await a.conversation_of("+5511900020003")
    await message_in(a, conv["id"], marker.dispatch_id)
    assert [m["content"]["body"] for m in await thread_messages(a, conv["id"])] == ["marcador", "Lembrete"]


async def test_dispatch_statuses_tick_whether_they_beat_the_dispatch_or_follow_it(
    crm: RunningService, issuer: InternalTokenIssuer
) -> None:
    a = Api(crm, issuer, uuid.uuid4())
    account, t0 = uuid.uuid4(), datetime.now(UTC)
    early = dispatch("+5511900020004", "primeiro", account=account)
    late = dispatch("+5511900020005", "segundo", account=account)
    # statuses of `early` arrive before crm records it: they wait and are applied when it is
    await publish(
        envelope(status(early, MessageStatus.ACCEPTED, t0), a.tenant),
        envelope(status(early, MessageStatus.DELIVERED, t0 + timedelta(seconds=2)), a.tenant),
    )
    await publish(envelope(early, a.tenant), envelope(late, a.tenant))
    conv_late = await a.conversation_of("+5511900020005")
    await message_in(a, conv_late["id"], late.dispatch_id)
    await publish(
        envelope(status(late, MessageStatus.SENT, t0), a.tenant),
        envelope(status(late, MessageStatus.READ, t0 + timedelta(seconds=3)), a.tenant),
    )
    conv_early = await a.conversation_of("+5511900020004")
    ticked = await message_in(a, conv_early["id"], early.dispatch_id, status="delivered")
    assert ticked["external_id"] == f"wamid.{early.dispatch_id.hex}"
    read = await message_in(a, conv_late["id"], late.dispatch_id, status="read")
    assert read["campaign"]["dispatch_id"] == str(late.dispatch_id)
    updates = await collect(
        f"message.delivery_updated.{a.tenant}",
        lambda seen: (
            {(u["data"]["message_id"], u["data"]["status"]) for u in seen}
            >= {(str(early.dispatch_id), "delivered"), (str(late.dispatch_id), "read")}
        ),
    )
    mine = [(u["data"]["message_id"], u["data"]["status"]) for u in updates]
    assert (str(late.dispatch_id), "sent") in mine
    assert {u["data"]["conversation_id"] for u in updates} == {conv_early["id"], conv_late["id"]}


async def test_without_a_number_a_dispatch_goes_to_the_latest_thread_or_is_not_recorded(
    crm: RunningService, issuer: InternalTokenIssuer
) -> None:
    a = Api(crm, issuer, uuid.uuid4())
    account = uuid.uuid4()
    await publish(inbound(a.tenant, account, "wamid.cs5", "oi", sender="+5511900020006"))
    conv = await a.conversation_of("+5511900020006")
    nowhere = dispatch("+5511900020007", "sem conversa", account=None)
    known = dispatch("+5511900020006", "na conversa de sempre", account=None)
    await publish(envelope(nowhere, a.tenant), envelope(known, a.tenant))
    await message_in(a, conv["id"], known.dispatch_id)
    page = await a.ok("GET", "/api/v1/conversations", params={"limit": 200})
    assert [c["contact"]["phone"] for c in page["items"]] == ["+5511900020006"]


async def test_a_large_batch_of_dispatches_is_recorded_whole(crm: RunningService, issuer: InternalTokenIssuer) -> None:
    a = Api(crm, issuer, uuid.uuid4())
    account, campaign = uuid.uuid4(), uuid.uuid4()
    sends: list[Envelope[Any]] = [
        envelope(dispatch(f"+55119{30_000_000 + i:08d}", f"oferta {i}", account=account, campaign=campaign), a.tenant)
        for i in range(600)
    ]
    await publish(*sends)

    async def all_listed() -> Any:
        seen: list[dict[str, Any]] = []
        cursor = None
        while True:
            params = {"limit": 200, **({"cursor": cursor} if cursor else {})}
            page = await a.ok("GET", "/api/v1/conversations", params=params)
            seen += page["items"]
            if (cursor := page["next_cursor"]) is None:
                return seen if len(seen) == 600 else None

    threads = await wait_for(all_listed, within=60)
    assert {c["unread_count"] for c in threads} == {0}
    assert {c["last_message_preview"] for c in threads} == {f"oferta {i}" for i in range(600)}

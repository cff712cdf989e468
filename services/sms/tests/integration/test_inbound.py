"""Inbound SMS and keywords end to end: the sandbox signs and posts, the service verifies and publishes."""

from __future__ import annotations

import asyncpg
import pytest

from masteria.devstack.harness import wait_for
from masteria.devstack.postgres import asyncpg_dsn
from masteria.sms.signature import sign

from .conftest import (
    PUBLIC,
    Stack,
    connect_sender,
    customer_number,
    customer_writes,
    events,
    ledger,
    publish,
    send_message,
    status_list,
    statuses_of,
)

pytestmark = pytest.mark.integration
INBOUND = f"{PUBLIC}/webhooks/sms/twilio/inbound"


async def test_a_signed_sms_is_published_once_as_an_inbound_message(stack: Stack) -> None:
    sender = await connect_sender(stack)
    customer = customer_number()
    answer = await customer_writes(stack, sender, customer, "Olá, tudo bem?", copies=3)
    assert [d["status_code"] for d in answer["deliveries"]] == [200, 200, 200]

    got = await events(f"message.inbound.sms.{sender.tenant}", until=lambda g: len(g) >= 1, within=5)
    [envelope] = got
    message = envelope.data
    assert message.external_id == answer["message_sid"]
    assert message.content.body == "Olá, tudo bem?"
    assert message.sender.address == customer
    assert message.business_address == sender.phone_number
    assert str(message.channel_account_id) == sender.id
    assert message.consent is None
    # Twilio retried twice: the copies were acknowledged and dropped by MessageSid.
    assert len(await events(f"message.inbound.sms.{sender.tenant}", within=1.0)) == 1


async def test_media_arrive_as_media_content_with_their_url(stack: Stack) -> None:
    sender = await connect_sender(stack)
    answer = await customer_writes(
        stack, sender, customer_number(), "foto", media=[{"content_type": "image/png", "data_base64": "iVBORw0KGgo="}]
    )
    [envelope] = await events(f"message.inbound.sms.{sender.tenant}", until=lambda g: len(g) >= 1, within=5)
    content = envelope.data.content
    assert (content.kind, content.caption, content.mime_type) == ("image", "foto", "image/png")
    assert content.url == answer["media_urls"][0]


async def test_a_bad_signature_is_403_and_stores_nothing(stack: Stack) -> None:
    sender = await connect_sender(stack)
    answer = await customer_writes(stack, sender, customer_number(), "oi", signature="invalid")
    assert [d["status_code"] for d in answer["deliveries"]] == [403]
    unsigned = await customer_writes(stack, sender, customer_number(), "oi", signature="missing")
    assert [d["status_code"] for d in unsigned["deliveries"]] == [403]
    assert await events(f"message.inbound.sms.{sender.tenant}", within=1.0) == []
    conn = await asyncpg.connect(asyncpg_dsn(stack.database.admin_url))
    try:
        stored = await conn.fetchval("SELECT count(*) FROM sms.inbound_receipts WHERE tenant_id = $1", sender.tenant)
    finally:
        await conn.close()
    assert stored == 0


async def test_the_signature_covers_the_public_url_not_the_host_the_service_sees(stack: Stack) -> None:
    sender = await connect_sender(stack)
    form = {
        "MessageSid": "SM" + "c" * 32,
        "From": customer_number(),
        "To": sender.phone_number,
        "Body": "oi",
        "NumMedia": "0",
        "AccountSid": sender.account_sid,
    }
    # Signed for the host the service sees (not where Twilio posts): refused.
    seen_host = sign(sender.auth_token, "https://masteria-sms.internal/webhooks/sms/twilio/inbound", form)
    forged = await stack.sms.client.post(
        "/webhooks/sms/twilio/inbound", data=form, headers={"X-Twilio-Signature": seen_host}
    )
    assert forged.status_code == 403
    assert forged.headers["content-type"] == "application/problem+json"
    right = await stack.sms.client.post(
        "/webhooks/sms/twilio/inbound",
        data=form,
        headers={"X-Twilio-Signature": sign(sender.auth_token, INBOUND, form)},
    )
    assert right.status_code == 200
    assert right.headers["x-masteria-outcome"] == "published"
    assert "<Response/>" in right.text


async def test_an_unknown_number_is_acknowledged_so_twilio_stops_retrying(stack: Stack) -> None:
    form = {"MessageSid": "SM" + "d" * 32, "From": customer_number(), "To": "+15559999999", "Body": "oi"}
    response = await stack.sms.client.post(
        "/webhooks/sms/twilio/inbound", data=form, headers={"X-Twilio-Signature": sign("whatever", INBOUND, form)}
    )
    assert response.status_code == 200
    assert response.headers["x-masteria-outcome"] == "ignored"
    malformed = await stack.sms.client.post("/webhooks/sms/twilio/inbound", data={"Body": "oi"})
    assert malformed.status_code == 400


async def test_stop_opts_out_twilio_confirms_and_a_later_send_is_refused(stack: Stack) -> None:
    sender = await connect_sender(stack)
    customer = customer_number()
    stop = await customer_writes(stack, sender, customer, "Stop")
    assert stop["opt_out_type"] == "STOP"
    assert stop["auto_reply"].startswith("You have successfully been unsubscribed"), "Twilio confirms its own STOP"
    [envelope] = await events(f"message.inbound.sms.{sender.tenant}", until=lambda g: len(g) >= 1, within=5)
    assert (envelope.data.consent.action, envelope.data.consent.keyword) == ("opt_out", "Stop")

    [command] = await publish(send_message(sender, customer, "Promoção!"), tenant=sender.tenant)
    found = await statuses_of(sender.tenant, command.data.message_id, until=lambda f: f, within=5)
    [failed] = found
    assert failed.status.value == "failed"
    assert (failed.error.code, failed.error.classification.value) == ("opted_out", "permanent")
    assert "STOP" in failed.error.title
    assert await ledger(stack, sender, customer) == [], "refused before Twilio was called"

    start = await customer_writes(stack, sender, customer, "START")
    assert start["opt_out_type"] == "START"
    got = await events(f"message.inbound.sms.{sender.tenant}", until=lambda g: len(g) >= 2, within=5)
    assert got[1].data.consent.action == "opt_in"
    [again] = await publish(send_message(sender, customer, "Bem-vindo de volta"), tenant=sender.tenant)
    back = await statuses_of(sender.tenant, again.data.message_id, until=lambda f: "delivered" in status_list(f))
    assert status_list(back) == ["accepted", "sent", "delivered"]
    assert [e["body"] for e in await ledger(stack, sender, customer)] == ["Bem-vindo de volta"]


async def test_a_portuguese_stop_is_confirmed_by_us_and_honoured(stack: Stack) -> None:
    sender = await connect_sender(stack)
    customer = customer_number()
    parar = await customer_writes(stack, sender, customer, "PARAR")
    assert parar["opt_out_type"] is None  # Twilio does not know the word: confirming it is ours
    [envelope] = await events(f"message.inbound.sms.{sender.tenant}", until=lambda g: len(g) >= 1, within=5)
    assert envelope.data.consent.action == "opt_out"

    # The confirmation goes through our own outbound lane (so the inbox records it too), and is sent.
    [reply] = await events(f"message.outbound.sms.{sender.tenant}", until=lambda g: len(g) >= 1, within=5)
    assert reply.data.origin == "system"
    assert reply.data.content.body.startswith("Você não receberá mais mensagens")
    await wait_for(lambda: _bodies(stack, sender, customer), within=10)
    [confirmation] = await ledger(stack, sender, customer)
    assert confirmation["body"].endswith("Responda START para voltar a receber.")

    [later] = await publish(send_message(sender, customer, "Oferta"), tenant=sender.tenant)
    [refused] = await statuses_of(sender.tenant, later.data.message_id, until=lambda f: f)
    assert refused.error.code == "opted_out"
    assert len(await ledger(stack, sender, customer)) == 1


async def test_yes_is_an_ordinary_answer_unless_the_customer_had_stopped(stack: Stack) -> None:
    sender = await connect_sender(stack)
    customer = customer_number()
    await customer_writes(stack, sender, customer, "yes")
    [first] = await events(f"message.inbound.sms.{sender.tenant}", until=lambda g: len(g) >= 1, within=5)
    assert first.data.consent is None
    await customer_writes(stack, sender, customer, "STOP")
    await customer_writes(stack, sender, customer, "Yes")
    got = await events(f"message.inbound.sms.{sender.tenant}", until=lambda g: len(g) >= 3, within=5)
    assert [e.data.consent.action if e.data.consent else None for e in got] == [None, "opt_out", "opt_in"]


async def _bodies(stack: Stack, sender: object, customer: str) -> bool:
    return bool(await ledger(stack, sender, customer))  # type: ignore[arg-type]


async def test_a_stop_we_missed_is_learnt_from_twilios_21610(stack: Stack) -> None:
    sender = await connect_sender(stack)
    customer = customer_number()
    # Twilio applied the STOP, but its webhook never reached us (here: refused for its signature).
    missed = await customer_writes(stack, sender, customer, "STOP", signature="invalid")
    assert [d["status_code"] for d in missed["deliveries"]] == [403]
    [first] = await publish(send_message(sender, customer, "oi"), tenant=sender.tenant)
    [refused] = await statuses_of(sender.tenant, first.data.message_id, until=lambda f: f)
    assert (refused.error.code, refused.error.classification.value) == ("21610", "permanent")
    [second] = await publish(send_message(sender, customer, "oi de novo"), tenant=sender.tenant)
    [local] = await statuses_of(sender.tenant, second.data.message_id, until=lambda f: f)
    assert local.error.code == "opted_out", "now known here: refused without asking Twilio"

"""Sends end to end: both lanes, pacing per sender, retries, crash safety and signed status callbacks."""

from __future__ import annotations

import uuid
from typing import Any

import asyncpg
import nats
import pytest

from masteria.contracts.content import MediaContent, TemplateContent
from masteria.contracts.envelope import Envelope
from masteria.contracts.subjects import subject_for
from masteria.devstack.harness import wait_for
from masteria.devstack.infra import ensure_infra
from masteria.devstack.postgres import asyncpg_dsn
from masteria.messaging.headers import envelope_headers
from masteria.sms.sending.commands import Command, payload_of
from masteria.sms.signature import sign
from masteria.sms.twilio_api import CreatedMessage

from .conftest import (
    PUBLIC,
    Stack,
    connect_sender,
    customer_number,
    dispatch,
    final_statuses,
    lanes_idle,
    ledger,
    publish,
    send_message,
    status_list,
    statuses_of,
)

pytestmark = pytest.mark.integration
STATUS_URL = f"{PUBLIC}/webhooks/sms/twilio/status"


def delivered(found: list[Any]) -> bool:
    return "delivered" in status_list(found) or "failed" in status_list(found)


async def stats(stack: Stack, phone: str) -> dict[str, Any]:
    response = await stack.sandbox.get("/_sandbox/twilio/ledger/stats", params={"from": phone})
    body: dict[str, Any] = response.json()
    return body


async def test_a_reply_is_accepted_then_delivered_with_its_segments(stack: Stack) -> None:
    sender = await connect_sender(stack)
    customer = customer_number()
    text = "Olá Maria! " + "a" * 200  # 'á' is not GSM-7: 211 UCS-2 units, four segments of 67
    [command] = await publish(send_message(sender, customer, text), tenant=sender.tenant)
    found = await statuses_of(sender.tenant, command.data.message_id, until=delivered)
    assert status_list(found) == ["accepted", "sent", "delivered"]
    accepted = found[0]
    assert accepted.external_id.startswith("SM")
    assert {s.external_id for s in found} == {accepted.external_id}
    assert all(s.segments == 4 for s in found)
    assert all(str(s.channel_account_id) == sender.id and s.recipient == customer for s in found)
    [entry] = await ledger(stack, sender, customer)
    assert (entry["sid"], entry["body"], entry["num_segments"]) == (accepted.external_id, text, 4)
    assert entry["status_callback"] == STATUS_URL


async def test_campaign_dispatches_carry_their_dispatch_id_and_attempt(stack: Stack) -> None:
    sender = await connect_sender(stack)
    [command] = await publish(dispatch(sender, customer_number(), attempt=2), tenant=sender.tenant)
    found = await statuses_of(sender.tenant, command.data.dispatch_id, until=delivered)
    assert status_list(found) == ["accepted", "sent", "delivered"]
    assert all(s.dispatch_id == command.data.dispatch_id and s.message_id is None and s.attempt == 2 for s in found)


async def test_media_goes_as_media_url_and_other_content_is_refused(stack: Stack) -> None:
    sender = await connect_sender(stack)
    customer = customer_number()
    media = MediaContent(kind="image", url="https://cdn.example.com/promo.jpg", caption="Nova coleção")
    [picture, template] = await publish(
        send_message(sender, customer, media),
        send_message(sender, customer, TemplateContent(name="hello", language="pt_BR")),
        tenant=sender.tenant,
    )
    await statuses_of(sender.tenant, picture.data.message_id, until=lambda f: "accepted" in status_list(f))
    [refused] = await statuses_of(sender.tenant, template.data.message_id, until=lambda f: f)
    assert (refused.status.value, refused.error.code, refused.error.classification.value) == (
        "failed",
        "unsupported_content",
        "permanent",
    )
    assert "Unsupported content for SMS" in refused.error.title
    [entry] = await ledger(stack, sender, customer)
    assert (entry["media_urls"], entry["body"]) == (["https://cdn.example.com/promo.jpg"], "Nova coleção")


async def test_a_carrier_failure_is_failed_permanent_with_twilios_code(stack: Stack) -> None:
    customer = customer_number()
    sender = await connect_sender(stack, undelivered_to={customer: 30003})
    [command] = await publish(send_message(sender, customer, "oi"), tenant=sender.tenant)
    found = await statuses_of(sender.tenant, command.data.message_id, until=lambda f: "failed" in status_list(f))
    assert status_list(found) == ["accepted", "sent", "failed"]
    assert (found[-1].error.code, found[-1].error.classification.value) == ("30003", "permanent")


async def test_a_copy_of_a_command_is_not_sent_twice(stack: Stack) -> None:
    sender = await connect_sender(stack)
    customer = customer_number()
    message = send_message(sender, customer, "só uma vez")
    [first] = await publish(message, tenant=sender.tenant)
    await statuses_of(sender.tenant, message.message_id, until=delivered)
    [copy] = await publish(message, tenant=sender.tenant)  # the same message id in a new envelope
    assert copy.id != first.id
    await wait_for(lanes_idle, within=10)
    assert len(await ledger(stack, sender, customer)) == 1
    assert status_list(await statuses_of(sender.tenant, message.message_id, until=delivered)) == [
        "accepted",
        "sent",
        "delivered",
    ]


async def test_a_crash_inside_the_call_is_recorded_unknown_and_never_resent(stack: Stack) -> None:
    sender = await connect_sender(stack)
    customer = customer_number()
    message = send_message(sender, customer, "talvez")
    # What a process killed inside the Twilio call leaves: the row committed as "sending" under the
    # envelope JetStream then redelivers.
    envelope_id = uuid.uuid4()
    conn = await asyncpg.connect(asyncpg_dsn(stack.database.admin_url))
    try:
        await conn.execute(
            "INSERT INTO sms.sends (tenant_id, command_id, attempt, lane, event_id, sender_id, recipient, state, tries)"
            " VALUES ($1, $2, 1, 'message', $3, $4, $5, 'sending', 1)",
            sender.tenant,
            message.message_id,
            envelope_id,
            uuid.UUID(sender.id),
            customer,
        )
    finally:
        await conn.close()
    redelivered = Envelope.wrap(message, tenant=sender.tenant, source="tests").model_copy(update={"id": envelope_id})
    await _publish_envelope(redelivered)
    [unknown] = await statuses_of(sender.tenant, message.message_id, until=lambda f: f)
    assert unknown.status.value == "unknown"
    assert unknown.error.code == "unknown_outcome"
    await wait_for(lanes_idle, within=10)
    assert await ledger(stack, sender, customer) == []


async def test_tries_survive_a_restart_and_transient_failures_end_failed_when_exhausted(stack: Stack) -> None:
    sender = await connect_sender(stack, fault_5xx_rate=1.0)
    customer = customer_number()
    message = send_message(sender, customer, "tentativa final")
    max_attempts = stack.sms.service.settings.max_attempts
    conn = await asyncpg.connect(asyncpg_dsn(stack.database.admin_url))
    try:  # an earlier process already tried max_attempts - 1 times
        await conn.execute(
            "INSERT INTO sms.sends (tenant_id, command_id, attempt, lane, event_id, sender_id, recipient, state, tries)"
            " VALUES ($1, $2, 1, 'message', $3, $4, $5, 'retry', $6)",
            sender.tenant,
            message.message_id,
            uuid.uuid4(),
            uuid.UUID(sender.id),
            customer,
            max_attempts - 1,
        )
    finally:
        await conn.close()
    await publish(message, tenant=sender.tenant)
    [failed] = await statuses_of(sender.tenant, message.message_id, until=lambda f: f)
    assert (failed.status.value, failed.error.code, failed.error.classification.value) == (
        "failed",
        "20500",
        "transient",
    )
    conn = await asyncpg.connect(asyncpg_dsn(stack.database.admin_url))
    try:
        tries = await conn.fetchval("SELECT tries FROM sms.sends WHERE command_id = $1", message.message_id)
    finally:
        await conn.close()
    assert tries == max_attempts, "one more try, not a fresh series"


async def test_transient_faults_are_retried_until_every_message_is_sent_once(stack: Stack) -> None:
    sender = await connect_sender(
        stack, mps=50, fault_429_rate=0.2, fault_5xx_rate=0.15, fault_timeout_rate=0.05, timeout_s=0.2, seed=11
    )
    commands = [dispatch(sender, customer_number(), f"msg {i}") for i in range(40)]
    await publish(*commands, tenant=sender.tenant)
    finals = await final_statuses(sender.tenant, [c.dispatch_id for c in commands], within=30)
    assert set(finals.values()) == {"delivered"}
    figures = await stats(stack, sender.phone_number)
    assert (figures["count"], figures["duplicates"]) == (40, 0)
    conn = await asyncpg.connect(asyncpg_dsn(stack.database.admin_url))
    try:
        retried = await conn.fetchval(
            "SELECT count(*) FROM sms.sends WHERE sender_id = $1 AND tries > 1", uuid.UUID(sender.id)
        )
    finally:
        await conn.close()
    assert retried > 0, "the faults did hit some sends"


async def test_the_senders_rate_is_never_exceeded_in_any_second(stack: Stack) -> None:
    sender = await connect_sender(stack, mps=5, mps_limit=5)
    await publish(*(dispatch(sender, customer_number(), f"oferta {i}") for i in range(20)), tenant=sender.tenant)
    await wait_for(lambda: _count_at_least(stack, sender.phone_number, 20), within=15)
    figures = await stats(stack, sender.phone_number)
    assert figures["max_in_any_1s_window"] <= 5
    # Below the limit by what the odd 20429 retry costs on a loaded machine, never above it.
    assert 3.5 <= figures["rate_per_s"] <= 5.0


async def test_long_messages_take_one_token_per_segment(stack: Stack) -> None:
    sender = await connect_sender(stack, mps=4, mps_limit=4, mps_counts="segments")
    body = "b" * 300  # two segments: at 4 segments per second, two such messages per second
    await publish(*(dispatch(sender, customer_number(), body) for _ in range(6)), tenant=sender.tenant)
    await wait_for(lambda: _count_at_least(stack, sender.phone_number, 6), within=15)
    figures = await stats(stack, sender.phone_number)
    assert figures["max_in_any_1s_window"] <= 2
    assert 1.6 <= figures["rate_per_s"] <= 2.0


async def test_a_reply_overtakes_a_campaign_queued_on_the_same_sender(stack: Stack) -> None:
    sender = await connect_sender(stack, mps=4)
    campaign = [dispatch(sender, customer_number(), f"campanha {i}") for i in range(16)]
    await publish(*campaign, tenant=sender.tenant)
    await wait_for(lambda: _count_at_least(stack, sender.phone_number, 2), within=10)
    customer = customer_number()
    await publish(send_message(sender, customer, "resposta do agente"), tenant=sender.tenant)
    await wait_for(lambda: _count_at_least(stack, sender.phone_number, 17), within=15)
    bodies = [e["body"] for e in await ledger(stack, sender)]
    assert bodies.index("resposta do agente") <= 4, bodies


async def test_callbacks_racing_the_send_and_replayed_out_of_order_leave_the_right_status(stack: Stack) -> None:
    # No delay: Twilio's callbacks may arrive before the send's MessageSid is committed.
    sender = await connect_sender(stack, status_delay_ms=0, statuses=["sent"])
    customer = customer_number()
    [command] = await publish(send_message(sender, customer, "rápido"), tenant=sender.tenant)
    found = await statuses_of(sender.tenant, command.data.message_id, until=lambda f: "sent" in status_list(f))
    assert status_list(found) == ["accepted", "sent"]
    sid = found[0].external_id

    def callback(status: str) -> dict[str, str]:
        return {
            "MessageSid": sid,
            "MessageStatus": status,
            "From": sender.phone_number,
            "To": customer,
            "AccountSid": sender.account_sid,
            "NumSegments": "1",
        }

    for status in ("delivered", "sent", "delivered", "queued", "failed"):
        form = callback(status)
        response = await stack.sms.client.post(
            "/webhooks/sms/twilio/status",
            data=form,
            headers={"X-Twilio-Signature": sign(sender.auth_token, STATUS_URL, form)},
        )
        assert response.status_code == 200
    forged = callback("failed")
    refused = await stack.sms.client.post(
        "/webhooks/sms/twilio/status",
        data=forged,
        headers={"X-Twilio-Signature": sign("not-the-token", STATUS_URL, forged)},
    )
    assert refused.status_code == 403
    found = await statuses_of(sender.tenant, command.data.message_id, until=lambda f: len(f) >= 3, within=3)
    assert status_list(found) == ["accepted", "sent", "delivered"], "a late failure never undoes a delivery"


async def _count_at_least(stack: Stack, phone: str, count: int) -> bool:
    return int((await stats(stack, phone))["count"]) >= count


async def _publish_envelope(envelope: Any) -> None:
    nc = await nats.connect(ensure_infra().nats_url)
    try:
        await nc.jetstream().publish(
            subject_for(envelope), envelope.model_dump_json().encode(), headers=envelope_headers(envelope)
        )
    finally:
        await nc.close()


async def test_a_callback_that_beats_the_sends_commit_is_applied_by_the_send(stack: Stack) -> None:
    sender = await connect_sender(stack)
    customer = customer_number()
    sid = "SM" + uuid.uuid4().hex
    # Twilio answered the send and called back before this service recorded the MessageSid.
    for status in ("delivered", "sent"):
        form = {
            "MessageSid": sid,
            "MessageStatus": status,
            "From": sender.phone_number,
            "To": customer,
            "AccountSid": sender.account_sid,
            "NumSegments": "3",
        }
        response = await stack.sms.client.post(
            "/webhooks/sms/twilio/status",
            data=form,
            headers={"X-Twilio-Signature": sign(sender.auth_token, STATUS_URL, form)},
        )
        assert response.headers["x-masteria-outcome"] == "recorded"
    message = send_message(sender, customer, "cedo")
    command = Command.from_envelope(Envelope.wrap(message, tenant=sender.tenant, source="tests"))
    sending = stack.sms.service.http.state.sms.sending
    known = await stack.sms.service.http.state.sms.directory.for_send(sender.tenant, uuid.UUID(sender.id))
    payload = payload_of(command.content)
    assert payload is not None
    await sending._accepted(command, known, CreatedMessage(sid, "queued", 1), payload)
    found = await statuses_of(sender.tenant, message.message_id, until=lambda f: len(f) >= 3)
    assert status_list(found) == ["accepted", "sent", "delivered"]
    assert found[-1].segments == 3, "the callback's NumSegments is what Twilio billed"


async def test_two_replicas_share_the_senders_rate_and_a_stopped_one_loses_nothing(stack: Stack) -> None:
    sender = await connect_sender(stack, mps=5, mps_limit=5)
    commands = [dispatch(sender, customer_number(), f"lote {i}") for i in range(30)]
    async with stack.replica():
        await publish(*commands, tenant=sender.tenant)
        await wait_for(lambda: _count_at_least(stack, sender.phone_number, 8), within=10)
    # The second replica stopped with messages waiting for their turn: they go back to JetStream.
    # Within JetStream's ack_wait (30 s) too: anything the stopped replica held comes back by then.
    finals = await final_statuses(sender.tenant, [c.dispatch_id for c in commands], within=45)
    assert set(finals.values()) == {"delivered"}
    figures = await stats(stack, sender.phone_number)
    assert (figures["count"], figures["duplicates"]) == (30, 0)
    assert figures["max_in_any_1s_window"] <= 5, "both replicas draw from the one limiter in Redis"


async def test_a_short_code_keeps_its_hundred_per_second(stack: Stack) -> None:
    # Callbacks held back: this is about pacing, and here one process plays Twilio and the service.
    sender = await connect_sender(stack, mps=100, mps_limit=100, status_delay_ms=60000)
    commands = [dispatch(sender, customer_number(), f"flash {i}") for i in range(300)]
    await publish(*commands, tenant=sender.tenant)
    await wait_for(lambda: _count_at_least(stack, sender.phone_number, 300), within=20)
    figures = await stats(stack, sender.phone_number)
    assert (figures["count"], figures["duplicates"]) == (300, 0)
    assert figures["max_in_any_1s_window"] <= 100
    # The ceiling is exact; the pace reached depends on the machine (both apps share one event loop
    # here: 60 to 80 per second on a loaded two-core box, 21 on a slow one). The floor only catches a
    # pacer stuck far below its ceiling.
    assert figures["rate_per_s"] >= 15, figures

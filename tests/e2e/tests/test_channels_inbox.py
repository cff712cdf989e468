"""Issue 5's journeys: one inbox for WhatsApp and SMS, statuses, the 24-hour window, STOP, replays."""

from __future__ import annotations

import random
import time
from typing import Any

from masteria.devstack.harness import wait_for
from masteria.e2e.clients import Operator, Sandbox, SandboxNumber, TwilioSandbox, connect_sms, connect_whatsapp
from masteria.e2e.stack import RunningStack


async def conversation_with(operator: Operator, phone: str) -> dict[str, Any] | None:
    page = (await operator.get("/api/v1/conversations", q=phone)).json()
    for conversation in page["items"]:
        if conversation["contact"]["phone"] == phone:
            return conversation
    return None


async def message_in(operator: Operator, conversation_id: str, message_id: str) -> dict[str, Any] | None:
    thread = (await operator.get(f"/api/v1/conversations/{conversation_id}/messages")).json()
    return next((m for m in thread["items"] if m["id"] == message_id), None)


async def status_becomes(operator: Operator, conversation_id: str, message_id: str, status: str) -> dict[str, Any]:
    async def reached() -> dict[str, Any] | None:
        message = await message_in(operator, conversation_id, message_id)
        return message if message is not None and message["status"] == status else None

    return await wait_for(reached, within=15)


async def reply(operator: Operator, conversation_id: str, content: dict[str, Any]) -> dict[str, Any]:
    response = await operator.post(f"/api/v1/conversations/{conversation_id}/messages", {"content": content})
    assert response.status_code == 202, response.text
    body: dict[str, Any] = response.json()
    return body


def meta_message_event(number: SandboxNumber, sender: str, text: str, wamid: str, timestamp: int) -> dict[str, Any]:
    """A customer text exactly as Meta's webhook carries it, with a timestamp of our choosing."""
    return _meta_change(number, {
        "contacts": [{"profile": {"name": "Cliente"}, "wa_id": sender}],
        "messages": [{"from": sender, "id": wamid, "timestamp": str(timestamp), "type": "text",
                      "text": {"body": text}}],
    })


def meta_status_event(number: SandboxNumber, wamid: str, recipient: str, status: str, timestamp: int) -> dict[str, Any]:
    """One status of a message we sent, as Meta's webhook carries it."""
    entry: dict[str, Any] = {"id": wamid, "status": status, "timestamp": str(timestamp), "recipient_id": recipient}
    if status == "failed":
        entry["errors"] = [{"code": 131026, "title": "Message undeliverable", "message": "Message undeliverable",
                            "error_data": {"details": "Receiver is incapable of receiving this message"}}]
    return _meta_change(number, {"statuses": [entry]})


def _meta_change(number: SandboxNumber, value: dict[str, Any]) -> dict[str, Any]:
    return {"object": "whatsapp_business_account", "entry": [{"id": number.waba_id, "changes": [{"field": "messages",
            "value": {"messaging_product": "whatsapp", "metadata": {
                "display_phone_number": number.display_phone_number.replace(" ", "").replace("-", "").lstrip("+"),
                "phone_number_id": number.phone_number_id}, **value}}]}]}


async def test_an_agent_answers_whatsapp_and_sms_from_one_inbox_and_the_statuses_tick(
    stack: RunningStack, operator: Operator, sandbox: Sandbox
) -> None:
    number, _ = await connect_whatsapp(operator, sandbox, stack.config.gateway_url)
    await sandbox.meta_behaviour(number, statuses=["sent", "delivered"], status_delay_ms=50, read_after_ms=150)
    sender, _ = await connect_sms(operator, sandbox)
    twilio = TwilioSandbox(sandbox)
    await twilio.behaviour(sender, status_delay_ms=50)

    await sandbox.customer_writes(number, "Quero saber do meu pedido", sender="5511987650101", name="Joana")
    await twilio.customer_writes(sender, "Oi, é pelo SMS", customer="+5511987650102")
    whatsapp = await wait_for(lambda: conversation_with(operator, "+5511987650101"), within=10)
    sms = await wait_for(lambda: conversation_with(operator, "+5511987650102"), within=10)
    assert (whatsapp["channel"], sms["channel"]) == ("whatsapp_meta", "sms")

    sent_wa = await reply(operator, whatsapp["id"], {"kind": "text", "body": "Olá Joana! Seu pedido saiu hoje."})
    sent_sms = await reply(operator, sms["id"], {"kind": "text", "body": "Recebemos sua mensagem pelo SMS."})
    assert sent_wa["status"] == sent_sms["status"] == "queued"

    read = await status_becomes(operator, whatsapp["id"], sent_wa["id"], "read")
    assert read["external_id"].startswith("wamid.")
    delivered = await status_becomes(operator, sms["id"], sent_sms["id"], "delivered")
    assert delivered["external_id"].startswith("SM")

    [meta_send] = [e for e in await sandbox.meta_ledger(number) if e["to"] == "5511987650101"]
    assert meta_send["body"]["text"]["body"] == "Olá Joana! Seu pedido saiu hoje."
    [sms_send] = [e for e in await twilio.ledger(sender) if e["to"] == "+5511987650102"]
    assert sms_send["body"] == "Recebemos sua mensagem pelo SMS."


async def test_outside_the_24_hour_window_only_a_template_goes_and_the_agent_is_told_why(
    stack: RunningStack, operator: Operator, sandbox: Sandbox
) -> None:
    number, registered = await connect_whatsapp(operator, sandbox, stack.config.gateway_url)
    await sandbox.meta_behaviour(number, statuses=["sent", "delivered"], status_delay_ms=50)
    yesterday = int(time.time()) - 25 * 3600
    await sandbox.raw_webhook(number, payload=meta_message_event(
        number, "5511987650201", "Mensagem de ontem", "wamid.old-window-1", yesterday))
    conversation = await wait_for(lambda: conversation_with(operator, "+5511987650201"), within=10)
    detail = (await operator.get(f"/api/v1/conversations/{conversation['id']}")).json()
    assert detail["service_window"]["open"] is False

    refused = await operator.post(f"/api/v1/conversations/{conversation['id']}/messages",
                                  {"content": {"kind": "text", "body": "Ainda está aí?"}})
    assert refused.status_code == 422, refused.text
    problem = refused.json()
    assert problem["reason"] == "window_closed"
    assert "template" in problem["detail"]

    synced = await operator.post("/api/v1/whatsapp/templates/sync", {"phone_number_id": registered["id"]})
    assert synced.status_code in (200, 202), synced.text
    templates = (await operator.get("/api/v1/whatsapp/templates", number_id=registered["id"])).json()["items"]
    template = next(t for t in templates if t["status"] == "APPROVED" and _body_variables(t) == 1)
    content = {"kind": "template", "name": template["name"], "language": template["language"], "components": [
        {"type": "body", "parameters": [{"type": "text", "text": "Joana"}]}]}
    sent = await reply(operator, conversation["id"], content)
    await status_becomes(operator, conversation["id"], sent["id"], "delivered")
    assert [e["type"] for e in await sandbox.meta_ledger(number)] == ["template"]


def _body_variables(template: dict[str, Any]) -> int:
    return sum(len(v["variables"]) for v in template["variables"] if v["component"] == "body") \
        if isinstance(template.get("variables"), list) else -1


async def test_stop_opts_the_contact_out_and_a_later_send_is_refused_with_the_reason(
    stack: RunningStack, operator: Operator, sandbox: Sandbox
) -> None:
    sender, _ = await connect_sms(operator, sandbox)
    twilio = TwilioSandbox(sandbox)
    customer = "+5511987650301"
    await twilio.customer_writes(sender, "Oi", customer=customer)
    conversation = await wait_for(lambda: conversation_with(operator, customer), within=10)
    stop = await twilio.customer_writes(sender, "STOP", customer=customer)
    # Twilio confirms the opt-out to the customer itself (and would refuse a confirmation of ours: 21610).
    assert stop["opt_out_type"] == "STOP"
    assert stop["auto_reply"]

    async def opted_out() -> dict[str, Any] | None:
        contact = (await operator.get(f"/api/v1/contacts/{conversation['contact']['id']}")).json()
        consent = contact["consent"].get("sms")
        return contact if consent is not None and consent["allowed"] is False else None

    await wait_for(opted_out, within=10)
    refused = await operator.post(f"/api/v1/conversations/{conversation['id']}/messages",
                                  {"content": {"kind": "text", "body": "Promoção imperdível!"}})
    assert refused.status_code == 422, refused.text
    assert refused.json()["reason"] == "opted_out"
    assert [e for e in await twilio.ledger(sender) if e["to"] == customer] == []

    # START lifts it: the next reply goes.
    await twilio.customer_writes(sender, "START", customer=customer)

    async def allowed_again() -> dict[str, Any] | None:
        response = await operator.post(f"/api/v1/conversations/{conversation['id']}/messages",
                                       {"content": {"kind": "text", "body": "Bem-vinda de volta!"}})
        return response.json() if response.status_code == 202 else None

    await wait_for(allowed_again, within=10)
    await wait_for(lambda: _sent_to(twilio, sender, customer), within=10)


async def _sent_to(twilio: TwilioSandbox, sender: Any, customer: str) -> dict[str, Any] | None:
    return next((e for e in await twilio.ledger(sender) if e["to"] == customer), None)


async def test_duplicated_and_reordered_status_webhooks_leave_every_message_in_its_final_state(
    stack: RunningStack, operator: Operator, sandbox: Sandbox
) -> None:
    number, _ = await connect_whatsapp(operator, sandbox, stack.config.gateway_url)
    await sandbox.meta_behaviour(number, statuses=[])  # we play Meta's statuses ourselves, shuffled
    customer = "5511987650401"
    await sandbox.customer_writes(number, "Pode mandar as opções", sender=customer)
    conversation = await wait_for(lambda: conversation_with(operator, f"+{customer}"), within=10)
    sent = [await reply(operator, conversation["id"], {"kind": "text", "body": f"Opção {i}"}) for i in range(6)]

    async def all_accepted() -> list[dict[str, Any]] | None:
        ledger = await sandbox.meta_ledger(number)
        return ledger if len(ledger) == len(sent) else None

    ledger = await wait_for(all_accepted, within=15)
    now = int(time.time())
    # Even messages end read; odd ones fail after "sent" (a late failure of a delivered message is stale).
    journeys = {e["wamid"]: (["sent", "delivered", "read"] if i % 2 == 0 else ["sent", "failed"])
                for i, e in enumerate(sorted(ledger, key=lambda e: e["body"]["text"]["body"]))}
    events = [meta_status_event(number, wamid, customer, status, now + step)
              for wamid, steps in journeys.items() for step, status in enumerate(steps)] * 2
    random.Random(7).shuffle(events)
    for event in events:
        await sandbox.raw_webhook(number, payload=event)

    expected = {m["id"]: ("read" if i % 2 == 0 else "failed") for i, m in enumerate(sent)}

    async def settled() -> dict[str, str] | None:
        thread = (await operator.get(f"/api/v1/conversations/{conversation['id']}/messages")).json()
        statuses = {m["id"]: m["status"] for m in thread["items"] if m["id"] in expected}
        return statuses if statuses == expected else None

    await wait_for(settled, within=15)
    failed = await message_in(operator, conversation["id"], sent[1]["id"])
    assert failed is not None
    assert failed["error"]["code"] == "131026"
    assert failed["error"]["classification"] == "permanent"

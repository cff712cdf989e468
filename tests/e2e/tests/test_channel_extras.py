"""Issue 5's last gaps, end to end: an MMS picture stored and served in the inbox; Meta's account webhooks
(a paused template refused before Meta with the reason, a quality update moving the number's tier)."""

from __future__ import annotations

import base64
from typing import Any

from masteria.devstack.harness import wait_for
from masteria.e2e.clients import Operator, Sandbox, SandboxNumber, TwilioSandbox, connect_sms, connect_whatsapp
from masteria.e2e.stack import RunningStack

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4


async def conversation_with(operator: Operator, phone: str) -> dict[str, Any] | None:
    page = (await operator.get("/api/v1/conversations", q=phone)).json()
    return next((c for c in page["items"] if c["contact"]["phone"] == phone), None)


async def thread(operator: Operator, conversation_id: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = (await operator.get(f"/api/v1/conversations/{conversation_id}/messages")).json()[
        "items"
    ]
    return items


async def test_an_mms_picture_is_stored_and_the_inbox_serves_it(
    stack: RunningStack, operator: Operator, sandbox: Sandbox
) -> None:
    sender, _ = await connect_sms(operator, sandbox)
    twilio = TwilioSandbox(sandbox)
    customer = "+5511987650301"
    written = await twilio.http.post(
        "/_sandbox/twilio/customers/write",
        json={
            "from": customer,
            "to": sender.phone_number,
            "body": "a foto do produto",
            "media": [{"content_type": "image/png", "data_base64": base64.b64encode(PNG).decode()}],
        },
    )
    assert written.status_code == 200, written.text

    conversation = await wait_for(lambda: conversation_with(operator, customer), within=15)
    [message] = await thread(operator, conversation["id"])
    content = message["content"]
    assert (content["kind"], content["caption"], content["mime_type"]) == ("image", "a foto do produto", "image/png")
    assert content["size_bytes"] == len(PNG)
    served = await operator.get(f"/api/v1/media/{content['storage_key']}")
    assert served.status_code == 200, served.text
    assert served.content == PNG


async def pause(sandbox: Sandbox, number: SandboxNumber, name: str) -> None:
    templates = (await sandbox.http.get("/_sandbox/meta/templates", params={"waba_id": number.waba_id})).json()
    template_id = next(t["id"] for t in templates if t["name"] == name)
    answer = await sandbox.http.post(
        f"/_sandbox/meta/templates/{template_id}/status", json={"waba_id": number.waba_id, "event": "PAUSED"}
    )
    assert answer.status_code == 200, answer.text
    assert [d["status_code"] for d in answer.json()["deliveries"]] == [200], answer.text


async def test_a_template_meta_paused_is_refused_with_the_reason_and_a_downgrade_shows_in_settings(
    stack: RunningStack, operator: Operator, sandbox: Sandbox
) -> None:
    number, registered = await connect_whatsapp(operator, sandbox, stack.config.gateway_url)
    await sandbox.meta_behaviour(number, statuses=["sent", "delivered"], status_delay_ms=50)
    synced = await operator.post("/api/v1/whatsapp/templates/sync", {"phone_number_id": registered["id"]})
    assert synced.status_code == 200, synced.text
    await sandbox.customer_writes(number, "Oi, quero o cupom", sender="5511987650302")
    conversation = await wait_for(lambda: conversation_with(operator, "+5511987650302"), within=15)

    await pause(sandbox, number, "boas_vindas")
    templates = (await operator.get("/api/v1/whatsapp/templates", number_id=registered["id"], q="boas")).json()
    assert [t["status"] for t in templates["items"]] == ["PAUSED"]
    content = {
        "kind": "template",
        "name": "boas_vindas",
        "language": "pt_BR",
        "components": [{"type": "body", "parameters": [{"type": "text", "text": "Joana"}]}],
    }
    sent = await operator.post(f"/api/v1/conversations/{conversation['id']}/messages", {"content": content})
    assert sent.status_code == 202, sent.text

    async def failed() -> dict[str, Any] | None:
        found = next((m for m in await thread(operator, conversation["id"]) if m["id"] == sent.json()["id"]), None)
        return found if found is not None and found["status"] == "failed" else None

    message = await wait_for(failed, within=15)
    assert message["error"]["code"] == "132015"
    assert "paused by Meta" in message["error"]["title"]
    assert await sandbox.meta_ledger(number) == [], "nothing reached Meta"

    downgraded = await sandbox.http.post(
        f"/_sandbox/meta/numbers/{number.phone_number_id}/quality",
        json={"event": "DOWNGRADE", "current_limit": "TIER_250"},
    )
    assert downgraded.status_code == 200, downgraded.text
    numbers = (await operator.get("/api/v1/whatsapp/phone-numbers")).json()
    assert [n["messaging_limit_tier"] for n in numbers] == ["TIER_250"]

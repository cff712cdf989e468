"""The first journey: a customer writes on WhatsApp and the business reads it in its inbox."""

from __future__ import annotations

import time
from typing import Any

from masteria.devstack.harness import wait_for
from masteria.e2e.clients import Operator, Sandbox, connect_whatsapp
from masteria.e2e.stack import RunningStack


async def inbox_with(operator: Operator, text: str) -> dict[str, Any] | None:
    page = (await operator.get("/api/v1/conversations")).json()
    for conversation in page["items"]:
        if conversation["last_message_preview"] == text:
            return conversation
    return None


async def test_customer_writes_oi_and_the_business_reads_it_within_a_second(
    stack: RunningStack, operator: Operator, sandbox: Sandbox
) -> None:
    number, registered = await connect_whatsapp(operator, sandbox, stack.config.gateway_url)
    assert registered["webhook_url"] == f"{stack.config.gateway_url}/webhooks/whatsapp-meta"

    started = time.monotonic()
    delivery = await sandbox.customer_writes(number, "oi", sender="5511987650001", name="Joana")
    assert delivery["deliveries"][0]["status_code"] == 200
    conversation = await wait_for(lambda: inbox_with(operator, "oi"), within=5, interval=0.01)
    elapsed = time.monotonic() - started
    assert elapsed < 1.0, f"the message took {elapsed:.3f}s to reach the inbox"

    assert conversation["contact"] == {**conversation["contact"], "phone": "+5511987650001", "name": "Joana"}
    assert conversation["channel"] == "whatsapp_meta"
    assert conversation["unread_count"] == 1
    thread = (await operator.get(f"/api/v1/conversations/{conversation['id']}/messages")).json()
    [message] = thread["items"]
    assert message["content"] == {"kind": "text", "body": "oi", "preview_url": False}
    assert message["external_id"] == delivery["wamid"]


async def test_meta_duplicates_are_stored_once(stack: RunningStack, operator: Operator, sandbox: Sandbox) -> None:
    number, _ = await connect_whatsapp(operator, sandbox, stack.config.gateway_url)
    await sandbox.customer_writes(number, "repetida", copies=3)
    await sandbox.customer_writes(number, "marcador")
    conversation = await wait_for(lambda: inbox_with(operator, "marcador"), within=5)
    thread = (await operator.get(f"/api/v1/conversations/{conversation['id']}/messages")).json()
    assert [m["content"]["body"] for m in thread["items"]] == ["marcador", "repetida"]


async def test_aggregated_openapi_names_the_inbox_and_numbers(stack: RunningStack, operator: Operator) -> None:
    spec = (await operator.get("/api/v1/openapi.json")).json()
    assert "/api/v1/conversations/{conversation_id}/messages" in spec["paths"]
    assert "/api/v1/whatsapp/phone-numbers" in spec["paths"]

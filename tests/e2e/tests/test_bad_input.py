"""Bad input is answered with a reason and nothing is half-done."""

from __future__ import annotations

import httpx

from masteria.devstack.harness import wait_for
from masteria.e2e.clients import Operator, Sandbox, connect_whatsapp
from masteria.e2e.stack import RunningStack

from .test_first_message import inbox_with


async def test_wrong_signature_is_401_and_nothing_reaches_the_inbox(
    stack: RunningStack, operator: Operator, sandbox: Sandbox
) -> None:
    number, _ = await connect_whatsapp(operator, sandbox, stack.config.gateway_url)
    forged = await sandbox.customer_writes(number, "forjada", signature="invalid")
    missing = await sandbox.customer_writes(number, "sem assinatura", signature="missing")
    assert forged["deliveries"][0]["status_code"] == 401
    assert missing["deliveries"][0]["status_code"] == 401
    await sandbox.customer_writes(number, "verdadeira")
    conversation = await wait_for(lambda: inbox_with(operator, "verdadeira"), within=5)
    thread = (await operator.get(f"/api/v1/conversations/{conversation['id']}/messages")).json()
    assert [m["content"]["body"] for m in thread["items"]] == ["verdadeira"]


async def test_malformed_body_is_400_and_unknown_number_is_acknowledged(
    stack: RunningStack, operator: Operator, sandbox: Sandbox
) -> None:
    number, _ = await connect_whatsapp(operator, sandbox, stack.config.gateway_url)
    malformed = await sandbox.raw_webhook(number, raw_body="{this is not json")
    assert malformed["deliveries"][0]["status_code"] == 400
    stranger = await sandbox.new_meta_number(f"{stack.config.gateway_url}/webhooks/whatsapp-meta")
    unknown = await sandbox.customer_writes(stranger, "ninguém me registrou")
    assert unknown["deliveries"][0]["status_code"] == 200


async def test_wrong_verify_token_is_403(stack: RunningStack) -> None:
    async with httpx.AsyncClient(base_url=stack.config.gateway_url) as client:
        response = await client.get("/webhooks/whatsapp-meta", params={
            "hub.mode": "subscribe", "hub.verify_token": "not-ours", "hub.challenge": "42"})
    assert response.status_code == 403
    assert response.headers["content-type"].startswith("application/problem+json")


async def test_invalid_signup_is_422_naming_the_field(stack: RunningStack) -> None:
    async with httpx.AsyncClient(base_url=stack.config.gateway_url) as client:
        response = await client.post("/auth/signup", json={
            "email": "not-an-email", "password": "correct-horse-battery", "name": "X", "tenant_name": "Y"})
    assert response.status_code == 422
    assert any(error["field"] == "email" for error in response.json()["errors"])

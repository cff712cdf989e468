"""Issue 6's cadence journeys through the gateway and the sandbox: a second step (SMS) that goes only to the
customers who did not answer the first (WhatsApp), and a reply that stops the cadence. The sandbox ledgers
say what each customer really received.

Delays are given in seconds, a unit the campaigns service accepts only with CAMPAIGNS_CADENCE_ALLOW_SECONDS=1
(the e2e stack's overrides set it).
Seconds rather than a time-scale factor: scaling time would also squeeze business hours and days, so the
timers under test would not run the arithmetic production runs; a seconds unit changes nothing but the unit.
"""

from __future__ import annotations

from typing import Any

from masteria.devstack.harness import wait_for
from masteria.e2e.clients import Operator, Sandbox, TwilioSandbox, connect_sms, connect_whatsapp
from masteria.e2e.stack import RunningStack

# Long enough for a customer's answer to the first step to reach campaigns before the second falls due.
SECOND_STEP_AFTER_S = 12


class Shop:
    """An operator with a WhatsApp number and an SMS sender, and customers who already wrote in."""

    def __init__(self, stack: RunningStack, operator: Operator, sandbox: Sandbox) -> None:
        self.stack, self.operator, self.sandbox = stack, operator, sandbox
        self.twilio = TwilioSandbox(sandbox)

    async def open(self) -> None:
        self.number, self.whatsapp = await connect_whatsapp(self.operator, self.sandbox, self.stack.config.gateway_url)
        await self.sandbox.meta_behaviour(self.number, statuses=["sent", "delivered"], status_delay_ms=50)
        self.sender, self.sms = await connect_sms(self.operator, self.sandbox)
        await self.twilio.behaviour(self.sender, status_delay_ms=50)

    async def customer(self, wa_id: str, name: str) -> str:
        """A customer writes first (the service window opens); their contact id in crm."""
        await self.sandbox.customer_writes(self.number, "Olá, vi o anúncio", sender=wa_id, name=name)

        async def contact_id() -> str | None:
            page = (await self.operator.get("/api/v1/contacts", q=f"+{wa_id}")).json()
            return next((c["id"] for c in page["items"] if c["phone"] == f"+{wa_id}"), None)

        found: str = await wait_for(contact_id, within=15)
        return found

    async def cadence(self, *, stop_on_reply: bool, second_condition: str) -> dict[str, Any]:
        body = {
            "name": "Follow-up do anúncio",
            "stop_on_reply": stop_on_reply,
            "steps": [
                {"channel": "whatsapp_meta", "channel_account_id": self.whatsapp["id"],
                 "content": {"kind": "text", "body": "Oi {{first_name}}! Posso te ajudar com o pedido?"},
                 "delay": {"value": 0, "unit": "seconds"}},
                {"channel": "sms", "channel_account_id": self.sms["id"], "condition": second_condition,
                 "content": {"kind": "text", "body": "{{first_name|Cliente}}, ainda posso ajudar? Responda SIM."},
                 "delay": {"value": SECOND_STEP_AFTER_S, "unit": "seconds"}},
            ],
        }
        created = await self.operator.post("/api/v1/cadences", body)
        assert created.status_code == 201, created.text
        activated = await self.operator.post(f"/api/v1/cadences/{created.json()['id']}/activate")
        assert activated.status_code == 200, activated.text
        cadence: dict[str, Any] = activated.json()
        return cadence

    async def enrol(self, cadence: dict[str, Any], contact_ids: list[str]) -> None:
        """Enrol by hand; crm's contact events may still be on their way to campaigns, so ask until all are in."""
        path = f"/api/v1/cadences/{cadence['id']}/enrolments"

        async def all_in() -> bool:
            response = await self.operator.post(path, {"contact_ids": contact_ids})
            assert response.status_code == 200, response.text
            listed = (await self.operator.get(path)).json()["items"]
            return {e["contact_id"] for e in listed} == set(contact_ids)

        await wait_for(all_in, within=15, interval=0.3)

    async def whatsapp_to(self, wa_id: str) -> list[str]:
        return [e["body"]["text"]["body"] for e in await self.sandbox.meta_ledger(self.number)
                if e["to"] == wa_id and e["type"] == "text"]

    async def sms_to(self, wa_id: str) -> list[str]:
        return [e["body"] for e in await self.twilio.ledger(self.sender) if e["to"] == f"+{wa_id}"]

    async def enrolments(self, cadence: dict[str, Any]) -> dict[str, dict[str, Any]]:
        listed = (await self.operator.get(f"/api/v1/cadences/{cadence['id']}/enrolments")).json()["items"]
        return {e["contact_id"]: e for e in listed}

    async def stats(self, cadence: dict[str, Any]) -> dict[str, Any]:
        stats: dict[str, Any] = (await self.operator.get(f"/api/v1/cadences/{cadence['id']}/stats")).json()
        return stats


async def opened(stack: RunningStack, operator: Operator, sandbox: Sandbox) -> Shop:
    shop = Shop(stack, operator, sandbox)
    await shop.open()
    return shop


async def received_first_step(shop: Shop, wa_id: str, first_name: str) -> None:
    async def arrived() -> bool:
        return await shop.whatsapp_to(wa_id) == [f"Oi {first_name}! Posso te ajudar com o pedido?"]

    await wait_for(arrived, within=20, interval=0.2)


async def test_the_second_step_goes_only_to_the_customers_who_did_not_reply(
    stack: RunningStack, operator: Operator, sandbox: Sandbox
) -> None:
    shop = await opened(stack, operator, sandbox)
    ana_wa, bia_wa = "5511987650601", "5511987650602"
    ana, bia = await shop.customer(ana_wa, "Ana Souza"), await shop.customer(bia_wa, "Bia Lima")
    cadence = await shop.cadence(stop_on_reply=False, second_condition="no_reply")
    await shop.enrol(cadence, [ana, bia])

    await received_first_step(shop, ana_wa, "Ana")
    await received_first_step(shop, bia_wa, "Bia")
    await sandbox.customer_writes(shop.number, "Pode sim, quero falar com alguém", sender=ana_wa, name="Ana Souza")

    async def finished() -> dict[str, Any] | None:
        enrolments = await shop.enrolments(cadence)
        return enrolments if {e["state"] for e in enrolments.values()} == {"completed"} else None

    enrolments = await wait_for(finished, within=SECOND_STEP_AFTER_S + 30, interval=0.5)
    assert enrolments[ana]["last_reply_at"] is not None

    async def bia_got_the_sms() -> bool:
        return await shop.sms_to(bia_wa) == ["Bia, ainda posso ajudar? Responda SIM."]

    await wait_for(bia_got_the_sms, within=20, interval=0.3)
    assert await shop.sms_to(ana_wa) == []
    assert await shop.whatsapp_to(ana_wa) == ["Oi Ana! Posso te ajudar com o pedido?"]
    assert await shop.whatsapp_to(bia_wa) == ["Oi Bia! Posso te ajudar com o pedido?"]
    first, second = (await shop.stats(cadence))["steps"]
    assert (first["position"], first["sent"], first["replied"]) == (1, 2, 1)
    assert (second["position"], second["skipped_condition"], second["queued"] + second["sent"]) == (2, 1, 1)


async def test_a_reply_stops_the_cadence(stack: RunningStack, operator: Operator, sandbox: Sandbox) -> None:
    shop = await opened(stack, operator, sandbox)
    caio_wa, duda_wa = "5511987650611", "5511987650612"
    caio, duda = await shop.customer(caio_wa, "Caio Prado"), await shop.customer(duda_wa, "Duda Reis")
    cadence = await shop.cadence(stop_on_reply=True, second_condition="always")
    await shop.enrol(cadence, [caio, duda])

    await received_first_step(shop, caio_wa, "Caio")
    await sandbox.customer_writes(shop.number, "Já resolvi, obrigado", sender=caio_wa, name="Caio Prado")

    async def caio_stopped() -> dict[str, Any] | None:
        enrolment = (await shop.enrolments(cadence))[caio]
        return enrolment if enrolment["state"] == "stopped" else None

    stopped = await wait_for(caio_stopped, within=15, interval=0.3)
    assert (stopped["stop_reason"], stopped["next_run_at"]) == ("replied", None)

    async def duda_got_the_sms() -> bool:
        return await shop.sms_to(duda_wa) == ["Duda, ainda posso ajudar? Responda SIM."]

    await wait_for(duda_got_the_sms, within=SECOND_STEP_AFTER_S + 30, interval=0.5)
    assert (await shop.enrolments(cadence))[duda]["state"] == "completed"
    assert await shop.sms_to(caio_wa) == []
    assert await shop.whatsapp_to(caio_wa) == ["Oi Caio! Posso te ajudar com o pedido?"]
    stats = await shop.stats(cadence)
    assert stats["stop_reasons"] == {"replied": 1}
    assert stats["enrolments"] == {"total": 2, "active": 0, "completed": 1, "stopped": 1}
    assert stats["steps"][0]["replied"] == 1

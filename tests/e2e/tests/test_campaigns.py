"""Issue 6's campaign journeys through the gateway and the sandbox's Meta: who gets what, and control.

The sandbox's ledger is the witness: it records every message Meta accepted, so "exactly the tagged
contacts, each with their own name, nobody twice, nobody who opted out" is read from it, not from us.
"""

from __future__ import annotations

from typing import Any

from masteria.devstack.harness import wait_for
from masteria.e2e.campaigns import (
    add_contact,
    audience_counted,
    campaign,
    control,
    create_campaign,
    opt_out,
    reaches,
    settled,
    stats,
    template_texts,
    template_with,
)
from masteria.e2e.clients import Operator, Sandbox, SandboxNumber, connect_whatsapp
from masteria.e2e.stack import RunningStack

GREETING = template_with("{{first_name|Cliente}}")


async def whatsapp(operator: Operator, sandbox: Sandbox, stack: RunningStack) -> tuple[SandboxNumber, str]:
    number, registered = await connect_whatsapp(operator, sandbox, stack.config.gateway_url)
    await sandbox.meta_behaviour(number, statuses=["sent", "delivered"], status_delay_ms=50, read_after_ms=100)
    return number, str(registered["id"])


async def tagged(operator: Operator, tag: str, count: int, *, area: str) -> list[dict[str, Any]]:
    return [
        await add_contact(operator, f"+55{area}98765{i:04d}", f"{name} Souza", [tag])
        for i, name in enumerate(["Ana", "Bruno", "Carla", "Diego", "Elisa", "Fábio", "Gina", "Hugo"] * 10)
        if i < count
    ]


def campaign_body(tag: str, account: str, **overrides: Any) -> dict[str, Any]:
    return {
        "name": f"Campanha {tag}",
        "channel": "whatsapp_meta",
        "audience": {"filter": {"tags_any": [tag]}},
        "message": {"variants": [{"name": "A", "weight": 1, "content": GREETING}]},
        "messages_per_second": 50,
        "channel_account_ids": [account],
        **overrides,
    }


async def test_a_tagged_audience_gets_its_names_opted_out_never_and_a_repeat_is_a_duplicate(
    stack: RunningStack, operator: Operator, sandbox: Sandbox
) -> None:
    number, account = await whatsapp(operator, sandbox, stack)
    audience = await tagged(operator, "black-friday", 5, area="11")
    await add_contact(operator, "+5511912340001", "Fora Dalista", ["outros"])
    await add_contact(operator, "+5511912340002", "Sem Tag", [])
    await opt_out(operator, audience[4]["id"])
    await audience_counted(operator, "whatsapp_meta", {"filter": {"tags_any": ["black-friday"]}}, total=5, opted_out=1)

    first = await create_campaign(operator, **campaign_body("black-friday", account))
    await control(operator, first["id"], "launch", 202)
    done = await reaches(operator, first["id"], "completed")
    assert done["snapshot"]["total"] == 5
    assert done["snapshot"]["skipped_by_reason"] == {"opted_out": 1}

    sent = await template_texts(sandbox, number)
    assert sent == {c["phone"]: [c["name"].split()[0]] for c in audience[:4]}

    async def all_read() -> dict[str, Any] | None:
        now = await stats(operator, first["id"])
        return now if now["counts"]["read"] == 4 else None

    final = await wait_for(all_read, within=30)
    assert final["counts"]["skipped"] == 1
    assert (final["delivery_rate"], final["read_rate"]) == (1.0, 1.0)
    assert sum(point["delivered"] for point in final["series"]) == 4

    # The same message to the same audience inside the window: skipped and counted, nothing sent.
    again = await create_campaign(operator, **campaign_body("black-friday", account, name="De novo"))
    await control(operator, again["id"], "launch", 202)
    repeat = await reaches(operator, again["id"], "completed")
    assert repeat["snapshot"]["skipped_by_reason"] == {"duplicate": 4, "opted_out": 1}
    assert repeat["counts"]["skipped"] == 5
    assert await template_texts(sandbox, number) == sent

    edit = await operator.patch(f"/api/v1/campaigns/{first['id']}", {"name": "Outro nome"})
    assert edit.status_code == 409
    assert edit.json()["reason"] == "campaign_finished"


async def test_pause_holds_the_campaign_and_resume_finishes_it_without_repeats(
    stack: RunningStack, operator: Operator, sandbox: Sandbox
) -> None:
    number, account = await whatsapp(operator, sandbox, stack)
    audience = await tagged(operator, "pausa", 40, area="21")
    await audience_counted(operator, "whatsapp_meta", {"filter": {"tags_any": ["pausa"]}}, total=40)
    paced = await create_campaign(operator, **campaign_body("pausa", account, messages_per_second=5))
    await control(operator, paced["id"], "launch", 202)

    async def some_sent() -> bool:
        return sum(map(len, (await template_texts(sandbox, number)).values())) >= 3

    await wait_for(some_sent, within=30)
    paused = await control(operator, paced["id"], "pause")
    assert paused["state"] == "paused"
    held = await settled_in_flight(operator, paced["id"])
    sent_while_paused = sum(map(len, (await template_texts(sandbox, number)).values()))
    # Everything Meta got was dispatched before the pause; the rest waits.
    assert sent_while_paused == 40 - held["counts"]["pending"]
    assert held["counts"]["pending"] > 0
    edit = await operator.patch(f"/api/v1/campaigns/{paced['id']}", {"messages_per_second": 100})
    assert (edit.status_code, edit.json()["reason"]) == (409, "campaign_running")

    await control(operator, paced["id"], "resume")
    await reaches(operator, paced["id"], "completed", within=60)
    sent = await template_texts(sandbox, number)
    assert sorted(sent) == sorted(c["phone"] for c in audience)
    assert all(len(texts) == 1 for texts in sent.values())


async def settled_in_flight(operator: Operator, campaign_id: str) -> dict[str, Any]:
    """The paused campaign once what was in flight at the pause has its status."""

    async def quiet() -> dict[str, Any] | None:
        now = await campaign(operator, campaign_id)
        return now if now["counts"]["queued"] == 0 else None

    result: dict[str, Any] = await wait_for(quiet, within=30)
    return result


async def test_cancel_stops_for_good_and_counts_who_was_never_sent(
    stack: RunningStack, operator: Operator, sandbox: Sandbox
) -> None:
    number, account = await whatsapp(operator, sandbox, stack)
    await tagged(operator, "cancela", 30, area="31")
    await audience_counted(operator, "whatsapp_meta", {"filter": {"tags_any": ["cancela"]}}, total=30)
    slow = await create_campaign(operator, **campaign_body("cancela", account, messages_per_second=4))
    await control(operator, slow["id"], "launch", 202)

    async def started() -> bool:
        return sum(map(len, (await template_texts(sandbox, number)).values())) >= 2

    await wait_for(started, within=30)
    cancelled = await control(operator, slow["id"], "cancel")
    assert cancelled["state"] == "cancelled"
    final = await settled(operator, slow["id"])
    sent = sum(map(len, (await template_texts(sandbox, number)).values()))
    counts = final["counts"]
    assert counts["cancelled"] == 30 - sent
    assert counts["cancelled"] > 0
    resume = await operator.post(f"/api/v1/campaigns/{slow['id']}/resume")
    assert (resume.status_code, resume.json()["reason"]) == (409, "campaign_finished")

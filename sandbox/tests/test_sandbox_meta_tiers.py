"""The messaging limit: unique customers reached outside their window per moving 24 h; beyond it, 131048."""

import time
from typing import Any

import httpx

from masteria.sandbox.testing import WebhookReceiver, wait_until

PHONE_NUMBER_ID = "106540352242922"  # the conftest's number
SEND_URL = f"/graph/v21.0/{PHONE_NUMBER_ID}/messages"
AUTH = {"Authorization": "Bearer EAAG-sandbox-token"}
BEHAVIOUR_URL = f"/_sandbox/meta/numbers/{PHONE_NUMBER_ID}/behaviour"
TIER_URL = f"/_sandbox/meta/numbers/{PHONE_NUMBER_ID}/tier"
WRITE_URL = f"/_sandbox/meta/numbers/{PHONE_NUMBER_ID}/customers/write"
DAY_S = 24 * 3600


def template(to: str) -> dict[str, Any]:
    """A send of a seeded template (business-initiated unless the customer's window is open)."""
    body = {"type": "body", "parameters": [{"type": "text", "text": "Maria"}]}
    return {
        "messaging_product": "whatsapp",
        "to": to,
        "type": "template",
        "template": {"name": "boas_vindas", "language": {"code": "pt_BR"}, "components": [body]},
    }


def customers(count: int, start: int = 0) -> list[str]:
    return [f"5511980{i:06d}" for i in range(start, start + count)]


async def send(client: httpx.AsyncClient, payload: dict[str, Any]) -> httpx.Response:
    return await client.post(SEND_URL, json=payload, headers=AUTH)


def failed_statuses(receiver: WebhookReceiver) -> list[dict[str, Any]]:
    found = []
    for delivery in receiver.valid():
        for entry in delivery.json()["entry"]:
            for change in entry["changes"]:
                found.extend(s for s in change["value"].get("statuses", []) if s["status"] == "failed")
    return found


async def test_a_new_customer_beyond_the_tier_is_accepted_then_fails_with_131048(
    client: httpx.AsyncClient, register: Any, receiver: WebhookReceiver
) -> None:
    await register(receiver.url, messaging_limit_tier="TIER_50")
    await client.put(BEHAVIOUR_URL, json={"status_delay_ms": 20, "statuses": ["sent"]})
    reached = customers(50)
    answers = [await send(client, template(to)) for to in reached]
    assert {a.status_code for a in answers} == {200}

    over = await send(client, template("5511970000001"))
    again = await send(client, template(reached[0]))  # already reached today: not counted again

    assert over.status_code == 200, "Meta accepts the call: the limit is applied at delivery"
    refused_wamid = over.json()["messages"][0]["id"]
    await wait_until(lambda: failed_statuses(receiver), within_s=5, what="the failed status")
    [failed] = failed_statuses(receiver)
    assert failed["id"] == refused_wamid
    [error] = failed["errors"]
    assert (error["code"], error["title"]) == (131048, "Spam rate limit hit")
    assert error["error_data"]["details"].startswith("Message failed to send because there are restrictions")
    assert again.status_code == 200
    ledger = (await client.get("/_sandbox/meta/ledger")).json()
    assert [e["fails_with"] for e in ledger].count(131048) == 1
    tier = (await client.get(TIER_URL)).json()
    assert (tier["messaging_limit_tier"], tier["limit"], tier["reached"], tier["remaining"]) == ("TIER_50", 50, 50, 0)
    assert tier["frees_at"] > time.time() + DAY_S - 60
    stats = (await client.get("/_sandbox/meta/ledger/stats")).json()
    assert stats["failing"] == {"131048": 1}


async def test_customers_inside_their_window_are_not_counted(
    client: httpx.AsyncClient, register: Any, receiver: WebhookReceiver
) -> None:
    await register(receiver.url, messaging_limit_tier="TIER_50")
    await client.post(TIER_URL + "/reached", json={"wa_ids": customers(50)})
    wrote = "5511970000002"
    assert (await client.post(WRITE_URL, json={"from": wrote, "text": "oi"})).status_code == 200

    reply = await send(client, template(wrote))
    text = await send(client, {"messaging_product": "whatsapp", "to": wrote, "text": {"body": "olá"}})
    cold = await send(client, template("5511970000003"))

    assert reply.status_code == text.status_code == cold.status_code == 200
    ledger = (await client.get("/_sandbox/meta/ledger")).json()
    assert [e["fails_with"] for e in ledger] == [None, None, 131048]
    assert (await client.get(TIER_URL)).json()["reached"] == 50


async def test_tier_error_sync_refuses_at_once_and_records_nothing(
    client: httpx.AsyncClient, register: Any, receiver: WebhookReceiver
) -> None:
    await register(receiver.url, messaging_limit_tier="TIER_50")
    await client.patch(BEHAVIOUR_URL, json={"tier_error": "sync"})
    await client.post(TIER_URL + "/reached", json={"wa_ids": customers(50)})

    refused = await send(client, template("5511970000004"))

    assert refused.status_code == 400, refused.text
    error = refused.json()["error"]
    assert (error["code"], error["message"]) == (131048, "(#131048) Spam rate limit hit")
    assert error["error_data"]["messaging_product"] == "whatsapp"
    assert (await client.get("/_sandbox/meta/ledger")).json() == []


async def test_the_window_is_moving_24_hours_from_each_customers_first_send(
    client: httpx.AsyncClient, register: Any, receiver: WebhookReceiver
) -> None:
    await register(receiver.url, messaging_limit_tier="TIER_50")
    now = time.time()
    await client.post(TIER_URL + "/reached", json={"wa_ids": customers(25), "at": now - DAY_S - 1})
    await client.post(TIER_URL + "/reached", json={"wa_ids": customers(25, 100), "at": now - DAY_S + 60})
    await client.post(TIER_URL + "/reached", json={"wa_ids": customers(25, 200), "at": now - 3600})

    tier = (await client.get(TIER_URL)).json()

    assert (tier["reached"], tier["remaining"]) == (50, 0)
    assert abs(tier["frees_at"] - (now + 60)) < 5
    assert (await client.delete(TIER_URL + "/reached")).json()["reached"] == 0


async def test_the_tier_is_set_through_the_behaviour_and_graph_reports_it(
    client: httpx.AsyncClient, number: dict[str, Any]
) -> None:
    assert (await client.get(BEHAVIOUR_URL)).json()["messaging_limit_tier"] == "TIER_1K"

    patched = await client.patch(BEHAVIOUR_URL, json={"messaging_limit_tier": "TIER_250"})
    replaced = await client.put(BEHAVIOUR_URL, json={"status_delay_ms": 10})  # omits the tier: kept
    profile = await client.get(
        f"/graph/v21.0/{PHONE_NUMBER_ID}", params={"fields": "messaging_limit_tier"}, headers=AUTH
    )

    assert patched.json()["messaging_limit_tier"] == "TIER_250"
    assert (replaced.json()["messaging_limit_tier"], replaced.json()["status_delay_ms"]) == ("TIER_250", 10)
    assert profile.json() == {"messaging_limit_tier": "TIER_250", "id": PHONE_NUMBER_ID}
    assert (await client.get(TIER_URL)).json()["limit"] == 250
    assert (await client.patch(BEHAVIOUR_URL, json={"messaging_limit_tier": "TIER_3K"})).status_code == 422


async def test_an_unlimited_number_counts_nobody(
    client: httpx.AsyncClient, register: Any, receiver: WebhookReceiver
) -> None:
    await register(receiver.url, messaging_limit_tier="TIER_UNLIMITED")
    for to in customers(5):
        assert (await send(client, template(to))).status_code == 200
    tier = (await client.get(TIER_URL)).json()
    assert (tier["limit"], tier["reached"], tier["remaining"]) == (None, 0, None)

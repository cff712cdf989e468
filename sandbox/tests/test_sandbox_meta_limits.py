"""Throughput (130429), pair rate (131056), injected faults, the 24 h window (131047) and behaviour control."""

import time
from typing import Any

import httpx
import pytest

from masteria.sandbox.testing import WebhookReceiver, wait_until

PHONE_NUMBER_ID = "106540352242922"  # the conftest's number
SEND_URL = f"/graph/v21.0/{PHONE_NUMBER_ID}/messages"
AUTH = {"Authorization": "Bearer EAAG-sandbox-token"}
BEHAVIOUR_URL = f"/_sandbox/meta/numbers/{PHONE_NUMBER_ID}/behaviour"
PROGRESS_URL = f"/_sandbox/meta/numbers/{PHONE_NUMBER_ID}/statuses"
WRITE_URL = f"/_sandbox/meta/numbers/{PHONE_NUMBER_ID}/customers/write"
TEMPLATE = {
    "name": "boas_vindas",
    "language": {"code": "pt_BR"},
    "components": [{"type": "body", "parameters": [{"type": "text", "text": "Maria"}]}],
}


def text(to: str = "5511999990001", body: str = "olá") -> dict[str, Any]:
    """A text send."""
    return {"messaging_product": "whatsapp", "to": to, "type": "text", "text": {"body": body}}


def template(to: str = "5511999990001") -> dict[str, Any]:
    """A send of a seeded template."""
    return {"messaging_product": "whatsapp", "to": to, "type": "template", "template": TEMPLATE}


async def behave(client: httpx.AsyncClient, **behaviour: Any) -> dict[str, Any]:
    """Replace the number's behaviour."""
    response = await client.put(BEHAVIOUR_URL, json=behaviour)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def ledger(client: httpx.AsyncClient) -> list[dict[str, Any]]:
    """Accepted sends."""
    entries: list[dict[str, Any]] = (await client.get("/_sandbox/meta/ledger")).json()
    return entries


def assert_graph_error(response: httpx.Response, status: int, code: int) -> dict[str, Any]:
    """The answer is Graph's error JSON with this HTTP status and code."""
    assert response.status_code == status, response.text
    error: dict[str, Any] = response.json()["error"]
    assert error["code"] == code
    assert error["type"] == "OAuthException"
    assert error["message"]
    assert error["fbtrace_id"]
    return error


@pytest.fixture
async def open_windows(client: httpx.AsyncClient, number: dict[str, Any]) -> dict[str, Any]:
    """The number with the window check off, so texts go to anyone."""
    await behave(client, enforce_window=False)
    return number


async def test_sends_beyond_mps_get_130429_and_are_not_recorded(
    client: httpx.AsyncClient, open_windows: dict[str, Any]
) -> None:
    await behave(client, mps_limit=5, enforce_window=False)

    answers = [await client.post(SEND_URL, json=text(body=f"m{i}"), headers=AUTH) for i in range(12)]

    accepted = [a for a in answers if a.status_code == 200]
    assert len(accepted) == 5
    for refused in answers[5:]:
        error = assert_graph_error(refused, 400, 130429)
        assert error["message"] == "(#130429) Rate limit hit"
        assert error["error_data"] == {
            "messaging_product": "whatsapp",
            "details": "Cloud API message throughput has been reached.",
        }
    assert [e["body"]["text"]["body"] for e in await ledger(client)] == [f"m{i}" for i in range(5)]
    stats = (await client.get("/_sandbox/meta/ledger/stats")).json()
    assert stats["max_in_any_1s_window"] == 5

    async def accepted_again() -> bool:
        return (await client.post(SEND_URL, json=text(body="later"), headers=AUTH)).status_code == 200

    await wait_until(accepted_again, within_s=3, what="the 1-second window to move on")
    assert (await client.get("/_sandbox/meta/ledger/stats")).json()["max_in_any_1s_window"] <= 5


async def test_pair_rate_limit_is_per_recipient(client: httpx.AsyncClient, number: dict[str, Any]) -> None:
    await behave(client, pair_limit={"burst": 3, "per_seconds": 60}, enforce_window=False)

    same = [await client.post(SEND_URL, json=text("5511999990001"), headers=AUTH) for _ in range(4)]
    other = await client.post(SEND_URL, json=text("5511999990002"), headers=AUTH)

    assert [a.status_code for a in same[:3]] == [200, 200, 200]
    error = assert_graph_error(same[3], 400, 131056)
    assert error["message"] == "(#131056) (Business Account, Consumer Account) pair rate limit hit"
    assert error["error_data"]["details"]
    assert other.status_code == 200
    assert len(await ledger(client)) == 4


async def test_pair_bucket_refills(client: httpx.AsyncClient, number: dict[str, Any]) -> None:
    await behave(client, pair_limit={"burst": 1, "per_seconds": 0.2}, enforce_window=False)

    assert (await client.post(SEND_URL, json=text(), headers=AUTH)).status_code == 200
    assert (await client.post(SEND_URL, json=text(), headers=AUTH)).status_code == 400

    async def refilled() -> bool:
        return (await client.post(SEND_URL, json=text(), headers=AUTH)).status_code == 200

    await wait_until(refilled, within_s=3, what="the pair bucket to refill")


@pytest.mark.parametrize(
    ("behaviour", "status", "code"),
    [
        pytest.param({"fault_429_rate": 1.0}, 429, 4, id="429"),
        pytest.param({"fault_5xx_rate": 1.0}, 500, 131000, id="5xx"),
        pytest.param({"fault_timeout_rate": 1.0, "timeout_s": 0.2}, 503, 2, id="timeout"),
    ],
)
async def test_faulted_requests_are_not_recorded_and_send_no_status(
    client: httpx.AsyncClient,
    number: dict[str, Any],
    receiver: WebhookReceiver,
    behaviour: dict[str, Any],
    status: int,
    code: int,
) -> None:
    await behave(client, enforce_window=False, status_delay_ms=0, **behaviour)

    started = time.monotonic()
    response = await client.post(SEND_URL, json=text(), headers=AUTH)

    error = assert_graph_error(response, status, code)
    assert error["is_transient"] is True
    if "timeout_s" in behaviour:
        assert time.monotonic() - started >= 0.2
    assert await ledger(client) == []
    assert (await client.get(PROGRESS_URL)).json()["scheduled"] == 0


async def test_seeded_faults_repeat_and_only_accepted_sends_get_statuses(
    client: httpx.AsyncClient, number: dict[str, Any], receiver: WebhookReceiver
) -> None:
    faults = {"fault_429_rate": 0.2, "fault_5xx_rate": 0.1, "fault_timeout_rate": 0.1, "timeout_s": 0.0}

    async def run() -> list[int]:
        await behave(client, enforce_window=False, statuses=["sent"], status_delay_ms=0, seed=42, **faults)
        return [(await client.post(SEND_URL, json=text(body=f"m{i}"), headers=AUTH)).status_code for i in range(200)]

    first = await run()
    second = await run()

    assert first == second
    counts = {code: first.count(code) for code in set(first)}
    assert set(counts) == {200, 429, 500, 503}
    assert 90 < counts[200] < 150  # 60% expected
    accepted = await ledger(client)
    assert len(accepted) == 2 * counts[200]

    async def all_statuses() -> bool:
        progress = (await client.get(PROGRESS_URL)).json()
        return bool(progress["delivered"] == progress["scheduled"] == len(accepted))

    await wait_until(all_statuses, what="a status for every accepted send")
    received = {s["id"] for d in receiver.valid() for s in d.json()["entry"][0]["changes"][0]["value"]["statuses"]}
    assert received == {e["wamid"] for e in accepted}


async def test_text_outside_the_window_is_accepted_then_fails_with_131047(
    client: httpx.AsyncClient, number: dict[str, Any], receiver: WebhookReceiver
) -> None:
    await behave(client, status_delay_ms=0)  # enforce_window is on by default

    response = await client.post(SEND_URL, json=text(), headers=AUTH)

    assert response.status_code == 200
    wamid = response.json()["messages"][0]["id"]
    await wait_until(lambda: len(receiver.valid()) >= 1, what="the failed status")
    (status,) = receiver.valid()[0].json()["entry"][0]["changes"][0]["value"]["statuses"]
    assert (status["id"], status["status"]) == (wamid, "failed")
    (error,) = status["errors"]
    assert (error["code"], error["title"]) == (131047, "Re-engagement message")
    assert "24 hours" in error["error_data"]["details"]
    assert (await ledger(client))[0]["fails_with"] == 131047


async def test_window_error_sync_refuses_at_once(client: httpx.AsyncClient, number: dict[str, Any]) -> None:
    await behave(client, window_error="sync")

    response = await client.post(SEND_URL, json=text(), headers=AUTH)

    error = assert_graph_error(response, 400, 131047)
    assert error["message"] == "(#131047) Re-engagement message"
    assert await ledger(client) == []


async def test_customer_message_opens_the_window_and_25h_closes_it(
    client: httpx.AsyncClient, number: dict[str, Any], receiver: WebhookReceiver
) -> None:
    await behave(client, window_error="sync")
    await client.post(WRITE_URL, json={"from": "5511999990001", "text": "oi"})
    window = (
        await client.get(
            "/_sandbox/meta/customers/window", params={"phone_number_id": PHONE_NUMBER_ID, "wa_id": "5511999990001"}
        )
    ).json()
    assert window["open"] is True
    assert window["expires_at"] == pytest.approx(window["last_message_at"] + 24 * 3600)

    assert (await client.post(SEND_URL, json=text(), headers=AUTH)).status_code == 200

    closed = await client.post(
        "/_sandbox/meta/customers/window",
        json={
            "phone_number_id": PHONE_NUMBER_ID,
            "wa_id": "+5511999990001",
            "last_message_at": time.time() - 25 * 3600,
        },
    )
    assert closed.status_code == 200
    assert closed.json()["open"] is False
    assert_graph_error(await client.post(SEND_URL, json=text(), headers=AUTH), 400, 131047)
    # Templates are what may go outside the window.
    assert (await client.post(SEND_URL, json=template(), headers=AUTH)).status_code == 200
    reopened = await client.post(
        "/_sandbox/meta/customers/window",
        json={"phone_number_id": PHONE_NUMBER_ID, "wa_id": "5511999990001", "last_message_at": "2030-01-01T00:00:00Z"},
    )
    assert reopened.json()["open"] is True
    forgotten = await client.post(
        "/_sandbox/meta/customers/window",
        json={"phone_number_id": PHONE_NUMBER_ID, "wa_id": "5511999990001", "last_message_at": None},
    )
    assert forgotten.json() == {
        "phone_number_id": PHONE_NUMBER_ID,
        "wa_id": "5511999990001",
        "last_message_at": None,
        "expires_at": None,
        "open": False,
    }


async def test_an_old_customer_message_does_not_open_the_window(
    client: httpx.AsyncClient, number: dict[str, Any], receiver: WebhookReceiver
) -> None:
    await behave(client, window_error="sync")

    await client.post(WRITE_URL, json={"from": "5511999990001", "text": "oi", "timestamp": int(time.time()) - 90_000})

    assert_graph_error(await client.post(SEND_URL, json=text(), headers=AUTH), 400, 131047)


async def test_a_burst_opens_its_customers_windows(
    client: httpx.AsyncClient, number: dict[str, Any], receiver: WebhookReceiver
) -> None:
    await behave(client, window_error="sync")
    response = await client.post(
        f"/_sandbox/meta/numbers/{PHONE_NUMBER_ID}/customers/burst", json={"count": 3, "customers": 3}
    )
    job_id = response.json()["job_id"]

    async def done() -> bool:
        return bool((await client.get(f"/_sandbox/jobs/{job_id}")).json()["done"])

    await wait_until(done, what="the burst")
    senders = {m["from"] for m in (await client.get(f"/_sandbox/jobs/{job_id}/messages")).json()}
    for sender in senders:
        assert (await client.post(SEND_URL, json=text(sender), headers=AUTH)).status_code == 200


async def test_behaviour_defaults_and_updates(client: httpx.AsyncClient, number: dict[str, Any]) -> None:
    defaults = (await client.get(BEHAVIOUR_URL)).json()
    assert defaults == {
        "status_delay_ms": 200,
        "statuses": ["sent", "delivered"],
        "read_after_ms": None,
        "status_flush_ms": 50,
        "status_batch_max": 100,
        "status_concurrency": 4,
        "mps_limit": None,
        "pair_limit": None,
        "fault_429_rate": 0.0,
        "fault_5xx_rate": 0.0,
        "fault_timeout_rate": 0.0,
        "timeout_s": 5.0,
        "permanent_failure_rate": 0.0,
        "enforce_window": True,
        "window_error": "status",
        "messaging_limit_tier": "TIER_1K",
        "tier_error": "status",
        "seed": None,
    }

    replaced = await behave(client, mps_limit=80, pair_limit={"burst": 45})
    patched = (await client.patch(BEHAVIOUR_URL, json={"status_delay_ms": 10})).json()

    assert replaced["pair_limit"] == {"burst": 45, "per_seconds": 6.0}
    assert (patched["mps_limit"], patched["status_delay_ms"]) == (80, 10)
    assert (await client.get(BEHAVIOUR_URL)).json() == patched
    # PUT replaces: what it omits goes back to the default.
    assert (await behave(client, seed=1))["mps_limit"] is None


@pytest.mark.parametrize(
    "body",
    [
        {"fault_429_rate": 0.6, "fault_5xx_rate": 0.6},
        {"fault_5xx_rate": 1.5},
        {"statuses": ["sent", "bounced"]},
        {"mps_limit": 0},
        {"pair_limit": {"burst": 0}},
        {"no_such_field": 1},
    ],
)
async def test_bad_behaviour_is_refused(client: httpx.AsyncClient, number: dict[str, Any], body: Any) -> None:
    assert (await client.put(BEHAVIOUR_URL, json=body)).status_code == 422
    assert (await client.patch(BEHAVIOUR_URL, json=body)).status_code == 422

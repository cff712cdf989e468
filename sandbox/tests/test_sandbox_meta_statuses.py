"""Status webhooks: signed, batched per number, after the configured delay, echoing the send's callback data."""

import time
from typing import Any

import httpx

from masteria.sandbox.testing import WebhookReceiver, wait_until

PHONE_NUMBER_ID = "106540352242922"  # the conftest's number
SEND_URL = f"/graph/v21.0/{PHONE_NUMBER_ID}/messages"
AUTH = {"Authorization": "Bearer EAAG-sandbox-token"}
BEHAVIOUR_URL = f"/_sandbox/meta/numbers/{PHONE_NUMBER_ID}/behaviour"
PROGRESS_URL = f"/_sandbox/meta/numbers/{PHONE_NUMBER_ID}/statuses"


def text(to: str, body: str = "olá", **extra: Any) -> dict[str, Any]:
    """A text send."""
    return {"messaging_product": "whatsapp", "to": to, "type": "text", "text": {"body": body}, **extra}


async def behave(client: httpx.AsyncClient, **behaviour: Any) -> dict[str, Any]:
    """Replace the number's behaviour."""
    response = await client.put(BEHAVIOUR_URL, json=behaviour)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def send(client: httpx.AsyncClient, payload: dict[str, Any]) -> str:
    """Send and return the wamid."""
    response = await client.post(SEND_URL, json=payload, headers=AUTH)
    assert response.status_code == 200, response.text
    wamid: str = response.json()["messages"][0]["id"]
    return wamid


def statuses(receiver: WebhookReceiver) -> list[dict[str, Any]]:
    """Every status in every validly signed delivery, in arrival order."""
    found = []
    for delivery in receiver.valid():
        for entry in delivery.json()["entry"]:
            for change in entry["changes"]:
                found.extend(change["value"].get("statuses", []))
    return found


async def wait_statuses(receiver: WebhookReceiver, count: int) -> list[dict[str, Any]]:
    """Wait until `count` statuses arrived."""
    await wait_until(lambda: len(statuses(receiver)) >= count, within_s=10, what=f"{count} statuses")
    return statuses(receiver)


async def test_statuses_arrive_signed_batched_and_echo_callback_data(
    client: httpx.AsyncClient, number: dict[str, Any], receiver: WebhookReceiver
) -> None:
    await behave(client, status_delay_ms=30, status_flush_ms=100, enforce_window=False)
    before = int(time.time())
    wamids = [
        await send(client, text(f"55119000000{i:02d}", biz_opaque_callback_data=f"dispatch-{i}")) for i in range(30)
    ]

    received = await wait_statuses(receiver, 60)

    assert all(d.signature_valid for d in receiver.received)
    # Batched: far fewer POSTs than statuses, one entry (the WABA) with one change per POST.
    assert len(receiver.received) < 20
    for delivery in receiver.received:
        event = delivery.json()
        assert event["object"] == "whatsapp_business_account"
        (entry,) = event["entry"]
        assert entry["id"] == number["waba_id"]
        (change,) = entry["changes"]
        assert change["field"] == "messages"
        assert change["value"]["metadata"] == {
            "display_phone_number": number["display_phone_number"],
            "phone_number_id": PHONE_NUMBER_ID,
        }
    by_wamid: dict[str, list[dict[str, Any]]] = {}
    for status in received:
        by_wamid.setdefault(status["id"], []).append(status)
    assert set(by_wamid) == set(wamids)
    for i, wamid in enumerate(wamids):
        sent, delivered = by_wamid[wamid]
        assert (sent["status"], delivered["status"]) == ("sent", "delivered")
        for status in (sent, delivered):
            assert status["recipient_id"] == f"55119000000{i:02d}"
            assert status["biz_opaque_callback_data"] == f"dispatch-{i}"
            assert before <= int(status["timestamp"]) <= time.time()
            assert status["pricing"] == {"billable": False, "pricing_model": "CBP", "category": "service"}
            assert status["conversation"]["origin"] == {"type": "service"}
            assert "errors" not in status
        # Meta gives the conversation's expiry with `sent` only.
        assert int(sent["conversation"]["expiration_timestamp"]) > time.time() + 23 * 3600
        assert "expiration_timestamp" not in delivered["conversation"]
        assert sent["conversation"]["id"] == delivered["conversation"]["id"]
    # The receiver has every status before the dispatcher has counted the last POST's answer.
    async def counted() -> bool:
        return bool((await client.get(PROGRESS_URL)).json()["delivered"] == 60)

    await wait_until(counted, what="the dispatcher to count every status delivered")
    progress = (await client.get(PROGRESS_URL)).json()
    assert progress["scheduled"] == progress["delivered"] == 60
    assert (progress["pending"], progress["in_flight"], progress["failed_posts"]) == (0, 0, 0)
    assert progress["posts"] == len(receiver.received)


async def test_the_send_answer_does_not_wait_for_statuses(
    client: httpx.AsyncClient, number: dict[str, Any], receiver: WebhookReceiver
) -> None:
    await behave(client, status_delay_ms=60_000, enforce_window=False)

    started = time.monotonic()
    await send(client, text("5511999990001"))

    assert time.monotonic() - started < 1.0
    progress = (await client.get(PROGRESS_URL)).json()
    assert (progress["scheduled"], progress["pending"], progress["delivered"]) == (2, 2, 0)
    assert receiver.received == []


async def test_statuses_follow_the_configured_delay(
    client: httpx.AsyncClient, number: dict[str, Any], receiver: WebhookReceiver
) -> None:
    await behave(client, status_delay_ms=300, status_flush_ms=0, statuses=["sent", "delivered"], enforce_window=False)

    sent_at = time.time()
    await send(client, text("5511999990001"))
    await wait_statuses(receiver, 2)

    first, second = receiver.received[0], receiver.received[-1]
    assert first.received_at - sent_at >= 0.29
    assert second.received_at - sent_at >= 0.59
    assert [s["status"] for s in statuses(receiver)] == ["sent", "delivered"]


async def test_read_after_ms_adds_a_read_status(
    client: httpx.AsyncClient, number: dict[str, Any], receiver: WebhookReceiver
) -> None:
    await behave(client, status_delay_ms=10, statuses=["sent", "delivered"], read_after_ms=200, enforce_window=False)

    wamid = await send(client, text("5511999990001"))

    received = await wait_statuses(receiver, 3)
    assert [(s["id"], s["status"]) for s in received] == [(wamid, "sent"), (wamid, "delivered"), (wamid, "read")]
    assert "pricing" not in received[2]


async def test_no_statuses_when_the_list_is_empty(
    client: httpx.AsyncClient, number: dict[str, Any], receiver: WebhookReceiver
) -> None:
    await behave(client, statuses=[], enforce_window=False)

    await send(client, text("5511999990001"))

    assert (await client.get(PROGRESS_URL)).json()["scheduled"] == 0


async def test_permanent_failure_is_accepted_then_failed_with_131026(
    client: httpx.AsyncClient, number: dict[str, Any], receiver: WebhookReceiver
) -> None:
    await behave(client, status_delay_ms=10, permanent_failure_rate=1.0, read_after_ms=5, enforce_window=False)

    wamid = await send(client, text("5511999990001", biz_opaque_callback_data="d-1"))

    sent, failed = await wait_statuses(receiver, 2)
    assert (sent["id"], sent["status"]) == (wamid, "sent")
    assert failed == {
        "id": wamid,
        "status": "failed",
        "timestamp": failed["timestamp"],
        "recipient_id": "5511999990001",
        "biz_opaque_callback_data": "d-1",
        "errors": [
            {
                "code": 131026,
                "title": "Message undeliverable",
                "message": "Message undeliverable",
                "error_data": {"details": "Message Undeliverable."},
                "href": "https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/",
            }
        ],
    }
    (entry,) = (await client.get("/_sandbox/meta/ledger")).json()
    assert (entry["wamid"], entry["fails_with"]) == (wamid, 131026)
    progress = (await client.get(PROGRESS_URL)).json()
    assert progress["scheduled"] == 2  # no read after a failure


async def test_batches_hold_at_most_status_batch_max(
    client: httpx.AsyncClient, number: dict[str, Any], receiver: WebhookReceiver
) -> None:
    await behave(
        client, status_delay_ms=0, statuses=["sent"], status_batch_max=4, status_flush_ms=500, enforce_window=False
    )

    for i in range(20):
        await send(client, text(f"55119000001{i:02d}"))

    await wait_statuses(receiver, 20)
    sizes = [len(d.json()["entry"][0]["changes"][0]["value"]["statuses"]) for d in receiver.received]
    assert sum(sizes) == 20
    assert max(sizes) <= 4


async def test_failed_deliveries_are_retried_until_acknowledged(
    client: httpx.AsyncClient, number: dict[str, Any], receiver: WebhookReceiver
) -> None:
    await behave(client, status_delay_ms=0, statuses=["sent"], enforce_window=False)
    receiver.fail_next = 3

    wamid = await send(client, text("5511999990001"))

    async def delivered() -> bool:
        return bool((await client.get(PROGRESS_URL)).json()["delivered"] == 1)

    await wait_until(delivered, what="the status to be acknowledged")
    progress = (await client.get(PROGRESS_URL)).json()
    assert (progress["posts"], progress["failed_posts"]) == (4, 3)
    # Retries resend the same signed bytes.
    assert len({d.raw for d in receiver.received}) == 1
    assert statuses(receiver)[0]["id"] == wamid


async def test_statuses_follow_a_reregistered_webhook(
    client: httpx.AsyncClient, number: dict[str, Any], register: Any
) -> None:
    other = WebhookReceiver(app_secret="rotated-secret")
    await other.start()
    try:
        await register(other.url, app_secret="rotated-secret")
        await behave(client, status_delay_ms=0, statuses=["sent"], enforce_window=False)

        await send(client, text("5511999990001"))

        received = await wait_statuses(other, 1)
        assert received[0]["status"] == "sent"
    finally:
        await other.stop()


async def test_control_api_for_unknown_number(client: httpx.AsyncClient) -> None:
    assert (await client.get("/_sandbox/meta/numbers/nope/statuses")).status_code == 404
    assert (await client.put("/_sandbox/meta/numbers/nope/behaviour", json={})).status_code == 404

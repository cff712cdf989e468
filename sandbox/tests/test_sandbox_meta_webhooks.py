"""Meta's webhook side: subscription handshake, signed customer messages, duplicates, raw payloads."""

import hashlib
import hmac
import json
import time
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest

from masteria.sandbox.testing import WebhookReceiver, free_port

Register = Callable[..., Awaitable[dict[str, Any]]]
PHONE_NUMBER_ID = "106540352242922"  # the conftest's number
ACCESS_TOKEN = "EAAG-sandbox-token"
APP_SECRET = "app-secret-for-tests"
WRITE_URL = f"/_sandbox/meta/numbers/{PHONE_NUMBER_ID}/customers/write"
RAW_URL = f"/_sandbox/meta/numbers/{PHONE_NUMBER_ID}/webhooks/raw"


async def test_handshake_verified_when_receiver_echoes_challenge(register: Register, receiver: WebhookReceiver) -> None:
    answer = (await register(receiver.url, verify_token=receiver.verify_token))["answer"]

    assert answer == {"phone_number_id": PHONE_NUMBER_ID, "verified": True, "status_code": 200}
    (params,) = receiver.handshakes
    assert params["hub.mode"] == "subscribe"
    assert params["hub.verify_token"] == receiver.verify_token
    assert params["hub.challenge"].isdigit()


async def test_handshake_not_verified_with_wrong_token(register: Register, receiver: WebhookReceiver) -> None:
    answer = (await register(receiver.url, verify_token="nope"))["answer"]

    assert (answer["verified"], answer["status_code"]) == (False, 403)


async def test_handshake_not_verified_when_body_is_not_the_challenge(
    register: Register, receiver: WebhookReceiver
) -> None:
    receiver.handshake_mode = "wrong_body"

    answer = (await register(receiver.url, verify_token=receiver.verify_token))["answer"]

    assert (answer["verified"], answer["status_code"]) == (False, 200)


async def test_handshake_with_nobody_listening(register: Register) -> None:
    answer = (await register(f"http://127.0.0.1:{free_port()}/webhook", verify_token="t"))["answer"]

    assert (answer["verified"], answer["status_code"]) == (False, None)
    assert "Connect" in answer["error"]


async def test_reregistering_replaces_the_number(client: httpx.AsyncClient, number: dict[str, Any]) -> None:
    body = {k: v for k, v in number.items() if k != "answer"}
    await client.post("/_sandbox/meta/numbers", json={**body, "access_token": "rotated"})
    send = {"messaging_product": "whatsapp", "to": "5511", "type": "text", "text": {"body": "x"}}
    url = f"/graph/v21.0/{PHONE_NUMBER_ID}/messages"

    old = await client.post(url, json=send, headers={"Authorization": f"Bearer {ACCESS_TOKEN}"})
    new = await client.post(url, json=send, headers={"Authorization": "Bearer rotated"})

    assert (old.status_code, new.status_code) == (401, 200)
    assert len((await client.get("/_sandbox/meta/numbers")).json()) == 1


async def test_customer_write_is_meta_shaped_and_signed(
    client: httpx.AsyncClient, number: dict[str, Any], receiver: WebhookReceiver
) -> None:
    before = int(time.time())

    response = await client.post(WRITE_URL, json={"from": "5511999990001", "name": "Maria", "text": "oi"})

    answer = response.json()
    assert answer["deliveries"] == [{"status_code": 200, "body": "EVENT_RECEIVED"}]
    (delivery,) = receiver.received
    assert delivery.signature_valid
    assert delivery.headers["content-type"] == "application/json"
    event = delivery.json()
    message = event["entry"][0]["changes"][0]["value"]["messages"][0]
    assert before <= int(message["timestamp"]) <= time.time()
    assert event == {
        "object": "whatsapp_business_account",
        "entry": [
            {
                "id": number["waba_id"],
                "changes": [
                    {
                        "field": "messages",
                        "value": {
                            "messaging_product": "whatsapp",
                            "metadata": {
                                "display_phone_number": number["display_phone_number"],
                                "phone_number_id": PHONE_NUMBER_ID,
                            },
                            "contacts": [{"profile": {"name": "Maria"}, "wa_id": "5511999990001"}],
                            "messages": [
                                {
                                    "from": "5511999990001",
                                    "id": answer["wamid"],
                                    "timestamp": message["timestamp"],
                                    "type": "text",
                                    "text": {"body": "oi"},
                                }
                            ],
                        },
                    }
                ],
            }
        ],
    }


async def test_signature_covers_the_raw_escaped_bytes(
    client: httpx.AsyncClient, number: dict[str, Any], receiver: WebhookReceiver
) -> None:
    text = "ação/café 🎉"

    await client.post(WRITE_URL, json={"from": "5511999990001", "text": text})

    (delivery,) = receiver.received
    assert delivery.signature_valid
    assert b"\\u00e7" in delivery.raw
    assert b"\\/" in delivery.raw
    assert delivery.json()["entry"][0]["changes"][0]["value"]["messages"][0]["text"]["body"] == text
    # A receiver that hashes a re-serialisation instead of the raw bytes would reject Meta's webhooks.
    reencoded = json.dumps(delivery.json(), separators=(",", ":"), ensure_ascii=False).encode()
    wrong = "sha256=" + hmac.new(APP_SECRET.encode(), reencoded, hashlib.sha256).hexdigest()
    assert wrong != delivery.headers["x-hub-signature-256"]


@pytest.mark.parametrize("mode", ["invalid", "missing"])
async def test_bad_signature_modes(
    client: httpx.AsyncClient, number: dict[str, Any], receiver: WebhookReceiver, mode: str
) -> None:
    response = await client.post(WRITE_URL, json={"from": "5511999990001", "text": "oi", "signature": mode})

    assert response.json()["deliveries"] == [{"status_code": 401, "body": "bad signature"}]
    (delivery,) = receiver.received
    assert not delivery.signature_valid
    header = delivery.headers.get("x-hub-signature-256")
    if mode == "missing":
        assert header is None
    else:
        assert header is not None
        assert header.startswith("sha256=")
        assert len(header) == 71


async def test_copies_are_identical_deliveries(
    client: httpx.AsyncClient, number: dict[str, Any], receiver: WebhookReceiver
) -> None:
    answer = (await client.post(WRITE_URL, json={"from": "5511999990001", "text": "oi", "copies": 3})).json()

    assert [d["status_code"] for d in answer["deliveries"]] == [200, 200, 200]
    assert len(receiver.valid()) == 3
    assert len({d.raw for d in receiver.received}) == 1
    assert receiver.distinct_wamids() == {answer["wamid"]}


async def test_each_write_has_a_new_wamid(
    client: httpx.AsyncClient, number: dict[str, Any], receiver: WebhookReceiver
) -> None:
    for _ in range(5):
        await client.post(WRITE_URL, json={"from": "5511999990001", "text": "oi"})

    assert len(receiver.distinct_wamids()) == 5


async def test_raw_payload_is_delivered_signed(
    client: httpx.AsyncClient, number: dict[str, Any], receiver: WebhookReceiver
) -> None:
    payload = {"object": "whatsapp_business_account", "entry": [{"id": "1", "changes": []}]}

    answer = (await client.post(RAW_URL, json={"payload": payload})).json()

    assert answer["deliveries"][0]["status_code"] == 200
    assert receiver.received[0].signature_valid
    assert receiver.received[0].json() == payload


async def test_raw_body_is_delivered_byte_for_byte(
    client: httpx.AsyncClient, number: dict[str, Any], receiver: WebhookReceiver
) -> None:
    answer = (await client.post(RAW_URL, json={"raw_body": "not json", "signature": "valid", "copies": 2})).json()

    assert len(answer["deliveries"]) == 2
    assert [d.raw for d in receiver.received] == [b"not json", b"not json"]
    assert all(d.signature_valid for d in receiver.received)


@pytest.mark.parametrize("body", [{}, {"payload": {}, "raw_body": "x"}, {"raw_body": None}])
async def test_raw_needs_exactly_one_body(client: httpx.AsyncClient, number: dict[str, Any], body: Any) -> None:
    assert (await client.post(RAW_URL, json=body)).status_code == 422


async def test_unknown_number_in_control_api(client: httpx.AsyncClient) -> None:
    response = await client.post("/_sandbox/meta/numbers/nope/customers/write", json={"from": "5511999", "text": "x"})

    assert response.status_code == 404


async def test_removed_number_stops_working(client: httpx.AsyncClient, number: dict[str, Any]) -> None:
    assert (await client.delete(f"/_sandbox/meta/numbers/{PHONE_NUMBER_ID}")).status_code == 204

    response = await client.get(f"/graph/v21.0/{PHONE_NUMBER_ID}", headers={"Authorization": f"Bearer {ACCESS_TOKEN}"})

    assert response.status_code == 401

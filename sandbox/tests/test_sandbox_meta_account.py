"""Account webhooks on demand: template verdicts and a number's quality/limit, in Meta's format, signed."""

from typing import Any

import httpx
import pytest

from masteria.sandbox.testing import WebhookReceiver

PHONE_NUMBER_ID = "106540352242922"  # the conftest's number
WABA = "102290129340398"
SEND_URL = f"/graph/v21.0/{PHONE_NUMBER_ID}/messages"
AUTH = {"Authorization": "Bearer EAAG-sandbox-token"}
QUALITY_URL = f"/_sandbox/meta/numbers/{PHONE_NUMBER_ID}/quality"


async def template_id(client: httpx.AsyncClient, name: str) -> str:
    templates = (await client.get("/_sandbox/meta/templates", params={"waba_id": WABA})).json()
    return str(next(t["id"] for t in templates if t["name"] == name))


def only_change(receiver: WebhookReceiver) -> tuple[dict[str, Any], dict[str, Any]]:
    """The single delivery's entry and change."""
    [delivery] = receiver.received
    assert delivery.signature_valid
    event = delivery.json()
    assert event["object"] == "whatsapp_business_account"
    [entry] = event["entry"]
    [change] = entry["changes"]
    return entry, change


def welcome(to: str = "5511999990001") -> dict[str, Any]:
    body = {"type": "body", "parameters": [{"type": "text", "text": "Maria"}]}
    return {
        "messaging_product": "whatsapp",
        "to": to,
        "type": "template",
        "template": {"name": "boas_vindas", "language": {"code": "pt_BR"}, "components": [body]},
    }


async def test_pausing_a_template_sends_metas_status_update_and_graph_then_refuses_it(
    client: httpx.AsyncClient, number: dict[str, Any], receiver: WebhookReceiver
) -> None:
    tid = await template_id(client, "boas_vindas")

    answer = await client.post(f"/_sandbox/meta/templates/{tid}/status", json={"waba_id": WABA, "event": "PAUSED"})

    assert answer.status_code == 200, answer.text
    assert answer.json()["deliveries"][0]["status_code"] == 200
    entry, change = only_change(receiver)
    assert entry["id"] == WABA
    assert isinstance(entry["time"], int)
    assert change["field"] == "message_template_status_update"
    value = change["value"]
    assert value["event"] == "PAUSED"
    assert value["message_template_id"] == int(tid)
    assert (value["message_template_name"], value["message_template_language"]) == ("boas_vindas", "pt_BR")
    assert (value["reason"], value["message_template_category"]) == ("NONE", "UTILITY")
    assert value["other_info"]["title"] == "FIRST_PAUSE"
    refused = await client.post(SEND_URL, json=welcome(), headers=AUTH)
    assert refused.status_code == 400
    assert refused.json()["error"]["code"] == 132015

    await client.post(f"/_sandbox/meta/templates/{tid}/status", json={"waba_id": WABA, "event": "REINSTATED"})
    assert (await client.post(SEND_URL, json=welcome(), headers=AUTH)).status_code == 200


async def test_a_rejection_carries_its_reason_and_a_disabled_template_its_date(
    client: httpx.AsyncClient, number: dict[str, Any], receiver: WebhookReceiver
) -> None:
    tid = await template_id(client, "lembrete_consulta")
    rejected = await client.post(
        f"/_sandbox/meta/templates/{tid}/status", json={"waba_id": WABA, "event": "REJECTED", "reason": "SCAM"}
    )
    other = await template_id(client, "confirmacao_pedido")
    disabled = await client.post(
        f"/_sandbox/meta/templates/{other}/status", json={"waba_id": WABA, "event": "DISABLED"}
    )

    assert rejected.json()["template"]["status"] == "REJECTED"
    assert rejected.json()["template"]["rejected_reason"] == "SCAM"
    assert rejected.json()["event"]["entry"][0]["changes"][0]["value"]["reason"] == "SCAM"
    value = disabled.json()["event"]["entry"][0]["changes"][0]["value"]
    assert value["event"] == "DISABLED"
    assert isinstance(value["disable_info"]["disable_date"], int)
    assert len(receiver.valid()) == 2
    listed = {
        t["name"]: t["status"] for t in (await client.get("/_sandbox/meta/templates", params={"waba_id": WABA})).json()
    }
    assert (listed["lembrete_consulta"], listed["confirmacao_pedido"]) == ("REJECTED", "DISABLED")


async def test_a_quality_downgrade_changes_the_numbers_tier_and_says_the_old_one(
    client: httpx.AsyncClient, number: dict[str, Any], receiver: WebhookReceiver
) -> None:
    answer = await client.post(QUALITY_URL, json={"event": "DOWNGRADE", "current_limit": "TIER_250"})

    assert answer.status_code == 200, answer.text
    entry, change = only_change(receiver)
    assert entry["id"] == WABA
    assert change["field"] == "phone_number_quality_update"
    assert change["value"] == {
        "display_phone_number": "15550001234",
        "event": "DOWNGRADE",
        "old_limit": "TIER_1K",
        "current_limit": "TIER_250",
        "max_daily_conversations_per_business": "TIER_250",
    }
    profile = await client.get(f"/graph/v21.0/{PHONE_NUMBER_ID}", headers=AUTH)
    assert profile.json()["messaging_limit_tier"] == "TIER_250"


async def test_flagged_and_unflagged_move_the_quality_rating(
    client: httpx.AsyncClient, number: dict[str, Any], receiver: WebhookReceiver
) -> None:
    flagged = await client.post(QUALITY_URL, json={"event": "FLAGGED"})
    after_flag = (await client.get(f"/graph/v21.0/{PHONE_NUMBER_ID}", headers=AUTH)).json()["quality_rating"]
    unflagged = await client.post(QUALITY_URL, json={"event": "UNFLAGGED", "quality_rating": "YELLOW"})
    after_unflag = (await client.get(f"/graph/v21.0/{PHONE_NUMBER_ID}", headers=AUTH)).json()["quality_rating"]

    assert (after_flag, after_unflag) == ("RED", "YELLOW")
    value = flagged.json()["event"]["entry"][0]["changes"][0]["value"]
    assert value == {
        "display_phone_number": "15550001234",
        "event": "FLAGGED",
        "current_limit": "TIER_1K",
        "max_daily_conversations_per_business": "TIER_1K",
    }
    assert unflagged.json()["number"] == {"messaging_limit_tier": "TIER_1K", "quality_rating": "YELLOW"}
    assert len(receiver.valid()) == 2


@pytest.mark.parametrize(
    "body", [{"event": "UPGRADE"}, {"event": "SIDEWAYS"}, {"event": "UPGRADE", "current_limit": "TIER_9K"}]
)
async def test_bad_quality_changes_are_refused(
    client: httpx.AsyncClient, number: dict[str, Any], body: dict[str, Any]
) -> None:
    assert (await client.post(QUALITY_URL, json=body)).status_code == 422


async def test_one_delivery_per_subscribed_app_and_the_signature_mode_is_honoured(
    client: httpx.AsyncClient, register: Any, receiver: WebhookReceiver
) -> None:
    await register(receiver.url)
    await register(receiver.url, phone_number_id="106540352242923", display_phone_number="15550001235")
    tid = await template_id(client, "boas_vindas")

    answer = await client.post(
        f"/_sandbox/meta/templates/{tid}/status", json={"waba_id": WABA, "event": "APPROVED", "signature": "invalid"}
    )

    assert len(answer.json()["deliveries"]) == 1, "two numbers of one app: one delivery"
    assert [d.signature_valid for d in receiver.received] == [False]
    unknown = await client.post("/_sandbox/meta/templates/1/status", json={"waba_id": WABA, "event": "APPROVED"})
    assert unknown.status_code == 404

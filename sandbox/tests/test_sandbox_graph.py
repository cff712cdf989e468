"""The Graph API stand-in: sends, errors and the ledger."""

import itertools
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest

PHONE_NUMBER_ID = "106540352242922"  # the conftest's number
SEND_URL = f"/graph/v21.0/{PHONE_NUMBER_ID}/messages"
AUTH = {"Authorization": "Bearer EAAG-sandbox-token"}


@pytest.fixture
async def number(register: Callable[..., Awaitable[dict[str, Any]]]) -> dict[str, Any]:
    """The test number; sends never reach its webhook, so no receiver needs to run."""
    return await register("http://127.0.0.1:9/webhook")


def text(to: str = "5511999990001", body: str = "olá") -> dict[str, Any]:
    """A valid text send."""
    return {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": to,
        "type": "text",
        "text": {"body": body, "preview_url": False},
    }


async def test_send_answers_like_meta_and_is_ledgered(client: httpx.AsyncClient, number: dict[str, Any]) -> None:
    payload = text(to="+55 11 99999-0001")

    response = await client.post(SEND_URL, json=payload, headers=AUTH)

    assert response.status_code == 200
    answer = response.json()
    wamid = answer["messages"][0]["id"]
    assert answer == {
        "messaging_product": "whatsapp",
        "contacts": [{"input": "+55 11 99999-0001", "wa_id": "5511999990001"}],
        "messages": [{"id": wamid}],
    }
    assert wamid.startswith("wamid.")
    assert len(wamid) > 30
    ledger = (await client.get("/_sandbox/meta/ledger", params={"phone_number_id": PHONE_NUMBER_ID})).json()
    assert len(ledger) == 1
    entry = ledger[0]
    assert (entry["wamid"], entry["to"], entry["type"], entry["body"]) == (wamid, payload["to"], "text", payload)
    assert entry["phone_number_id"] == PHONE_NUMBER_ID
    assert isinstance(entry["monotonic"], float)
    assert isinstance(entry["wall_time"], float)


async def test_every_send_gets_its_own_wamid(client: httpx.AsyncClient, number: dict[str, Any]) -> None:
    ids = set()
    for i in range(40):
        response = await client.post(SEND_URL, json=text(body=f"m{i}"), headers=AUTH)
        ids.add(response.json()["messages"][0]["id"])

    assert len(ids) == 40
    ledger = (await client.get("/_sandbox/meta/ledger")).json()
    assert [e["body"]["text"]["body"] for e in ledger] == [f"m{i}" for i in range(40)]
    assert all(a["monotonic"] <= b["monotonic"] for a, b in itertools.pairwise(ledger))


async def test_ledger_is_per_number_and_can_be_cleared(client: httpx.AsyncClient, number: dict[str, Any]) -> None:
    other = {k: v for k, v in number.items() if k != "answer"} | {"phone_number_id": "999", "access_token": "other"}
    await client.post("/_sandbox/meta/numbers", json=other)
    await client.post(SEND_URL, json=text(), headers=AUTH)
    await client.post("/graph/v21.0/999/messages", json=text(), headers={"Authorization": "Bearer other"})

    assert len((await client.get("/_sandbox/meta/ledger", params={"phone_number_id": "999"})).json()) == 1
    assert len((await client.get("/_sandbox/meta/ledger")).json()) == 2
    cleared = await client.delete("/_sandbox/meta/ledger")
    assert cleared.json() == {"deleted": 2}
    assert (await client.get("/_sandbox/meta/ledger")).json() == []


@pytest.mark.parametrize(
    ("path", "headers"),
    [
        pytest.param(SEND_URL, {"Authorization": "Bearer wrong"}, id="wrong-token"),
        pytest.param(SEND_URL, {}, id="no-token"),
        pytest.param(SEND_URL, {"Authorization": "Basic EAAG-sandbox-token"}, id="not-bearer"),
        pytest.param("/graph/v21.0/123456/messages", AUTH, id="unknown-number"),
    ],
)
async def test_refused_token_is_graph_error_190(
    client: httpx.AsyncClient, number: dict[str, Any], path: str, headers: dict[str, str]
) -> None:
    response = await client.post(path, json=text(), headers=headers)

    assert response.status_code == 401
    error = response.json()["error"]
    assert (error["type"], error["code"]) == ("OAuthException", 190)
    assert error["message"]
    assert error["fbtrace_id"]
    assert (await client.get("/_sandbox/meta/ledger")).json() == []


@pytest.mark.parametrize(
    "payload",
    [
        pytest.param({**text(), "messaging_product": "sms"}, id="wrong-product"),
        pytest.param({k: v for k, v in text().items() if k != "messaging_product"}, id="no-product"),
        pytest.param({k: v for k, v in text().items() if k != "to"}, id="no-to"),
        pytest.param({**text(), "to": "abc"}, id="to-without-digits"),
        pytest.param({**text(), "type": "fax"}, id="unknown-type"),
        pytest.param({"messaging_product": "whatsapp", "to": "5511", "type": "text"}, id="no-text-object"),
        pytest.param({**text(), "text": {"body": 5}}, id="body-not-string"),
        pytest.param({**text(), "text": {"body": "x" * 4097}}, id="body-too-long"),
        pytest.param({"messaging_product": "whatsapp", "to": "5511", "type": "image", "image": {}}, id="image-empty"),
        pytest.param(
            {"messaging_product": "whatsapp", "to": "5511", "type": "template", "template": {"name": "hello"}},
            id="template-no-language",
        ),
        pytest.param(
            {"messaging_product": "whatsapp", "to": "5511", "type": "contacts", "contacts": []}, id="contacts-empty"
        ),
        pytest.param(["not", "an", "object"], id="not-an-object"),
    ],
)
async def test_invalid_body_is_graph_error_100(client: httpx.AsyncClient, number: dict[str, Any], payload: Any) -> None:
    response = await client.post(SEND_URL, json=payload, headers=AUTH)

    assert response.status_code == 400
    error = response.json()["error"]
    assert (error["message"], error["type"], error["code"]) == ("(#100) Invalid parameter", "OAuthException", 100)
    assert error["error_data"]["details"]
    assert (await client.get("/_sandbox/meta/ledger")).json() == []


async def test_body_that_is_not_json_is_refused(client: httpx.AsyncClient, number: dict[str, Any]) -> None:
    response = await client.post(SEND_URL, content=b"{not json", headers=AUTH)

    assert response.status_code == 400
    assert response.json()["error"]["code"] == 100


@pytest.mark.parametrize(
    ("msg_type", "obj"),
    [
        ("template", {"name": "hello_world", "language": {"code": "en_US"}, "components": []}),
        ("image", {"link": "https://example.com/a.png"}),
        ("document", {"id": "1234567890", "filename": "a.pdf"}),
        ("audio", {"id": "99"}),
        ("video", {"link": "https://example.com/a.mp4"}),
        ("sticker", {"id": "7"}),
        (
            "interactive",
            {
                "type": "button",
                "body": {"text": "Sim?"},
                "action": {"buttons": [{"type": "reply", "reply": {"id": "y", "title": "Sim"}}]},
            },
        ),
        ("location", {"latitude": -23.55, "longitude": "-46.63", "name": "SP"}),
        ("reaction", {"message_id": "wamid.abc", "emoji": "👍"}),
        ("contacts", [{"name": {"formatted_name": "Ana", "first_name": "Ana"}}]),
    ],
)
async def test_other_message_types_are_accepted(
    client: httpx.AsyncClient, number: dict[str, Any], msg_type: str, obj: Any
) -> None:
    payload = {"messaging_product": "whatsapp", "to": "5511999990001", "type": msg_type, msg_type: obj}

    response = await client.post(SEND_URL, json=payload, headers=AUTH)

    assert response.status_code == 200, response.text
    assert (await client.get("/_sandbox/meta/ledger")).json()[0]["type"] == msg_type


async def test_omitted_type_means_text(client: httpx.AsyncClient, number: dict[str, Any]) -> None:
    payload = {"messaging_product": "whatsapp", "to": "5511999990001", "text": {"body": "oi"}}

    response = await client.post(SEND_URL, json=payload, headers=AUTH)

    assert response.status_code == 200
    assert (await client.get("/_sandbox/meta/ledger")).json()[0]["type"] == "text"


async def test_phone_number_profile(client: httpx.AsyncClient, number: dict[str, Any]) -> None:
    response = await client.get(f"/graph/v21.0/{PHONE_NUMBER_ID}", headers=AUTH)

    assert response.status_code == 200
    assert response.json() == {
        "id": PHONE_NUMBER_ID,
        "display_phone_number": number["display_phone_number"],
        "verified_name": "Master IA Sandbox",
        "quality_rating": "GREEN",
        "code_verification_status": "VERIFIED",
        "platform_type": "CLOUD_API",
        "throughput": {"level": "STANDARD"},
        "messaging_limit_tier": "TIER_1K",
        "name_status": "APPROVED",
    }
    refused = await client.get(f"/graph/v21.0/{PHONE_NUMBER_ID}", headers={"Authorization": "Bearer nope"})
    assert refused.status_code == 401


async def test_malformed_version_is_unknown_path(client: httpx.AsyncClient, number: dict[str, Any]) -> None:
    response = await client.post(f"/graph/21/{PHONE_NUMBER_ID}/messages", json=text(), headers=AUTH)

    assert response.status_code == 400
    assert response.json()["error"]["code"] == 2500


async def test_health(client: httpx.AsyncClient) -> None:
    assert (await client.get("/_sandbox/health")).json() == {"status": "ok"}

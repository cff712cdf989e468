"""The sandbox's Twilio control API: accounts, numbers, behaviour."""

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from masteria.sandbox.twilio.testing import in_process_sandbox

ACCOUNT_SID = "AC" + "1a" * 16
AUTH_TOKEN = "auth-token-for-tests"
NUMBER = "+15005550006"
BEHAVIOUR = f"/_sandbox/twilio/numbers/{NUMBER}/behaviour"


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    """A sandbox with the test account and its number."""
    async with in_process_sandbox() as box:
        await box.client.post("/_sandbox/twilio/accounts", json={"account_sid": ACCOUNT_SID, "auth_token": AUTH_TOKEN})
        body = {"account_sid": ACCOUNT_SID, "phone_number": NUMBER, "mps_limit": 10}
        assert (await box.client.post("/_sandbox/twilio/numbers", json=body)).status_code == 201
        yield box.client


async def test_accounts_are_listed(client: httpx.AsyncClient) -> None:
    accounts = (await client.get("/_sandbox/twilio/accounts")).json()

    assert accounts == [{"account_sid": ACCOUNT_SID, "auth_token": AUTH_TOKEN, "friendly_name": "Master IA Sandbox"}]


@pytest.mark.parametrize(
    "body",
    [{"account_sid": "nope", "auth_token": "t"}, {"account_sid": ACCOUNT_SID, "auth_token": ""}],
)
async def test_bad_accounts(client: httpx.AsyncClient, body: dict[str, Any]) -> None:
    assert (await client.post("/_sandbox/twilio/accounts", json=body)).status_code == 422


async def test_number_shows_its_registration_and_behaviour(client: httpx.AsyncClient) -> None:
    number = (await client.get(f"/_sandbox/twilio/numbers/{NUMBER}")).json()

    assert number["phone_number"] == NUMBER
    assert (number["kind"], number["sms_url"], number["messaging_service_sid"]) == ("long_code", None, None)
    assert number["behaviour"] == {
        "status_delay_ms": 200,
        "statuses": ["sent", "delivered"],
        "undelivered_rate": 0.0,
        "failed_rate": 0.0,
        "error_codes": [30003, 30005, 30006, 30007],
        "undelivered_to": {},
        "fault_429_rate": 0.0,
        "fault_5xx_rate": 0.0,
        "fault_timeout_rate": 0.0,
        "timeout_s": 5.0,
        "mps_limit": 10,
        "mps_counts": "messages",
        "webhook_retries": 1,
        "seed": None,
    }
    assert [n["phone_number"] for n in (await client.get("/_sandbox/twilio/numbers")).json()] == [NUMBER]
    listed = await client.get("/_sandbox/twilio/numbers", params={"account_sid": "ACother"})
    assert listed.json() == []


async def test_put_changes_only_the_fields_given(client: httpx.AsyncClient) -> None:
    await client.put(BEHAVIOUR, json={"fault_5xx_rate": 0.2})

    answer = await client.put(BEHAVIOUR, json={"status_delay_ms": 0})

    assert answer.status_code == 200
    assert (answer.json()["fault_5xx_rate"], answer.json()["status_delay_ms"]) == (0.2, 0)
    assert (await client.get(BEHAVIOUR)).json() == answer.json()


@pytest.mark.parametrize(
    "changes",
    [
        {"fault_429_rate": 0.6, "fault_5xx_rate": 0.6},
        {"undelivered_rate": 1.5},
        {"statuses": ["read"]},
        {"statuses": []},
        {"unknown": 1},
        {"mps_limit": 0},
    ],
)
async def test_bad_behaviour_is_refused(client: httpx.AsyncClient, changes: dict[str, Any]) -> None:
    before = (await client.get(BEHAVIOUR)).json()

    assert (await client.put(BEHAVIOUR, json=changes)).status_code == 422
    assert (await client.get(BEHAVIOUR)).json() == before


async def test_reregistering_keeps_sid_and_behaviour(client: httpx.AsyncClient) -> None:
    first = (await client.get(f"/_sandbox/twilio/numbers/{NUMBER}")).json()
    await client.put(BEHAVIOUR, json={"fault_5xx_rate": 0.5})

    body = {"account_sid": ACCOUNT_SID, "phone_number": NUMBER, "sms_url": "http://sms.test/in", "mps_limit": 3}
    again = (await client.post("/_sandbox/twilio/numbers", json=body)).json()

    assert again["sid"] == first["sid"]
    assert again["sms_url"] == "http://sms.test/in"
    assert (again["behaviour"]["fault_5xx_rate"], again["behaviour"]["mps_limit"]) == (0.5, 3)


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"account_sid": "ACunknown", "phone_number": "+15005550100"}, 404),
        ({"account_sid": ACCOUNT_SID, "phone_number": "12345"}, 422),
        ({"account_sid": ACCOUNT_SID, "phone_number": "+15005550100", "kind": "short_code"}, 422),
        ({"account_sid": ACCOUNT_SID, "phone_number": "+15005550100", "sms_url": "ftp://x"}, 422),
        ({"account_sid": ACCOUNT_SID, "phone_number": "+15005550100", "kind": "landline"}, 422),
    ],
)
async def test_bad_numbers(client: httpx.AsyncClient, body: dict[str, Any], status: int) -> None:
    assert (await client.post("/_sandbox/twilio/numbers", json=body)).status_code == status


async def test_a_number_cannot_move_to_another_account(client: httpx.AsyncClient) -> None:
    await client.post("/_sandbox/twilio/accounts", json={"account_sid": "ACother", "auth_token": "t"})

    response = await client.post("/_sandbox/twilio/numbers", json={"account_sid": "ACother", "phone_number": NUMBER})

    assert response.status_code == 409


async def test_removed_number_can_no_longer_send(client: httpx.AsyncClient) -> None:
    assert (await client.delete(f"/_sandbox/twilio/numbers/{NUMBER}")).status_code == 204

    form = {"From": NUMBER, "To": "+5511999990001", "Body": "oi"}
    response = await client.post(
        f"/twilio/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json", data=form, auth=(ACCOUNT_SID, AUTH_TOKEN)
    )

    assert response.json()["code"] == 21606
    assert (await client.get(f"/_sandbox/twilio/numbers/{NUMBER}")).status_code == 404
    assert (await client.get(BEHAVIOUR)).status_code == 404
    assert (await client.delete(f"/_sandbox/twilio/numbers/{NUMBER}")).status_code == 404


async def test_encoded_plus_in_the_path(client: httpx.AsyncClient) -> None:
    assert (await client.get("/_sandbox/twilio/numbers/%2B15005550006")).status_code == 200

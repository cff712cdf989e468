"""Twilio's Messages API in the sandbox: auth, Twilio's JSON and error codes, lookups, MPS limit, faults, ledger."""

import asyncio
import re
import time
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from masteria.sandbox.testing import wait_until
from masteria.sandbox.twilio.testing import InProcessSandbox, in_process_sandbox

ACCOUNT_SID = "AC" + "1a" * 16
AUTH_TOKEN = "auth-token-for-tests"
OTHER_SID = "AC" + "2b" * 16
NUMBER = "+15005550006"
CUSTOMER = "+5511999990001"
MESSAGES = f"/twilio/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json"
AUTH = (ACCOUNT_SID, AUTH_TOKEN)


@pytest.fixture
async def sandbox() -> AsyncIterator[InProcessSandbox]:
    """A sandbox with one account, its long code, and a second account."""
    async with in_process_sandbox() as box:
        for sid, token in ((ACCOUNT_SID, AUTH_TOKEN), (OTHER_SID, "other-token")):
            answer = await box.client.post("/_sandbox/twilio/accounts", json={"account_sid": sid, "auth_token": token})
            assert answer.status_code == 201, answer.text
        await register(box.client, NUMBER)
        yield box


@pytest.fixture
def client(sandbox: InProcessSandbox) -> httpx.AsyncClient:
    """The client of the in-process sandbox."""
    return sandbox.client


async def register(client: httpx.AsyncClient, phone: str, **extra: Any) -> dict[str, Any]:
    """Give the test account a number."""
    body = {"account_sid": ACCOUNT_SID, "phone_number": phone, "sms_url": "http://sms.test/inbound", **extra}
    answer = await client.post("/_sandbox/twilio/numbers", json=body)
    assert answer.status_code == 201, answer.text
    result: dict[str, Any] = answer.json()
    return result


async def behave(client: httpx.AsyncClient, *, phone: str = NUMBER, **changes: Any) -> dict[str, Any]:
    """Change a number's behaviour."""
    answer = await client.put(f"/_sandbox/twilio/numbers/{phone}/behaviour", json=changes)
    assert answer.status_code == 200, answer.text
    result: dict[str, Any] = answer.json()
    return result


async def send(client: httpx.AsyncClient, auth: Any = AUTH, **form: Any) -> httpx.Response:
    """POST Messages.json with defaults for From, To and Body."""
    fields = {"From": NUMBER, "To": CUSTOMER, "Body": "Olá, tudo bem?", **form}
    return await client.post(MESSAGES, data={k: v for k, v in fields.items() if v is not None}, auth=auth)


async def ledger(client: httpx.AsyncClient, **params: str) -> list[dict[str, Any]]:
    """The sandbox's ledger."""
    entries: list[dict[str, Any]] = (await client.get("/_sandbox/twilio/ledger", params=params)).json()
    return entries


def assert_twilio_error(response: httpx.Response, status: int, code: int) -> dict[str, Any]:
    """The answer is Twilio's error JSON with this status and code."""
    body: dict[str, Any] = response.json()
    assert response.status_code == status, response.text
    assert body["code"] == code
    assert body["status"] == status
    assert body["more_info"] == f"https://www.twilio.com/docs/errors/{code}"
    assert body["message"]
    return body


async def test_send_answers_twilio_message_json(client: httpx.AsyncClient) -> None:
    before = time.time()

    response = await send(client, Body="Olá, tudo bem?", StatusCallback="http://sms.test/status")

    assert response.status_code == 201, response.text
    message = response.json()
    assert re.fullmatch(r"SM[0-9a-f]{32}", message["sid"])
    assert message["status"] == "queued"
    assert (message["from"], message["to"], message["body"]) == (NUMBER, CUSTOMER, "Olá, tudo bem?")
    assert (message["num_segments"], message["num_media"]) == ("1", "0")
    assert (message["price"], message["error_code"], message["date_sent"]) == (None, None, None)
    assert message["account_sid"] == ACCOUNT_SID
    assert message["direction"] == "outbound-api"
    assert message["api_version"] == "2010-04-01"
    assert message["uri"] == f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages/{message['sid']}.json"
    assert message["date_created"].endswith("+0000")
    (entry,) = await ledger(client)
    assert before <= entry["wall_time"] <= time.time()
    assert entry | {"wall_time": 0, "monotonic": 0} == {
        "monotonic": 0,
        "wall_time": 0,
        "account_sid": ACCOUNT_SID,
        "sid": message["sid"],
        "from": NUMBER,
        "to": CUSTOMER,
        "body": "Olá, tudo bem?",
        "num_segments": 1,
        "num_media": 0,
        "media_urls": [],
        "status_callback": "http://sms.test/status",
        "messaging_service_sid": None,
        "fails_with": None,
    }


@pytest.mark.parametrize(
    ("body", "segments"),
    [("a" * 161, "2"), ("€" * 81, "2"), ("ç" * 71, "2"), ("🎉" * 35, "1"), ("🎉" * 36, "2")],
)
async def test_num_segments_is_counted_like_twilio(client: httpx.AsyncClient, body: str, segments: str) -> None:
    response = await send(client, Body=body)

    assert response.json()["num_segments"] == segments
    assert (await ledger(client))[0]["num_segments"] == int(segments)


async def test_media_makes_an_mms(client: httpx.AsyncClient) -> None:
    response = await send(client, Body=None, MediaUrl=["https://cdn.test/a.jpg", "https://cdn.test/b.png"])

    message = response.json()
    assert response.status_code == 201, response.text
    assert re.fullmatch(r"MM[0-9a-f]{32}", message["sid"])
    assert (message["num_media"], message["num_segments"]) == ("2", "1")
    assert (await ledger(client))[0]["media_urls"] == ["https://cdn.test/a.jpg", "https://cdn.test/b.png"]


@pytest.mark.parametrize(
    "auth",
    [None, (ACCOUNT_SID, "wrong-token"), ("ACnobody", AUTH_TOKEN), (OTHER_SID, "other-token")],
    ids=["missing", "wrong-token", "unknown-account", "another-accounts-credentials"],
)
async def test_bad_credentials_get_20003(client: httpx.AsyncClient, auth: Any) -> None:
    response = await send(client, auth=auth)

    body = assert_twilio_error(response, 401, 20003)
    assert body["message"] == "Authenticate"
    assert response.headers["www-authenticate"] == 'Basic realm="Twilio API"'
    assert await ledger(client) == []


async def test_rotated_token_replaces_the_old_one(client: httpx.AsyncClient) -> None:
    await client.post("/_sandbox/twilio/accounts", json={"account_sid": ACCOUNT_SID, "auth_token": "rotated"})

    assert (await send(client)).status_code == 401
    assert (await send(client, auth=(ACCOUNT_SID, "rotated"))).status_code == 201


@pytest.mark.parametrize(
    ("form", "status", "code"),
    [
        ({"To": None}, 400, 21604),
        ({"To": "5511999990001"}, 400, 21211),
        ({"To": "+55 11 99999"}, 400, 21211),
        ({"From": None}, 400, 21603),
        ({"From": "+15005550999"}, 400, 21606),
        ({"Body": None}, 400, 21602),
        ({"Body": ""}, 400, 21602),
        ({"Body": "x" * 1601}, 400, 21617),
        ({"MediaUrl": "ftp://nope"}, 400, 21620),
        ({"StatusCallback": "not a url"}, 400, 21609),
        ({"From": None, "MessagingServiceSid": "MGnope"}, 400, 21701),
    ],
)
async def test_invalid_sends_get_twilio_error_codes(
    client: httpx.AsyncClient, form: dict[str, Any], status: int, code: int
) -> None:
    assert_twilio_error(await send(client, **form), status, code)
    assert await ledger(client) == []


async def test_the_longest_body_is_accepted(client: httpx.AsyncClient) -> None:
    response = await send(client, Body="x" * 1600)

    assert response.status_code == 201
    assert response.json()["num_segments"] == "11"


async def test_a_number_of_another_account_is_not_a_valid_from(client: httpx.AsyncClient) -> None:
    body = {"account_sid": OTHER_SID, "phone_number": "+15005550100"}
    assert (await client.post("/_sandbox/twilio/numbers", json=body)).status_code == 201

    assert_twilio_error(await send(client, From="+15005550100"), 400, 21606)


async def test_messaging_service_sends_from_its_number(client: httpx.AsyncClient) -> None:
    await register(client, "+15005550007", messaging_service_sid="MG" + "3c" * 16)

    response = await send(client, From=None, MessagingServiceSid="MG" + "3c" * 16)

    assert response.status_code == 201, response.text
    assert response.json()["from"] == "+15005550007"
    assert response.json()["messaging_service_sid"] == "MG" + "3c" * 16


async def test_read_message_follows_its_status(client: httpx.AsyncClient) -> None:
    await behave(client, status_delay_ms=0)
    sid = (await send(client)).json()["sid"]
    url = f"/twilio/2010-04-01/Accounts/{ACCOUNT_SID}/Messages/{sid}.json"

    async def delivered() -> bool:
        return bool((await client.get(url, auth=AUTH)).json()["status"] == "delivered")

    await wait_until(delivered, within_s=5, what="delivered")
    message = (await client.get(url, auth=AUTH)).json()
    assert message["date_sent"] is not None
    assert_twilio_error(await client.get(url, auth=("ACnobody", "x")), 401, 20003)
    missing = f"/twilio/2010-04-01/Accounts/{ACCOUNT_SID}/Messages/SM{'0' * 32}.json"
    assert_twilio_error(await client.get(missing, auth=AUTH), 404, 20404)


async def test_account_lookup_verifies_credentials(client: httpx.AsyncClient) -> None:
    url = f"/twilio/2010-04-01/Accounts/{ACCOUNT_SID}.json"

    account = (await client.get(url, auth=AUTH)).json()

    assert (account["sid"], account["status"], account["type"]) == (ACCOUNT_SID, "active", "Full")
    assert account["uri"] == f"/2010-04-01/Accounts/{ACCOUNT_SID}.json"
    assert_twilio_error(await client.get(url, auth=(ACCOUNT_SID, "wrong")), 401, 20003)


async def test_incoming_phone_numbers_lookup(client: httpx.AsyncClient) -> None:
    await register(client, "+18005550100", kind="toll_free")
    await register(client, "12345", kind="short_code")
    url = f"/twilio/2010-04-01/Accounts/{ACCOUNT_SID}/IncomingPhoneNumbers.json"

    one = (await client.get(url, params={"PhoneNumber": NUMBER}, auth=AUTH)).json()
    every = (await client.get(url, auth=AUTH)).json()
    none = (await client.get(url, params={"PhoneNumber": "+15005550999"}, auth=AUTH)).json()

    (number,) = one["incoming_phone_numbers"]
    assert number["phone_number"] == NUMBER
    assert number["sms_url"] == "http://sms.test/inbound"
    assert number["capabilities"]["sms"] is True
    assert re.fullmatch(r"PN[0-9a-f]{32}", number["sid"])
    assert (one["page"], one["next_page_uri"]) == (0, None)
    assert {n["phone_number"] for n in every["incoming_phone_numbers"]} == {NUMBER, "+18005550100"}
    assert none["incoming_phone_numbers"] == []
    assert_twilio_error(await client.get(url, auth=("ACnobody", "x")), 401, 20003)


async def test_short_codes_lookup(client: httpx.AsyncClient) -> None:
    await register(client, "12345", kind="short_code")
    url = f"/twilio/2010-04-01/Accounts/{ACCOUNT_SID}/SMS/ShortCodes.json"

    answer = (await client.get(url, params={"ShortCode": "12345"}, auth=AUTH)).json()

    assert [c["short_code"] for c in answer["short_codes"]] == ["12345"]
    assert (await send(client, From="12345")).status_code == 201


async def test_mps_limit_refuses_the_excess_with_20429(client: httpx.AsyncClient) -> None:
    await behave(client, mps_limit=3)

    answers = [await send(client, Body=f"m{i}") for i in range(6)]

    assert [a.status_code for a in answers] == [201, 201, 201, 429, 429, 429]
    assert_twilio_error(answers[3], 429, 20429)
    assert [e["body"] for e in await ledger(client)] == ["m0", "m1", "m2"]

    async def accepted_again() -> bool:
        return (await send(client, Body="later")).status_code == 201

    await wait_until(accepted_again, within_s=3, what="the next one-second window")
    stats = (await client.get("/_sandbox/twilio/ledger/stats")).json()
    assert stats["count"] == 4
    assert stats["max_in_any_1s_window"] == 3


async def test_mps_limit_from_registration_and_counted_in_segments(client: httpx.AsyncClient) -> None:
    await register(client, "+15005550007", mps_limit=3)
    await behave(client, phone="+15005550007", mps_counts="segments")

    first = await send(client, From="+15005550007", Body="a" * 200)  # two segments
    second = await send(client, From="+15005550007", Body="a" * 200)
    third = await send(client, From="+15005550007", Body="short")

    assert [first.status_code, second.status_code, third.status_code] == [201, 429, 201]


async def test_mps_limit_is_per_sender(client: httpx.AsyncClient) -> None:
    await register(client, "+15005550007")
    await behave(client, mps_limit=1)

    assert (await send(client)).status_code == 201
    assert (await send(client)).status_code == 429
    assert (await send(client, From="+15005550007")).status_code == 201


@pytest.mark.parametrize(("fault", "status", "code"), [("fault_429_rate", 429, 20429), ("fault_5xx_rate", 500, 20500)])
async def test_faulted_requests_are_not_recorded(
    sandbox: InProcessSandbox, client: httpx.AsyncClient, fault: str, status: int, code: int
) -> None:
    changes: dict[str, Any] = {fault: 1.0, "status_delay_ms": 0}
    await behave(client, **changes)

    response = await send(client, StatusCallback="http://sms.test/status")

    assert_twilio_error(response, status, code)
    assert await ledger(client) == []
    # Nothing was scheduled, so no callback can ever come.
    assert sandbox.app.state.sandbox.twilio.tasks.pending == 0
    assert sandbox.capture.posts == []


async def test_timeout_fault_holds_then_answers_503(sandbox: InProcessSandbox, client: httpx.AsyncClient) -> None:
    await behave(client, fault_timeout_rate=1.0, timeout_s=0.2)
    started = time.monotonic()

    response = await send(client, StatusCallback="http://sms.test/status")

    assert time.monotonic() - started >= 0.2
    assert_twilio_error(response, 503, 20503)
    assert await ledger(client) == []
    assert sandbox.app.state.sandbox.twilio.tasks.pending == 0


async def test_seeded_faults_repeat(client: httpx.AsyncClient) -> None:
    async def run() -> list[int]:
        await behave(client, fault_429_rate=0.3, fault_5xx_rate=0.2, seed=42)
        return [(await send(client, Body=f"m{i}")).status_code for i in range(40)]

    first, second = await run(), await run()

    assert first == second
    assert {201, 429, 500} == set(first)
    assert len(await ledger(client)) == 2 * first.count(201)


async def test_ledger_stats(client: httpx.AsyncClient) -> None:
    await register(client, "+15005550007")
    for body in ("a", "b", "a"):
        await send(client, Body=body)
    await send(client, From="+15005550007", Body="a")
    await send(client, Body="a", To="+5511999990002")

    stats = (await client.get("/_sandbox/twilio/ledger/stats", params={"from": NUMBER})).json()
    every = (await client.get("/_sandbox/twilio/ledger/stats")).json()

    assert set(stats) == {
        "count",
        "first_wall_time",
        "last_wall_time",
        "span_s",
        "rate_per_s",
        "max_in_any_1s_window",
        "duplicates",
        "failing",
    }
    assert (stats["count"], stats["duplicates"], stats["max_in_any_1s_window"]) == (4, 1, 4)
    assert stats["first_wall_time"] <= stats["last_wall_time"]
    assert stats["rate_per_s"] > 0
    assert (every["count"], every["duplicates"]) == (5, 1)
    assert len(await ledger(client, to="+5511999990002")) == 1


async def test_a_different_status_callback_is_not_a_duplicate(client: httpx.AsyncClient) -> None:
    await send(client, Body="a", StatusCallback="http://sms.test/status?m=1")
    await send(client, Body="a", StatusCallback="http://sms.test/status?m=2")
    await send(client, Body="a", StatusCallback="http://sms.test/status?m=2")

    assert (await client.get("/_sandbox/twilio/ledger/stats")).json()["duplicates"] == 1


async def test_empty_ledger_stats_and_clearing(client: httpx.AsyncClient) -> None:
    assert (await client.get("/_sandbox/twilio/ledger/stats")).json() == {
        "count": 0,
        "first_wall_time": None,
        "last_wall_time": None,
        "span_s": 0.0,
        "rate_per_s": 0.0,
        "max_in_any_1s_window": 0,
        "duplicates": 0,
        "failing": {},
    }
    await send(client)
    await send(client)

    assert (await client.delete("/_sandbox/twilio/ledger")).json() == {"deleted": 2}
    assert await ledger(client) == []


async def test_ledger_knows_which_sends_will_fail(client: httpx.AsyncClient) -> None:
    await behave(client, undelivered_to={"+5511999990002": 30005}, failed_rate=1.0, error_codes=[30007])

    await send(client, To="+5511999990002")
    await send(client)

    assert [e["fails_with"] for e in await ledger(client)] == [30005, 30007]
    stats = (await client.get("/_sandbox/twilio/ledger/stats")).json()
    assert stats["failing"] == {"30005": 1, "30007": 1}


async def test_concurrent_sends_never_exceed_the_limit_in_any_second(client: httpx.AsyncClient) -> None:
    await behave(client, mps_limit=20)

    answers = await asyncio.gather(*(send(client, Body=f"m{i}") for i in range(300)))

    accepted = sum(a.status_code == 201 for a in answers)
    assert accepted >= 20
    assert accepted + sum(a.status_code == 429 for a in answers) == 300
    stats = (await client.get("/_sandbox/twilio/ledger/stats")).json()
    assert stats["count"] == accepted
    assert stats["max_in_any_1s_window"] == 20

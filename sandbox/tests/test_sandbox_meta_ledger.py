"""The ledger's entries and stats (rate, busiest second, duplicates), and the numbers' Meta profile."""

import itertools
import time
from typing import Any

import httpx
import pytest

from masteria.sandbox.meta.ledger import duplicate_count, max_in_any_window
from masteria.sandbox.meta.state import LedgerEntry

PHONE_NUMBER_ID = "106540352242922"  # the conftest's number
SEND_URL = f"/graph/v21.0/{PHONE_NUMBER_ID}/messages"
AUTH = {"Authorization": "Bearer EAAG-sandbox-token"}
STATS_URL = "/_sandbox/meta/ledger/stats"


@pytest.fixture
async def number(register: Any, client: httpx.AsyncClient) -> dict[str, Any]:
    """The test number with texts allowed to anyone and no statuses (these tests read the ledger)."""
    body: dict[str, Any] = await register("http://127.0.0.1:9/webhook")
    behaviour = {"enforce_window": False, "statuses": []}
    await client.put(f"/_sandbox/meta/numbers/{PHONE_NUMBER_ID}/behaviour", json=behaviour)
    return body


def text(to: str, body: str, callback: str | None = None) -> dict[str, Any]:
    """A text send, with `biz_opaque_callback_data` when given."""
    payload = {"messaging_product": "whatsapp", "to": to, "type": "text", "text": {"body": body}}
    if callback is not None:
        payload["biz_opaque_callback_data"] = callback
    return payload


def entry(monotonic: float, to: str = "1", body: str = "x", callback: str | None = None) -> LedgerEntry:
    """A ledger entry for the pure functions."""
    return LedgerEntry(monotonic, monotonic, "p", to, "text", {"text": {"body": body}}, "w", to, callback)


@pytest.mark.parametrize(
    ("times", "expected"),
    [
        ([], 0),
        ([5.0], 1),
        ([0.0, 0.5, 0.99, 1.0, 1.5], 3),  # [0, 1) and [0.5, 1.5) both hold three; 1.0 is outside [0, 1)
        ([0.0, 0.1, 0.2, 3.0, 3.1], 3),
        ([0.0] * 4 + [0.999] * 2, 6),
    ],
)
def test_max_in_any_window(times: list[float], expected: int) -> None:
    assert max_in_any_window(times) == expected


def test_duplicates_key_on_recipient_and_callback_data_or_body() -> None:
    entries = [
        entry(0, "1", "a", "d1"),
        entry(1, "1", "b", "d1"),  # same callback data: a retried send
        entry(2, "2", "a", "d1"),  # another recipient
        entry(3, "1", "a"),
        entry(4, "1", "a"),  # same body, no callback data
        entry(5, "1", "c"),
    ]

    assert duplicate_count(entries) == 2


async def test_entries_carry_wall_time_and_callback_data(client: httpx.AsyncClient, number: dict[str, Any]) -> None:
    before = time.time()
    response = await client.post(SEND_URL, json=text("+55 11 99999-0001", "oi", "dispatch-1"), headers=AUTH)

    (recorded,) = (await client.get("/_sandbox/meta/ledger")).json()
    assert recorded == {
        "monotonic": recorded["monotonic"],
        "wall_time": recorded["wall_time"],
        "phone_number_id": PHONE_NUMBER_ID,
        "to": "+55 11 99999-0001",
        "type": "text",
        "body": text("+55 11 99999-0001", "oi", "dispatch-1"),
        "wamid": response.json()["messages"][0]["id"],
        "wa_id": "5511999990001",
        "biz_opaque_callback_data": "dispatch-1",
        "fails_with": None,
    }
    assert before <= recorded["wall_time"] <= time.time()


async def test_callback_data_must_be_a_short_string(client: httpx.AsyncClient, number: dict[str, Any]) -> None:
    for bad in (5, "x" * 513):
        payload = {**text("5511999990001", "oi"), "biz_opaque_callback_data": bad}
        response = await client.post(SEND_URL, json=payload, headers=AUTH)
        assert response.status_code == 400
        assert response.json()["error"]["code"] == 100


async def test_stats_over_the_api(client: httpx.AsyncClient, number: dict[str, Any]) -> None:
    assert (await client.get(STATS_URL)).json() == {
        "count": 0,
        "first_wall_time": None,
        "last_wall_time": None,
        "span_s": 0.0,
        "rate_per_s": 0.0,
        "max_in_any_1s_window": 0,
        "duplicates": 0,
        "failing": {},
    }
    sends = [text(f"55119000000{i:02d}", "oi", f"d-{i}") for i in range(20)]
    sends += [text("5511900000003", "de novo", "d-3"), text("5511900000099", "igual"), text("5511900000099", "igual")]
    for payload in sends:
        assert (await client.post(SEND_URL, json=payload, headers=AUTH)).status_code == 200

    stats = (await client.get(STATS_URL, params={"phone_number_id": PHONE_NUMBER_ID})).json()

    entries = (await client.get("/_sandbox/meta/ledger")).json()
    times = [e["monotonic"] for e in entries]
    busiest = max(sum(1 for u in times if t <= u < t + 1) for t in times)  # the naive definition
    assert stats["count"] == 23
    assert stats["duplicates"] == 2
    assert stats["max_in_any_1s_window"] == busiest
    assert stats["first_wall_time"] == entries[0]["wall_time"]
    assert stats["last_wall_time"] == entries[-1]["wall_time"]
    assert stats["span_s"] == pytest.approx(times[-1] - times[0])
    assert stats["rate_per_s"] == pytest.approx(22 / (times[-1] - times[0]))
    assert stats["failing"] == {}
    later = (await client.get(STATS_URL, params={"since": entries[10]["wall_time"]})).json()
    assert later["count"] == 13
    other = (await client.get(STATS_URL, params={"phone_number_id": "nobody"})).json()
    assert other["count"] == 0


async def test_stats_count_sends_accepted_to_fail(client: httpx.AsyncClient, number: dict[str, Any]) -> None:
    behaviour = {"permanent_failure_rate": 0.5, "seed": 3, "statuses": [], "enforce_window": False}
    await client.put(f"/_sandbox/meta/numbers/{PHONE_NUMBER_ID}/behaviour", json=behaviour)
    for i in range(40):
        await client.post(SEND_URL, json=text("5511999990001", f"m{i}"), headers=AUTH)

    stats = (await client.get(STATS_URL)).json()

    assert stats["count"] == 40
    assert 5 < stats["failing"]["131026"] < 35


async def test_registration_carries_tier_quality_and_throughput(client: httpx.AsyncClient, register: Any) -> None:
    await register(
        "http://127.0.0.1:9/webhook", messaging_limit_tier="TIER_10K", quality_rating="YELLOW", throughput_level="HIGH"
    )

    profile = (await client.get(f"/graph/v21.0/{PHONE_NUMBER_ID}", headers=AUTH)).json()
    chosen = await client.get(
        f"/graph/v21.0/{PHONE_NUMBER_ID}",
        headers=AUTH,
        params={"fields": "messaging_limit_tier,throughput,quality_rating"},
    )
    listed = (await client.get("/graph/v21.0/102290129340398/phone_numbers", headers=AUTH)).json()
    control = (await client.get(f"/_sandbox/meta/numbers/{PHONE_NUMBER_ID}")).json()

    assert (profile["messaging_limit_tier"], profile["quality_rating"], profile["throughput"]) == (
        "TIER_10K",
        "YELLOW",
        {"level": "HIGH"},
    )
    assert (profile["display_phone_number"], profile["verified_name"]) == ("15550001234", "Master IA Sandbox")
    assert chosen.json() == {
        "messaging_limit_tier": "TIER_10K",
        "throughput": {"level": "HIGH"},
        "quality_rating": "YELLOW",
        "id": PHONE_NUMBER_ID,
    }
    assert listed == {"data": [profile]}
    assert (control["messaging_limit_tier"], control["quality_rating"], control["throughput_level"]) == (
        "TIER_10K",
        "YELLOW",
        "HIGH",
    )


@pytest.mark.parametrize(
    "bad", [{"messaging_limit_tier": "TIER_3K"}, {"quality_rating": "BLUE"}, {"throughput_level": "FAST"}]
)
async def test_registration_refuses_unknown_profile_values(client: httpx.AsyncClient, bad: dict[str, str]) -> None:
    body = {
        "phone_number_id": "1",
        "display_phone_number": "1555",
        "waba_id": "2",
        "access_token": "t",
        "app_secret": "s",
        "webhook_url": "http://127.0.0.1:9/webhook",
        **bad,
    }

    assert (await client.post("/_sandbox/meta/numbers", json=body)).status_code == 422


async def test_ledger_order_is_acceptance_order(client: httpx.AsyncClient, number: dict[str, Any]) -> None:
    for i in range(10):
        await client.post(SEND_URL, json=text("5511999990001", f"m{i}"), headers=AUTH)

    entries = (await client.get("/_sandbox/meta/ledger")).json()

    assert all(a["monotonic"] <= b["monotonic"] for a, b in itertools.pairwise(entries))

"""Rate limits in Redis: the number's pace in any one second, interactive first, slowdowns, the tier budget."""

from __future__ import annotations

import time

import pytest
import redis.asyncio as aioredis

from masteria.contracts.messages import ErrorClassification, MessageStatus
from masteria.devstack.harness import RunningService, wait_for
from masteria.devstack.infra import ensure_infra
from masteria.security.internal_token import InternalTokenIssuer

from .support import MetaSandbox, bearer, customer, dispatch, publish, reply, statuses_of, template

pytestmark = pytest.mark.integration
S = MessageStatus


async def test_a_number_at_ten_per_second_never_sends_more_than_ten_in_any_second(
    meta: RunningService, issuer: InternalTokenIssuer, sandbox: MetaSandbox
) -> None:
    number = await sandbox.number(meta, issuer)
    patched = await meta.client.patch(
        f"/api/v1/whatsapp/phone-numbers/{number.id}",
        json={"messages_per_second": 10},
        headers=bearer(issuer, number.tenant),
    )
    assert patched.status_code == 200, patched.text
    # Meta refuses (130429, not recorded) whatever goes beyond 10 in a second: a breach would show as retries.
    await sandbox.behaviour(number, statuses=["sent"], status_delay_ms=20, mps_limit=10)
    commands = [dispatch(number, f"+{customer()}", template("boas_vindas", f"n{i}")) for i in range(30)]
    started = time.monotonic()
    async with statuses_of(number.tenant) as feed:
        await publish(*commands)
        await feed.until(lambda _: all(S.ACCEPTED in feed.statuses(c.data.dispatch_id) for c in commands), within=20)
    elapsed = time.monotonic() - started
    stats = await sandbox.stats(number)
    assert stats["count"] == 30
    assert stats["max_in_any_1s_window"] <= 10, stats
    assert stats["duplicates"] == 0
    assert elapsed >= 2.5, "30 sends at 10/s take about three seconds"
    assert not any(e.error for c in commands for e in feed.of(c.data.dispatch_id))


async def test_an_agent_reply_overtakes_a_queued_campaign_on_the_same_number(
    meta: RunningService, issuer: InternalTokenIssuer, sandbox: MetaSandbox
) -> None:
    number = await sandbox.number(meta, issuer)
    await meta.client.patch(
        f"/api/v1/whatsapp/phone-numbers/{number.id}",
        json={"messages_per_second": 5},
        headers=bearer(issuer, number.tenant),
    )
    await sandbox.behaviour(number, statuses=["sent"], status_delay_ms=20)
    wa_id = customer()
    await sandbox.customer_writes(number, wa_id)
    bulk = [dispatch(number, f"+{customer()}", template("boas_vindas", f"b{i}")) for i in range(25)]
    answer = reply(number, f"+{wa_id}", "Resposta do agente")
    async with statuses_of(number.tenant) as feed:
        await publish(*bulk)
        await feed.until(lambda _: sum(S.ACCEPTED in feed.statuses(c.data.dispatch_id) for c in bulk) >= 3)
        await publish(answer)
        await feed.until(lambda _: S.ACCEPTED in feed.statuses(answer.data.message_id))
    ledger = await sandbox.ledger(number)
    position = next(i for i, e in enumerate(ledger) if e["type"] == "text")
    # At 5/s the campaign still has ~20 sends queued; the reply takes the next free slot or the one after.
    assert position <= 6, [e["type"] for e in ledger]


async def test_a_429_halves_the_numbers_pace_for_a_while_and_the_send_still_goes(
    meta: RunningService, issuer: InternalTokenIssuer, sandbox: MetaSandbox
) -> None:
    number = await sandbox.number(meta, issuer)
    await sandbox.behaviour(number, statuses=["sent"], status_delay_ms=20, fault_429_rate=1.0)
    command = dispatch(number, f"+{customer()}", template("boas_vindas", "x"))
    redis = aioredis.from_url(ensure_infra().redis_url)
    try:
        async with statuses_of(number.tenant) as feed:
            await publish(command)

            async def slowed() -> bool:
                return await redis.get(f"wameta:slow:{number.phone_number_id}") is not None

            await wait_for(slowed, within=10)
            assert float(await redis.get(f"wameta:slow:{number.phone_number_id}") or 1) <= 0.5
            await sandbox.behaviour(number, statuses=["sent"], status_delay_ms=20)
            await feed.until(lambda _: S.SENT in feed.statuses(command.data.dispatch_id), within=15)
    finally:
        await redis.aclose()


async def test_the_tier_budget_counts_new_customers_outside_the_window_and_refuses_beyond_it(
    meta: RunningService, issuer: InternalTokenIssuer, sandbox: MetaSandbox
) -> None:
    number = await sandbox.number(meta, issuer, messaging_limit_tier="TIER_250")
    refreshed = await meta.client.post(
        f"/api/v1/whatsapp/phone-numbers/{number.id}/refresh", headers=bearer(issuer, number.tenant)
    )
    assert refreshed.json()["messaging_limit_tier"] == "TIER_250"
    await sandbox.behaviour(number, statuses=["sent"], status_delay_ms=20)
    redis = aioredis.from_url(ensure_infra().redis_url)
    reached = [f"55119{i:08d}" for i in range(250)]
    try:  # 250 customers reached in the last 24 h (business-initiated), one of them again below
        await redis.zadd(f"wameta:tier:{number.phone_number_id}", {c: time.time() * 1000 for c in reached})
    finally:
        await redis.aclose()
    in_window = customer()
    await sandbox.customer_writes(number, in_window)
    over = dispatch(number, f"+{customer()}", template("boas_vindas", "nova"))
    again = dispatch(number, f"+{reached[0]}", template("boas_vindas", "de novo"))
    service_reply = dispatch(number, f"+{in_window}", template("boas_vindas", "dentro da janela"))
    async with statuses_of(number.tenant) as feed:
        await publish(over, again, service_reply)
        await feed.until(
            lambda _: (
                feed.of(over.data.dispatch_id)
                and S.SENT in feed.statuses(again.data.dispatch_id)
                and S.SENT in feed.statuses(service_reply.data.dispatch_id)
            )
        )
    [refused] = feed.of(over.data.dispatch_id)
    assert refused.status is S.FAILED
    assert refused.error is not None
    assert (refused.error.code, refused.error.classification) == ("tier_limit", ErrorClassification.TRANSIENT)
    assert "250" in refused.error.title
    assert len(await sandbox.ledger(number)) == 2

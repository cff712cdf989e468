"""Outbound through whatsapp-meta: the per-number rate limit held, and 20% transient faults survived.

10,000 template sends are published on the bulk lane (``campaign.dispatch``) exactly as campaigns will
publish them, and the adapter sends them to the sandbox's Meta. The figures come from the sandbox's
ledger, the record of what Meta accepted: the achieved rate, the largest count in any one-second
window (must never exceed the number's limit) and duplicates (must be zero). The fault run then
injects 20% transient failures (429, 5xx, timeouts) and follows every dispatch's status to its end.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from typing import Any

import httpx

from masteria.e2e.clients import Sandbox, SandboxNumber
from masteria.e2e.dispatch import follow_statuses, publish, template_dispatches
from masteria.e2e.stack import RunningStack, running_stack
from masteria.security.internal_token import Identity, InternalTokenIssuer

MESSAGES = 10_000
# 20% of send attempts fail transiently; a faulted attempt never reaches Meta's ledger.
FAULTS = {"fault_429_rate": 0.07, "fault_5xx_rate": 0.07, "fault_timeout_rate": 0.06, "timeout_s": 1.0}


async def run_outbound_benchmarks() -> dict[str, Any]:
    """The rate limit at 80/s and at 1,000/s, then delivery under 20% transient faults."""
    async with running_stack(database="masteria_bench_out", base_port=28000) as stack:
        tenant = uuid.uuid4()
        sandbox = Sandbox(stack.config.url("sandbox"))
        try:
            figures: dict[str, Any] = {}
            for limit in (80, 1000):
                print(f"==> {MESSAGES} template sends through one number limited to {limit}/s")
                result = await _rate_run(stack, sandbox, tenant, limit)
                _print(result)
                figures |= {f"limit_{limit}_{k}": v for k, v in result.items()}
            print(f"==> {MESSAGES} sends with 20% transient faults injected (429, 5xx, timeouts)")
            faults = await _fault_run(stack, sandbox, uuid.uuid4())
            _print(faults)
            figures |= {f"faults_{k}": v for k, v in faults.items()}
        finally:
            await sandbox.close()
    return figures


async def _rate_run(stack: RunningStack, sandbox: Sandbox, tenant: uuid.UUID, limit: int) -> dict[str, Any]:
    number, account = await _number(stack, sandbox, tenant, limit, behaviour={"statuses": ["sent"]})
    envelopes = template_dispatches(tenant, account, MESSAGES, prefix=f"rate{limit}")
    started = time.perf_counter()
    await publish(stack.config.infra.nats_url, envelopes)
    stats = await _wait_ledger(sandbox, number, MESSAGES, within=MESSAGES / limit * 3 + 60)
    elapsed = time.perf_counter() - started
    return {
        "limit_per_s": limit,
        "sent": stats["count"],
        "achieved_per_s": round(stats["rate_per_s"], 1),
        "of_limit": round(stats["rate_per_s"] / limit, 3),
        "max_in_any_1s_window": stats["max_in_any_1s_window"],
        "limit_held": stats["max_in_any_1s_window"] <= limit,
        "duplicates": stats["duplicates"],
        "publish_to_last_send_s": round(elapsed, 1),
    }


async def _fault_run(stack: RunningStack, sandbox: Sandbox, tenant: uuid.UUID) -> dict[str, Any]:
    behaviour = {**FAULTS, "statuses": ["sent", "delivered"], "status_delay_ms": 100, "seed": 5}
    number, account = await _number(stack, sandbox, tenant, 1000, behaviour=behaviour)
    envelopes = template_dispatches(tenant, account, MESSAGES, prefix="faults")
    ready = asyncio.Event()
    nats_url = stack.config.infra.nats_url
    follower = asyncio.create_task(follow_statuses(nats_url, tenant, MESSAGES, within=900, ready=ready))
    await ready.wait()
    started = time.perf_counter()
    await publish(stack.config.infra.nats_url, envelopes)
    await _wait_ledger(sandbox, number, MESSAGES, within=900)
    sends_done = time.perf_counter() - started
    outcomes = await follower
    elapsed = time.perf_counter() - started
    stats = (await sandbox.http.get("/_sandbox/meta/ledger/stats",
                                    params={"phone_number_id": number.phone_number_id})).json()
    return {
        **outcomes.summary(MESSAGES),
        "ledger_sends": stats["count"],
        "ledger_duplicates": stats["duplicates"],
        "last_accepted_send_s": round(sends_done, 1),
        "all_final_s": round(elapsed, 1),
    }


async def _number(stack: RunningStack, sandbox: Sandbox, tenant: uuid.UUID, limit: int,
                  behaviour: dict[str, Any]) -> tuple[SandboxNumber, uuid.UUID]:
    meta_url = stack.config.url("whatsapp-meta")
    number = await sandbox.new_meta_number(f"{meta_url}/webhooks/whatsapp-meta",
                                           messaging_limit_tier="TIER_UNLIMITED", throughput_level="HIGH")
    await sandbox.meta_behaviour(number, **behaviour)
    token = InternalTokenIssuer(stack.config.secrets.internal_token_private_key).issue(
        Identity(tenant, uuid.uuid4(), ("owner",)), audience="whatsapp-meta")
    async with httpx.AsyncClient(base_url=meta_url, headers={"Authorization": f"Bearer {token}"}) as client:
        response = await client.post("/api/v1/whatsapp/phone-numbers", json={
            "phone_number_id": number.phone_number_id, "waba_id": number.waba_id,
            "access_token": number.access_token, "app_secret": number.app_secret})
        response.raise_for_status()
        account = uuid.UUID(response.json()["id"])
        response = await client.patch(f"/api/v1/whatsapp/phone-numbers/{account}", json={"messages_per_second": limit})
        response.raise_for_status()
    return number, account


async def _wait_ledger(sandbox: Sandbox, number: SandboxNumber, count: int, within: float) -> dict[str, Any]:
    deadline = time.monotonic() + within
    while True:
        response = await sandbox.http.get("/_sandbox/meta/ledger/stats",
                                          params={"phone_number_id": number.phone_number_id})
        stats: dict[str, Any] = response.json()
        if stats["count"] >= count:
            return stats
        if time.monotonic() > deadline:
            raise TimeoutError(f"only {stats['count']} of {count} sends reached the sandbox")
        await asyncio.sleep(0.5)


def _print(figures: dict[str, Any]) -> None:
    for key, value in figures.items():
        print(f"    {key:<28} {value}")

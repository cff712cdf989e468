"""Inbound: signed Meta webhooks accepted by whatsapp-meta → messages stored by crm.

The sandbox plays Meta and sends the webhooks straight to whatsapp-meta, as an ingress routing
`/webhooks/whatsapp-meta` to that service would. Every service runs as its own process.
"""

from __future__ import annotations

import asyncio
import statistics
import time
import uuid
from typing import Any

import asyncpg
import httpx
from jetstream_raw import raw_jetstream_rates

from masteria.devstack.postgres import asyncpg_dsn
from masteria.e2e.clients import Sandbox, SandboxNumber
from masteria.e2e.stack import RunningStack, running_stack
from masteria.security.internal_token import Identity, InternalTokenIssuer

THROUGHPUT_MESSAGES = 10_000
LATENCY_MESSAGES = 5_000


async def run_inbound_benchmarks() -> dict[str, Any]:
    """Throughput at full offered load, latency at half of it, and raw JetStream beside them."""
    async with running_stack(database="masteria_bench", base_port=28000) as stack:
        sandbox = Sandbox(stack.config.url("sandbox"))
        number, account = await _connect(stack, sandbox)
        admin = await asyncpg.connect(asyncpg_dsn(stack.admin_url))
        try:
            print(f"==> throughput: {THROUGHPUT_MESSAGES} webhooks as fast as the sandbox sends them")
            throughput = await _throughput(sandbox, number, admin, account)
            _print(throughput)
            rate = max(50, int(throughput["stored_per_s"] / 2))
            print(f"==> latency: {LATENCY_MESSAGES} webhooks offered at {rate}/s (half the throughput)")
            latency = await _latency(sandbox, number, admin, account, rate)
            _print(latency)
        finally:
            await admin.close()
            await sandbox.close()
        print("==> raw JetStream on the same NATS server")
        raw = await raw_jetstream_rates(stack.config.infra.nats_url)
        _print(raw)
    ratio = throughput["stored_per_s"] / raw["raw_publish_and_consume_per_s"]
    summary = {**throughput, **latency, **raw, "ours_over_raw": round(ratio, 3)}
    print(f"\nours / raw JetStream (publish+consume): {ratio:.1%}")
    return summary


async def _connect(stack: RunningStack, sandbox: Sandbox) -> tuple[SandboxNumber, uuid.UUID]:
    meta_url = stack.config.url("whatsapp-meta")
    number = await sandbox.new_meta_number(f"{meta_url}/webhooks/whatsapp-meta")
    token = InternalTokenIssuer(stack.config.secrets.internal_token_private_key).issue(
        Identity(uuid.uuid4(), uuid.uuid4(), ("owner",)), audience="whatsapp-meta")
    async with httpx.AsyncClient(base_url=meta_url) as client:
        response = await client.post("/api/v1/whatsapp/phone-numbers", headers={"Authorization": f"Bearer {token}"},
                                     json={"phone_number_id": number.phone_number_id, "waba_id": number.waba_id,
                                           "access_token": number.access_token, "app_secret": number.app_secret})
        response.raise_for_status()
        return number, uuid.UUID(response.json()["id"])


async def _stored(admin: asyncpg.Connection, account: uuid.UUID, prefix: str) -> int:
    return int(await admin.fetchval(
        "SELECT count(*) FROM crm.messages m JOIN crm.conversations c ON c.id = m.conversation_id "
        "WHERE c.channel_account_id = $1 AND m.content->>'body' LIKE $2", account, f"{prefix} %"))


async def _wait_stored(admin: asyncpg.Connection, account: uuid.UUID, prefix: str, count: int) -> float:
    deadline = time.monotonic() + 600
    while (stored := await _stored(admin, account, prefix)) < count:
        if time.monotonic() > deadline:
            raise TimeoutError(f"only {stored} of {count} stored")
        await asyncio.sleep(0.01)
    return time.perf_counter()


async def _throughput(sandbox: Sandbox, number: SandboxNumber, admin: asyncpg.Connection,
                      account: uuid.UUID) -> dict[str, Any]:
    started = time.perf_counter()
    job = await sandbox.burst(number, THROUGHPUT_MESSAGES, rate_per_second=0, customers=500,
                              text_prefix="thr", concurrency=64)
    finished = await _wait_stored(admin, account, "thr", THROUGHPUT_MESSAGES)
    status = await sandbox.job(job)
    return {
        "messages": THROUGHPUT_MESSAGES,
        "accepted_per_s": round(status["acknowledged"] / max(status["elapsed_s"], 1e-9)),
        "stored_per_s": round(THROUGHPUT_MESSAGES / (finished - started)),
        "webhook_retries": status["failed_attempts"],
    }


async def _latency(sandbox: Sandbox, number: SandboxNumber, admin: asyncpg.Connection, account: uuid.UUID,
                   rate: int) -> dict[str, Any]:
    job = await sandbox.burst(number, LATENCY_MESSAGES, rate_per_second=rate, customers=500,
                              text_prefix="lat", concurrency=64)
    await _wait_stored(admin, account, "lat", LATENCY_MESSAGES)
    sent = {m["wamid"]: m["first_sent_at"] for m in (await sandbox.http.get(f"/_sandbox/jobs/{job}/messages")).json()}
    rows = await admin.fetch(
        "SELECT m.external_id, extract(epoch FROM m.created_at) AS stored_at FROM crm.messages m "
        "JOIN crm.conversations c ON c.id = m.conversation_id WHERE c.channel_account_id = $1 "
        "AND m.content->>'body' LIKE 'lat %'", account)
    latencies = sorted((float(r["stored_at"]) - sent[r["external_id"]]) * 1000 for r in rows)
    quantiles = statistics.quantiles(latencies, n=100)
    return {
        "offered_per_s": rate,
        "latency_messages": len(latencies),
        "p50_ms": round(quantiles[49], 1),
        "p99_ms": round(quantiles[98], 1),
        "max_ms": round(latencies[-1], 1),
    }


def _print(figures: dict[str, Any]) -> None:
    width = max(len(k) for k in figures)
    for key, value in figures.items():
        print(f"    {key.ljust(width)}  {value}")

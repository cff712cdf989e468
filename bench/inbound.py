"""Inbound: signed Meta webhooks accepted by whatsapp-meta → messages stored by crm.

Every service runs as its own process, as in production. The number is created at the sandbox's
Meta and registered through the API (Graph checks the token); the webhooks then come from the lean
load generator straight to whatsapp-meta, as an ingress routing `/webhooks/whatsapp-meta` to that
service would, signed with the number's app secret exactly as Meta signs them.

Run alone with `python bench/inbound.py` (engines from the MASTERIA_* variables, as `make bench` sets
them); MASTERIA_BENCH_BASE_PORT moves the services' ports (default 28000) and
MASTERIA_BENCH_INBOUND_RATE fixes the latency phase's offered rate (default: half the throughput).
"""

from __future__ import annotations

import asyncio
import os
import statistics
import time
import uuid
from typing import Any

import asyncpg
import httpx
from jetstream_raw import raw_jetstream_rates
from loadgen import meta_webhook, offer, signed_requests

from masteria.devstack.postgres import asyncpg_dsn
from masteria.e2e.clients import Sandbox, SandboxNumber
from masteria.e2e.stack import RunningStack, running_stack
from masteria.security.internal_token import Identity, InternalTokenIssuer

THROUGHPUT_MESSAGES = 10_000
LATENCY_MESSAGES = 5_000
# Several stacks can share a machine (helpers, CI): the ports the services listen on can be moved.
BASE_PORT = int(os.environ.get("MASTERIA_BENCH_BASE_PORT", "28000"))
# The latency phase offers half the measured throughput; a fixed rate compares runs on a busy machine.
LATENCY_RATE = int(os.environ.get("MASTERIA_BENCH_INBOUND_RATE", "0"))


async def run_inbound_benchmarks() -> dict[str, Any]:
    """Throughput at full offered load, latency at half of it, and raw JetStream beside them."""
    async with running_stack(database="masteria_bench", base_port=BASE_PORT) as stack:
        sandbox = Sandbox(stack.config.url("sandbox"))
        number, account = await _connect(stack, sandbox)
        admin = await asyncpg.connect(asyncpg_dsn(stack.admin_url))
        try:
            print(f"==> throughput: {THROUGHPUT_MESSAGES} signed webhooks, 32 connections, as fast as accepted")
            throughput = await _throughput(stack, number, admin, account)
            _print(throughput)
            rate = LATENCY_RATE or max(50, int(throughput["stored_per_s"] / 2))
            how = "as asked" if LATENCY_RATE else "half the throughput"
            print(f"==> latency: {LATENCY_MESSAGES} webhooks offered at {rate}/s ({how})")
            latency = await _latency(stack, number, admin, account, rate)
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


def _requests(stack: RunningStack, number: SandboxNumber, prefix: str, count: int) -> list[tuple[str, bytes]]:
    bodies = [
        (f"wamid.{prefix}.{i}", meta_webhook(number.phone_number_id, number.waba_id, f"wamid.{prefix}.{i}",
                                             f"55119{i % 500:08d}", f"{prefix} {i}"))
        for i in range(count)
    ]
    return signed_requests(_webhook_url(stack), number.app_secret, bodies)


def _webhook_url(stack: RunningStack) -> str:
    return f"{stack.config.url('whatsapp-meta')}/webhooks/whatsapp-meta"


async def _throughput(stack: RunningStack, number: SandboxNumber, admin: asyncpg.Connection,
                      account: uuid.UUID) -> dict[str, Any]:
    requests = _requests(stack, number, "thr", THROUGHPUT_MESSAGES)
    started = time.perf_counter()
    sent = await offer(_webhook_url(stack), requests, lanes=32)
    accepted_s = time.perf_counter() - started
    finished = await _wait_stored(admin, account, "thr", THROUGHPUT_MESSAGES)
    return {
        "messages": THROUGHPUT_MESSAGES,
        "accepted_per_s": round(sum(1 for s in sent if s.status == 200) / accepted_s),
        "stored_per_s": round(THROUGHPUT_MESSAGES / (finished - started)),
        "non_2xx": sum(1 for s in sent if s.status != 200),
    }


async def _latency(stack: RunningStack, number: SandboxNumber, admin: asyncpg.Connection, account: uuid.UUID,
                   rate: int) -> dict[str, Any]:
    sent = {s.wamid: s.sent_at for s in await offer(
        _webhook_url(stack), _requests(stack, number, "lat", LATENCY_MESSAGES), lanes=32, rate=rate)}
    await _wait_stored(admin, account, "lat", LATENCY_MESSAGES)
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


if __name__ == "__main__":
    # `python bench/inbound.py` runs this benchmark alone (bench/run.py runs them all).
    asyncio.run(run_inbound_benchmarks())

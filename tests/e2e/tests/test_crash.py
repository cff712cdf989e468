"""Killing crm mid-stream loses nothing and stores nothing twice."""

from __future__ import annotations

import signal

import asyncpg

from masteria.devstack.harness import wait_for
from masteria.devstack.postgres import asyncpg_dsn
from masteria.e2e.clients import Operator, Sandbox, connect_whatsapp
from masteria.e2e.stack import RunningStack

COUNT = 1000


async def test_sigkill_crm_during_1000_messages_leaves_exactly_1000_stored(
    stack: RunningStack, operator: Operator, sandbox: Sandbox
) -> None:
    number, registered = await connect_whatsapp(operator, sandbox, stack.config.gateway_url)
    account = registered["id"]
    admin = await asyncpg.connect(asyncpg_dsn(stack.admin_url))

    async def stored() -> tuple[int, int]:
        row = await admin.fetchrow(
            "SELECT count(*) AS n, count(DISTINCT m.external_id) AS distinct_ids FROM crm.messages m "
            "JOIN crm.conversations c ON c.id = m.conversation_id WHERE c.channel_account_id = $1::uuid", account)
        return int(row["n"]), int(row["distinct_ids"])

    try:
        job = await sandbox.burst(number, COUNT, rate_per_second=400, customers=50, text_prefix="carga")
        await wait_for(lambda: _at_least(stored(), 150), within=30)
        await stack.supervisor.kill("crm", signal.SIGKILL)
        killed_at, _ = await stored()
        assert killed_at < COUNT, "crm must die mid-stream for this test to mean anything"
        await wait_for(lambda: _job_done(sandbox, job), within=60)
        await stack.supervisor.start("crm")
        await stack.supervisor.wait_ready(["crm"], timeout=60)
        await wait_for(lambda: _at_least(stored(), COUNT), within=60)
        total, distinct = await stored()
        print(f"\ncrm killed with {killed_at} of {COUNT} stored; after restart: {total} stored, {distinct} distinct")
        assert (total, distinct) == (COUNT, COUNT)
    finally:
        await admin.close()


async def _at_least(pending: object, n: int) -> bool:
    count, _ = await pending  # type: ignore[misc]
    return bool(count >= n)


async def _job_done(sandbox: Sandbox, job: str) -> bool:
    status = await sandbox.job(job)
    return bool(status["done"]) and status["acknowledged"] == COUNT

"""Bulk sends through whatsapp-meta while the sandbox's Meta fails 20% of attempts transiently.

Every dispatch must end delivered or failed-permanent, none may reach Meta twice, none may be lost.
`make bench` runs the same with 10,000 messages; here 600 keep the test tier quick.
"""

from __future__ import annotations

import asyncio
import uuid

from masteria.e2e.clients import Operator, Sandbox, connect_whatsapp
from masteria.e2e.dispatch import follow_statuses, publish, template_dispatches
from masteria.e2e.stack import RunningStack

MESSAGES = 600


async def test_twenty_percent_transient_faults_lose_nothing_and_send_nothing_twice(
    stack: RunningStack, operator: Operator, sandbox: Sandbox
) -> None:
    number, registered = await connect_whatsapp(operator, sandbox, stack.config.gateway_url)
    response = await operator.patch(f"/api/v1/whatsapp/phone-numbers/{registered['id']}", {"messages_per_second": 500})
    assert response.status_code == 200, response.text
    await sandbox.meta_behaviour(
        number, statuses=["sent", "delivered"], status_delay_ms=50, fault_429_rate=0.07, fault_5xx_rate=0.07,
        fault_timeout_rate=0.06, timeout_s=0.5, permanent_failure_rate=0.02, seed=11)
    tenant = uuid.UUID((await operator.get("/auth/me")).json()["tenant"]["id"])
    envelopes = template_dispatches(tenant, uuid.UUID(registered["id"]), MESSAGES, prefix="faults")

    nats_url = stack.config.infra.nats_url
    ready = asyncio.Event()
    follower = asyncio.create_task(follow_statuses(nats_url, tenant, MESSAGES, within=180, ready=ready))
    await ready.wait()
    await publish(nats_url, envelopes)
    outcomes = await follower
    summary = outcomes.summary(MESSAGES)
    print(summary)

    assert summary["not_final"] == 0, summary
    assert summary["failed_other"] == summary["unknown"] == 0, summary
    assert summary["delivered"] + summary["failed_permanent"] == MESSAGES
    assert 0 < summary["failed_permanent"] < MESSAGES * 0.06  # the 2% Meta fails after accepting

    ledger = await sandbox.meta_ledger(number)
    # The adapter tags each send with its key ("dispatch:<id>"), which Meta echoes in statuses.
    accepted = [entry["biz_opaque_callback_data"].removeprefix("dispatch:") for entry in ledger]
    assert len(accepted) == len(set(accepted)) == MESSAGES, "a dispatch reached Meta twice, or never"
    assert set(accepted) == {str(e.data.dispatch_id) for e in envelopes}


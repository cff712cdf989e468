"""A campaign sending at 1,000 recipients per second is paused: how much goes out after the acknowledgement?

The whole stack does not reach 1,000 per second on this 2-core machine (see the campaign benchmark's CPU
per recipient), so this run takes the adapter out of the way: whatsapp-meta and crm are stopped and the
benchmark itself plays the adapter on the bus (takes ``campaign.dispatch.whatsapp_meta.<tenant>``, answers
each with a delivered status), the contract the adapters keep. campaigns, the gateway, PostgreSQL and NATS
are the real ones. What it received, with the time it received it, is the ledger.

Printed: the dispatch rate over the second before the pause, how many sends arrived after the pause was
acknowledged and when the last of them arrived.
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import Callable, Coroutine
from datetime import UTC, datetime
from typing import Any

import nats
from nats.js.api import DeliverPolicy

from masteria.contracts.envelope import Envelope
from masteria.contracts.messages import CampaignDispatch, MessageStatus, MessageStatusChanged
from masteria.contracts.subjects import subject_for
from masteria.devstack.harness import wait_for
from masteria.e2e.clients import Operator
from masteria.e2e.stack import RunningStack

RATE = 1000
SENDING_BEFORE_PAUSE_S = 6.0
WATCH_AFTER_PAUSE_S = 3.0

CreateCampaign = Callable[[float], Coroutine[Any, Any, str]]


class BusAdapter:
    """Answers the tenant's WhatsApp dispatch commands with a delivered status; remembers when each came."""

    def __init__(self, nats_url: str, tenant: uuid.UUID) -> None:
        self.nats_url, self.tenant = nats_url, tenant
        self.arrivals: list[float] = []
        self._nc: Any = None

    async def __aenter__(self) -> BusAdapter:
        self._nc = await nats.connect(self.nats_url)
        await self._nc.jetstream().subscribe(
            f"campaign.dispatch.whatsapp_meta.{self.tenant}",
            cb=self._answer,
            ordered_consumer=True,
            deliver_policy=DeliverPolicy.NEW,  # earlier campaigns' commands are not this run's sends
        )
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self._nc.drain()

    async def _answer(self, msg: Any) -> None:
        self.arrivals.append(time.monotonic())
        dispatch = CampaignDispatch.model_validate(json.loads(msg.data)["data"])
        status = MessageStatusChanged(
            channel=dispatch.channel,
            dispatch_id=dispatch.dispatch_id,
            external_id=f"wamid.{dispatch.dispatch_id}",
            channel_account_id=dispatch.channel_account_id,
            status=MessageStatus.DELIVERED,
            occurred_at=datetime.now(UTC),
            recipient=dispatch.to,
            attempt=dispatch.attempt,
        )
        env = Envelope.wrap(status, tenant=self.tenant, source="bench/bus-adapter")
        # A plain publish: the stream stores it, and no round trip per status holds the next one back.
        await self._nc.publish(subject_for(env), env.model_dump_json().encode(), headers={"Nats-Msg-Id": str(env.id)})

    def between(self, start: float, end: float) -> int:
        """Sends that arrived in [start, end)."""
        return sum(1 for at in self.arrivals if start <= at < end)


async def pause_at_speed(
    stack: RunningStack, operator: Operator, tenant: uuid.UUID, create: CreateCampaign
) -> dict[str, Any]:
    """Stop the real adapter, send at ``RATE`` to the bus adapter, pause, and count what still arrives."""
    for name in ("whatsapp-meta", "crm"):
        await stack.supervisor.stop(name)
    async with BusAdapter(stack.config.infra.nats_url, tenant) as adapter:
        campaign = await create(RATE)
        response = await operator.post(f"/api/v1/campaigns/{campaign}/launch")
        assert response.status_code == 202, response.text
        await wait_for(lambda: adapter.arrivals, within=60)
        first = adapter.arrivals[0]
        await asyncio.sleep(max(0.0, first + SENDING_BEFORE_PAUSE_S - time.monotonic()))
        asked = time.monotonic()
        response = await operator.post(f"/api/v1/campaigns/{campaign}/pause")
        acknowledged = time.monotonic()
        assert response.status_code == 200, response.text
        await asyncio.sleep(WATCH_AFTER_PAUSE_S)
        after = [at - acknowledged for at in adapter.arrivals if at >= acknowledged]
        figures = {
            "pause_rate_asked_per_s": RATE,
            "pause_rate_in_second_before_pause_per_s": adapter.between(asked - 1.0, asked),
            "pause_sent_before_pause": adapter.between(first, asked),
            "pause_ack_took_ms": round((acknowledged - asked) * 1000, 1),
            "pause_sends_after_ack": len(after),
            "pause_last_send_after_ack_s": round(max(after), 3) if after else 0.0,
        }
        await operator.post(f"/api/v1/campaigns/{campaign}/cancel")
    return figures

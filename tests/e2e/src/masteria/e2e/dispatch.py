"""The bulk lane driven from outside: publish dispatch commands as campaigns will, follow their statuses.

Used by the fault test and by the outbound benchmark; the adapter under test cannot tell these
commands from the campaigns service's own (same subject, envelope, headers and JetStream dedup id).
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field

import nats
import nats.errors
from nats.js.api import ConsumerConfig, DeliverPolicy

from masteria.contracts.channels import Channel
from masteria.contracts.content import TemplateComponent, TemplateContent, TemplateParameter
from masteria.contracts.envelope import Envelope
from masteria.contracts.ids import uuid7
from masteria.contracts.messages import CampaignDispatch, MessageStatus, MessageStatusChanged
from masteria.contracts.registry import decode_envelope
from masteria.contracts.streams import MESSAGES_STATUS
from masteria.contracts.subjects import Lane, lane_filter
from masteria.messaging.headers import envelope_headers

FINAL = frozenset({MessageStatus.DELIVERED, MessageStatus.READ, MessageStatus.FAILED, MessageStatus.UNKNOWN})


def template_dispatches(
    tenant: uuid.UUID, account: uuid.UUID, count: int, *, prefix: str, template: str = "boas_vindas"
) -> list[Envelope[CampaignDispatch]]:
    """``count`` template sends to distinct numbers, each with its own body variable."""
    campaign = uuid7()
    return [
        Envelope.wrap(
            CampaignDispatch(
                channel=Channel.WHATSAPP_META,
                dispatch_id=uuid7(),
                campaign_id=campaign,
                recipient_id=uuid7(),
                channel_account_id=account,
                to=f"+55119{i:08d}",
                content=_template(template, f"{prefix}-{i}"),
            ),
            tenant=tenant,
            source="e2e",
        )
        for i in range(count)
    ]


def _template(name: str, variable: str) -> TemplateContent:
    body = TemplateComponent(type="body", parameters=[TemplateParameter(type="text", text=variable)])
    return TemplateContent(name=name, language="pt_BR", components=[body])


async def publish(nats_url: str, envelopes: list[Envelope[CampaignDispatch]], chunk: int = 500) -> None:
    """Publish every command and wait for JetStream's acknowledgements, as an outbox relay does."""
    nc = await nats.connect(nats_url)
    try:
        js = nc.jetstream()
        for start in range(0, len(envelopes), chunk):
            await asyncio.gather(
                *(
                    js.publish(e.data.subject(e.tenant), e.model_dump_json().encode(), headers=envelope_headers(e))
                    for e in envelopes[start : start + chunk]
                )
            )
    finally:
        await nc.close()


@dataclass
class Outcomes:
    """The latest status of every dispatch seen, in the order statuses arrived."""

    last: dict[uuid.UUID, MessageStatusChanged] = field(default_factory=dict)
    published: Counter[str] = field(default_factory=Counter)

    def final(self) -> dict[uuid.UUID, MessageStatusChanged]:
        """Dispatches whose latest status is final."""
        return {k: s for k, s in self.last.items() if s.status in FINAL}

    def summary(self, expected: int) -> dict[str, int]:
        """Counts a person checks: delivered, failed by class, unknown, and how many never ended."""
        final = self.final().values()
        failed = [s for s in final if s.status is MessageStatus.FAILED]
        return {
            "dispatched": expected,
            "delivered": sum(1 for s in final if s.status in (MessageStatus.DELIVERED, MessageStatus.READ)),
            "failed_permanent": sum(1 for s in failed if s.error is not None and s.error.classification == "permanent"),
            "failed_other": sum(1 for s in failed if s.error is None or s.error.classification != "permanent"),
            "unknown": sum(1 for s in final if s.status is MessageStatus.UNKNOWN),
            "not_final": expected - len(self.final()),
        }


async def follow_statuses(
    nats_url: str, tenant: uuid.UUID, expected: int, *, within: float, ready: asyncio.Event | None = None
) -> Outcomes:
    """Read the tenant's WhatsApp statuses published from now on until ``expected`` dispatches are final,
    or the deadline passes. Run it as a task and publish once ``ready`` is set (the subscription exists).

    A final status is never replaced by a later non-final one: that would be the adapter moving a
    message backwards, and the counts would then show it as not final.
    """
    outcomes = Outcomes()
    nc = await nats.connect(nats_url)
    try:
        js = nc.jetstream()
        subject = lane_filter(Lane.STATUS, channel=Channel.WHATSAPP_META, tenant=tenant)
        # Only statuses from now on: the tenant's earlier history would be read first and delay the count.
        config = ConsumerConfig(deliver_policy=DeliverPolicy.NEW)
        sub = await js.subscribe(subject, stream=MESSAGES_STATUS.name, ordered_consumer=True, config=config)
        if ready is not None:
            ready.set()
        deadline = time.monotonic() + within
        while len(outcomes.final()) < expected and time.monotonic() < deadline:
            try:
                msg = await sub.next_msg(timeout=2)
            except nats.errors.TimeoutError:
                continue
            status = decode_envelope(msg.data).data
            if not isinstance(status, MessageStatusChanged) or status.dispatch_id is None:
                continue
            outcomes.published[status.status.value] += 1
            outcomes.last[status.dispatch_id] = status
        await sub.unsubscribe()
    finally:
        await nc.close()
    return outcomes

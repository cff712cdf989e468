"""Inbound messages (CAMPAIGNS_INBOUND): the contact's last activity, and replies attributed to campaigns.

A reply belongs to the most recent campaign message sent to that number within the attribution window
(default 72 hours); the recipient gets ``replied_at`` once. Matching is by number because the inbound
message knows its sender's number, not our contact id; the partial index on dispatched recipients'
numbers keeps that lookup cheap whatever the size of past campaigns.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from masteria.campaigns.counters import Moves
from masteria.campaigns.tables import processed_events
from masteria.contracts.messages import InboundMessage
from masteria.messaging.consuming import Received
from masteria.messaging.dedup import claim_events
from masteria.messaging.outbox import Outbox

CONSUMER = "campaigns-inbound"
ReplyHook = Callable[[AsyncSession, uuid.UUID, list[Received]], Awaitable[Any]]

_LAST_INBOUND = text("""
    UPDATE campaigns.contacts c
       SET last_inbound_at = x.at, last_inbound_channel = x.channel, updated_at = now()
      FROM jsonb_to_recordset(CAST(:rows AS jsonb)) AS x(phone text, at timestamptz, channel text)
     WHERE c.tenant_id = :tenant AND c.phone = x.phone AND (c.last_inbound_at IS NULL OR c.last_inbound_at < x.at)
""")
_ATTRIBUTE = text("""
    WITH x AS (SELECT * FROM jsonb_to_recordset(CAST(:rows AS jsonb)) AS x(phone text, at timestamptz, channel text)),
    latest AS (
        SELECT DISTINCT ON (x.phone) r.id, x.at
          FROM x JOIN campaigns.recipients r ON r.phone = x.phone
         WHERE r.queued_at IS NOT NULL AND r.queued_at <= x.at AND r.queued_at > x.at - make_interval(secs => :window)
           AND r.state IN ('queued', 'sent', 'delivered', 'read')
         ORDER BY x.phone, r.queued_at DESC)
    UPDATE campaigns.recipients r SET replied_at = latest.at
      FROM latest
     WHERE r.id = latest.id AND r.replied_at IS NULL
    RETURNING r.campaign_id
""")


def inbound_work(
    attribution_window: timedelta, reply_hooks: list[ReplyHook]
) -> Callable[[AsyncSession, Outbox, uuid.UUID, list[Received]], Awaitable[int]]:
    """The consumer's work with its settings bound (the shape ``consumers.batch_handler`` runs)."""

    async def work(session: AsyncSession, outbox: Outbox, tenant_id: uuid.UUID, items: list[Received]) -> int:
        del outbox
        return await apply_inbound(session, tenant_id, items, attribution_window, reply_hooks)

    return work


async def apply_inbound(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    items: list[Received],
    attribution_window: timedelta,
    reply_hooks: list[ReplyHook] | None = None,
) -> int:
    """Record one tenant's inbound messages; returns how many were new."""
    fresh = await claim_events(session, processed_events, CONSUMER, tenant_id, [r.envelope.id for r in items])
    messages = [r for r in items if r.envelope.id in fresh and isinstance(r.envelope.data, InboundMessage)]
    if not messages:
        return 0
    latest: dict[str, dict[str, Any]] = {}
    for item in messages:
        data: InboundMessage = item.envelope.data
        # Our receipt time, not the provider's (second-granular) one: a reply always lands after our send.
        at: datetime = max(data.received_at, data.sent_at)
        phone = data.sender.address
        if phone not in latest or latest[phone]["at"] < at:
            latest[phone] = {"phone": phone, "at": at, "channel": data.channel.value}
    rows = json.dumps(list(latest.values()), default=str)
    await session.execute(_LAST_INBOUND, {"rows": rows, "tenant": tenant_id})
    result = await session.execute(_ATTRIBUTE, {"rows": rows, "window": attribution_window.total_seconds()})
    moves = Moves()
    for (campaign_id,) in result.all():
        moves.add(campaign_id, "replied", 1)
    await moves.apply(session)
    for hook in reply_hooks or []:
        await hook(session, tenant_id, messages)
    return len(messages)

"""Recording campaign sends (the bulk lane, campaign.dispatch) in the inbox, beside the adapter sending them.

A dispatch is stored as an outbound message whose id is the dispatch id (that is how its statuses,
which carry ``dispatch_id``, find it), with origin "campaign", the campaign and the cadence step. It
opens the contact and the thread when needed, like any observed send, moves the thread's last activity
and preview, and neither marks the thread unread nor reopens it. A retry of a dispatch (``attempt`` > 1)
keeps its dispatch id and is not stored twice. The content is stored as commanded (campaigns renders it).
"""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from masteria.contracts.messages import CampaignDispatch
from masteria.crm.sending.recorder import Observed, record
from masteria.crm.sending.service import Campaign
from masteria.crm.tables import processed_events
from masteria.messaging.consuming import Received
from masteria.messaging.dedup import claim_events
from masteria.messaging.outbox import Outbox

CONSUMER = "crm-dispatch"


async def record_dispatches(session: AsyncSession, outbox: Outbox, tenant_id: uuid.UUID, items: list[Received]) -> int:
    """Store one tenant's share of a batch of dispatch commands; returns how many were new to crm."""
    fresh = await claim_events(session, processed_events, CONSUMER, tenant_id, [r.envelope.id for r in items])
    sends = [
        Observed(
            message_id=d.dispatch_id,
            to=d.to,
            channel=d.channel,
            content=d.content,
            envelope=r.envelope,
            channel_account_id=d.channel_account_id,
            campaign=Campaign(d.campaign_id, d.cadence_step_id),
        )
        for r in items
        if r.envelope.id in fresh and isinstance(d := r.envelope.data, CampaignDispatch)
    ]
    return await record(session, outbox, tenant_id, sends)

"""campaign.state_changed, published through the outbox with the counts as they stand in the transaction."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Row
from sqlalchemy.ext.asyncio import AsyncSession

from masteria.campaigns import counters
from masteria.campaigns.events import wrap
from masteria.contracts.campaigns import CampaignState, CampaignStateChanged
from masteria.contracts.channels import Channel
from masteria.messaging.outbox import Outbox


async def publish_state(
    session: AsyncSession, outbox: Outbox, tenant_id: uuid.UUID, row: Row[Any], previous: str | None
) -> None:
    """Stage campaign.state_changed for ``row`` (its new state) coming from ``previous``."""
    payload = CampaignStateChanged(
        campaign_id=row.id,
        name=row.name,
        channel=Channel(row.channel),
        state=CampaignState(row.state),
        previous_state=CampaignState(previous) if previous else None,
        counts=await counters.read(session, row.id),
        occurred_at=datetime.now(UTC),
    )
    await outbox.add(session, wrap(payload, tenant_id))

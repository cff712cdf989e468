"""Consent per channel: STOP/START keywords from the adapters and changes made in the CRM."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Row
from sqlalchemy.ext.asyncio import AsyncSession

from masteria.contracts.channels import Channel
from masteria.contracts.contacts import ContactOptedIn, ContactOptedOut, OptOutReason
from masteria.contracts.envelope import Envelope
from masteria.crm.contacts import repository
from masteria.crm.events import wrap
from masteria.messaging.outbox import Outbox


def allowed_on(consent: dict[str, Any], channel: str) -> bool:
    """Whether messages may go to the contact on ``channel`` (a channel never opted out is allowed)."""
    entry = consent.get(channel)
    return entry is None or bool(entry.get("allowed", True))


async def change_consent(
    session: AsyncSession,
    outbox: Outbox,
    tenant_id: uuid.UUID,
    contact: Row[Any],
    channel: Channel,
    *,
    allowed: bool,
    reason: OptOutReason,
    at: datetime,
    keyword: str | None = None,
    caused_by: Envelope[Any] | None = None,
) -> Row[Any] | None:
    """Record the change and publish it; None when nothing changes.

    Idempotent: a repeated STOP, or a START for a contact who never stopped, changes nothing; and a
    keyword older than the decision on record (a late redelivery) does not override it.
    """
    entry = (contact.consent or {}).get(channel.value)
    if entry is not None and datetime.fromisoformat(entry["changed_at"]) > at:
        return None
    if allowed_on(contact.consent or {}, channel.value) == allowed:
        return None
    record = {"allowed": allowed, "changed_at": at.isoformat(), "reason": reason.value, "keyword": keyword}
    row = await repository.set_consent(session, contact.id, channel.value, record)
    event = ContactOptedIn if allowed else ContactOptedOut
    payload = event(
        contact_id=contact.id, phone=contact.phone, channel=channel, reason=reason, keyword=keyword, occurred_at=at
    )
    await outbox.add(session, wrap(payload, tenant_id, caused_by))
    return row

"""Changes agents make to a thread: status, assignee, read; each publishes ConversationUpdated."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Row
from sqlalchemy.ext.asyncio import AsyncSession

from masteria.contracts.channels import Channel
from masteria.crm.contacts.consent import allowed_on
from masteria.crm.errors import NotFoundError
from masteria.crm.events import wrap
from masteria.crm.inbox import repository
from masteria.crm.inbox.events import conversation_updated
from masteria.crm.inbox.schemas import (
    ContactRef,
    ConversationDetail,
    ConversationOut,
    ConversationPatch,
    MessageOut,
    SentByCampaign,
    ServiceWindow,
)
from masteria.messaging.outbox import Outbox

SERVICE_WINDOW = timedelta(hours=24)


class ConversationNotFoundError(NotFoundError):
    """No such conversation in the caller's tenant."""


def to_out(row: Row[Any]) -> ConversationOut:
    """A thread as the inbox lists it."""
    return ConversationOut(
        id=row.id,
        contact=ContactRef(id=row.contact_id, phone=row.contact_phone, name=row.contact_name),
        channel=row.channel,
        channel_account_id=row.channel_account_id,
        status=row.status,
        assignee_user_id=row.assignee_user_id,
        unread_count=row.unread_count,
        last_message_at=row.last_message_at,
        last_message_preview=row.last_message_preview,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def last_inbound(row: Row[Any], channel: str) -> datetime | None:
    """When the thread's contact last wrote on ``channel``."""
    value = (row.contact_last_inbound_at or {}).get(channel)
    return datetime.fromisoformat(value) if value else None


def service_window(row: Row[Any], now: datetime | None = None) -> ServiceWindow | None:
    """WhatsApp Cloud API's 24-hour window from the contact's last message on the channel; None elsewhere."""
    if row.channel != Channel.WHATSAPP_META.value:
        return None
    last = last_inbound(row, row.channel)
    if last is None:
        return ServiceWindow(open=False, expires_at=None)
    expires = last + SERVICE_WINDOW
    return ServiceWindow(open=(now or datetime.now(UTC)) < expires, expires_at=expires)


def to_detail(row: Row[Any]) -> ConversationDetail:
    """One thread with its window and the contact's consent on its channel."""
    return ConversationDetail(
        **to_out(row).model_dump(),
        service_window=service_window(row),
        opted_out=not allowed_on(row.contact_consent or {}, row.channel),
    )


async def change(
    session: AsyncSession, outbox: Outbox, tenant_id: uuid.UUID, conversation_id: uuid.UUID, patch: ConversationPatch
) -> Row[Any]:
    """Apply the status and/or assignee the patch names."""
    values: dict[str, Any] = {}
    if "status" in patch.model_fields_set and patch.status is not None:
        values["status"] = patch.status
    if "assignee_user_id" in patch.model_fields_set:
        values["assignee_user_id"] = patch.assignee_user_id
    return await _apply(session, outbox, tenant_id, conversation_id, values)


async def mark_read(
    session: AsyncSession, outbox: Outbox, tenant_id: uuid.UUID, conversation_id: uuid.UUID
) -> Row[Any]:
    """Clear the unread count."""
    return await _apply(session, outbox, tenant_id, conversation_id, {"unread_count": 0})


async def _apply(
    session: AsyncSession, outbox: Outbox, tenant_id: uuid.UUID, conversation_id: uuid.UUID, values: dict[str, Any]
) -> Row[Any]:
    current = await repository.conversation_by_id(session, conversation_id, lock=True)
    if current is None:
        raise ConversationNotFoundError(conversation_id)
    changes = {k: v for k, v in values.items() if getattr(current, k) != v}
    if not changes:
        return current
    await repository.update_conversation(session, conversation_id, changes)
    row = await repository.conversation_by_id(session, conversation_id)
    assert row is not None  # locked above, in this transaction
    await outbox.add(session, wrap(conversation_updated(row), tenant_id))
    return row


def message_out(row: Row[Any]) -> MessageOut:
    """A message row as the API shows it."""
    out = MessageOut.model_validate(row, from_attributes=True)
    if row.campaign_id is not None:
        out.campaign = SentByCampaign(
            campaign_id=row.campaign_id, dispatch_id=row.id, cadence_step_id=row.cadence_step_id
        )
    return out

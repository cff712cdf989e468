"""Conversation events built from thread rows: they carry the state after the change."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Row

from masteria.contracts.conversations import ConversationStatus, ConversationUpdated


def conversation_updated(row: Row[Any]) -> ConversationUpdated:
    """ConversationUpdated for a thread as it now stands."""
    return ConversationUpdated(
        conversation_id=row.id,
        contact_id=row.contact_id,
        status=ConversationStatus(row.status),
        assignee_user_id=row.assignee_user_id,
        unread_count=row.unread_count,
        last_message_at=row.last_message_at,
        updated_at=row.updated_at or datetime.now(UTC),
    )

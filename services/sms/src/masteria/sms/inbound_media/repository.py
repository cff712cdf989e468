"""Pending downloads of inbound MMS media: written with the webhook's commit, taken by the worker."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from masteria.contracts.envelope import Envelope
from masteria.media.downloads import PendingDownloads
from masteria.media.downloads import pending_row as _pending_row
from masteria.messaging.headers import envelope_headers
from masteria.sms.tables import MediaDownload

PENDING = PendingDownloads(MediaDownload.__table__)


def pending_row(envelope: Envelope[Any], sender_id: uuid.UUID, media_url: str) -> dict[str, Any]:
    """A download to do before ``envelope`` (an InboundMessage) is published; its headers carry the
    webhook's trace, built in the request."""
    return _pending_row(envelope.tenant, envelope, envelope_headers(envelope), sender_id=sender_id, media_url=media_url)


async def add(session: AsyncSession, rows: list[dict[str, Any]]) -> None:
    """Stage downloads in the caller's transaction."""
    await PENDING.add(session, rows)

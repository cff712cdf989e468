"""Pending downloads of inbound media: written with the webhook's commit, taken by the worker."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from masteria.contracts.envelope import Envelope
from masteria.media.downloads import PendingDownloads
from masteria.media.downloads import pending_row as _pending_row
from masteria.whatsapp_meta.tables import MediaDownload

PENDING = PendingDownloads(MediaDownload.__table__)


def pending_row(
    tenant_id: uuid.UUID, envelope: Envelope[Any], headers: dict[str, str], phone_number_id: str, media_id: str
) -> dict[str, Any]:
    """A download to do before ``envelope`` (an InboundMessage) is published."""
    return _pending_row(tenant_id, envelope, headers, phone_number_id=phone_number_id, media_id=media_id)


async def add(session: AsyncSession, rows: list[dict[str, Any]]) -> None:
    """Stage downloads in the caller's transaction."""
    await PENDING.add(session, rows)

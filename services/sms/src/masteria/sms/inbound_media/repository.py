"""Pending downloads of inbound MMS media: written with the webhook's commit, taken by the worker."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import delete, text, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from masteria.contracts.envelope import Envelope
from masteria.messaging.headers import envelope_headers
from masteria.sms.tables import MediaDownload

D = MediaDownload.__table__


def pending_row(envelope: Envelope[Any], sender_id: uuid.UUID, media_url: str) -> dict[str, Any]:
    """A download to do before ``envelope`` (an InboundMessage) is published; its headers carry the
    webhook's trace, built in the request."""
    return {
        "id": envelope.id,
        "tenant_id": envelope.tenant,
        "sender_id": sender_id,
        "media_url": media_url,
        "envelope": envelope.model_dump_json().encode(),
        "headers": envelope_headers(envelope),
    }


async def add(session: AsyncSession, rows: list[dict[str, Any]]) -> None:
    """Stage downloads in the caller's transaction."""
    if rows:
        await session.execute(insert(D).on_conflict_do_nothing(), rows)


_CLAIM = text("""
UPDATE sms.media_downloads AS d
SET next_attempt_at = now() + make_interval(secs => :lease), attempts = d.attempts + 1
FROM (
  SELECT id FROM sms.media_downloads
  WHERE next_attempt_at <= now() ORDER BY next_attempt_at LIMIT :limit FOR UPDATE SKIP LOCKED
) AS due
WHERE d.id = due.id
RETURNING d.id, d.tenant_id, d.sender_id, d.media_url, d.envelope, d.headers, d.attempts
""")


async def claim_due(session: AsyncSession, limit: int, lease_s: float) -> list[Any]:
    """Due downloads (system context), hidden from other replicas for ``lease_s``; attempt counted."""
    return list((await session.execute(_CLAIM, {"limit": limit, "lease": lease_s})).all())


async def done(session: AsyncSession, download_id: uuid.UUID) -> None:
    """Forget a download whose message is now in the outbox."""
    await session.execute(delete(D).where(D.c.id == download_id))


async def later(session: AsyncSession, download_id: uuid.UUID, delay_s: float, error: str) -> None:
    """Try again after ``delay_s``."""
    due = datetime.now(UTC) + timedelta(seconds=delay_s)
    await session.execute(update(D).where(D.c.id == download_id).values(next_attempt_at=due, last_error=error[:2000]))


async def pending_count(session: AsyncSession) -> int:
    """How many downloads wait (in the current tenant or system context)."""
    return int(await session.scalar(text("SELECT count(*) FROM sms.media_downloads")) or 0)

"""Hook of the campaigns inbound consumer: a contact who writes stops their cadences (``stop_on_reply``).

Every active enrolment of the contact remembers the reply (``no_reply`` conditions read it); those of
cadences that stop on reply are stopped; and the reply is credited to the last message each of the contact's
recent enrolments sent (the per-step ``replied`` figure), finished enrolments included, since a cadence ends
right after its last step goes. Consent keywords (STOP) are not replies: the opt-out event stops the cadence
with its own reason.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from masteria.campaigns.cadences.hooks import payloads
from masteria.contracts.envelope import Envelope, Payload
from masteria.contracts.messages import InboundMessage
from masteria.messaging.consuming import Received

ATTRIBUTION_WINDOW = timedelta(hours=72)

_REPLIES = """
    WITH reply AS (
        SELECT c.contact_id, max(v.at) AS at
          FROM unnest(CAST(:phones AS text[]), CAST(:ats AS timestamptz[])) AS v(phone, at)
          JOIN campaigns.contacts c ON c.phone = v.phone AND NOT c.deleted
         GROUP BY c.contact_id)
"""
_REMEMBER = text("".join((_REPLIES, """
    UPDATE campaigns.enrolments e
       SET last_reply_at = greatest(e.last_reply_at, r.at), updated_at = :now
      FROM reply r
     WHERE e.contact_id = r.contact_id AND e.state = 'active'
""")))
_STOP = text("".join((_REPLIES, """
    UPDATE campaigns.enrolments e
       SET state = 'stopped', stop_reason = 'replied', stopped_at = :now, next_run_at = NULL, updated_at = :now
      FROM reply r, campaigns.cadences cad
     WHERE e.contact_id = r.contact_id AND e.state = 'active' AND e.enrolled_at <= r.at
       AND cad.id = e.cadence_id AND cad.stop_on_reply
""")))
_CREDIT = text("".join((_REPLIES, """
    , latest AS (
        SELECT DISTINCT ON (s.enrolment_id) s.id, r.at
          FROM campaigns.cadence_sends s JOIN reply r ON r.contact_id = s.contact_id
         WHERE s.state <> 'skipped' AND s.created_at <= r.at AND s.created_at > r.at - make_interval(secs => :window)
         ORDER BY s.enrolment_id, s.position DESC)
    UPDATE campaigns.cadence_sends s SET replied_at = l.at
      FROM latest l
     WHERE s.id = l.id AND s.replied_at IS NULL
""")))


async def apply(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    items: Iterable[Received | Envelope[Any] | Payload],
    *,
    now: datetime | None = None,
    window: timedelta = ATTRIBUTION_WINDOW,
) -> int:
    """Record the replies among ``items`` (inbound messages); how many enrolments they stopped."""
    latest: dict[str, datetime] = {}
    for payload in payloads(items):
        if isinstance(payload, InboundMessage) and payload.consent is None:
            phone, at = str(payload.sender.address), payload.received_at
            latest[phone] = max(at, latest.get(phone, at))
    if not latest:
        return 0
    params = {"phones": list(latest), "ats": list(latest.values()), "now": now or datetime.now(UTC),
              "window": window.total_seconds()}
    await session.execute(_REMEMBER, params)
    stopped = await session.execute(_STOP, params)
    await session.execute(_CREDIT, params)
    return int(stopped.rowcount or 0)  # type: ignore[attr-defined]

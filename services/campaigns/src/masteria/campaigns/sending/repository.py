"""Every query of the dispatcher: finding work, locking a campaign, taking and marking recipients."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import Row, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from masteria.campaigns.tables import campaigns

_SYSTEM = text("SELECT set_config('app.system', 'on', true)")
_ACTIVE = text("""
    SELECT id, tenant_id FROM campaigns.campaigns
     WHERE state IN ('scheduled', 'running') OR needs_sweep
""")
_INFLIGHT = text("SELECT count(*) FROM campaigns.recipients WHERE campaign_id = :c AND state = 'queued'")
_HAS_PENDING = text("SELECT EXISTS (SELECT 1 FROM campaigns.recipients WHERE campaign_id = :c AND state = 'pending')")
# Pending recipients whose time has come, oldest first, with the contact as it stands now (its number may
# have changed since the snapshot; an opt-out or a deletion since then is seen here).
_PICK = text("""
    SELECT r.id, r.contact_id, r.variant, r.attempt,
           coalesce(c.phone, r.phone) AS phone, c.name, c.email, c.custom_fields, c.lead_stage_name,
           coalesce(c.opted_out, '{}') AS opted_out, coalesce(c.deleted, false) AS deleted
      FROM campaigns.recipients r LEFT JOIN campaigns.contacts c ON c.contact_id = r.contact_id
     WHERE r.campaign_id = :c AND r.state = 'pending' AND (r.next_attempt_at IS NULL OR r.next_attempt_at <= now())
     ORDER BY r.id
     LIMIT :n
       FOR UPDATE OF r SKIP LOCKED
""")
_MARK = text("""
    UPDATE campaigns.recipients r
       SET state = v.state, skip_reason = v.reason, dispatch_id = v.dispatch_id, attempt = v.attempt,
           channel_account_id = v.account, next_attempt_at = NULL, phone = coalesce(v.phone, r.phone),
           queued_at = CASE WHEN v.state = 'queued' THEN now() ELSE r.queued_at END
      FROM unnest(CAST(:ids AS uuid[]), CAST(:states AS text[]), CAST(:reasons AS text[]),
                  CAST(:dispatch_ids AS uuid[]), CAST(:attempts AS smallint[]), CAST(:accounts AS uuid[]),
                  CAST(:phones AS text[]))
           AS v(id, state, reason, dispatch_id, attempt, account, phone)
     WHERE r.id = v.id
    RETURNING r.campaign_id, old.state, new.state
""")
_SWEEP = text("""
    UPDATE campaigns.recipients r SET state = 'cancelled'
     WHERE r.id IN (SELECT id FROM campaigns.recipients
                     WHERE campaign_id = :c AND state = 'pending' ORDER BY id LIMIT :n FOR UPDATE SKIP LOCKED)
    RETURNING r.campaign_id, old.state, new.state
""")


async def active_campaigns(session: AsyncSession) -> list[Row[Any]]:
    """Campaigns of every tenant that may have work: scheduled, running, or cancelled with recipients to sweep."""
    await session.execute(_SYSTEM)
    return list((await session.execute(_ACTIVE)).all())


async def lock_campaign(session: AsyncSession, campaign_id: uuid.UUID) -> Row[Any] | None:
    """The campaign, locked; None when another replica's tick or an API change holds it (skip it this tick)."""
    stmt = select(campaigns).where(campaigns.c.id == campaign_id).with_for_update(skip_locked=True)
    row: Row[Any] | None = (await session.execute(stmt)).first()
    return row


async def inflight(session: AsyncSession, campaign_id: uuid.UUID) -> int:
    """Recipients dispatched without a status yet."""
    return int((await session.execute(_INFLIGHT, {"c": campaign_id})).scalar_one())


async def has_pending(session: AsyncSession, campaign_id: uuid.UUID) -> bool:
    """Whether any recipient still waits (now or for a retry)."""
    return bool((await session.execute(_HAS_PENDING, {"c": campaign_id})).scalar_one())


async def pick(session: AsyncSession, campaign_id: uuid.UUID, n: int) -> list[Row[Any]]:
    """Up to ``n`` due pending recipients, locked (another replica skips them)."""
    return list((await session.execute(_PICK, {"c": campaign_id, "n": n})).all())


async def mark(session: AsyncSession, marks: list[dict[str, Any]]) -> list[Row[Any]]:
    """Write each recipient's outcome; returns (campaign_id, old state, new state) rows for the counters."""
    if not marks:
        return []
    params = {
        "ids": [m["id"] for m in marks],
        "states": [m["state"] for m in marks],
        "reasons": [m["reason"] for m in marks],
        "dispatch_ids": [m["dispatch_id"] for m in marks],
        "attempts": [m["attempt"] for m in marks],
        "accounts": [m["account"] for m in marks],
        "phones": [m["phone"] for m in marks],
    }
    return list((await session.execute(_MARK, params)).all())


async def sweep(session: AsyncSession, campaign_id: uuid.UUID, n: int) -> list[Row[Any]]:
    """Mark up to ``n`` pending recipients of a cancelled campaign cancelled."""
    return list((await session.execute(_SWEEP, {"c": campaign_id, "n": n})).all())


async def save_campaign(session: AsyncSession, campaign_id: uuid.UUID, values: dict[str, Any]) -> Row[Any]:
    """Update the locked campaign (pacing state, state, progress time) and return it."""
    stmt = update(campaigns).where(campaigns.c.id == campaign_id).values(values).returning(campaigns)
    row: Row[Any] = (await session.execute(stmt)).one()
    return row

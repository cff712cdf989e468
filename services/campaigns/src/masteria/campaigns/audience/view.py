"""The contacts view, kept from crm's events (CAMPAIGNS_CONTACTS: contact.* and lead.stage_changed).

A batch is folded per contact in Python (the latest details win, consent changes fold in order) and
written with one statement per concern. Events may arrive late or twice: details and stages carry their
event time and never overwrite newer ones; a deleted contact stays a tombstone so a late
``contact.updated`` cannot bring it back. An opt-out also skips that contact's pending recipients at once.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from masteria.campaigns.counters import Moves
from masteria.campaigns.tables import processed_events
from masteria.contracts.contacts import (
    ContactCreated,
    ContactDeleted,
    ContactOptedIn,
    ContactOptedOut,
    ContactsMerged,
    ContactSource,
    ContactState,
)
from masteria.contracts.envelope import Envelope
from masteria.contracts.leads import LeadStageChanged
from masteria.messaging.consuming import Received
from masteria.messaging.dedup import claim_events
from masteria.messaging.outbox import Outbox

CONSUMER = "campaigns-contacts"
ContactHook = Callable[[AsyncSession, uuid.UUID, list[Received]], Awaitable[Any]]
ALL = "*"

_UPSERT_STATES = text("""
    INSERT INTO campaigns.contacts AS c
           (contact_id, tenant_id, phone, name, email, tags, custom_fields, state_at, last_inbound_at, updated_at)
    SELECT x.contact_id, :tenant, x.phone, x.name, x.email, coalesce(x.tags, '{}'), coalesce(x.custom_fields, '{}'),
           x.state_at, x.inbound_at, now()
      FROM jsonb_to_recordset(CAST(:rows AS jsonb)) AS x(contact_id uuid, phone text, name text, email text,
           tags text[], custom_fields jsonb, state_at timestamptz, inbound_at timestamptz)
    ON CONFLICT (contact_id) DO UPDATE SET
           phone = excluded.phone, name = excluded.name, email = excluded.email, tags = excluded.tags,
           custom_fields = excluded.custom_fields, state_at = excluded.state_at,
           last_inbound_at = coalesce(c.last_inbound_at, excluded.last_inbound_at), updated_at = now()
     WHERE NOT c.deleted AND (c.state_at IS NULL OR c.state_at <= excluded.state_at)
""")
# A consent change may come before the contact's details: the row is created with the number alone.
_ENSURE = text("""
    INSERT INTO campaigns.contacts (contact_id, tenant_id, phone)
    SELECT x.contact_id, :tenant, x.phone
      FROM jsonb_to_recordset(CAST(:rows AS jsonb)) AS x(contact_id uuid, phone text)
    ON CONFLICT (contact_id) DO NOTHING
""")
_CONSENT = text("""
    UPDATE campaigns.contacts c
       SET opted_out = ARRAY(
             SELECT DISTINCT e FROM unnest(CASE WHEN x.clear THEN x.add ELSE c.opted_out || x.add END) AS e
              WHERE NOT e = ANY(x.remove) ORDER BY e),
           updated_at = now()
      FROM jsonb_to_recordset(CAST(:rows AS jsonb)) AS x(contact_id uuid, clear boolean, add text[], remove text[])
     WHERE c.contact_id = x.contact_id
""")
_STAGES = text("""
    INSERT INTO campaigns.contacts AS c
           (contact_id, tenant_id, lead_stage_id, lead_stage_name, lead_pipeline_id, stage_at)
    SELECT x.contact_id, :tenant, x.stage_id, x.stage_name, x.pipeline_id, x.at
      FROM jsonb_to_recordset(CAST(:rows AS jsonb))
           AS x(contact_id uuid, stage_id uuid, stage_name text, pipeline_id uuid, at timestamptz)
    ON CONFLICT (contact_id) DO UPDATE SET
           lead_stage_id = excluded.lead_stage_id, lead_stage_name = excluded.lead_stage_name,
           lead_pipeline_id = excluded.lead_pipeline_id, stage_at = excluded.stage_at, updated_at = now()
     WHERE c.stage_at IS NULL OR c.stage_at <= excluded.stage_at
""")
_DELETE = text("""
    INSERT INTO campaigns.contacts AS c (contact_id, tenant_id, phone, deleted, state_at)
    SELECT x.contact_id, :tenant, x.phone, true, x.at
      FROM jsonb_to_recordset(CAST(:rows AS jsonb)) AS x(contact_id uuid, phone text, at timestamptz)
    ON CONFLICT (contact_id) DO UPDATE SET deleted = true, state_at = greatest(c.state_at, excluded.state_at),
           updated_at = now()
""")
# Pending recipients of active campaigns whose contact now refuses the campaign's channel.
_SKIP_OPTED_OUT = text("""
    UPDATE campaigns.recipients r
       SET state = 'skipped', skip_reason = 'opted_out'
      FROM campaigns.campaigns k, campaigns.contacts c
     WHERE k.state IN ('scheduled', 'running', 'paused') AND r.campaign_id = k.id
       AND r.contact_id = ANY(CAST(:ids AS uuid[])) AND r.state = 'pending'
       AND c.contact_id = r.contact_id AND (k.channel = ANY(c.opted_out) OR '*' = ANY(c.opted_out))
    RETURNING r.campaign_id, old.state, new.state
""")


@dataclass
class ConsentFold:
    """Consent changes of one contact in arrival order, reduced to their net effect."""

    phone: str
    clear: bool = False
    add: set[str] = field(default_factory=set)
    remove: set[str] = field(default_factory=set)

    def opt_out(self, channel: str) -> None:
        """The contact refused ``channel`` ('*' for every channel)."""
        self.remove.discard(channel)
        self.add.add(channel)

    def opt_in(self, channel: str | None) -> None:
        """The contact accepts ``channel`` again (None: every channel, which erases earlier refusals)."""
        if channel is None:
            self.clear, self.add, self.remove = True, set(), set()
            return
        self.add.discard(channel)
        self.remove.add(channel)


@dataclass
class ContactBatch:
    """One tenant's contact events of a batch, folded per contact."""

    states: dict[uuid.UUID, dict[str, Any]] = field(default_factory=dict)
    consents: dict[uuid.UUID, ConsentFold] = field(default_factory=dict)
    stages: dict[uuid.UUID, dict[str, Any]] = field(default_factory=dict)
    deletions: dict[uuid.UUID, dict[str, Any]] = field(default_factory=dict)
    opted_out: set[uuid.UUID] = field(default_factory=set)

    def add(self, envelope: Envelope[Any]) -> None:
        """Fold one event in."""
        data = envelope.data
        if isinstance(data, ContactState):
            self._state(data, envelope.time)
        elif isinstance(data, ContactOptedOut):
            self.consents.setdefault(data.contact_id, ConsentFold(data.phone)).opt_out(
                data.channel.value if data.channel else ALL
            )
            self.opted_out.add(data.contact_id)
        elif isinstance(data, ContactOptedIn):
            self.consents.setdefault(data.contact_id, ConsentFold(data.phone)).opt_in(
                data.channel.value if data.channel else None
            )
        elif isinstance(data, LeadStageChanged):
            self._stage(data)
        elif isinstance(data, ContactsMerged):
            for merged in data.merged_contact_ids:
                self.deletions[merged] = {"contact_id": merged, "phone": None, "at": data.occurred_at}
        elif isinstance(data, ContactDeleted):
            deletion = {"contact_id": data.contact_id, "phone": data.phone, "at": data.occurred_at}
            self.deletions[data.contact_id] = deletion

    def _state(self, data: ContactState, published_at: datetime) -> None:
        at: datetime = getattr(data, "updated_at", None) or getattr(data, "created_at", None) or published_at
        current = self.states.get(data.contact_id)
        if current is not None and current["state_at"] > at:
            return
        inbound = isinstance(data, ContactCreated) and data.source is ContactSource.INBOUND
        self.states[data.contact_id] = {
            "contact_id": data.contact_id,
            "phone": data.phone,
            "name": data.name,
            "email": data.email,
            "tags": list(data.tags),
            "custom_fields": dict(data.custom_fields),
            "state_at": at,
            # A contact created by an inbound message wrote to us then; the inbound consumer may have run first.
            "inbound_at": at if inbound else None,
        }

    def _stage(self, data: LeadStageChanged) -> None:
        current = self.stages.get(data.contact_id)
        if current is not None and current["at"] > data.occurred_at:
            return
        self.stages[data.contact_id] = {
            "contact_id": data.contact_id,
            "stage_id": data.stage_id,
            "stage_name": data.stage_name,
            "pipeline_id": data.pipeline_id,
            "at": data.occurred_at,
        }


def contacts_work(
    hooks: list[ContactHook],
) -> Callable[[AsyncSession, Outbox, uuid.UUID, list[Received]], Awaitable[int]]:
    """The consumer's work with its hooks bound (the shape ``consumers.batch_handler`` runs)."""

    async def work(session: AsyncSession, outbox: Outbox, tenant_id: uuid.UUID, items: list[Received]) -> int:
        del outbox  # the view publishes nothing
        return await apply_contact_events(session, tenant_id, items, hooks)

    return work


async def apply_contact_events(
    session: AsyncSession, tenant_id: uuid.UUID, items: list[Received], hooks: list[ContactHook] | None = None
) -> int:
    """Apply one tenant's share of a batch to the view, then the hooks; returns how many events were new."""
    fresh = await claim_events(session, processed_events, CONSUMER, tenant_id, [r.envelope.id for r in items])
    new = [item for item in items if item.envelope.id in fresh]
    batch = ContactBatch()
    for item in new:
        batch.add(item.envelope)
    await write_batch(session, tenant_id, batch)
    for hook in hooks or []:
        if new:
            await hook(session, tenant_id, new)
    return len(new)


async def write_batch(session: AsyncSession, tenant_id: uuid.UUID, batch: ContactBatch) -> None:
    """Write a folded batch: details, consent, stages, deletions; then skip refused pending recipients."""
    params: dict[str, Any] = {"tenant": tenant_id}
    if batch.states:
        await session.execute(_UPSERT_STATES, {**params, "rows": _json(batch.states.values())})
    if batch.consents:
        ensure = [{"contact_id": cid, "phone": fold.phone} for cid, fold in batch.consents.items()]
        consent = [
            {"contact_id": cid, "clear": f.clear, "add": sorted(f.add), "remove": sorted(f.remove)}
            for cid, f in batch.consents.items()
        ]
        await session.execute(_ENSURE, {**params, "rows": _json(ensure)})
        await session.execute(_CONSENT, {"rows": _json(consent)})
    if batch.stages:
        await session.execute(_STAGES, {**params, "rows": _json(batch.stages.values())})
    if batch.deletions:
        await session.execute(_DELETE, {**params, "rows": _json(batch.deletions.values())})
    if batch.opted_out:
        moves = Moves()
        result = await session.execute(_SKIP_OPTED_OUT, {"ids": sorted(batch.opted_out, key=lambda u: u.int)})
        moves.moved(result.all())
        await moves.apply(session)


def _json(rows: Any) -> str:
    # uuids and aware datetimes as their str(): PostgreSQL reads both.
    return json.dumps(list(rows), default=str)

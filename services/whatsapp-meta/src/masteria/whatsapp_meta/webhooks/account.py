"""Account-level webhook fields: template status changes and a number's quality and messaging tier.

``message_template_status_update`` (APPROVED, REJECTED with its reason, PAUSED, DISABLED,
REINSTATED, FLAGGED...) keeps the synced templates honest between syncs: a template that is not
APPROVED is then refused before Graph is called. ``phone_number_quality_update`` (FLAGGED,
UNFLAGGED, UPGRADE, DOWNGRADE with ``current_limit``) changes the number's tier, which the tier
budget then uses, and its quality rating. Both name the WhatsApp Business account (the entry id),
not a phone_number_id, so they are routed by the account's registered numbers.

The quality webhook does not carry the rating itself: FLAGGED means Meta rates the number low
(RED, set at once); after any quality change the number's rating is read again from Graph
(``numbers_changed``), which tells it exactly (an UNFLAGGED number is YELLOW or GREEN).
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from masteria.persistence.tenancy import tenant_session
from masteria.whatsapp_meta.numbers import repository as numbers
from masteria.whatsapp_meta.templates import repository as templates
from masteria.whatsapp_meta.webhooks.payload import WebhookBody
from masteria.whatsapp_meta.webhooks.routing import KnownNumber

FIELDS = frozenset({"message_template_status_update", "phone_number_quality_update"})


@dataclass
class Applied:
    """What the changes touched: tenants (their cached numbers and templates are stale) and numbers
    whose quality changed (tenant, registration id), to read again from Graph."""

    tenants: set[uuid.UUID] = field(default_factory=set)
    numbers: list[tuple[uuid.UUID, uuid.UUID]] = field(default_factory=list)


@dataclass(frozen=True)
class AccountChange:
    """One account-level change."""

    waba_id: str
    field: str
    value: dict[str, Any]


def changes_of(body: WebhookBody) -> list[AccountChange]:
    """The account-level changes of a webhook body."""
    return [
        AccountChange(
            entry.id,
            change.field,
            {**change.value.model_dump(exclude_defaults=True), **(change.value.model_extra or {})},
        )
        for entry in body.entry
        for change in entry.changes
        if change.field in FIELDS
    ]


async def apply(
    sessions: async_sessionmaker[AsyncSession], changes: list[AccountChange], owners: list[KnownNumber]
) -> Applied:
    """Apply the changes for every tenant owning a number of the account."""
    tenants: dict[str, set[uuid.UUID]] = defaultdict(set)
    for owner in owners:
        tenants[owner.waba_id].add(owner.tenant_id)
    applied = Applied()
    for change in changes:
        for tenant_id in tenants.get(change.waba_id, set()):
            async with tenant_session(sessions, tenant_id) as session:
                changed = await _apply_one(session, change)
            applied.tenants.add(tenant_id)
            applied.numbers.extend((tenant_id, number_id) for number_id in changed)
    return applied


async def _apply_one(session: AsyncSession, change: AccountChange) -> list[uuid.UUID]:
    value = change.value
    if change.field == "message_template_status_update" and value.get("event"):
        await _template_status(session, change.waba_id, value)
        return []
    if change.field == "phone_number_quality_update" and value.get("event"):
        return await _quality(session, change.waba_id, value)
    return []


async def _template_status(session: AsyncSession, waba_id: str, value: dict[str, Any]) -> None:
    event = str(value["event"]).upper()
    # FLAGGED: negative feedback, still sendable (Meta keeps it APPROVED); only its quality drops.
    status = None if event == "FLAGGED" else "APPROVED" if event == "REINSTATED" else event
    await templates.set_status(
        session,
        waba_id,
        status,
        meta_id=str(value["message_template_id"]) if value.get("message_template_id") else None,
        name=value.get("message_template_name"),
        language=value.get("message_template_language"),
        reason=_reason(value) if status not in (None, "APPROVED") else None,
        quality_score="RED" if event == "FLAGGED" else None,
    )


def _reason(value: dict[str, Any]) -> str | None:
    """Meta's reason code (INVALID_FORMAT, SCAM...) and its explanation, when it gives them."""
    parts = []
    code = str(value.get("reason") or "").strip()
    if code and code.upper() != "NONE":
        parts.append(code)
    for key in ("other_info", "rejection_info"):
        detail = value.get(key)
        text = (detail.get("description") or detail.get("reason")) if isinstance(detail, dict) else None
        if text:
            parts.append(str(text))
    return ": ".join(parts)[:1000] or None


async def _quality(session: AsyncSession, waba_id: str, value: dict[str, Any]) -> list[uuid.UUID]:
    event = str(value["event"]).upper()
    limit = value.get("current_limit") or value.get("max_daily_conversations_per_business")
    tier = str(limit) if limit and str(limit).upper().startswith("TIER_") else None
    digits = "".join(ch for ch in str(value.get("display_phone_number") or "") if ch.isdigit())
    rows = await numbers.set_quality(session, waba_id, digits, tier=tier, rating="RED" if event == "FLAGGED" else None)
    return [row.id for row in rows]

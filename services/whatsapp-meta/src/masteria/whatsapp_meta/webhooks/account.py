"""Account-level webhook fields: template status changes and a number's messaging tier changes.

``message_template_status_update`` (APPROVED, REJECTED, PAUSED, DISABLED, ...) keeps the synced
templates honest between syncs; ``phone_number_quality_update`` announces a new messaging tier
(``current_limit``), which the tier budget then uses. Both name the WhatsApp Business account
(the entry id), not a phone_number_id, so they are routed by the account's registered numbers.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from masteria.persistence.tenancy import tenant_session
from masteria.whatsapp_meta.numbers import repository as numbers
from masteria.whatsapp_meta.templates import repository as templates
from masteria.whatsapp_meta.webhooks.payload import WebhookBody
from masteria.whatsapp_meta.webhooks.routing import KnownNumber

FIELDS = frozenset({"message_template_status_update", "phone_number_quality_update"})


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
) -> set[uuid.UUID]:
    """Apply the changes for every tenant owning a number of the account; returns those tenants."""
    tenants: dict[str, set[uuid.UUID]] = defaultdict(set)
    for owner in owners:
        tenants[owner.waba_id].add(owner.tenant_id)
    touched: set[uuid.UUID] = set()
    for change in changes:
        for tenant_id in tenants.get(change.waba_id, set()):
            async with tenant_session(sessions, tenant_id) as session:
                await _apply_one(session, change)
            touched.add(tenant_id)
    return touched


async def _apply_one(session: AsyncSession, change: AccountChange) -> None:
    value = change.value
    if change.field == "message_template_status_update" and value.get("event"):
        event = str(value["event"]).upper()
        await templates.set_status(
            session,
            change.waba_id,
            "APPROVED" if event == "REINSTATED" else event,
            meta_id=str(value["message_template_id"]) if value.get("message_template_id") else None,
            name=value.get("message_template_name"),
            language=value.get("message_template_language"),
        )
    elif change.field == "phone_number_quality_update" and value.get("current_limit"):
        digits = "".join(ch for ch in str(value.get("display_phone_number") or "") if ch.isdigit())
        await numbers.set_tier(session, change.waba_id, digits, str(value["current_limit"]))

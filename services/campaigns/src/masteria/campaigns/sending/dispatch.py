"""Turning recipients (of campaigns or cadence steps) into bulk-lane commands, in the caller's transaction.

Per batch: one pass in Python (consent, number, rendering), one statement against the send log (duplicate
protection, atomic across campaigns and cadences) and one outbox insert. The caller marks its rows queued
or skipped in the same transaction, so a crash anywhere leaves either both the mark and the command or
neither: nothing is lost and nothing goes out twice.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from masteria.campaigns.events import wrap
from masteria.campaigns.render import compile_spec, content_hash
from masteria.contracts.addresses import is_e164
from masteria.contracts.channels import Channel
from masteria.contracts.ids import uuid7
from masteria.contracts.messages import CampaignDispatch
from masteria.messaging.outbox import Outbox

ALL_CHANNELS = "*"
# Why a dispatch was not queued (the recipients' skip_reason).
OPTED_OUT = "opted_out"
INVALID_NUMBER = "invalid_number"
DUPLICATE = "duplicate"
MISSING_VARIABLE = "missing_variable"
INVALID_CONTENT = "invalid_content"
CONTACT_DELETED = "contact_deleted"

# Allowed when the number has not had this content within the window; the row is written either way.
_CLAIM_SEND_LOG = text("""
    INSERT INTO campaigns.send_log AS l (tenant_id, phone, content_hash, last_sent_at)
    SELECT :tenant, v.phone, v.hash, now()
      FROM unnest(CAST(:phones AS text[]), CAST(:hashes AS text[])) AS v(phone, hash)
    ON CONFLICT (tenant_id, phone, content_hash) DO UPDATE SET last_sent_at = excluded.last_sent_at
     WHERE l.last_sent_at <= excluded.last_sent_at - make_interval(secs => :window)
    RETURNING l.phone, l.content_hash
""")


@dataclass(frozen=True)
class DispatchItem:
    """One message to queue: who (a contact row: phone, name, email, custom_fields, lead_stage_name,
    opted_out, deleted), what (an unrendered content spec), and the ids the statuses come back with."""

    channel: Channel
    channel_account_id: uuid.UUID | None
    contact_row: Any
    content_spec: Any
    campaign_id: uuid.UUID
    recipient_id: uuid.UUID
    cadence_step_id: uuid.UUID | None = None
    attempt: int = 1
    dispatch_id: uuid.UUID = field(default_factory=uuid7)


@dataclass(frozen=True)
class DispatchOutcome:
    """``queued`` (its command is in the outbox) or ``skipped`` with a reason."""

    item: DispatchItem
    state: str
    reason: str | None = None
    dispatch: CampaignDispatch | None = None

    @property
    def queued(self) -> bool:
        """True when the command was written."""
        return self.state == "queued"


async def queue_dispatches(
    session: AsyncSession,
    outbox: Outbox,
    tenant_id: uuid.UUID,
    items: Sequence[DispatchItem],
    *,
    duplicate_window: timedelta | None,
) -> list[DispatchOutcome]:
    """Queue what may be sent and say why the rest may not; outcomes are in the order of ``items``.

    A retry (attempt > 1) is not checked against the send log: its first attempt wrote the entry.
    ``duplicate_window=None`` (a test send) neither consults nor writes the send log.
    """
    outcomes: dict[int, DispatchOutcome] = {}
    ready: list[tuple[int, CampaignDispatch, str]] = []
    for index, item in enumerate(items):
        refused = _refusal(item)
        if refused is not None:
            outcomes[index] = DispatchOutcome(item, "skipped", refused)
            continue
        dispatch, reason = _command(item)
        if dispatch is None:
            outcomes[index] = DispatchOutcome(item, "skipped", reason)
            continue
        ready.append((index, dispatch, content_hash(item.content_spec)))
    checked = duplicate_window is not None
    candidates = [(i, d, h) for i, d, h in ready if checked and items[i].attempt == 1]
    allowed = await _claim_send_log(session, tenant_id, candidates, duplicate_window or timedelta(0))
    rows = []
    for index, dispatch, _hash in ready:
        if checked and items[index].attempt == 1 and index not in allowed:
            outcomes[index] = DispatchOutcome(items[index], "skipped", DUPLICATE)
            continue
        outcomes[index] = DispatchOutcome(items[index], "queued", None, dispatch)
        rows.append(outbox.row(wrap(dispatch, tenant_id)))
    await outbox.write(session, rows)
    return [outcomes[i] for i in range(len(items))]


def contact_refusal(contact: Any, channel: Channel | str) -> str | None:
    """Why this contact cannot be messaged on ``channel`` at all (deleted, opted out, no valid number)."""
    if _get(contact, "deleted"):
        return CONTACT_DELETED
    refused = _get(contact, "opted_out") or ()
    if ALL_CHANNELS in refused or str(channel) in refused:
        return OPTED_OUT
    phone = _get(contact, "phone")
    if not phone or not is_e164(phone):
        return INVALID_NUMBER
    return None


def _refusal(item: DispatchItem) -> str | None:
    return contact_refusal(item.contact_row, item.channel)


def _command(item: DispatchItem) -> tuple[CampaignDispatch | None, str | None]:
    result = compile_spec(item.content_spec).render(item.contact_row)
    if result.content is None:
        return None, MISSING_VARIABLE if result.missing else INVALID_CONTENT
    dispatch = CampaignDispatch(
        channel=item.channel,
        dispatch_id=item.dispatch_id,
        campaign_id=item.campaign_id,
        recipient_id=item.recipient_id,
        cadence_step_id=item.cadence_step_id,
        channel_account_id=item.channel_account_id,
        to=_get(item.contact_row, "phone"),
        content=result.content,
        variables=result.variables,
        attempt=item.attempt,
    )
    return dispatch, None


async def _claim_send_log(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    candidates: list[tuple[int, CampaignDispatch, str]],
    window: timedelta,
) -> set[int]:
    """Indexes of the candidates the send log lets through; a repeat inside the batch is a duplicate too."""
    first: dict[tuple[str, str], int] = {}
    for index, dispatch, digest in candidates:
        first.setdefault((dispatch.to, digest), index)
    if not first:
        return set()
    keys = list(first)
    result = await session.execute(
        _CLAIM_SEND_LOG,
        {
            "tenant": tenant_id,
            "phones": [phone for phone, _ in keys],
            "hashes": [digest for _, digest in keys],
            "window": window.total_seconds(),
        },
    )
    return {first[(row.phone, row.content_hash)] for row in result}


def _get(row: Any, key: str) -> Any:
    mapping = getattr(row, "_mapping", row)
    return mapping.get(key)

"""What an accepted webhook writes, applied inside a shared (group-committed) transaction.

Rows for the outbox are built in the request, where the trace context is the webhook's own;
what depends on the database (duplicates, the opt-out state) is decided here, in the transaction.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from opentelemetry import context as otel_context
from sqlalchemy.ext.asyncio import AsyncSession

from masteria.messaging.outbox import Outbox
from masteria.persistence.tenancy import set_tenant
from masteria.sms.consent import repository as consent
from masteria.sms.inbound_media import repository as media_downloads
from masteria.sms.keywords import Keyword, KeywordKind
from masteria.sms.sending import repository as sends
from masteria.sms.sending.statuses import apply_callbacks
from masteria.sms.webhooks.repository import claim_inbound

Row = dict[str, Any]


class WebhookWork(Protocol):
    """One webhook's effects; ``apply`` answers how many events it staged (0 for a duplicate)."""

    tenant_id: uuid.UUID
    trace: otel_context.Context

    async def apply(self, session: AsyncSession, outbox: Outbox) -> int:
        """Write the effects in the caller's transaction."""
        ...


def record_in(outbox: Outbox) -> Callable[[AsyncSession, list[WebhookWork]], Awaitable[list[int]]]:
    """The group-commit work: each webhook in turn, under its tenant and its own trace."""

    async def record(session: AsyncSession, items: list[WebhookWork]) -> list[int]:
        results = []
        for item in items:
            await set_tenant(session, item.tenant_id)
            token = otel_context.attach(item.trace)
            try:
                results.append(await item.apply(session, outbox))
            finally:
                otel_context.detach(token)
        return results

    return record


@dataclass
class InboundWork:
    """A customer's message: the receipt, the opt-out change, the events and maybe our reply."""

    tenant_id: uuid.UUID
    sid: str
    sender_number: str
    customer: str
    received_at: datetime
    keyword: Keyword | None
    plain: list[Row]  # the message events without consent
    with_consent: list[Row]  # the same with the consent keyword on the first
    reply: Row | None = None  # a SendMessage command confirming the keyword
    reply_id: uuid.UUID | None = None
    downloads: list[Row] = field(default_factory=list)  # MMS messages published once their file is stored
    trace: otel_context.Context = field(default_factory=otel_context.get_current)

    async def apply(self, session: AsyncSession, outbox: Outbox) -> int:
        """Stage the events once per MessageSid; change the pair's opt-out on a consent keyword."""
        if not await claim_inbound(session, self.tenant_id, self.sid):
            return 0
        rows = self.plain
        if self.keyword is not None and await self._changes_consent(session):
            rows = self.with_consent
            await consent.record(
                session,
                tenant_id=self.tenant_id,
                sender_number=self.sender_number,
                recipient=self.customer,
                opted_out=self.keyword.kind is KeywordKind.OPT_OUT,
                keyword=self.keyword.word,
                at=self.received_at,
                confirmation_id=self.reply_id if self.keyword.kind is KeywordKind.OPT_OUT else None,
            )
        if self.reply is not None and (rows is self.with_consent or self.keyword_is_help):
            rows = [*rows, self.reply]
        await outbox.write(session, rows)
        await media_downloads.add(session, self.downloads)
        return len(rows) + len(self.downloads)

    @property
    def keyword_is_help(self) -> bool:
        """HELP changes no consent but is answered."""
        return self.keyword is not None and self.keyword.kind is KeywordKind.HELP

    async def _changes_consent(self, session: AsyncSession) -> bool:
        assert self.keyword is not None
        if self.keyword.kind is KeywordKind.HELP:
            return False
        if not self.keyword.conditional_opt_in:
            return True
        state = await consent.current(session, self.sender_number, self.customer)
        return state is not None and state.opted_out


@dataclass
class StatusWork:
    """A status callback: received once per (MessageSid, status), applied when its send is known."""

    tenant_id: uuid.UUID
    sid: str
    status: str
    error_code: str | None
    segments: int | None
    sender_number: str
    recipient: str
    received_at: datetime
    trace: otel_context.Context = field(default_factory=otel_context.get_current)

    async def apply(self, session: AsyncSession, outbox: Outbox) -> int:
        """Record the receipt, then move the send forward (or leave the receipt for the send to apply)."""
        await sends.lock_sid(session, self.sid)
        fresh = await sends.claim_receipt(
            session,
            {
                "tenant_id": self.tenant_id,
                "sid": self.sid,
                "status": self.status,
                "error_code": self.error_code,
                "segments": self.segments,
                "recipient": self.recipient,
                "received_at": self.received_at,
            },
        )
        if not fresh:
            return 0
        if self.error_code == "21610" and self.recipient.startswith("+"):
            # Twilio says the recipient unsubscribed: our list must agree, or we keep paying for refusals.
            await consent.record(
                session,
                tenant_id=self.tenant_id,
                sender_number=self.sender_number,
                recipient=self.recipient,
                opted_out=True,
                keyword="21610",
                at=self.received_at,
            )
        send = await sends.by_sid(session, self.sid)
        if send is None:
            return 0  # Twilio was faster than our commit of the MessageSid: the send applies it
        return await apply_callbacks(session, outbox, send, [self])

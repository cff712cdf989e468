"""Accepting a webhook: verify, normalise, drop duplicates, record everything in one (group) commit.

In that one commit: receipts (Meta's duplicates dropped), each customer's last inbound time (the
24-hour window), inbound messages staged in the outbox, except media messages, which are staged
as pending downloads (published by the media worker once the file is in the store, so the webhook
answers at once and nothing is lost), and statuses applied to our sends (``statuses.service``).
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from masteria.contracts.content import MediaContent
from masteria.contracts.envelope import Envelope
from masteria.contracts.messages import InboundMessage
from masteria.messaging.headers import envelope_headers
from masteria.messaging.outbox import Outbox
from masteria.observability.logging import get_logger
from masteria.persistence.group_commit import GroupCommitter
from masteria.persistence.tenancy import set_tenant, system_session
from masteria.runtime.problems import Problem
from masteria.security.webhook_signatures import verify_meta_signature
from masteria.whatsapp_meta.inbound_media import repository as downloads
from masteria.whatsapp_meta.numbers import repository as numbers
from masteria.whatsapp_meta.numbers.service import hash_verify_token
from masteria.whatsapp_meta.sending import repository as sends
from masteria.whatsapp_meta.sending.requests import parse_callback_data
from masteria.whatsapp_meta.statuses import service as statuses
from masteria.whatsapp_meta.statuses.service import StatusUpdate, parse_callback
from masteria.whatsapp_meta.webhooks import account, normalize
from masteria.whatsapp_meta.webhooks.payload import WebhookBody
from masteria.whatsapp_meta.webhooks.repository import claim_receipts
from masteria.whatsapp_meta.webhooks.routing import KnownNumber, NumberDirectory

log = get_logger(__name__)
SOURCE = "masteria/whatsapp-meta"


@dataclass(frozen=True)
class StagedMessage:
    """An inbound message with its envelope built inside the request (its trace is the request's)."""

    envelope: Envelope[InboundMessage]
    headers: dict[str, str]
    number: KnownNumber

    @property
    def media(self) -> MediaContent | None:
        """The media to download first, if any."""
        content = self.envelope.data.content
        return content if isinstance(content, MediaContent) and content.media_id and not content.storage_key else None


@dataclass
class TenantBatch:
    """What one POST brings for one tenant, keyed by the receipt that deduplicates each item."""

    messages: dict[str, StagedMessage] = field(default_factory=dict)
    statuses: dict[str, StatusUpdate] = field(default_factory=dict)


WebhookItems = dict[uuid.UUID, TenantBatch]
Recorded = tuple[int, int]  # published (or staged for download, or applied), duplicates


@dataclass(frozen=True)
class Accepted:
    """What happened to a webhook, for the log and the response."""

    published: int
    duplicates: int
    unknown_numbers: list[str]
    media: int = 0
    tenants_changed: set[uuid.UUID] = field(default_factory=set)  # account changes applied for them
    # Numbers whose quality changed (tenant, registration id): their profile is read again from Graph.
    numbers_changed: list[tuple[uuid.UUID, uuid.UUID]] = field(default_factory=list)


def parse_body(raw: bytes) -> WebhookBody:
    """Decode the body or answer 400 with the reason."""
    try:
        body = WebhookBody.model_validate_json(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ()))
        raise Problem(400, "Malformed webhook", f"{where}: {first.get('msg')}") from exc
    if body.object != "whatsapp_business_account":
        raise Problem(400, "Malformed webhook", f"unsupported object {body.object!r}")
    return body


def check_signature(raw: bytes, signature: str | None, numbers: dict[str, KnownNumber]) -> None:
    """All numbers of one POST belong to one Meta app, so one app secret must verify the body."""
    secrets = {n.app_secret for n in numbers.values()}
    if len(secrets) != 1 or not verify_meta_signature(next(iter(secrets)), raw, signature):
        raise Problem(401, "Invalid signature", "X-Hub-Signature-256 does not match the app secret")


async def accept(
    raw: bytes,
    signature: str | None,
    *,
    directory: NumberDirectory,
    committer: GroupCommitter[WebhookItems, Recorded],
    sessions: async_sessionmaker[AsyncSession] | None = None,
) -> Accepted:
    """Verify and record a webhook; nothing is published unless all of it is accepted."""
    body = parse_body(raw)
    ids = body.phone_number_ids()
    known = await directory.find(ids)
    unknown = [pid for pid in ids if pid not in known]
    if unknown:
        # Acknowledged, not refused: Meta would otherwise retry for days a number nobody here owns.
        log.warning("webhook for unregistered phone_number_id", phone_number_ids=unknown)
    changes = account.changes_of(body) if sessions is not None else []
    owners = await directory.by_waba(list({c.waba_id for c in changes}))
    if not known and not owners:
        return Accepted(0, 0, unknown)
    check_signature(raw, signature, {**known, **{o.phone_number_id: o for o in owners}})
    applied = account.Applied()
    if changes and sessions is not None:
        applied = await account.apply(sessions, changes, owners)
    if not known:
        return Accepted(0, 0, unknown, tenants_changed=applied.tenants, numbers_changed=applied.numbers)
    # Envelopes are built here, inside the request's span, so the trace they carry is this request's.
    items = _by_tenant(body, known)
    published, duplicates = await committer.submit(items)
    media = sum(1 for batch in items.values() for m in batch.messages.values() if m.media is not None)
    return Accepted(published, duplicates, unknown, media, applied.tenants, applied.numbers)


def record_in(outbox: Outbox) -> Callable[[AsyncSession, list[WebhookItems]], Awaitable[list[Recorded]]]:
    """The group-commit work: claim every item's receipt, record the new ones, answer per webhook."""

    async def record(session: AsyncSession, webhooks: list[WebhookItems]) -> list[Recorded]:
        counts = [[0, 0] for _ in webhooks]
        for tenant_id in dict.fromkeys(t for items in webhooks for t in items):
            await set_tenant(session, tenant_id)
            batches = [(i, items[tenant_id]) for i, items in enumerate(webhooks) if tenant_id in items]
            keys = [key for _, batch in batches for key in (*batch.messages, *batch.statuses)]
            fresh = await claim_receipts(session, tenant_id, keys)
            await sends.record_inbound(
                session, [_window_row(tenant_id, m) for _, batch in batches for m in batch.messages.values()]
            )
            messages: list[StagedMessage] = []
            updates: list[StatusUpdate] = []
            for index, batch in batches:
                for key, message in batch.messages.items():
                    if _first(key, fresh, counts[index]):
                        messages.append(message)
                for key, update in batch.statuses.items():
                    if _first(key, fresh, counts[index]):
                        updates.append(update)
            await _record_messages(session, outbox, tenant_id, messages)
            await statuses.apply(session, outbox, tenant_id, updates)
        return [(published, duplicates) for published, duplicates in counts]

    return record


def _first(key: str, fresh: set[str], count: list[int]) -> bool:
    """True for the first webhook of the group that brings a new key (it records it); counts either way."""
    if key in fresh:
        fresh.discard(key)
        count[0] += 1
        return True
    count[1] += 1
    return False


async def _record_messages(
    session: AsyncSession, outbox: Outbox, tenant_id: uuid.UUID, messages: list[StagedMessage]
) -> None:
    rows, pending = [], []
    for message in messages:
        media = message.media
        if media is not None and media.media_id is not None:
            pending.append(
                downloads.pending_row(
                    tenant_id, message.envelope, message.headers, message.number.phone_number_id, media.media_id
                )
            )
        else:
            rows.append({**outbox.row(message.envelope), "headers": message.headers})
    await downloads.add(session, pending)
    await outbox.write(session, rows)


def _window_row(tenant_id: uuid.UUID, message: StagedMessage) -> dict[str, Any]:
    data = message.envelope.data
    return {
        "tenant_id": tenant_id,
        "number_id": data.channel_account_id,
        "wa_id": data.sender.wa_id or data.sender.address.lstrip("+"),
        "last_inbound_at": data.sent_at,
    }


def _by_tenant(body: WebhookBody, known: dict[str, KnownNumber]) -> WebhookItems:
    received_at = datetime.now(UTC)
    batches: WebhookItems = {}
    for entry in body.entry:
        for change in entry.changes:
            value = change.value
            number = known.get(value.metadata.phone_number_id) if value.metadata else None
            if change.field != "messages" or number is None:
                continue
            batch = batches.setdefault(number.tenant_id, TenantBatch())
            for message in normalize.inbound_messages(value, number, received_at):
                inbound = Envelope.wrap(message, tenant=number.tenant_id, source=SOURCE)
                batch.messages[message.external_id] = StagedMessage(inbound, envelope_headers(inbound), number)
            for key, status, callback in normalize.status_changes(value, number):
                staged = Envelope.wrap(status, tenant=number.tenant_id, source=SOURCE)
                batch.statuses[key] = StatusUpdate(
                    staged, envelope_headers(staged), parse_callback(parse_callback_data(callback))
                )
    return batches


async def verify_subscription(
    sessions: async_sessionmaker[AsyncSession], mode: str | None, token: str | None, challenge: str | None
) -> str:
    """Meta's GET handshake: echo the challenge when the verify token is one we issued."""
    if mode != "subscribe" or not token or challenge is None:
        raise Problem(400, "Malformed verification", "expected hub.mode=subscribe, hub.verify_token, hub.challenge")
    token_hash = hash_verify_token(token)
    async with system_session(sessions) as session:
        number = await numbers.by_verify_token_hash(session, token_hash)
    if number is None:
        raise Problem(403, "Verify token mismatch", "hub.verify_token matches no registered number")
    return challenge

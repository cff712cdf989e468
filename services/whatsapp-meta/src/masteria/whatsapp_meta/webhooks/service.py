"""Accepting a webhook: verify, normalise, drop duplicates, stage events in the outbox, one commit."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from masteria.contracts.envelope import Envelope, Payload
from masteria.messaging.outbox import Outbox
from masteria.observability.logging import get_logger
from masteria.persistence.group_commit import GroupCommitter
from masteria.persistence.tenancy import set_tenant, system_session
from masteria.runtime.problems import Problem
from masteria.security.webhook_signatures import verify_meta_signature
from masteria.whatsapp_meta.numbers import repository as numbers
from masteria.whatsapp_meta.numbers.service import hash_verify_token
from masteria.whatsapp_meta.webhooks import normalize
from masteria.whatsapp_meta.webhooks.payload import WebhookBody
from masteria.whatsapp_meta.webhooks.repository import claim_receipts
from masteria.whatsapp_meta.webhooks.routing import KnownNumber, NumberDirectory

log = get_logger(__name__)
SOURCE = "masteria/whatsapp-meta"


# What one POST brings, per tenant: outbox rows keyed by the receipt that deduplicates them.
WebhookItems = dict[uuid.UUID, dict[str, dict[str, Any]]]
Recorded = tuple[int, int]  # published, duplicates


@dataclass(frozen=True)
class Accepted:
    """What happened to a webhook, for the log and the response."""

    published: int
    duplicates: int
    unknown_numbers: list[str]


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
    outbox: Outbox,
    committer: GroupCommitter[WebhookItems, Recorded],
) -> Accepted:
    """Verify and record a webhook; nothing is published unless all of it is accepted."""
    body = parse_body(raw)
    ids = body.phone_number_ids()
    known = await directory.find(ids)
    unknown = [pid for pid in ids if pid not in known]
    if unknown:
        # Acknowledged, not refused: Meta would otherwise retry for days a number nobody here owns.
        log.warning("webhook for unregistered phone_number_id", phone_number_ids=unknown)
    if not known:
        return Accepted(0, 0, unknown)
    check_signature(raw, signature, known)
    # Rows are built here, inside the request's span, so the trace context they carry is this request's.
    items = {
        tenant_id: {
            key: outbox.row(Envelope.wrap(payload, tenant=tenant_id, source=SOURCE)) for key, payload in by_key.items()
        }
        for tenant_id, by_key in _by_tenant(body, known).items()
    }
    published, duplicates = await committer.submit(items)
    return Accepted(published, duplicates, unknown)


def record_in(outbox: Outbox) -> Callable[[AsyncSession, list[WebhookItems]], Awaitable[list[Recorded]]]:
    """The group-commit work: claim every item's receipt, stage the new ones, answer per webhook."""

    async def record(session: AsyncSession, webhooks: list[WebhookItems]) -> list[Recorded]:
        counts = [[0, 0] for _ in webhooks]
        rows = []
        for tenant_id in dict.fromkeys(t for items in webhooks for t in items):
            await set_tenant(session, tenant_id)
            keys = [key for items in webhooks for key in items.get(tenant_id, {})]
            fresh = await claim_receipts(session, tenant_id, keys)
            for index, items in enumerate(webhooks):
                for key, row in items.get(tenant_id, {}).items():
                    if key in fresh:
                        fresh.discard(key)  # the first webhook to bring a key publishes it
                        rows.append(row)
                        counts[index][0] += 1
                    else:
                        counts[index][1] += 1
        await outbox.write(session, rows)
        return [(published, duplicates) for published, duplicates in counts]

    return record


def _by_tenant(body: WebhookBody, known: dict[str, KnownNumber]) -> dict[uuid.UUID, dict[str, Payload]]:
    received_at = datetime.now(UTC)
    batches: dict[uuid.UUID, dict[str, Payload]] = defaultdict(dict)
    for entry in body.entry:
        for change in entry.changes:
            value = change.value
            number = known.get(value.metadata.phone_number_id) if value.metadata else None
            if change.field != "messages" or number is None:
                continue
            items = batches[number.tenant_id]
            for message in normalize.inbound_messages(value, number, received_at):
                items[message.external_id] = message
            items.update(normalize.status_changes(value, number))
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

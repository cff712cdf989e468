"""The three database steps of a send, each run for many sends in one transaction (group commit).

1. ``claim``: record the command (or find it), and read the customer's service window.
2. ``begin``: mark it "sending" (attempt + 1), committed before Meta is called, so a crash inside
   the call leaves a trace that is settled as UNKNOWN, never resent.
3. ``settle``: record what happened (accepted with the wamid, failed, retry later, unknown) and
   stage the status event in the outbox, in one transaction.

Each step checks that nobody moved the row meanwhile (state and attempt count), so two copies
of one command (a JetStream redelivery, a retry sweep) can never both reach Meta.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Literal, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from masteria.contracts.channels import Channel
from masteria.contracts.envelope import Envelope
from masteria.contracts.messages import DeliveryError, MessageStatus, MessageStatusChanged, status_advances
from masteria.messaging.outbox import Outbox
from masteria.persistence.tenancy import set_tenant
from masteria.whatsapp_meta.sending import repository
from masteria.whatsapp_meta.sending.model import Command, State
from masteria.whatsapp_meta.sending.repository import Key
from masteria.whatsapp_meta.statuses.service import Tracked, apply_orphans

SOURCE = "masteria/whatsapp-meta"
Item = TypeVar("Item")


def _by_tenant(items: list[Item], tenant_of: Callable[[Item], uuid.UUID]) -> dict[uuid.UUID, list[int]]:
    groups: dict[uuid.UUID, list[int]] = defaultdict(list)
    for index, item in enumerate(items):
        groups[tenant_of(item)].append(index)
    return groups


# --- 1. claim ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ClaimRequest:
    """A command about to be worked on, from the number it will go out from."""

    command: Command
    number_id: uuid.UUID | None
    customer: str  # wa_id


@dataclass(frozen=True)
class Claimed:
    """The command's row as found (or just created) and the customer's last inbound time."""

    state: State
    attempts: int
    status: str | None
    sending_at: datetime | None
    last_inbound_at: datetime | None


async def claim(session: AsyncSession, requests: list[ClaimRequest]) -> list[Claimed]:
    """Insert new commands, read every row, restart failed dispatches a campaign tries again."""
    results: list[Claimed | None] = [None] * len(requests)
    for tenant_id, indexes in _by_tenant(requests, lambda r: r.command.tenant_id).items():
        await set_tenant(session, tenant_id)
        group = [requests[i] for i in indexes]
        await repository.insert_new(session, [_new_row(r) for r in group])
        rows = await repository.read(session, tenant_id, [_key(r.command) for r in group])
        windows = await repository.last_inbound(
            session, tenant_id, [(r.number_id, r.customer) for r in group if r.number_id is not None]
        )
        for index, request in zip(indexes, group, strict=True):
            row = rows[_key(request.command)]
            state, attempts = State(row.state), row.attempts
            if state is State.FAILED and request.command.campaign_attempt > row.campaign_attempt:
                await repository.restart_for_campaign_attempt(
                    session, tenant_id, row.key, request.command.campaign_attempt, request.command.raw
                )
                state, attempts = State.QUEUED, 0
            seen = windows.get((request.number_id, request.customer)) if request.number_id else None
            results[index] = Claimed(state, attempts, row.status, row.sending_at, seen)
    return [r for r in results if r is not None]


def _key(command: Command) -> Key:
    return (command.lane.value, command.send_id)


def _new_row(request: ClaimRequest) -> dict[str, Any]:
    c = request.command
    return {
        "tenant_id": c.tenant_id,
        "lane": c.lane.value,
        "id": c.send_id,
        "number_id": request.number_id,
        "recipient": c.to,
        "state": State.QUEUED.value,
        "attempts": 0,
        "campaign_attempt": c.campaign_attempt,
        "command": c.raw,
    }


# --- 2. begin ------------------------------------------------------------------------------


@dataclass(frozen=True)
class BeginRequest:
    """Take the send for attempt ``attempts + 1`` from ``number_id``."""

    command: Command
    attempts: int
    number_id: uuid.UUID


async def begin(session: AsyncSession, requests: list[BeginRequest]) -> list[bool]:
    """Mark sends "sending"; False for a send someone else took or settled meanwhile."""
    won: set[tuple[uuid.UUID, str, uuid.UUID]] = set()
    for tenant_id, indexes in _by_tenant(requests, lambda r: r.command.tenant_id).items():
        await set_tenant(session, tenant_id)
        items = [(_key(requests[i].command), requests[i].attempts, requests[i].number_id) for i in indexes]
        won |= {(tenant_id, *key) for key in await repository.begin_sending(session, tenant_id, items)}
    # Two copies of one command in the same batch update its row once: only the first may send.
    answers = []
    for request in requests:
        answers.append(request.command.key in won)
        won.discard(request.command.key)
    return answers


# --- 3. settle -----------------------------------------------------------------------------

OutcomeKind = Literal["accepted", "failed", "retry", "unknown"]


@dataclass(frozen=True)
class Outcome:
    """What became of an attempt (or of a send that never got to one)."""

    command: Command
    kind: OutcomeKind
    expect_states: frozenset[State]
    expect_attempts: int | None = None  # None: whatever the count
    wamid: str | None = None
    error: DeliveryError | None = None
    retry_in_s: float = 0.0
    number_id: uuid.UUID | None = None
    trace: dict[str, str] = field(default_factory=dict)  # the send's trace context, for the event
    counts_attempt: bool = False  # a failure before the Graph send (a media upload) still uses an attempt


def settle_in(outbox: Outbox) -> Callable[[AsyncSession, list[Outcome]], Awaitable[list[bool]]]:
    """The settle step bound to the service's outbox."""

    async def settle(session: AsyncSession, outcomes: list[Outcome]) -> list[bool]:
        applied = [False] * len(outcomes)
        now = datetime.now(UTC)
        for tenant_id, indexes in _by_tenant(outcomes, lambda o: o.command.tenant_id).items():
            await set_tenant(session, tenant_id)
            rows = await repository.read(session, tenant_id, [_key(outcomes[i].command) for i in indexes], lock=True)
            tracked = {key: Tracked.of(row) for key, row in rows.items()}
            events: list[dict[str, Any]] = []
            accepted: dict[str, Tracked] = {}
            for index in indexes:
                outcome = outcomes[index]
                target = tracked.get(_key(outcome.command))
                if target is None or not _expected(outcome, target):
                    continue
                applied[index] = True
                event = _apply(outcome, target, now)
                if event is not None:
                    events.append(_event_row(outbox, outcome, event))
                if outcome.kind == "accepted" and outcome.wamid:
                    accepted[outcome.wamid] = target
            events += await apply_orphans(session, outbox, tenant_id, accepted)
            await repository.write(session, tenant_id, [u for t in tracked.values() if (u := t.update()) is not None])
            await outbox.write(session, events)
        return applied

    return settle


def _expected(outcome: Outcome, target: Tracked) -> bool:
    if State(target.state) not in outcome.expect_states:
        return False
    return outcome.expect_attempts is None or target.row.attempts == outcome.expect_attempts


def _apply(outcome: Outcome, target: Tracked, now: datetime) -> MessageStatusChanged | None:
    error = outcome.error.model_dump(mode="json") if outcome.error else None
    if outcome.kind == "retry":
        target.set(state=State.RETRYING.value, next_attempt_at=now + timedelta(seconds=outcome.retry_in_s))
        if error is not None:  # a parked send keeps the error of its last attempt
            target.set(last_error=error)
        if outcome.counts_attempt:
            target.set(attempts=target.row.attempts + 1)
        return None
    status = {"accepted": MessageStatus.ACCEPTED, "failed": MessageStatus.FAILED, "unknown": MessageStatus.UNKNOWN}[
        outcome.kind
    ]
    target.set(state=outcome.kind, command=None, next_attempt_at=None)
    if error is not None:  # an accepted send keeps the error of the attempt before, for the record
        target.set(last_error=error)
    if outcome.wamid:
        target.set(wamid=outcome.wamid)
    current = MessageStatus(target.status) if target.status else None
    if not status_advances(current, status):
        return None
    target.set(status=status.value, status_at=now)
    c = outcome.command
    return MessageStatusChanged(
        channel=Channel.WHATSAPP_META,
        **c.ids,
        external_id=outcome.wamid or target.wamid or str(c.send_id),
        channel_account_id=outcome.number_id or target.row.number_id,
        status=status,
        occurred_at=now,
        error=outcome.error if outcome.kind != "accepted" else None,
        recipient=c.to,
        attempt=c.campaign_attempt,
    )


def _event_row(outbox: Outbox, outcome: Outcome, event: MessageStatusChanged) -> dict[str, Any]:
    envelope = Envelope.wrap(event, tenant=outcome.command.tenant_id, source=SOURCE, caused_by=outcome.command.envelope)
    row = outbox.row(envelope)
    # The row is built in the committer's task; the trace it continues is the send's.
    return {**row, "headers": {**row["headers"], **outcome.trace}} if outcome.trace else row

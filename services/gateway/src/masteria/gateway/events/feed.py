"""One connection's view of its tenant's domain events: an ephemeral ordered JetStream consumer.

Ordered consumers are push consumers that the client recreates from the last stream sequence it
saw whenever a gap or a missed heartbeat shows up, so a stream never skips or repeats an event;
the server filters by subject, so another tenant's events never leave NATS for this connection.
"""

from __future__ import annotations

import uuid
from contextlib import suppress
from dataclasses import dataclass

import nats.errors
from nats.js import JetStreamContext
from nats.js.api import ConsumerConfig, DeliverPolicy

from masteria.contracts import subjects
from masteria.contracts.streams import DOMAIN_EVENTS
from masteria.observability.logging import get_logger
from masteria.runtime.problems import Problem

STREAM = DOMAIN_EVENTS.name
log = get_logger(__name__)


class FeedClosedError(Exception):
    """NATS went away under the feed; the client reconnects (with ``Last-Event-ID``) and resumes."""


@dataclass(frozen=True)
class FeedEvent:
    """An event as stored: its stream sequence (the SSE id), its type and the published bytes."""

    sequence: int
    event_type: str
    data: bytes


def tenant_filter(tenant: uuid.UUID) -> str:
    """``*.*.<tenant>``: every domain event of one tenant (three tokens, the tenant last; see subjects)."""
    return f"*.*.{tenant}"


def start_config(after: int | None, last_sequence: int) -> ConsumerConfig:
    """Deliver what follows ``after``, or only new events when there is no ``after``.

    An ``after`` beyond the stream's end comes from an earlier incarnation of the stream (recreated
    in development, say): starting there would wait silently for a sequence that may never come.
    """
    if after is None or after > last_sequence:
        return ConsumerConfig(deliver_policy=DeliverPolicy.NEW)
    return ConsumerConfig(deliver_policy=DeliverPolicy.BY_START_SEQUENCE, opt_start_seq=after + 1)


class TenantFeed:
    """Open with :meth:`open`, read with :meth:`next`, always :meth:`close`."""

    def __init__(
        self, js: JetStreamContext, subscription: JetStreamContext.PushSubscription, tenant: uuid.UUID
    ) -> None:
        self._js, self._sub, self._tenant = js, subscription, tenant

    @classmethod
    async def open(cls, js: JetStreamContext, tenant: uuid.UUID, after: int | None) -> TenantFeed:
        """Subscribe before the response starts, so that a failure is still an HTTP error."""
        try:
            info = await js.stream_info(STREAM)
            subscription = await js.subscribe(
                tenant_filter(tenant),
                stream=STREAM,
                ordered_consumer=True,
                config=start_config(after, info.state.last_seq),
            )
        except nats.errors.Error as exc:
            log.warning("live events unavailable", error=repr(exc)[:200])
            raise Problem(503, "Live events unavailable", "the event bus is not answering; retry shortly") from exc
        return cls(js, subscription, tenant)

    async def next(self, timeout: float) -> FeedEvent | None:  # noqa: ASYNC109 - the heartbeat sets it
        """The next event, or None when ``timeout`` seconds pass without one."""
        while True:
            try:
                msg = await self._sub.next_msg(timeout=timeout)
            except nats.errors.TimeoutError:
                return None
            except nats.errors.Error as exc:
                raise FeedClosedError(repr(exc)) from exc
            event = self._event_of(msg.subject, msg.metadata.sequence.stream, msg.data)
            if event is not None:
                return event

    def _event_of(self, subject: str, sequence: int, data: bytes) -> FeedEvent | None:
        # The filter already keeps other tenants out; this is the second lock on the same door.
        try:
            parts = subjects.parse(subject)
        except subjects.InvalidSubjectError:
            log.error("malformed subject in the domain events stream", subject=subject)
            return None
        if parts.tenant != self._tenant:
            log.error("another tenant's event reached a live feed", subject=subject)
            return None
        return FeedEvent(sequence, parts.event_type, data)

    async def close(self) -> None:
        """Stop the subscription and delete its consumer now rather than when the server notices."""
        consumer: str | None = getattr(self._sub, "_consumer", None)  # follows the ordered consumer's resets
        with suppress(nats.errors.Error):
            await self._sub.unsubscribe()
        if consumer:
            with suppress(nats.errors.Error):
                await self._js.delete_consumer(STREAM, consumer)

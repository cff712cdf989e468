"""The frames of one live connection: the retry hint, events, heartbeats, and an end when access lapses."""

from __future__ import annotations

import time
from collections.abc import AsyncGenerator, Awaitable, Callable
from dataclasses import dataclass

from masteria.gateway.events import sse
from masteria.gateway.events.feed import FeedClosedError, TenantFeed
from masteria.observability.logging import get_logger

# EventSource's default wait is browser-defined (3 s in most); two seconds brings the live
# indicator back quickly without a reconnect storm after a gateway restart.
RETRY_MS = 2000

StillAdmitted = Callable[[], Awaitable[bool]]
log = get_logger(__name__)


@dataclass(frozen=True)
class Pace:
    """How often to send a heartbeat when idle and to check the caller's access again."""

    heartbeat_s: float
    recheck_s: float


async def frames(feed: TenantFeed, still_admitted: StillAdmitted, pace: Pace) -> AsyncGenerator[bytes, None]:
    """SSE bytes until the feed closes or the caller loses access; the caller closes ``feed``."""
    yield sse.retry(RETRY_MS)
    now = time.monotonic()
    ping_at, check_at = now + pace.heartbeat_s, now + pace.recheck_s
    while True:
        try:
            event = await feed.next(timeout=max(0.0, min(ping_at, check_at) - time.monotonic()))
        except FeedClosedError:
            return  # the client reconnects with Last-Event-ID and resumes where it was
        now = time.monotonic()
        if event is not None:
            yield sse.event(event.sequence, event.event_type, event.data)
            ping_at = now + pace.heartbeat_s  # an event keeps proxies awake as well as a ping does
        elif now >= ping_at:
            yield sse.PING
            ping_at = now + pace.heartbeat_s
        if now >= check_at:
            # A stream outlives the request that authorised it: a signed-out session, a removed
            # member or a revoked key must stop receiving, and the reconnect then answers 401/403.
            if not await _admitted(still_admitted):
                return
            check_at = time.monotonic() + pace.recheck_s


async def _admitted(still_admitted: StillAdmitted) -> bool:
    """The check's answer; a check that cannot be made (database down) ends the stream: fail closed."""
    try:
        return await still_admitted()
    except Exception as exc:  # the client reconnects, and its new request is checked in full
        log.warning("live events access check failed; closing the stream", error=repr(exc)[:200])
        return False

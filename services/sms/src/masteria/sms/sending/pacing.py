"""Per-sender pacing: segments per second in Redis (GCRA), interactive sends served first.

Twilio counts a sender's throughput in segments, so a message takes as many tokens as it has
segments. The GCRA here charges a message *after* it goes: a message may leave once the sender's
theoretical arrival time has passed, and pushes that time forward by segments / MPS. So messages
are spaced by their own cost, at most MPS of them fall in any one-second window, and the long-run
rate is MPS segments per second. The rate runs a little under MPS (``headroom``, 5%): half of that
margin absorbs network jitter between this process and Twilio, the other half lets a message that
woke late (timer granularity, a busy loop) catch up instead of losing that time for good.

Inside a process each sender has a turn queue ordered by lane (interactive before bulk, then
arrival): the head waits for the limiter while the rest wait for the head, so a reply queued
behind a campaign takes the next free slot. Replicas share the limiter through Redis.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import redis.asyncio as aioredis

from masteria.ratelimit.gcra import RateLimiter

INTERACTIVE, BULK = 0, 1


class _Turns:
    """A priority queue of waiters; one holds the turn at a time."""

    def __init__(self) -> None:
        self.busy = False
        self.waiting: list[tuple[int, int, asyncio.Future[None]]] = []
        self._order = itertools.count()

    async def acquire(self, priority: int) -> None:
        if not self.busy and not self.waiting:
            self.busy = True
            return
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self.waiting, (priority, next(self._order), future))
        try:
            await future
        except asyncio.CancelledError:
            if future.done() and not future.cancelled():
                self.release()  # the turn was handed over just as we gave up: pass it on
            raise

    def release(self) -> None:
        while self.waiting:
            _, _, future = heapq.heappop(self.waiting)
            if not future.done():
                future.set_result(None)
                return
        self.busy = False


class SenderPacer:
    """Waits until a sender may send a message of ``cost`` segments."""

    def __init__(self, redis: aioredis.Redis, *, headroom: float = 0.05, prefix: str = "sms:pace") -> None:
        self.redis, self.period_s, self.prefix = redis, 1.0 + headroom, prefix
        # Half the headroom (in time) lets a late message catch up a little, so timer and scheduling
        # delays are not lost for good; the other half still covers network jitter. Any window of
        # one second then holds at most MPS messages as long as the slack stays under the headroom.
        self.slack_ms = headroom * 1000 / 2
        self._turns: dict[str, _Turns] = {}
        self._limiters: dict[tuple[int, int], RateLimiter] = {}

    def _limiter(self, mps: int, cost: int) -> RateLimiter:
        # burst = cost makes the tolerance equal to the message's own cost: "may go once the
        # previous messages' time has passed", whatever the size of this one.
        key = (mps, cost)
        if key not in self._limiters:
            limiter = RateLimiter(self.redis, rate=mps, period_s=self.period_s, burst=cost)
            limiter.tolerance_ms += self.slack_ms
            self._limiters[key] = limiter
        return self._limiters[key]

    @asynccontextmanager
    async def turn(self, sender_number: str, priority: int) -> AsyncIterator[None]:
        """Hold the sender's turn (ordered by ``priority``, then arrival) for the duration of the block."""
        turns = self._turns.setdefault(sender_number, _Turns())
        await turns.acquire(priority)
        try:
            yield
        finally:
            turns.release()

    async def wait(self, sender_number: str, mps: int, cost: int, priority: int) -> None:
        """Return when a message of ``cost`` segments may leave ``sender_number`` now."""
        async with self.turn(sender_number, priority):
            limiter = self._limiter(mps, max(cost, 1))
            while True:
                decision = await limiter.hit(f"{self.prefix}:{sender_number}", cost=max(cost, 1))
                if decision.allowed:
                    return
                await asyncio.sleep(decision.retry_after_s)

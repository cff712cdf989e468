"""The per-number send rate: slots booked in Redis (shared by every replica), handed out by priority.

Why not the try-or-deny limiter of ``masteria.ratelimit``: at 1,000 sends/s, many concurrent
senders polling "may I now?" would make Redis the bottleneck and let whoever polls at the right
millisecond win. Here each send books the next free slot of the number (a GCRA with burst 1: one
timestamp per number, advanced by one emission interval per booking) and sleeps until it. A
booking is refused when the slot is further than the horizon, so nobody books far ahead: an
interactive send that arrives later waits at most one horizon behind bulk bookings, and inside a
process the waiting interactive sends are always booked first.

The emission interval is ``(1 s + margin) / limit``, so any ``limit + 1`` consecutive sends span
more than one second plus the margin. The margin pays for what happens between a slot and Meta's
count: a send leaving late (``depart`` spaces late sends one interval apart instead of letting
them go together, with a small catch-up allowance), and a pile of sends in flight reaching Meta at
once after a stall on its side (``in_flight_cap`` keeps that pile small while answers are quick).
Measured against the sandbox's ledger on two busy cores, the busiest second stays at the limit.

A 130429 or HTTP 429 halves the number's rate (at most once per cooldown, down to a floor) for a
while.
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import itertools
import math
from collections import deque
from dataclasses import dataclass, field

import redis.asyncio as aioredis

# KEYS[1] = the number's next free slot (µs, server clock), KEYS[2] = its slowdown factor.
# ARGV[1] = emission interval at full speed (µs), ARGV[2] = horizon (µs), ARGV[3] = slots wanted.
# Books consecutive slots while they fall within the horizon. Returns {µs until a booking could
# succeed (when none was booked), µs until each booked slot...}.
_BOOK = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local factor = tonumber(redis.call('GET', KEYS[2]) or '1')
local interval = tonumber(ARGV[1]) / factor
local horizon = tonumber(ARGV[2])
local slot = tonumber(redis.call('GET', KEYS[1]) or '0')
if slot < now then slot = now end
local out = {'0'}
for i = 1, tonumber(ARGV[3]) do
  local wait = slot - now
  if wait > horizon then
    if i == 1 then out[1] = string.format('%.0f', wait - horizon) end
    break
  end
  out[#out + 1] = string.format('%.0f', wait)
  slot = slot + interval
end
if #out > 1 then
  redis.call('SET', KEYS[1], string.format('%.0f', slot), 'PX', math.ceil((slot - now) / 1000) + 1000)
end
return out
"""

# KEYS[1] = slowdown factor, KEYS[2] = cooldown marker. ARGV = floor, slowdown ms, cooldown ms.
_SLOW_DOWN = """
local factor = tonumber(redis.call('GET', KEYS[1]) or '1')
if redis.call('EXISTS', KEYS[2]) == 1 then return tostring(factor) end
factor = math.max(tonumber(ARGV[1]), factor / 2)
redis.call('SET', KEYS[1], tostring(factor), 'PX', ARGV[2])
if tonumber(ARGV[3]) > 0 then redis.call('SET', KEYS[2], '1', 'PX', ARGV[3]) end
return tostring(factor)
"""

INTERACTIVE, BULK = 0, 1  # lower is served first
_TIMER_RESOLUTION_S = 0.0005  # shorter sleeps only add a loop iteration of lateness


@dataclass(frozen=True)
class PacingConfig:
    """How sends are spaced; see the module docstring."""

    margin_ms: float = 50.0
    horizon_ms: float = 100.0
    slowdown_s: float = 30.0
    slowdown_cooldown_s: float = 1.0
    slowdown_min_factor: float = 0.125

    @property
    def catch_up_s(self) -> float:
        """How far a late departure may count as earlier than it was: a quarter of the margin."""
        return self.margin_ms / 4000

    def interval_us(self, per_second: int) -> float:
        """Microseconds between two sends of a number at full speed."""
        return (1_000_000 + self.margin_ms * 1000) / max(per_second, 1)


class SlotBook:
    """The Redis side: book a number's next slot, slow a number down."""

    def __init__(self, redis: aioredis.Redis, config: PacingConfig) -> None:
        self.redis, self.config = redis, config
        self._book = redis.register_script(_BOOK)
        self._slow = redis.register_script(_SLOW_DOWN)

    async def book(self, phone_number_id: str, per_second: int, wanted: int = 1) -> tuple[list[float], float]:
        """Up to ``wanted`` consecutive slots: (seconds until each booked slot, seconds until a retry helps)."""
        answer = await self._book(
            keys=[f"wameta:pace:{phone_number_id}", f"wameta:slow:{phone_number_id}"],
            args=[self.config.interval_us(per_second), self.config.horizon_ms * 1000, max(wanted, 1)],
        )
        retry, *slots = (float(value) / 1_000_000 for value in answer)
        return slots, retry

    async def slow_down(self, phone_number_id: str) -> float:
        """Halve the number's rate for ``slowdown_s`` (once per cooldown); returns the factor now in force."""
        c = self.config
        factor = await self._slow(
            keys=[f"wameta:slow:{phone_number_id}", f"wameta:slow-cooldown:{phone_number_id}"],
            args=[c.slowdown_min_factor, int(c.slowdown_s * 1000), int(c.slowdown_cooldown_s * 1000)],
        )
        return float(factor)

    async def factor(self, phone_number_id: str) -> float:
        """The slowdown factor in force (1.0: full speed)."""
        value = await self.redis.get(f"wameta:slow:{phone_number_id}")
        return float(value) if value is not None else 1.0


@dataclass(order=True)
class _Waiter:
    priority: int
    seq: int
    per_second: int = field(compare=False)
    future: asyncio.Future[float] = field(compare=False)


class NumberPacer:
    """One number's waiting sends in this process, booked in priority order, interactive first."""

    max_batch = 128

    def __init__(self, book: SlotBook, phone_number_id: str) -> None:
        self.book, self.phone_number_id = book, phone_number_id
        self._turn: float | None = None  # the last departure's turn (event loop clock)
        self.in_flight = 0
        self._latencies: deque[float] = deque(maxlen=64)  # Graph's recent answer times for this number
        self._answered = asyncio.Event()
        self._heap: list[_Waiter] = []
        self._seq = itertools.count()
        self._arrived = asyncio.Event()
        self._driver: asyncio.Task[None] | None = None
        self.waiting = {INTERACTIVE: 0, BULK: 0}

    async def slot(self, priority: int, per_second: int) -> float:
        """Book a slot; returns its time on the event loop's clock (the caller sleeps until then)."""
        loop = asyncio.get_running_loop()
        waiter = _Waiter(priority, next(self._seq), per_second, loop.create_future())
        heapq.heappush(self._heap, waiter)
        self.waiting[priority] += 1
        self._arrived.set()
        if self._driver is None or self._driver.done():
            self._driver = asyncio.create_task(self._drive(), name=f"pacer-{self.phone_number_id}")
        try:
            return await waiter.future
        finally:
            self.waiting[priority] -= 1

    async def depart(self, slot_at: float, per_second: int) -> None:
        """Return when a send booked for ``slot_at`` may leave; called with a connection in hand.

        Booked slots are spaced right, but a send leaves after a commit and a connection, and when
        the event loop was busy many wake up late together: leaving together, they would reach Meta
        as a burst. So each departure also takes its turn here, at least one emission interval after
        the previous turn (``_turn``). Turns are taken synchronously (no lock, no hand-off between
        waiters, which at 1,000/s would cost a loop iteration each). A late send's turn counts as at
        most ``catch_up`` earlier than it really was, so ``limit + 1`` departures still span
        (1 s + margin) - catch-up. One that sleeps through a stall takes a fresh turn (once).
        """
        loop = asyncio.get_running_loop()
        interval = self.book.config.interval_us(per_second) / 1_000_000
        catch_up = self.book.config.catch_up_s
        if slot_at - loop.time() > _TIMER_RESOLUTION_S:
            await asyncio.sleep(slot_at - loop.time())
        retried = False
        while True:
            while self.in_flight >= self.in_flight_cap(per_second):
                self._answered.clear()
                await self._answered.wait()
            now = loop.time()
            at = slot_at if self._turn is None else max(slot_at, self._turn + interval)
            self._turn = max(at, now - catch_up)
            if at - now <= _TIMER_RESOLUTION_S:
                break
            await asyncio.sleep(at - now)
            if retried or loop.time() - at <= catch_up:
                break
            retried = True  # slept through a stall: the sends that woke with it must not leave together
        self.in_flight += 1

    def arrived(self, latency_s: float | None) -> None:
        """A departed send got its answer (``latency_s`` after leaving; None: it never left)."""
        if latency_s is None:
            return
        self.in_flight -= 1
        self._latencies.append(latency_s)
        self._answered.set()

    def in_flight_cap(self, per_second: int) -> int:
        """How many sends of this number may await Meta's answer at once.

        When Meta stalls, what is in flight piles up there and is counted together afterwards; a
        pile of a quarter of the margin's worth of sends fits in the spacing (with catch-up, another
        quarter, and room to spare for jitter), so with quick answers
        that is the cap. With slow answers (a distant Graph) the rate needs more in flight, so the
        cap follows the answer time instead: throughput first, Meta's 130429 and the slowdown catch
        the rare excess. The answer time taken is a low one (the 10th percentile of the last 64):
        measured here it includes our own loop's delays, which must not open the cap under load.
        """
        margin_share = int(per_second * self.book.config.margin_ms / 1000 / 4)
        quick = sorted(self._latencies)[len(self._latencies) // 10] if self._latencies else 0.0
        return max(1, margin_share, math.ceil(per_second * quick * 2))

    async def close(self) -> None:
        """Stop booking; waiting sends get an error and stay unsent."""
        if self._driver is not None:
            self._driver.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._driver
        for waiter in self._heap:
            if not waiter.future.done():
                waiter.future.set_exception(RuntimeError("pacer closed"))
        self._heap.clear()

    async def _drive(self) -> None:
        # One Redis call books a run of slots for the first waiters in priority order: the booking
        # rate must not depend on how busy the event loop is between two calls.
        loop = asyncio.get_running_loop()
        while self._heap:
            batch = self._take(self.max_batch)
            if not batch:
                continue
            self._arrived.clear()
            try:
                slots, retry = await self.book.book(self.phone_number_id, batch[0].per_second, len(batch))
            except Exception as exc:  # Redis down: fail these waiters; their sends are retried later
                for waiter in batch:
                    if not waiter.future.done():
                        waiter.future.set_exception(exc)
                continue
            booked_at = loop.time()
            for waiter, seconds in zip(batch, slots, strict=False):
                if not waiter.future.done():
                    waiter.future.set_result(booked_at + seconds)
            for waiter in batch[len(slots) :]:
                heapq.heappush(self._heap, waiter)  # keeps its place: same priority and sequence
            if not slots:
                # Nothing bookable yet; a newly arrived interactive send must not wait out a bulk pause.
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._arrived.wait(), timeout=max(retry, 0.0005))

    def _take(self, count: int) -> list[_Waiter]:
        taken: list[_Waiter] = []
        while self._heap and len(taken) < count:
            waiter = heapq.heappop(self._heap)
            if not waiter.future.done():  # a done one's sender gave up (cancelled)
                taken.append(waiter)
        return taken


class Pacers:
    """Every number's pacer in this process."""

    def __init__(self, book: SlotBook) -> None:
        self.book = book
        self._pacers: dict[str, NumberPacer] = {}

    def of(self, phone_number_id: str) -> NumberPacer:
        """The pacer of a number, created on first use."""
        pacer = self._pacers.get(phone_number_id)
        if pacer is None:
            pacer = self._pacers[phone_number_id] = NumberPacer(self.book, phone_number_id)
        return pacer

    async def close(self) -> None:
        """Stop every pacer."""
        for pacer in self._pacers.values():
            await pacer.close()

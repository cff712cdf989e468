"""Status webhooks (sent, delivered, read, failed) for accepted sends: scheduled, batched, signed, retried.

The send path only pushes onto a per-number heap (no I/O, no JSON); one flusher task per number wakes
when statuses fall due, at most once per `status_flush_ms` unless a batch fills up, and POSTs up to
`status_batch_max` statuses in one event, `status_concurrency` POSTs at a time. At 1,000 sends/s with
two statuses each that is ~20 POSTs/s instead of 2,000.
"""

import asyncio
import contextlib
import heapq
import itertools
import logging
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

from masteria.sandbox.meta.behaviour import Behaviour, BehaviourBook
from masteria.sandbox.meta.burst import RetryPolicy
from masteria.sandbox.meta.errors import status_error
from masteria.sandbox.meta.state import LedgerEntry, MetaRegistry, SimulatedNumber
from masteria.sandbox.meta.webhooks import WebhookDeliverer, encode_event, signed_request

logger = logging.getLogger(__name__)

CONVERSATION_S = 24 * 3600


@dataclass(frozen=True, slots=True)
class PendingStatus:
    """One status to send: which message, which status, and what the webhook must echo."""

    wamid: str
    status: str
    recipient_id: str
    category: str
    biz_opaque_callback_data: str | None
    error_code: int | None = None


def plan_statuses(entry: LedgerEntry, behaviour: Behaviour) -> list[tuple[float, str, int | None]]:
    """(seconds after the send, status, error code) for every status an accepted send will get."""
    step = behaviour.status_delay_ms / 1000
    if entry.fails_with in (131047, 131048):
        # Outside the window, or beyond the messaging limit, Meta does not even try: the only status
        # is the failure.
        return [(step, "failed", entry.fails_with)]
    plan: list[tuple[float, str, int | None]] = []
    for i, status in enumerate(behaviour.statuses):
        if entry.fails_with is not None and status != "sent":
            break
        plan.append(((i + 1) * step, status, None))
    if entry.fails_with is not None:
        plan.append(((len(plan) + 1) * step, "failed", entry.fails_with))
    elif behaviour.read_after_ms is not None and "read" not in behaviour.statuses:
        plan.append((behaviour.read_after_ms / 1000, "read", None))
    return plan


@dataclass
class _Counters:
    scheduled: int = 0
    delivered: int = 0
    in_flight: int = 0
    dropped: int = 0
    posts: int = 0
    failed_posts: int = 0


@dataclass
class _NumberQueue:
    """Statuses due for one number, ordered by due time (monotonic) then by scheduling order."""

    heap: list[tuple[float, int, PendingStatus]] = field(default_factory=list)
    wake: asyncio.Event = field(default_factory=asyncio.Event)
    wake_at: float = float("inf")
    last_flush: float = float("-inf")
    task: asyncio.Task[None] | None = None
    posts: set[asyncio.Task[None]] = field(default_factory=set)
    counters: _Counters = field(default_factory=_Counters)


class StatusDispatcher:
    """Schedules and delivers the status webhooks of every number."""

    def __init__(
        self,
        registry: MetaRegistry,
        behaviours: BehaviourBook,
        client: Callable[[], httpx.AsyncClient],
        policy: RetryPolicy,
    ) -> None:
        self._registry = registry
        self._behaviours = behaviours
        self._client = client
        self._policy = policy
        self._queues: dict[str, _NumberQueue] = {}
        self._seq = itertools.count()
        self._conversations: dict[tuple[str, str, str], tuple[str, int]] = {}

    def schedule(self, entry: LedgerEntry, category: str, behaviour: Behaviour) -> None:
        """Queue the statuses of an accepted send; returns at once (the send's answer never waits)."""
        plan = plan_statuses(entry, behaviour)
        if not plan:
            return
        queue = self._queue(entry.phone_number_id)
        earliest = queue.heap[0][0] if queue.heap else float("inf")
        for offset, status, code in plan:
            pending = PendingStatus(entry.wamid, status, entry.wa_id, category, entry.biz_opaque_callback_data, code)
            heapq.heappush(queue.heap, (entry.monotonic + offset, next(self._seq), pending))
        queue.counters.scheduled += len(plan)
        # Wake the flusher only when it sleeps past the new earliest item (rare: delays are constant).
        if queue.heap[0][0] < min(earliest, queue.wake_at):
            queue.wake.set()

    def counters(self, phone_number_id: str) -> dict[str, int]:
        """How many statuses were scheduled, are pending, in flight, delivered or dropped; POST counts."""
        queue = self._queues.get(phone_number_id)
        if queue is None:
            return {
                "scheduled": 0,
                "pending": 0,
                "in_flight": 0,
                "delivered": 0,
                "dropped": 0,
                "posts": 0,
                "failed_posts": 0,
            }
        c = queue.counters
        return {
            "scheduled": c.scheduled,
            "pending": len(queue.heap),
            "in_flight": c.in_flight,
            "delivered": c.delivered,
            "dropped": c.dropped,
            "posts": c.posts,
            "failed_posts": c.failed_posts,
        }

    async def aclose(self) -> None:
        """Stop every flusher and every delivery still retrying."""
        tasks: list[asyncio.Task[None]] = []
        for queue in self._queues.values():
            if queue.task is not None:
                tasks.append(queue.task)
            tasks.extend(queue.posts)
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(BaseException):
                await task
        self._queues.clear()

    def _queue(self, phone_number_id: str) -> _NumberQueue:
        queue = self._queues.get(phone_number_id)
        if queue is None:
            queue = self._queues[phone_number_id] = _NumberQueue()
        if queue.task is None or queue.task.done():
            queue.task = asyncio.create_task(
                self._flush_forever(phone_number_id, queue), name=f"statuses-{phone_number_id}"
            )
        return queue

    async def _flush_forever(self, phone_number_id: str, queue: _NumberQueue) -> None:
        while True:
            try:
                await self._flush_once(phone_number_id, queue)
            except asyncio.CancelledError:
                raise
            except Exception:
                logger.exception("status flusher of %s failed; going on", phone_number_id)
                await asyncio.sleep(0.1)

    async def _flush_once(self, phone_number_id: str, queue: _NumberQueue) -> None:
        if not queue.heap:
            queue.wake_at = float("inf")
            queue.wake.clear()
            await queue.wake.wait()
            return
        behaviour = self._behaviours.get(phone_number_id)
        now = time.monotonic()
        due_at = max(queue.heap[0][0], queue.last_flush + behaviour.status_flush_ms / 1000)
        if due_at > now:
            queue.wake_at = due_at
            queue.wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(queue.wake.wait(), due_at - now)
            return
        while len(queue.posts) >= behaviour.status_concurrency:
            await asyncio.wait(queue.posts, return_when=asyncio.FIRST_COMPLETED)
        now = time.monotonic()
        batch: list[PendingStatus] = []
        while queue.heap and queue.heap[0][0] <= now and len(batch) < behaviour.status_batch_max:
            batch.append(heapq.heappop(queue.heap)[2])
        # A full batch means more are due: the next one goes without waiting for the flush interval.
        queue.last_flush = float("-inf") if len(batch) >= behaviour.status_batch_max else now
        queue.counters.in_flight += len(batch)
        post = asyncio.create_task(self._deliver(phone_number_id, queue, batch))
        queue.posts.add(post)
        post.add_done_callback(queue.posts.discard)

    async def _deliver(self, phone_number_id: str, queue: _NumberQueue, batch: list[PendingStatus]) -> None:
        counters = queue.counters
        delay = self._policy.initial_s
        sent_with: SimulatedNumber | None = None
        body = b""
        headers: dict[str, str] = {}
        try:
            while True:
                # Re-read the registration per attempt: a re-registered number (new URL or secret)
                # redirects the retries, as changing the dashboard does at Meta.
                number = self._registry.get(phone_number_id)
                if number is None:
                    counters.dropped += len(batch)
                    return
                if number is not sent_with:
                    body = encode_event(self._event(number, batch))
                    headers = signed_request(number, body)
                    sent_with = number
                result = await WebhookDeliverer(self._client()).post(number.webhook_url, body, headers)
                counters.posts += 1
                if result.ok:
                    counters.delivered += len(batch)
                    return
                counters.failed_posts += 1
                await asyncio.sleep(delay)
                delay = min(delay * 2, self._policy.max_s)
        finally:
            counters.in_flight -= len(batch)

    def _event(self, number: SimulatedNumber, batch: list[PendingStatus]) -> dict[str, Any]:
        now = int(time.time())
        value = {
            "messaging_product": "whatsapp",
            "metadata": {
                "display_phone_number": number.display_phone_number,
                "phone_number_id": number.phone_number_id,
            },
            "statuses": [self._status(number, pending, now) for pending in batch],
        }
        return {
            "object": "whatsapp_business_account",
            "entry": [{"id": number.waba_id, "changes": [{"value": value, "field": "messages"}]}],
        }

    def _status(self, number: SimulatedNumber, pending: PendingStatus, now: int) -> dict[str, Any]:
        status: dict[str, Any] = {
            "id": pending.wamid,
            "status": pending.status,
            "timestamp": str(now),
            "recipient_id": pending.recipient_id,
        }
        if pending.biz_opaque_callback_data is not None:
            status["biz_opaque_callback_data"] = pending.biz_opaque_callback_data
        if pending.error_code is not None:
            status["errors"] = [status_error(pending.error_code)]
            return status
        if pending.status == "read":
            # Meta's read receipts carry no billing information.
            return status
        conversation_id, expires = self._conversation(number.phone_number_id, pending, now)
        conversation: dict[str, Any] = {"id": conversation_id, "origin": {"type": pending.category}}
        if pending.status == "sent":
            # Meta gives the expiry with the first status of a conversation's messages only.
            conversation["expiration_timestamp"] = str(expires)
        status["conversation"] = conversation
        status["pricing"] = {
            "billable": pending.category != "service",
            "pricing_model": "CBP",
            "category": pending.category,
        }
        return status

    def _conversation(self, phone_number_id: str, pending: PendingStatus, now: int) -> tuple[str, int]:
        # One conversation per (number, customer, category) for 24 h from its first message, as Meta bills.
        key = (phone_number_id, pending.recipient_id, pending.category)
        current = self._conversations.get(key)
        if current is None or current[1] <= now:
            current = self._conversations[key] = (secrets.token_hex(16), now + CONVERSATION_S)
        return current

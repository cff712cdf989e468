"""Bursts of simulated customers writing, delivered like Meta does: retried until acknowledged."""

import asyncio
import logging
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass

import httpx

from masteria.sandbox.jobs import Job, MessageRecord
from masteria.sandbox.meta.ids import inbound_wamid
from masteria.sandbox.meta.state import MetaRegistry, SimulatedNumber
from masteria.sandbox.meta.webhooks import (
    CustomerMessage,
    DeliveryResult,
    WebhookDeliverer,
    encode_event,
    signed_request,
    text_message_event,
)

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class BurstSpec:
    """What a burst sends and how fast."""

    count: int
    rate_per_second: float
    customers: int
    text_prefix: str
    concurrency: int


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Exponential backoff between failed deliveries of one message."""

    initial_s: float
    max_s: float


def customer_wa_id(k: int) -> str:
    """The wa_id of simulated customer `k` (a Brazilian mobile number)."""
    return f"55119{k:08d}"


def plan_burst(spec: BurstSpec) -> Job:
    """A job whose records say which customer sends which text, under which wamid (~2.5 µs each)."""
    records = []
    for index in range(spec.count):
        k = index % spec.customers
        sender = customer_wa_id(k)
        text = f"{spec.text_prefix} {index}"
        records.append(MessageRecord(inbound_wamid(sender), text, sender, sender_name=f"Cliente {k + 1}"))
    return Job("meta.burst", records)


class BurstRunner:
    """Delivers a planned burst to a number's webhook; nothing is dropped while the receiver is down."""

    def __init__(
        self,
        *,
        job: Job,
        spec: BurstSpec,
        number: SimulatedNumber,
        registry: MetaRegistry,
        lane_client: Callable[[], AbstractAsyncContextManager[httpx.AsyncClient]],
        policy: RetryPolicy,
    ) -> None:
        self._job = job
        self._spec = spec
        self._number = number
        self._registry = registry
        self._lane_client = lane_client
        self._policy = policy

    async def run(self) -> None:
        """Run the burst to its end and record how it ended."""
        self._job.begin()
        try:
            await self._produce()
        except asyncio.CancelledError:
            self._job.finish(cancelled=True)
            raise
        except Exception as exc:
            logger.exception("burst %s failed", self._job.job_id)
            self._job.finish(error=f"{type(exc).__name__}: {exc}")
        else:
            self._job.finish()

    async def _produce(self) -> None:
        # `concurrency` lanes take messages in order from one iterator, so at most that many are in
        # flight, and a lane stuck retrying holds back new sends exactly as a busy receiver would.
        indices = iter(range(self._spec.count))
        start = self._job.started_mono
        async with asyncio.TaskGroup() as group:
            for _ in range(min(self._spec.concurrency, self._spec.count)):
                group.create_task(self._lane(indices, start))

    async def _lane(self, indices: Iterator[int], start: float) -> None:
        # One client (one keep-alive connection) per lane: httpcore's shared pool scans every
        # connection for every waiting request, which capped one shared client at ~400 deliveries/s
        # with 32 in flight, against ~1,500/s for separate lanes on the same machine.
        async with self._lane_client() as client:
            deliverer = WebhookDeliverer(client)
            for index in indices:
                await self._wait_until_due(start, index)
                await self._deliver_until_acked(deliverer, index)

    async def _wait_until_due(self, start: float, index: int) -> None:
        # An absolute schedule: a late message does not push back every later one.
        if self._spec.rate_per_second <= 0:
            return
        delay = start + index / self._spec.rate_per_second - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)

    async def _deliver_until_acked(self, deliverer: WebhookDeliverer, index: int) -> None:
        body = self._encode(index)
        delay = self._policy.initial_s
        while True:
            self._job.note_attempt(index)
            result = await self._attempt(deliverer, body)
            if result.ok:
                self._job.note_ack(index)
                return
            self._job.note_failure()
            await asyncio.sleep(delay)
            delay = min(delay * 2, self._policy.max_s)

    def _encode(self, index: int) -> bytes:
        record = self._job.records[index]
        now = time.time()
        # A customer who writes opens the service window, delivered or not (Meta knows either way).
        self._registry.windows.note(self._number.phone_number_id, record.sender, now)
        message = CustomerMessage(record.sender, record.sender_name, record.text, record.wamid, int(now))
        body: bytes = encode_event(text_message_event(self._number, message))
        return body

    async def _attempt(self, deliverer: WebhookDeliverer, body: bytes) -> DeliveryResult:
        # Read the registration on every attempt: re-registering a number (a receiver restarted on a
        # new port, a rotated secret) redirects the retries, as changing the dashboard does at Meta.
        number = self._registry.get(self._number.phone_number_id) or self._number
        return await deliverer.post(number.webhook_url, body, signed_request(number, body))

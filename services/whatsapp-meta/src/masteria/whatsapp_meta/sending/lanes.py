"""The two lanes as durable JetStream pull consumers, the interactive one served first.

Each lane runs up to ``capacity`` sends at once, each acknowledged on its own once its outcome is
committed (accepted, failed, or parked for a retry in the database). Sends that wait long (for the
number's pace) keep their message with in-progress acks, so JetStream does not hand it to another
replica meanwhile. The bulk lane yields to the interactive one: it does not fetch while interactive
sends are being prepared (up to ``yield_s``), and every number's pacer books interactive sends first.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable

from nats.aio.msg import Msg
from nats.errors import ConnectionClosedError
from nats.errors import TimeoutError as NatsTimeoutError
from nats.js import JetStreamContext
from nats.js.errors import ServiceUnavailableError
from pydantic import ValidationError

from masteria.contracts.registry import decode_envelope
from masteria.contracts.streams import ConsumerSpec
from masteria.messaging.consuming import Received, consume_span
from masteria.observability.logging import get_logger
from masteria.observability.metrics import EVENTS_CONSUMED
from masteria.whatsapp_meta.sending.model import Command, LaneName

log = get_logger(__name__)
Handle = Callable[[Command], Awaitable[None]]


class InteractiveGate:
    """Counts interactive sends in preparation; the bulk lane waits (briefly) while there are any."""

    def __init__(self) -> None:
        self.pending = 0
        self._quiet = asyncio.Event()
        self._quiet.set()

    def enter(self) -> None:
        """An interactive send started."""
        self.pending += 1
        self._quiet.clear()

    def leave(self) -> None:
        """An interactive send finished."""
        self.pending -= 1
        if self.pending <= 0:
            self.pending = 0
            self._quiet.set()

    async def yield_to_interactive(self, at_most_s: float) -> None:
        """Wait until no interactive send is pending, or ``at_most_s`` (the bulk lane must not starve)."""
        if self.pending:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._quiet.wait(), at_most_s)


class Lane:
    """One lane: the JetStream consumer, its capacity, and the entry for retries from the database."""

    fetch_batch = 64

    def __init__(
        self,
        js: JetStreamContext,
        spec: ConsumerSpec,
        name: LaneName,
        handle: Handle,
        *,
        capacity: int,
        gate: InteractiveGate,
        yield_s: float = 0.05,
        heartbeat_s: float | None = None,
        idle_wait_s: float = 2.0,
    ) -> None:
        self.js, self.spec, self.name, self.handle = js, spec, name, handle
        self.capacity, self.gate, self.yield_s, self.idle_wait_s = capacity, gate, yield_s, idle_wait_s
        self.heartbeat_s = heartbeat_s or max(spec.ack_wait.total_seconds() / 3, 1.0)
        self.in_flight: dict[int, tuple[Msg | None, float]] = {}
        self._room = asyncio.Event()
        self._room.set()
        self._tasks: set[asyncio.Task[None]] = set()
        self._runners: list[asyncio.Task[None]] = []
        self._subscription: JetStreamContext.PullSubscription | None = None

    @property
    def free(self) -> int:
        """How many more sends the lane takes now."""
        return max(self.capacity - len(self.in_flight), 0)

    async def start(self) -> None:
        """Bind to the durable consumer and start pulling and heartbeating."""
        subscription = self._subscription = await self.js.pull_subscribe_bind(
            durable=self.spec.durable, stream=self.spec.stream
        )
        self._runners = [
            asyncio.create_task(self._pull(subscription), name=f"lane-{self.spec.durable}"),
            asyncio.create_task(self._heartbeat(), name=f"lane-heartbeat-{self.spec.durable}"),
        ]

    async def stop(self, grace_s: float = 20.0) -> None:
        """Stop pulling, let sends in flight finish for ``grace_s``, then cancel the rest.

        A send cancelled before its Graph call is simply redelivered; one cancelled inside it is
        settled as UNKNOWN once its lease passes, which is why the grace comes first.
        """
        for task in self._runners:
            task.cancel()
        for task in self._runners:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if self._tasks:
            await asyncio.wait(list(self._tasks), timeout=grace_s)
        for task in list(self._tasks):
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if self._subscription is not None:
            with contextlib.suppress(Exception):  # the connection may already be closing
                await self._subscription.unsubscribe()

    def submit(self, command: Command) -> None:
        """Run a send that came from the database (a retry), within the lane's capacity."""
        self._spawn(None, command)

    async def _pull(self, subscription: JetStreamContext.PullSubscription) -> None:
        while True:
            await self._room.wait()
            if self.name is LaneName.DISPATCH:
                await self.gate.yield_to_interactive(self.yield_s)
            try:
                messages = await subscription.fetch(1, timeout=self.idle_wait_s)
                if self.free > 1:
                    with contextlib.suppress(TimeoutError, NatsTimeoutError):
                        # Small batches: each new send runs a slice of work before its first wait, and
                        # hundreds at once would stall the loop (and every send's timing) for a while.
                        messages += await subscription.fetch(min(self.free - 1, self.fetch_batch), timeout=0.002)
            except (TimeoutError, NatsTimeoutError):
                continue
            except (ConnectionClosedError, ServiceUnavailableError):
                await asyncio.sleep(1.0)
                continue
            for message in messages:
                self._spawn(message, None)

    def _spawn(self, message: Msg | None, command: Command | None) -> None:
        task = asyncio.create_task(self._run_one(message, command))
        self.in_flight[id(task)] = (message, time.monotonic())
        if self.free == 0:
            self._room.clear()
        self._tasks.add(task)
        task.add_done_callback(self._done)

    def _done(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        self.in_flight.pop(id(task), None)
        if self.free > 0:
            self._room.set()

    async def _run_one(self, message: Msg | None, command: Command | None) -> None:
        interactive = self.name is LaneName.OUTBOUND
        if interactive:
            self.gate.enter()
        try:
            if message is not None:
                await self._from_stream(message)
            elif command is not None:
                await self._from_database(command)
        finally:
            if interactive:
                self.gate.leave()

    async def _from_stream(self, message: Msg) -> None:
        headers = message.headers or {}
        try:
            envelope = decode_envelope(message.data)
        except (ValidationError, ValueError, KeyError):
            EVENTS_CONSUMED.labels(self.spec.durable, "undecodable").inc()
            log.error("undecodable send command dropped", consumer=self.spec.durable, msg_id=headers.get("Nats-Msg-Id"))
            await message.ack()
            return
        command = Command.of(envelope, message.data)
        if command is None:
            await message.ack()
            return
        try:
            with consume_span(self.spec.durable, Received(envelope, headers)):
                await self.handle(command)
        except Exception:  # database or Redis down: JetStream redelivers, the row's state makes it safe
            log.exception("send failed; redelivering", consumer=self.spec.durable, send_id=str(command.send_id))
            EVENTS_CONSUMED.labels(self.spec.durable, "failed").inc()
            await _quietly(message.nak(delay=_redelivery_delay(message)))
            return
        EVENTS_CONSUMED.labels(self.spec.durable, "handled").inc()
        await _quietly(message.ack())

    async def _from_database(self, command: Command) -> None:
        try:
            await self.handle(command)
        except Exception:  # the row keeps its lease; the retry sweep takes it again once it expires
            log.exception("retry failed; it comes back after its lease", send_id=str(command.send_id))

    async def _heartbeat(self) -> None:
        while True:
            await asyncio.sleep(self.heartbeat_s)
            now = time.monotonic()
            for message, started in list(self.in_flight.values()):
                if message is not None and now - started >= self.heartbeat_s:
                    await _quietly(message.in_progress())


def _redelivery_delay(message: Msg) -> float:
    try:
        delivered = message.metadata.num_delivered
    except Exception:  # no metadata outside JetStream
        delivered = 1
    return float(min(2 ** max(delivered - 1, 0), 30))


async def _quietly(call: Awaitable[None]) -> None:
    try:
        await call
    except Exception:  # an ack lost with the connection is redelivered; the row's state dedups it
        log.warning("ack to JetStream failed", exc_info=True)

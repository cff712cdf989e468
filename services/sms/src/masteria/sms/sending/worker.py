"""Pulls send commands from a lane's durable consumer and settles each one in its own task.

Not the runtime's BatchConsumer: a send can wait a long time for its sender's turn (a long code
sends one segment per second), so each message is handled on its own, acked when settled, and
kept alive meanwhile with in-progress acks rather than redelivered at the end of ``ack_wait``.
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid

from nats.aio.msg import Msg
from nats.errors import ConnectionClosedError
from nats.errors import TimeoutError as NatsTimeoutError
from nats.js import JetStreamContext
from nats.js.errors import ServiceUnavailableError
from pydantic import ValidationError

from masteria.contracts.registry import decode_envelope
from masteria.contracts.streams import ConsumerSpec
from masteria.messaging.consuming import Received, consume_span
from masteria.observability.context import current_tenant
from masteria.observability.logging import get_logger
from masteria.observability.metrics import EVENTS_CONSUMED
from masteria.sms.sending.commands import Command, NotACommandError
from masteria.sms.sending.service import Sending

log = get_logger(__name__)


class LaneWorker:
    """One lane (interactive or bulk): at most ``concurrency`` commands in hand at once."""

    def __init__(
        self,
        js: JetStreamContext,
        spec: ConsumerSpec,
        sending: Sending,
        *,
        concurrency: int,
        idle_wait_s: float = 2.0,
        drain_wait_s: float = 0.002,
        retry_delay_s: float = 1.0,
        stop_grace_s: float = 20.0,
    ) -> None:
        self.js, self.spec, self.sending = js, spec, sending
        self.concurrency, self.idle_wait_s, self.drain_wait_s = concurrency, idle_wait_s, drain_wait_s
        self.retry_delay_s, self.stop_grace_s = retry_delay_s, stop_grace_s
        self.heartbeat_s = max(spec.ack_wait.total_seconds() / 3, 0.5)
        self._room = asyncio.Event()
        self._stopping = False
        self._loop: asyncio.Task[None] | None = None
        self._subscription: JetStreamContext.PullSubscription | None = None
        # Commands in hand, with their envelope id once decoded (to tell those inside a Twilio call).
        self._tasks: dict[asyncio.Task[None], uuid.UUID | None] = {}

    async def start(self) -> None:
        """Bind to the provisioned durable consumer and start pulling."""
        subscription = await self.js.pull_subscribe_bind(durable=self.spec.durable, stream=self.spec.stream)
        self._subscription = subscription
        self._loop = asyncio.create_task(self._run(subscription), name=f"sms-{self.spec.durable}")

    async def stop(self) -> None:
        """Stop pulling; commands waiting their turn go back to JetStream, calls in flight finish."""
        self._stopping = True
        self._room.set()
        if self._loop:
            # A fetch cut short would strand what the server already handed out until ack_wait
            # expires; let the one in flight end (at most idle_wait_s) and give its messages back.
            done, _ = await asyncio.wait([self._loop], timeout=self.idle_wait_s + 1.0)
            if not done:
                self._loop.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await self._loop
        for task, envelope_id in list(self._tasks.items()):
            if envelope_id not in self.sending.in_call:
                task.cancel()
        await self._give_back_buffered()
        if self._tasks:
            await asyncio.wait(list(self._tasks), timeout=self.stop_grace_s)
        if self._subscription is not None:
            # Acks went out above; without this the connection's drain waits on the pull inbox.
            with contextlib.suppress(Exception):
                await self._subscription.unsubscribe()

    async def _run(self, subscription: JetStreamContext.PullSubscription) -> None:
        while not self._stopping:
            free = self.concurrency - len(self._tasks)
            if free <= 0:
                self._room.clear()
                await self._room.wait()
                continue
            try:
                # One message as soon as it arrives, then whatever else is already waiting.
                messages = await subscription.fetch(1, timeout=self.idle_wait_s)
                if free > 1:
                    messages += await self._drain(subscription, free - 1)
            except (TimeoutError, NatsTimeoutError):
                continue
            except (ConnectionClosedError, ServiceUnavailableError):
                await asyncio.sleep(self.retry_delay_s)
                continue
            if self._stopping:
                for message in messages:
                    with contextlib.suppress(Exception):
                        await message.nak()
                return
            for message in messages:
                task = asyncio.create_task(self._handle(message))
                self._tasks[task] = None
                task.add_done_callback(self._done)

    async def _give_back_buffered(self) -> None:
        # Messages the server delivered after a fetch gave up wait in the subscription's buffer;
        # nak them now rather than leave them to the end of ack_wait.
        subscription = self._subscription
        if subscription is None or not subscription.pending_msgs:
            return
        with contextlib.suppress(Exception):
            for message in await subscription.fetch(subscription.pending_msgs, timeout=0.05):
                await message.nak()

    async def _drain(self, subscription: JetStreamContext.PullSubscription, count: int) -> list[Msg]:
        try:
            return await subscription.fetch(count, timeout=self.drain_wait_s)
        except (TimeoutError, NatsTimeoutError):
            return []

    def _done(self, task: asyncio.Task[None]) -> None:
        self._tasks.pop(task, None)
        self._room.set()

    async def _handle(self, message: Msg) -> None:
        try:
            envelope = decode_envelope(message.data)
            command = Command.from_envelope(envelope)
        except (ValidationError, ValueError, KeyError, NotACommandError):
            # A poison message is dropped for good: redelivering it cannot make it decodable.
            EVENTS_CONSUMED.labels(self.spec.durable, "undecodable").inc()
            log.error("undecodable send command dropped", consumer=self.spec.durable)
            await message.term()
            return
        current = asyncio.current_task()
        if current in self._tasks:
            self._tasks[current] = command.envelope_id
        heartbeat = asyncio.create_task(self._keep_alive(message))
        token = current_tenant.set(command.tenant_id)
        try:
            with consume_span(self.spec.durable, Received(envelope, message.headers or {})):
                await self.sending.process(command)
        except asyncio.CancelledError:
            with contextlib.suppress(Exception):
                await message.nak()  # stopped while waiting: another process takes it at once
            raise
        except Exception:
            # Our own failure (database, Redis): back off so a short outage does not use up the
            # consumer's few deliveries; Twilio's failures never get here, they retry in process.
            delay = min(self.retry_delay_s * 2 ** (message.metadata.num_delivered - 1), 30.0)
            log.exception("send command failed; redelivering", consumer=self.spec.durable, delay_s=delay)
            EVENTS_CONSUMED.labels(self.spec.durable, "failed").inc()
            await message.nak(delay=delay)
            return
        finally:
            heartbeat.cancel()
            current_tenant.reset(token)
        EVENTS_CONSUMED.labels(self.spec.durable, "settled").inc()
        await message.ack()

    async def _keep_alive(self, message: Msg) -> None:
        # Waiting for the sender's turn or a retry's backoff can outlast ack_wait.
        while True:
            await asyncio.sleep(self.heartbeat_s)
            with contextlib.suppress(Exception):
                await message.in_progress()

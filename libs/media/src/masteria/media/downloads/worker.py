"""Downloads inbound files into the media store, then publishes the messages that carried them.

A webhook only stages a pending download (in the same commit as its receipt), so a text never
waits behind a picture and a crash loses nothing: a claimed download comes back after its lease.
A file that cannot be fetched after ``max_attempts`` (or at once, when it is refused for good) is
published with the provider's reference only, and the log says why.
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from masteria.contracts.content import MediaContent
from masteria.contracts.envelope import Envelope
from masteria.contracts.messages import InboundMessage
from masteria.contracts.registry import decode_envelope
from masteria.media.errors import MediaError
from masteria.media.store import MediaStore
from masteria.messaging.outbox import Outbox
from masteria.observability.logging import get_logger
from masteria.observability.metrics import EVENTS_CONSUMED
from masteria.persistence.tenancy import system_session, tenant_session

from .queue import PendingDownloads
from .source import MediaSource

log = get_logger(__name__)
FALLBACK_CONTENT_TYPE = "application/octet-stream"


@dataclass
class DownloadWorker:
    """Takes due downloads (across tenants), a few at a time."""

    sessions: async_sessionmaker[AsyncSession]
    outbox: Outbox
    pending: PendingDownloads
    store: MediaStore
    source: MediaSource
    concurrency: int
    max_attempts: int
    retry_delay: Callable[[int], float]  # seconds to wait after failed attempt n (1-based)
    lease_s: float = 120.0
    poll_s: float = 1.0
    _wake: asyncio.Event = field(default_factory=asyncio.Event, init=False)
    _task: asyncio.Task[None] | None = field(default=None, init=False)
    _running: set[asyncio.Task[None]] = field(default_factory=set, init=False)

    def start(self) -> None:
        """Work in the background."""
        self._task = asyncio.create_task(self._run(), name=f"{self.source.name}-downloads")

    async def stop(self) -> None:
        """Stop; downloads in flight come back after their lease."""
        for task in [*([self._task] if self._task else []), *self._running]:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    def wake(self) -> None:
        """New downloads were committed."""
        self._wake.set()

    async def _run(self) -> None:
        while True:
            self._wake.clear()
            room = self.concurrency - len(self._running)
            claimed: list[Any] = []
            if room > 0:
                try:
                    async with system_session(self.sessions) as session:
                        claimed = await self.pending.claim_due(session, room, self.lease_s)
                except Exception:
                    log.exception("claiming media downloads failed")
            for row in claimed:
                task = asyncio.create_task(self._one(row))
                self._running.add(task)
                task.add_done_callback(self._finished)
            if claimed and len(claimed) == room:
                await asyncio.sleep(0)  # a backlog: claim again as soon as a download ends
            # asyncio.timeout, not wait_for: on 3.11 wait_for drops a cancel that lands as the wake
            # fires, and stop() would then wait for this loop forever.
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self.poll_s):
                    await self._wake.wait()

    def _finished(self, task: asyncio.Task[None]) -> None:
        self._running.discard(task)
        self._wake.set()

    async def _one(self, row: Any) -> None:
        envelope = decode_envelope(row.envelope)
        message = envelope.data
        if not isinstance(message, InboundMessage) or not isinstance(message.content, MediaContent):
            await self._publish(row, envelope)
            return
        refusals: tuple[type[Exception], ...] = (*self.source.failures, MediaError, LookupError)
        try:
            content = await self._fetch(row, message.content)
        except refusals as exc:
            await self._failed(row, envelope, exc)
            return
        except Exception as exc:  # anything else: retried like a transient failure
            log.exception("media download crashed", **self._file(row))
            await self._failed(row, envelope, exc)
            return
        updated = envelope.model_copy(update={"data": message.model_copy(update={"content": content})})
        await self._publish(row, updated)
        EVENTS_CONSUMED.labels(self.source.name, "downloaded").inc()

    async def _fetch(self, row: Any, media: MediaContent) -> MediaContent:
        got = await self.source.fetch(row, media, self.store.max_bytes)
        content_type = got.content_type or FALLBACK_CONTENT_TYPE
        stored = await self.store.put(row.tenant_id, got.data, content_type=content_type, filename=media.filename)
        return media.model_copy(
            update={
                "storage_key": stored.key,
                "sha256": stored.sha256,
                "size_bytes": stored.size_bytes,
                "mime_type": stored.content_type,
            }
        )

    async def _failed(self, row: Any, envelope: Envelope[Any], exc: Exception) -> None:
        if row.attempts < self.max_attempts and self._transient(exc):
            delay = self.retry_delay(row.attempts)
            async with tenant_session(self.sessions, row.tenant_id) as session:
                await self.pending.later(session, row.id, delay, repr(exc))
            log.info("media download failed; retrying", **self._file(row), attempt=row.attempts, error=repr(exc))
            return
        given_up = f"media download given up: the message is published with {self.source.fallback} only"
        log.warning(
            given_up,
            **self._file(row),
            attempts=row.attempts,
            error=repr(exc),
            event_id=str(row.id),
        )
        EVENTS_CONSUMED.labels(self.source.name, "given_up").inc()
        await self._publish(row, envelope)

    async def _publish(self, row: Any, envelope: Envelope[Any]) -> None:
        tenant: uuid.UUID = row.tenant_id
        async with tenant_session(self.sessions, tenant) as session:
            await self.outbox.write(session, [{**self.outbox.row(envelope), "headers": dict(row.headers)}])
            await self.pending.done(session, row.id)

    def _transient(self, exc: Exception) -> bool:
        if isinstance(exc, self.source.failures):
            return not self.source.permanent(exc)
        # Too large, an empty file, a refused type, an owner gone: trying again cannot help.
        return not isinstance(exc, MediaError | LookupError)

    def _file(self, row: Any) -> dict[str, Any]:
        """The log fields that name the file."""
        return {self.source.locator: getattr(row, self.source.locator)}

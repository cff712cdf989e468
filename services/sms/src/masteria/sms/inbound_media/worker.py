"""Downloads inbound MMS media into the media store, then publishes the message that carried it.

The webhook only records a pending download (in the same commit as its receipt), so a text never
waits behind a picture and a crash loses nothing: a claimed download comes back after its lease.
Twilio requires HTTP Basic (the sender's account SID and auth token) on media URLs. A file that
cannot be fetched after ``media_max_attempts`` (or at once, when Twilio refuses it for good) is
published with Twilio's URL only, and the log says why.
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from masteria.contracts.content import MediaContent
from masteria.contracts.envelope import Envelope
from masteria.contracts.messages import InboundMessage
from masteria.contracts.registry import decode_envelope
from masteria.media import MediaError, MediaStore
from masteria.messaging.outbox import Outbox
from masteria.observability.logging import get_logger
from masteria.observability.metrics import EVENTS_CONSUMED
from masteria.persistence.tenancy import system_session, tenant_session
from masteria.sms.inbound_media import repository
from masteria.sms.senders.directory import SenderDirectory
from masteria.sms.sending.commands import backoff_s
from masteria.sms.twilio_api import MediaDownloadError, TwilioClient

log = get_logger(__name__)
METRIC = "sms-media"


@dataclass
class MediaWorker:
    """Takes due downloads (across tenants), a few at a time."""

    sessions: async_sessionmaker[AsyncSession]
    outbox: Outbox
    twilio: TwilioClient
    directory: SenderDirectory
    store: MediaStore
    concurrency: int
    max_attempts: int
    backoff_base_s: float
    backoff_cap_s: float
    lease_s: float = 120.0
    poll_s: float = 1.0
    _wake: asyncio.Event = field(default_factory=asyncio.Event, init=False)
    _task: asyncio.Task[None] | None = field(default=None, init=False)
    _running: set[asyncio.Task[None]] = field(default_factory=set, init=False)

    def start(self) -> None:
        """Work in the background."""
        self._task = asyncio.create_task(self._run(), name="sms-media-downloads")

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
                        claimed = await repository.claim_due(session, room, self.lease_s)
                except Exception:
                    log.exception("claiming media downloads failed")
            for row in claimed:
                task = asyncio.create_task(self._one(row))
                self._running.add(task)
                task.add_done_callback(self._finished)
            if claimed and len(claimed) == room:
                await asyncio.sleep(0)  # a backlog: claim again as soon as a download ends
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.poll_s)

    def _finished(self, task: asyncio.Task[None]) -> None:
        self._running.discard(task)
        self._wake.set()

    async def _one(self, row: Any) -> None:
        envelope = decode_envelope(row.envelope)
        message = envelope.data
        if not isinstance(message, InboundMessage) or not isinstance(message.content, MediaContent):
            await self._publish(row, envelope)
            return
        try:
            content = await self._fetch(row, message.content)
        except (MediaDownloadError, MediaError, LookupError) as exc:
            await self._failed(row, envelope, exc)
            return
        except Exception as exc:  # anything else: retried like a transient failure
            log.exception("media download crashed", media_url=row.media_url)
            await self._failed(row, envelope, exc)
            return
        updated = envelope.model_copy(update={"data": message.model_copy(update={"content": content})})
        await self._publish(row, updated)
        EVENTS_CONSUMED.labels(METRIC, "downloaded").inc()

    async def _fetch(self, row: Any, media: MediaContent) -> MediaContent:
        sender = await self.directory.for_send(row.tenant_id, row.sender_id)
        if sender is None:
            raise LookupError(f"sender {row.sender_id} is no longer registered")
        got = await self.twilio.download_media(
            row.media_url, sender.account_sid, sender.auth_token, max_bytes=self.store.max_bytes
        )
        # Twilio's MediaContentType is what the customer's phone declared; the file server's type
        # only fills in when the webhook gave none.
        content_type = media.mime_type or got.content_type or "application/octet-stream"
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
        if row.attempts < self.max_attempts and _transient(exc):
            delay = backoff_s(row.attempts, self.backoff_base_s, self.backoff_cap_s)
            async with tenant_session(self.sessions, row.tenant_id) as session:
                await repository.later(session, row.id, delay, repr(exc))
            log.info("media download failed; retrying", media_url=row.media_url, attempt=row.attempts, error=repr(exc))
            return
        log.warning(
            "media download given up: the message is published with Twilio's URL only",
            media_url=row.media_url,
            attempts=row.attempts,
            error=repr(exc),
            event_id=str(row.id),
        )
        EVENTS_CONSUMED.labels(METRIC, "given_up").inc()
        await self._publish(row, envelope)

    async def _publish(self, row: Any, envelope: Envelope[Any]) -> None:
        tenant: uuid.UUID = row.tenant_id
        async with tenant_session(self.sessions, tenant) as session:
            await self.outbox.write(session, [{**self.outbox.row(envelope), "headers": dict(row.headers)}])
            await repository.done(session, row.id)


def _transient(exc: Exception) -> bool:
    if isinstance(exc, MediaDownloadError):
        return not exc.permanent
    # Too large, an empty file, a sender gone: trying again cannot help; anything else may pass.
    return not isinstance(exc, MediaError | LookupError)

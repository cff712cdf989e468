"""Sending one command at most once: checks, pacing, the crash-safe Twilio call, retries, statuses.

The row of a command is committed as ``sending`` before Twilio is called and as ``accepted``
(with the MessageSid) right after. A redelivered command that finds ``accepted``, ``failed`` or
``unknown`` is not sent again; one that finds ``sending`` under its own envelope id means this
service stopped inside the call, so the outcome is recorded as unknown instead of risking a
second SMS. Transient failures retry here with backoff; the tries count lives in the row.
"""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from masteria.contracts.messages import DeliveryError, ErrorClassification, MessageStatus
from masteria.messaging.outbox import Outbox
from masteria.observability.logging import get_logger
from masteria.persistence.base import utcnow
from masteria.persistence.tenancy import tenant_session
from masteria.sms import errors
from masteria.sms.consent import repository as consent
from masteria.sms.senders.directory import KnownSender, SenderDirectory
from masteria.sms.sending import repository
from masteria.sms.sending.commands import MAX_BODY_CHARS, Command, SmsPayload, backoff_s, payload_of
from masteria.sms.sending.pacing import SenderPacer
from masteria.sms.sending.statuses import apply_callbacks, publish, status_event
from masteria.sms.settings import SmsSettings
from masteria.sms.tables import Send
from masteria.sms.twilio_api import CreatedMessage, SendRequest, TwilioClient, TwilioError

log = get_logger(__name__)
_SETTLED = ("accepted", "failed", "unknown")


@dataclass(frozen=True)
class _Proceed:
    """Nothing settled the command yet; whether its recipient opted out (the tries count is the row's)."""

    opted_out: bool


class Sending:
    """Everything a send needs, built once per process."""

    def __init__(
        self,
        *,
        sessions: async_sessionmaker[AsyncSession],
        outbox: Outbox,
        directory: SenderDirectory,
        twilio: TwilioClient,
        pacer: SenderPacer,
        settings: SmsSettings,
        status_callback_url: str,
    ) -> None:
        self.sessions, self.outbox, self.directory, self.twilio = sessions, outbox, directory, twilio
        self.pacer, self.settings, self.status_callback_url = pacer, settings, status_callback_url
        # Set while the command is between "sending" and its outcome: a stop waits for those.
        self.in_call: set[uuid.UUID] = set()

    async def process(self, cmd: Command) -> None:
        """Settle ``cmd``: sent (ACCEPTED), refused or failed (FAILED), or unknown after a crash."""
        sender = await self.directory.for_send(cmd.tenant_id, cmd.channel_account_id)
        prior = await self._prior(cmd, sender)
        if prior is None:
            return
        if sender is None:
            await self._fail(cmd, None, errors.NO_SENDER)
            return
        if prior.opted_out:
            await self._fail(cmd, sender, errors.OPTED_OUT)
            return
        payload = payload_of(cmd.content)
        if payload is None:
            await self._fail(cmd, sender, errors.UNSUPPORTED_CONTENT)
            return
        if payload.body and len(payload.body) > MAX_BODY_CHARS:
            await self._fail(cmd, sender, errors.BODY_TOO_LONG)
            return
        await self._attempts(cmd, sender, payload)

    async def _attempts(self, cmd: Command, sender: KnownSender, payload: SmsPayload) -> None:
        first = True
        while True:
            # Checked again before a retry: a STOP may arrive while it waits.
            if not first and await self._opted_out(cmd, sender):
                await self._fail(cmd, sender, errors.OPTED_OUT)
                return
            first = False
            await self.pacer.wait(sender.phone_number, sender.messages_per_second, payload.segments, cmd.priority)
            # From the claim to the recorded outcome, a stop waits for this command instead of cutting it.
            self.in_call.add(cmd.envelope_id)
            try:
                tries = await self._claim(cmd, sender)
                if tries is None:
                    return  # another delivery of the same command holds it
                error = await self._call(cmd, sender, payload)
                if error is None:
                    return
                retry = error.classification is ErrorClassification.TRANSIENT and tries < self.settings.max_attempts
                if not retry:
                    await self._fail(cmd, sender, error)
                    return
                await self._settle(cmd, sender, state="retry", error_code=error.code)
            finally:
                self.in_call.discard(cmd.envelope_id)
            delay = backoff_s(tries, self.settings.retry_base_s, self.settings.retry_max_s)
            log.info("transient Twilio failure, retrying", code=error.code, tries=tries, delay_s=round(delay, 3))
            await asyncio.sleep(delay)

    async def _call(self, cmd: Command, sender: KnownSender, payload: SmsPayload) -> DeliveryError | None:
        request = SendRequest(
            account_sid=sender.account_sid,
            auth_token=sender.auth_token,
            from_=sender.phone_number,
            to=cmd.to,
            body=payload.body,
            media_urls=payload.media_urls,
            status_callback=self.status_callback_url,
        )
        try:
            created = await self.twilio.send(request)
        except TwilioError as exc:
            return errors.delivery_error(exc.code, exc.message, exc.http_status)
        except httpx.TimeoutException as exc:
            return errors.timeout_error(repr(exc))
        except httpx.HTTPError as exc:
            return errors.network_error(repr(exc))
        await self._accepted(cmd, sender, created, payload)
        return None

    # --- the row --------------------------------------------------------------------------

    async def _prior(self, cmd: Command, sender: KnownSender | None) -> _Proceed | None:
        """What an earlier delivery left (None: nothing more to do), and the recipient's opt-out."""
        async with tenant_session(self.sessions, cmd.tenant_id) as session:
            row = await repository.get_for_update(session, cmd.command_id, cmd.attempt)
            if row is None or row.state == "retry":
                opted_out = sender is not None and await self._opted_out_in(session, cmd, sender)
                return _Proceed(opted_out)
            if row.state == "sending" and row.event_id == cmd.envelope_id:
                # This very message was being sent when the process stopped: Twilio may have it.
                row.state = "unknown"
                row.updated_at = utcnow()
                event = status_event(row, MessageStatus.UNKNOWN, _now(), error=errors.UNKNOWN_OUTCOME)
                await publish(session, self.outbox, row, event)
                log.warning("send interrupted inside the Twilio call; outcome unknown", command_id=str(cmd.command_id))
            # settled, or another copy of the command is in flight: it settles the row
            return None

    def _values(self, cmd: Command, sender: KnownSender | None, **changes: Any) -> dict[str, Any]:
        return {
            "tenant_id": cmd.tenant_id,
            "command_id": cmd.command_id,
            "attempt": cmd.attempt,
            "lane": cmd.lane,
            "event_id": cmd.envelope_id,
            "sender_id": sender.id if sender else cmd.channel_account_id,
            "recipient": cmd.to,
            "updated_at": utcnow(),
            **changes,
        }

    async def _claim(self, cmd: Command, sender: KnownSender) -> int | None:
        async with tenant_session(self.sessions, cmd.tenant_id) as session:
            return await repository.claim_for_call(session, self._values(cmd, sender))

    async def _settle(self, cmd: Command, sender: KnownSender | None, **changes: Any) -> None:
        async with tenant_session(self.sessions, cmd.tenant_id) as session:
            await repository.settle(session, self._values(cmd, sender, **changes))

    async def _opted_out(self, cmd: Command, sender: KnownSender) -> bool:
        async with tenant_session(self.sessions, cmd.tenant_id) as session:
            return await self._opted_out_in(session, cmd, sender)

    @staticmethod
    async def _opted_out_in(session: AsyncSession, cmd: Command, sender: KnownSender) -> bool:
        state = await consent.current(session, sender.phone_number, cmd.to)
        # The confirmation of a STOP is the one message that still goes to the recipient.
        return state is not None and state.opted_out and state.confirmation_id != cmd.command_id

    async def _fail(self, cmd: Command, sender: KnownSender | None, error: DeliveryError) -> None:
        async with tenant_session(self.sessions, cmd.tenant_id) as session:
            send = await repository.settle(session, self._values(cmd, sender, state="failed", error_code=error.code))
            if error.code == "21610" and sender is not None:
                await consent.record(
                    session,
                    tenant_id=cmd.tenant_id,
                    sender_number=sender.phone_number,
                    recipient=cmd.to,
                    opted_out=True,
                    keyword="21610",
                    at=_now(),
                )
            await publish(session, self.outbox, send, status_event(send, MessageStatus.FAILED, _now(), error=error))

    async def _accepted(self, cmd: Command, sender: KnownSender, created: CreatedMessage, payload: SmsPayload) -> None:
        values = self._values(
            cmd,
            sender,
            state="accepted",
            sid=created.sid,
            segments=created.num_segments or payload.segments,
            error_code=None,
        )
        # Twilio has the message now: recording that must outlast a brief database hiccup, or a
        # redelivery would call the outcome unknown although it is known.
        for attempt in range(5):
            try:
                await self._record_accepted(cmd, values)
                return
            except (DBAPIError, OSError):
                if attempt == 4:
                    raise
                log.warning("recording an accepted send failed; trying again", sid=created.sid)
                await asyncio.sleep(0.2 * 2**attempt)

    async def _record_accepted(self, cmd: Command, values: dict[str, Any]) -> None:
        async with tenant_session(self.sessions, cmd.tenant_id) as session:
            await repository.lock_sid(session, values["sid"])
            send: Send = await repository.settle(session, values)
            await publish(session, self.outbox, send, status_event(send, MessageStatus.ACCEPTED, _now()))
            # Callbacks that beat this commit were kept aside; they apply now, in status order.
            early = await repository.unapplied_receipts(session, values["sid"])
            if early:
                await apply_callbacks(session, self.outbox, send, early)


def _now() -> datetime:
    return datetime.now(UTC)

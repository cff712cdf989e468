"""One send, start to end: claim, checks, limits, "sending", the Graph call, the outcome.

The order matters. Checks that cost nothing at Meta come first and fail at once with a clear
reason (no number, window closed, a template Meta paused, disabled or rejected, tier budget,
content Meta cannot carry). Waiting for the pair
rate and for the number's slot happens outside any transaction. "sending" is committed just
before the call, so a crash inside the call leaves a row the next reader settles as UNKNOWN.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from masteria.contracts.content import MediaContent, TemplateContent
from masteria.contracts.messages import DeliveryError, ErrorClassification
from masteria.observability.logging import get_logger
from masteria.observability.tracing import inject_headers
from masteria.persistence.group_commit import GroupCommitter
from masteria.whatsapp_meta.graph import GraphClient, GraphError, GraphUnavailable
from masteria.whatsapp_meta.sending import errors
from masteria.whatsapp_meta.sending.backoff import Backoff
from masteria.whatsapp_meta.sending.budgets import Budgets
from masteria.whatsapp_meta.sending.media import MediaUploader, StoredMediaError
from masteria.whatsapp_meta.sending.model import Command, LaneName, State
from masteria.whatsapp_meta.sending.numbers import SendingNumber, SendingNumbers
from masteria.whatsapp_meta.sending.pacing import BULK, INTERACTIVE, NumberPacer, Pacers, SlotBook
from masteria.whatsapp_meta.sending.records import BeginRequest, Claimed, ClaimRequest, Outcome, OutcomeKind
from masteria.whatsapp_meta.sending.requests import UnsendableContent, callback_data, message_body, wa_id
from masteria.whatsapp_meta.sending.templates import TemplateGate
from masteria.whatsapp_meta.settings import WhatsAppMetaSettings

log = get_logger(__name__)
WINDOW = timedelta(hours=24)
_WAITING = frozenset({State.QUEUED, State.RETRYING})
_SENDING = frozenset({State.SENDING})

NO_NUMBER = DeliveryError(
    code="no_number",
    classification=ErrorClassification.PERMANENT,
    title="No WhatsApp number of this tenant can send this message: connect one or name an existing one",
)
UNKNOWN_OUTCOME = DeliveryError(
    code="unknown_outcome",
    classification=ErrorClassification.UNKNOWN,
    title="The adapter stopped while Meta was being called: the message may or may not have been sent, "
    "and it is not sent again",
)


@dataclass
class LaneTools:
    """What differs per lane: its own transactions and connections, so bulk work never queues ahead."""

    claims: GroupCommitter[ClaimRequest, Claimed]
    begins: GroupCommitter[BeginRequest, bool]
    settles: GroupCommitter[Outcome, bool]
    graph: GraphClient
    priority: int


@dataclass
class Sender:
    """Runs sends; shared by both lanes and by the retry sweep."""

    settings: WhatsAppMetaSettings
    numbers: SendingNumbers
    lanes: dict[LaneName, LaneTools]
    pacers: Pacers
    slots: SlotBook
    budgets: Budgets
    uploader: MediaUploader
    templates: TemplateGate
    on_retry: Callable[[LaneName, float], None] | None = None  # wakes the lane's retry sweep in time
    backoff: Backoff = field(init=False)
    _park_until: dict[str, float] = field(default_factory=dict, init=False)

    def __post_init__(self) -> None:
        self.backoff = Backoff(self.settings.send_backoff_base_s, self.settings.send_backoff_cap_s)

    async def handle(self, command: Command) -> None:
        """Take a command as far as it can go now; raises only when the database or Redis is down."""
        tools = self.lanes[command.lane]
        number = await self.numbers.resolve(command.tenant_id, command.channel_account_id)
        customer = wa_id(command.to)
        claimed = await tools.claims.submit(ClaimRequest(command, number.registration_id if number else None, customer))
        if claimed.state.settled:
            return  # a redelivery of a send already settled: acknowledged, never sent again
        if claimed.state is State.SENDING:
            await self._found_sending(command, claimed)
            return
        if number is None:
            await self._settle(command, "failed", _WAITING, error=NO_NUMBER)
            return
        await self._send(command, tools, number, customer, claimed)

    async def settle_unknown(self, command: Command) -> bool:
        """Settle a send whose process died inside the Graph call: UNKNOWN, never resent."""
        return await self._settle(command, "unknown", _SENDING, error=UNKNOWN_OUTCOME)

    async def _found_sending(self, command: Command, claimed: Claimed) -> None:
        # Another copy is inside the Graph call right now, or its process died there. Only the
        # latter is settled (UNKNOWN, never resent); a live attempt settles itself.
        started = claimed.sending_at or datetime.now(UTC)
        if datetime.now(UTC) - started >= timedelta(seconds=self.settings.sending_lease_s):
            await self.settle_unknown(command)

    async def _send(
        self, command: Command, tools: LaneTools, number: SendingNumber, customer: str, claimed: Claimed
    ) -> None:
        window_open = claimed.last_inbound_at is not None and datetime.now(UTC) - claimed.last_inbound_at < WINDOW
        if not command.is_template and not window_open:
            await self._settle(command, "failed", _WAITING, error=errors.WINDOW_CLOSED)
            return
        if isinstance(command.content, TemplateContent):
            refusal = await self.templates.refusal(command.tenant_id, number.waba_id, command.content)
            if refusal is not None:
                await self._settle(command, "failed", _WAITING, error=refusal)
                return
        if command.is_template and not window_open and not await self._within_tier(command, number, customer):
            return
        try:
            media_id = await self._uploaded_media(command, number)
        except (GraphError, GraphUnavailable) as exc:
            await self._failed_attempt(command, number, exc, attempt=claimed.attempts + 1, counted=False)
            return
        except StoredMediaError as exc:
            await self._settle(command, "failed", _WAITING, error=exc.error)
            return
        if not await self._pair_rate(command, number, customer):
            return
        await self._attempt(command, tools, number, claimed, media_id)

    async def _attempt(
        self, command: Command, tools: LaneTools, number: SendingNumber, claimed: Claimed, media_id: str | None
    ) -> None:
        try:
            body = message_body(
                command.to,
                command.content,
                callback=callback_data(command.lane, command.send_id),
                variables=command.variables,
                media_id=media_id,
            )
        except UnsendableContent as exc:
            error = DeliveryError(code="invalid_content", title=str(exc), classification=ErrorClassification.PERMANENT)
            await self._settle(command, "failed", _WAITING, error=error)
            return
        pacer = self.pacers.of(number.phone_number_id)
        if tools.priority == BULK and pacer.waiting[BULK] >= self._bulk_queue_cap(number):
            # The number's queue holds enough for the next seconds: wait in the database instead of
            # holding a place in the lane that sends for every other number.
            await self._settle(command, "retry", _WAITING, retry_in_s=self._park_delay(number))
            return
        slot_at = await pacer.slot(tools.priority, number.messages_per_second)
        if not await tools.begins.submit(BeginRequest(command, claimed.attempts, number.registration_id)):
            return  # another copy of the command took it, or it was settled meanwhile
        attempt = claimed.attempts + 1
        try:
            wamid = await self._call_graph(tools, number, pacer, slot_at, body)
        except (GraphError, GraphUnavailable) as exc:
            await self._failed_attempt(command, number, exc, attempt=attempt, counted=True)
            return
        await self._settle(
            command, "accepted", _SENDING, expect_attempts=attempt, wamid=wamid, number_id=number.registration_id
        )

    @staticmethod
    async def _call_graph(
        tools: LaneTools, number: SendingNumber, pacer: NumberPacer, slot_at: float, body: dict[str, Any]
    ) -> str:
        """The Graph call, leaving at the booked slot with a connection in hand (the pacer's departure)."""
        loop = asyncio.get_running_loop()
        departed: list[float] = []

        async def depart() -> None:
            await pacer.depart(slot_at, number.messages_per_second)
            departed.append(loop.time())

        try:
            return await tools.graph.send_message(number.phone_number_id, number.access_token, body, before=depart)
        finally:
            pacer.arrived(loop.time() - departed[0] if departed else None)

    async def _within_tier(self, command: Command, number: SendingNumber, customer: str) -> bool:
        if not self.settings.enforce_tier_budget:
            return True
        decision = await self.budgets.reach(number.phone_number_id, number.messaging_limit_tier, customer)
        if decision.allowed:
            return True
        frees_at = datetime.now(UTC) + timedelta(seconds=decision.retry_after_s)
        await self._settle(
            command,
            "failed",
            _WAITING,
            error=DeliveryError(
                code="tier_limit",
                classification=ErrorClassification.TRANSIENT,
                title=f"The number's messaging tier allows {decision.limit} new customers per 24 hours and "
                "they are used up: try again later",
                provider_detail=f"{number.messaging_limit_tier}; a place frees up at {frees_at.isoformat()}",
            ),
        )
        return False

    async def _pair_rate(self, command: Command, number: SendingNumber, customer: str) -> bool:
        while (wait := await self.budgets.pair_wait(number.phone_number_id, customer)) > 0:
            if wait > self.settings.pair_max_wait_s:
                await self._settle(command, "retry", _WAITING, retry_in_s=wait)
                return False
            await asyncio.sleep(wait)
        return True

    async def _uploaded_media(self, command: Command, number: SendingNumber) -> str | None:
        content = command.content
        if not isinstance(content, MediaContent) or content.storage_key is None or content.media_id is not None:
            return None
        return await self.uploader.media_id(command.tenant_id, number, content)

    async def _failed_attempt(
        self, command: Command, number: SendingNumber, exc: Exception, *, attempt: int, counted: bool
    ) -> None:
        if errors.slows_number(exc):
            await self.slots.slow_down(number.phone_number_id)
        error = errors.classify_exception(exc)
        expect = _SENDING if counted else _WAITING
        expect_attempts = attempt if counted else None
        if errors.retried_here(error) and attempt < self.settings.send_max_attempts:
            log.info("transient send failure; retrying", code=error.code, attempt=attempt, send_id=str(command.send_id))
            await self._settle(
                command,
                "retry",
                expect,
                expect_attempts=expect_attempts,
                error=error,
                retry_in_s=self.backoff.delay(attempt),
                counts_attempt=not counted,
            )
            return
        await self._settle(
            command, "failed", expect, expect_attempts=expect_attempts, error=error, number_id=number.registration_id
        )

    async def _settle(
        self,
        command: Command,
        kind: OutcomeKind,
        expect: frozenset[State],
        *,
        expect_attempts: int | None = None,
        wamid: str | None = None,
        error: DeliveryError | None = None,
        retry_in_s: float = 0.0,
        number_id: uuid.UUID | None = None,
        counts_attempt: bool = False,
    ) -> bool:
        trace: dict[str, str] = {}
        inject_headers(trace)
        outcome = Outcome(
            command, kind, expect, expect_attempts, wamid, error, retry_in_s, number_id, trace, counts_attempt
        )
        applied = await self.lanes[command.lane].settles.submit(outcome)
        if applied and kind == "retry" and self.on_retry is not None:
            self.on_retry(command.lane, retry_in_s)
        return applied

    def _bulk_queue_cap(self, number: SendingNumber) -> int:
        return max(50, int(number.messages_per_second * self.settings.dispatch_queue_s))

    def _park_delay(self, number: SendingNumber) -> float:
        # Parked sends come back spread at the number's rate, after what is queued now: they find
        # room when they return instead of being parked again.
        now = time.monotonic()
        interval = (1.0 + self.settings.rate_margin_ms / 1000) / number.messages_per_second
        start = max(self._park_until.get(number.phone_number_id, 0.0), now + self.settings.dispatch_queue_s)
        self._park_until[number.phone_number_id] = start + interval
        return start - now


def priority_of(lane: LaneName) -> int:
    """Interactive before bulk."""
    return INTERACTIVE if lane is LaneName.OUTBOUND else BULK

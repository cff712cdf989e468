"""Send commands of both lanes seen the same way, and what a command asks Twilio to send."""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass
from typing import Any, Literal

from masteria import segments
from masteria.contracts.content import AnyContent, MediaContent, TextContent
from masteria.contracts.envelope import Envelope
from masteria.contracts.messages import CampaignDispatch, SendMessage
from masteria.sms.sending.pacing import BULK, INTERACTIVE

Lane = Literal["message", "dispatch"]
MAX_BODY_CHARS = 1600  # Twilio refuses longer bodies with 21617


class NotACommandError(ValueError):
    """The envelope holds no SMS send command."""


@dataclass(frozen=True)
class Command:
    """One send: the idempotency key is (tenant, command_id, attempt)."""

    lane: Lane
    envelope_id: uuid.UUID
    tenant_id: uuid.UUID
    command_id: uuid.UUID  # message_id (interactive) or dispatch_id (bulk)
    attempt: int  # the campaign's attempt number; 1 for interactive sends
    channel_account_id: uuid.UUID | None
    to: str
    content: AnyContent

    @classmethod
    def from_envelope(cls, envelope: Envelope[Any]) -> Command:
        """The command an envelope carries (either lane)."""
        data = envelope.data
        if isinstance(data, SendMessage):
            lane: Lane = "message"
            command_id, attempt = data.message_id, 1
        elif isinstance(data, CampaignDispatch):
            lane, command_id, attempt = "dispatch", data.dispatch_id, data.attempt
        else:
            raise NotACommandError(f"{envelope.type} is not a send command")
        if data.channel != "sms":
            raise NotACommandError(f"a {data.channel} command reached the sms adapter")
        return cls(
            lane=lane,
            envelope_id=envelope.id,
            tenant_id=envelope.tenant,
            command_id=command_id,
            attempt=attempt,
            channel_account_id=data.channel_account_id,
            to=data.to,
            content=data.content,
        )

    @property
    def priority(self) -> int:
        """Interactive replies go before campaign messages of the same sender."""
        return INTERACTIVE if self.lane == "message" else BULK


@dataclass(frozen=True)
class SmsPayload:
    """What Twilio is asked to send: a body and/or media URLs, and the segments it costs."""

    body: str | None
    media_urls: tuple[str, ...]

    @property
    def segments(self) -> int:
        """Segments billed: an MMS counts as one, a text as its GSM-7 or UCS-2 segments."""
        return 1 if self.media_urls else segments.segments_of(self.body or "")


def payload_of(content: AnyContent) -> SmsPayload | None:
    """The SMS for a content, or None when SMS cannot carry it (templates, buttons, locations...)."""
    if isinstance(content, TextContent):
        return SmsPayload(content.body, ())
    if isinstance(content, MediaContent) and content.url:
        return SmsPayload(content.caption, (content.url,))
    return None


def backoff_s(tries: int, base_s: float, max_s: float, rng: random.Random | None = None) -> float:
    """Full jitter: a uniform wait in [0, min(max, base * 2**(tries-1))] before the next try."""
    ceiling = min(max_s, base_s * 2 ** max(tries - 1, 0))
    return (rng or random).uniform(0, ceiling)

"""The send command as the pipeline sees it, whichever lane it came from."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from masteria.contracts.content import AnyContent, TemplateContent
from masteria.contracts.envelope import Envelope
from masteria.contracts.messages import CampaignDispatch, SendMessage


class LaneName(StrEnum):
    """The two lanes; also the ``lane`` column and the prefix of our callback data."""

    OUTBOUND = "outbound"  # interactive: agent and AI replies, served first
    DISPATCH = "dispatch"  # bulk: campaigns and cadences


class State(StrEnum):
    """Where a send stands in our pipeline (the ``state`` column)."""

    QUEUED = "queued"  # claimed, not yet handed to Meta
    SENDING = "sending"  # committed just before the Graph call
    RETRYING = "retrying"  # waits in the database for ``next_attempt_at``
    ACCEPTED = "accepted"  # Meta answered with a wamid
    FAILED = "failed"
    UNKNOWN = "unknown"  # the process died inside the Graph call: never resent

    @property
    def settled(self) -> bool:
        """True when nothing will be sent for this command any more."""
        return self in (State.ACCEPTED, State.FAILED, State.UNKNOWN)


@dataclass(frozen=True)
class Command:
    """A ``SendMessage`` or ``CampaignDispatch`` with what every step needs at hand."""

    envelope: Envelope[Any]
    raw: bytes  # the envelope as received: stored for retries, decoded again only then
    lane: LaneName
    send_id: uuid.UUID
    to: str
    content: AnyContent
    channel_account_id: uuid.UUID | None
    variables: dict[str, str] = field(default_factory=dict)
    campaign_attempt: int = 1

    @classmethod
    def of(cls, envelope: Envelope[Any], raw: bytes) -> Command | None:
        """The command carried by an envelope, or None when it is not one of ours."""
        data = envelope.data
        if isinstance(data, SendMessage):
            return cls(
                envelope, raw, LaneName.OUTBOUND, data.message_id, data.to, data.content, data.channel_account_id
            )
        if isinstance(data, CampaignDispatch):
            return cls(
                envelope,
                raw,
                LaneName.DISPATCH,
                data.dispatch_id,
                data.to,
                data.content,
                data.channel_account_id,
                dict(data.variables),
                data.attempt,
            )
        return None

    @property
    def tenant_id(self) -> uuid.UUID:
        """The tenant the command belongs to (from the envelope, never from the payload)."""
        return self.envelope.tenant

    @property
    def key(self) -> tuple[uuid.UUID, str, uuid.UUID]:
        """The idempotency key: (tenant, lane, message_id or dispatch_id)."""
        return (self.tenant_id, self.lane.value, self.send_id)

    @property
    def is_template(self) -> bool:
        """Templates are the only content allowed outside the 24-hour window."""
        return isinstance(self.content, TemplateContent)

    @property
    def ids(self) -> dict[str, uuid.UUID]:
        """``message_id`` or ``dispatch_id`` for the status events of this send."""
        return {"message_id" if self.lane is LaneName.OUTBOUND else "dispatch_id": self.send_id}

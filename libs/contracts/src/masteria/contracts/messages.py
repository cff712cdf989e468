"""The channel lanes: inbound messages, send commands (interactive and bulk) and delivery statuses."""

from __future__ import annotations

import uuid
from enum import StrEnum
from typing import Annotated, Any, ClassVar

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field

from masteria.contracts import subjects
from masteria.contracts.addresses import E164
from masteria.contracts.channels import Channel
from masteria.contracts.content import (
    AnyContent,
    InteractiveContent,
    TemplateContent,
    UnsupportedContent,
)
from masteria.contracts.envelope import Payload


class ChannelPayload(Payload):
    """A payload published on a lane: its subject carries its channel as well as the tenant."""

    channel: Channel

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        """Only the four lanes route by channel; anything else is a domain event."""
        super().__pydantic_init_subclass__(**kwargs)
        if "event_type" in cls.__dict__:
            subjects.Lane(cls.event_type)

    def subject(self, tenant: uuid.UUID) -> str:
        """``<lane>.<channel>.<tenant>``."""
        return subjects.lane_subject(subjects.Lane(self.event_type), self.channel, tenant)


def _inbound_content(content: AnyContent) -> AnyContent:
    if isinstance(content, TemplateContent):
        raise ValueError("inbound content cannot be a template: only businesses send templates")
    if isinstance(content, InteractiveContent) and not content.is_reply:
        raise ValueError("inbound interactive content must be a button_reply or list_reply")
    return content


def _outbound_content(content: AnyContent) -> AnyContent:
    # Fail at the producer, not at the provider minutes later in a bulk run.
    if isinstance(content, UnsupportedContent):
        raise ValueError("unsupported content cannot be sent")
    if isinstance(content, InteractiveContent) and content.is_reply:
        raise ValueError("outbound interactive content must be buttons or a list, not a reply")
    return content


InboundContent = Annotated[AnyContent, Field(discriminator="kind"), AfterValidator(_inbound_content)]
"""Content a customer can send: no templates, no outbound buttons or lists."""

OutboundContent = Annotated[AnyContent, Field(discriminator="kind"), AfterValidator(_outbound_content)]
"""Content we can send: no unsupported content, no button or list replies."""


# --- inbound --------------------------------------------------------------------------------


class Sender(BaseModel):
    """Who wrote: their number and what the channel tells about them."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    address: E164
    wa_id: str | None = Field(default=None, description="WhatsApp id, when it differs from the number.")
    display_name: str | None = None


class ConsentAction(StrEnum):
    """What a consent keyword asks for."""

    OPT_OUT = "opt_out"
    OPT_IN = "opt_in"


class ConsentKeyword(BaseModel):
    """The adapter recognised a consent keyword (STOP, START, ...) in an inbound message.

    The adapter owns the keyword list of its channel; crm applies the change to the contact.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    action: ConsentAction
    keyword: str = Field(min_length=1, description="The word as the customer sent it, e.g. STOP.")


class InboundMessage(ChannelPayload):
    """A customer wrote to one of our numbers; normalised across channels."""

    event_type: ClassVar[str] = "message.inbound"
    schema_version: ClassVar[int] = 1

    external_id: str = Field(min_length=1, description="Provider message id: wamid, MessageSid, ...")
    channel_account_id: uuid.UUID = Field(description="Our registration of the receiving number.")
    business_address: str = Field(min_length=1, description="Our number (E.164) or provider id.")
    sender: Sender
    content: InboundContent
    sent_at: AwareDatetime = Field(description="Provider timestamp of the message.")
    received_at: AwareDatetime = Field(description="When our webhook or driver received it.")
    reply_to_external_id: str | None = Field(default=None, description="Provider id of the quoted message.")
    consent: ConsentKeyword | None = Field(default=None, description="Set when the message is a consent keyword.")


# --- send commands --------------------------------------------------------------------------


class MessageOrigin(StrEnum):
    """Who asked for an interactive send."""

    AGENT = "agent"
    AI = "ai"
    API = "api"
    SYSTEM = "system"


class SendMessage(ChannelPayload):
    """Command: send this conversational message now (the interactive lane)."""

    event_type: ClassVar[str] = "message.outbound"
    schema_version: ClassVar[int] = 1

    message_id: uuid.UUID = Field(description="Chosen by the sender (UUIDv7); the idempotency key.")
    conversation_id: uuid.UUID | None = None
    channel_account_id: uuid.UUID | None = Field(
        default=None, description="Sending number; None lets the adapter pick the tenant default."
    )
    to: E164
    content: OutboundContent
    origin: MessageOrigin
    author_user_id: uuid.UUID | None = None


class CampaignDispatch(ChannelPayload):
    """Command: send this campaign or cadence message (the bulk lane)."""

    event_type: ClassVar[str] = "campaign.dispatch"
    schema_version: ClassVar[int] = 1

    dispatch_id: uuid.UUID = Field(description="The idempotency key of this send.")
    campaign_id: uuid.UUID
    recipient_id: uuid.UUID
    cadence_step_id: uuid.UUID | None = None
    channel_account_id: uuid.UUID | None = None
    to: E164
    content: OutboundContent
    variables: dict[str, str] = Field(default_factory=dict)
    attempt: int = Field(default=1, ge=1)


# --- statuses -------------------------------------------------------------------------------


class MessageStatus(StrEnum):
    """Delivery status; ``unknown`` is what a crash inside the provider call leaves behind."""

    UNKNOWN = "unknown"
    ACCEPTED = "accepted"
    SENT = "sent"
    DELIVERED = "delivered"
    READ = "read"
    FAILED = "failed"

    @property
    def is_terminal(self) -> bool:
        """True when no later status can replace this one."""
        return self in (MessageStatus.READ, MessageStatus.FAILED)


_RANK = {
    MessageStatus.UNKNOWN: 0,
    MessageStatus.ACCEPTED: 1,
    MessageStatus.SENT: 2,
    MessageStatus.DELIVERED: 3,
    MessageStatus.READ: 4,
}


def status_advances(current: MessageStatus | None, new: MessageStatus) -> bool:
    """True when ``new`` moves a message forward from ``current``; apply the update only then."""
    if current is None:
        return True
    if current is MessageStatus.FAILED:
        return False
    if new is MessageStatus.FAILED:
        # A message the handset has acknowledged cannot fail afterwards: a late failure is stale.
        return _RANK[current] < _RANK[MessageStatus.DELIVERED]
    return _RANK[new] > _RANK[current]


class ErrorClassification(StrEnum):
    """Whether retrying can help."""

    PERMANENT = "permanent"
    TRANSIENT = "transient"
    UNKNOWN = "unknown"


class DeliveryError(BaseModel):
    """A provider error, classified so that consumers decide on retries without knowing the provider."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    code: str = Field(description="Provider error code as a string: '131026', '30007', 'timeout'.")
    title: str
    classification: ErrorClassification
    provider_detail: str | None = None


class MessageStatusChanged(ChannelPayload):
    """Event: the delivery status of a message we sent changed."""

    event_type: ClassVar[str] = "message.status"
    schema_version: ClassVar[int] = 1

    message_id: uuid.UUID | None = Field(default=None, description="Our message id, when the adapter knows it.")
    dispatch_id: uuid.UUID | None = Field(default=None, description="Set for sends of the bulk lane.")
    external_id: str = Field(min_length=1)
    channel_account_id: uuid.UUID | None = None
    status: MessageStatus
    occurred_at: AwareDatetime
    error: DeliveryError | None = None
    recipient: E164
    segments: int | None = Field(default=None, ge=1, description="SMS: segments billed for the message.")
    attempt: int = Field(default=1, ge=1, description="Which send attempt this status belongs to.")

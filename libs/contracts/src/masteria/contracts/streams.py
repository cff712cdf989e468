"""JetStream stream and durable consumer definitions, as data: the messaging library applies them.

Lanes are four-token subjects and domain events three-token ones, and every stream subject pins
its token count with ``*`` rather than ``>``: that is what lets ``campaign.*.*`` (campaign events)
live beside ``campaign.dispatch.*.*`` (the bulk lane) without the overlap NATS refuses.

Streams use limits retention, never work-queue: several services read the same subjects, each
through its own durable consumer, and replicas of one service share that consumer.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import timedelta
from typing import Any, Literal

from masteria.contracts import subjects
from masteria.contracts.channels import Channel
from masteria.contracts.subjects import Lane

# JetStream drops a message whose Nats-Msg-Id (our envelope id) it has seen within this window,
# which is what makes an outbox relay's republish after a crash harmless.
DUPLICATE_WINDOW = timedelta(minutes=2)

Retention = Literal["limits", "interest"]
Storage = Literal["file", "memory"]


@dataclass(frozen=True, slots=True)
class StreamSpec:
    """A stream; field names follow the JetStream API (nats-py ``StreamConfig``)."""

    name: str
    subjects: tuple[str, ...]
    description: str
    max_age: timedelta
    duplicate_window: timedelta = DUPLICATE_WINDOW
    retention: Retention = "limits"
    storage: Storage = "file"
    num_replicas: int = 1
    discard: Literal["old", "new"] = "old"

    def replicated(self, num_replicas: int) -> StreamSpec:
        """The same stream with another replica count (three in Kubernetes)."""
        return replace(self, num_replicas=num_replicas)

    def captures(self, subject: str) -> bool:
        """True when a concrete subject is stored by this stream."""
        return any(subjects.matches(pattern, subject) for pattern in self.subjects)

    def nats_config(self) -> dict[str, Any]:
        """Keyword arguments for nats-py ``StreamConfig`` (durations in seconds)."""
        return {
            "name": self.name,
            "description": self.description,
            "subjects": list(self.subjects),
            "retention": self.retention,
            "storage": self.storage,
            "max_age": self.max_age.total_seconds(),
            "duplicate_window": self.duplicate_window.total_seconds(),
            "num_replicas": self.num_replicas,
            "discard": self.discard,
        }


@dataclass(frozen=True, slots=True)
class ConsumerSpec:
    """A durable pull consumer; ``filter_subject`` or ``filter_subjects`` (NATS >= 2.10), or neither."""

    stream: str
    durable: str
    description: str = ""
    filter_subject: str | None = None
    filter_subjects: tuple[str, ...] = field(default=())
    ack_wait: timedelta = timedelta(seconds=30)
    max_deliver: int = 10
    max_ack_pending: int = 1000
    deliver_policy: Literal["all", "new"] = "all"
    ack_policy: Literal["explicit"] = "explicit"

    def __post_init__(self) -> None:
        """Refuse both filter forms at once, which the server would reject at deploy time."""
        if self.filter_subject is not None and self.filter_subjects:
            raise ValueError(f"{self.durable}: set filter_subject or filter_subjects, not both")
        if any(c in self.durable for c in ".*> \t"):
            raise ValueError(f"{self.durable!r} is not a valid durable name")

    @property
    def filters(self) -> tuple[str, ...]:
        """The subject filters, as one tuple whichever form was given (empty: the whole stream)."""
        return (self.filter_subject,) if self.filter_subject is not None else self.filter_subjects

    def nats_config(self) -> dict[str, Any]:
        """Keyword arguments for nats-py ``ConsumerConfig`` (durations in seconds)."""
        config: dict[str, Any] = {
            "durable_name": self.durable,
            "description": self.description or None,
            "ack_policy": self.ack_policy,
            "deliver_policy": self.deliver_policy,
            "ack_wait": self.ack_wait.total_seconds(),
            "max_deliver": self.max_deliver,
            "max_ack_pending": self.max_ack_pending,
        }
        if self.filter_subject is not None:
            config["filter_subject"] = self.filter_subject
        elif self.filter_subjects:
            config["filter_subjects"] = list(self.filter_subjects)
        return config


# --- streams --------------------------------------------------------------------------------

# Aggregates whose past-tense events share DOMAIN_EVENTS. A new aggregate is one more entry here
# (an additive stream update); "message" is absent on purpose: it is a lane prefix, so only
# message.stored and message.delivery_updated are listed, as fully pinned subjects.
DOMAIN_AGGREGATES: tuple[str, ...] = ("contact", "conversation", "lead", "campaign", "call", "session")

MESSAGES_INBOUND = StreamSpec(
    name="MESSAGES_INBOUND",
    subjects=(subjects.inbound_all(),),
    description="Customer messages from every channel, normalised.",
    max_age=timedelta(days=7),
)
MESSAGES_OUTBOUND = StreamSpec(
    name="MESSAGES_OUTBOUND",
    subjects=(subjects.outbound_all(),),
    description="Interactive send commands (agent and AI replies).",
    max_age=timedelta(days=7),
)
CAMPAIGN_DISPATCH = StreamSpec(
    name="CAMPAIGN_DISPATCH",
    subjects=(subjects.dispatch_all(),),
    description="Bulk send commands from campaigns and cadences.",
    max_age=timedelta(days=7),
)
MESSAGES_STATUS = StreamSpec(
    name="MESSAGES_STATUS",
    subjects=(subjects.status_all(),),
    description="Delivery statuses of sent messages.",
    max_age=timedelta(days=7),
)
DOMAIN_EVENTS = StreamSpec(
    name="DOMAIN_EVENTS",
    subjects=(
        *(subjects.event_filter(aggregate) for aggregate in DOMAIN_AGGREGATES),
        subjects.event_filter("message", "stored"),
        subjects.event_filter("message", "delivery_updated"),
    ),
    description="Past-tense domain events: contacts, conversations, leads, campaigns, calls, sessions.",
    # Longer than the lanes: read models and partner webhooks replay from here after an outage.
    max_age=timedelta(days=30),
)

ALL_STREAMS: tuple[StreamSpec, ...] = (
    MESSAGES_INBOUND,
    MESSAGES_OUTBOUND,
    CAMPAIGN_DISPATCH,
    MESSAGES_STATUS,
    DOMAIN_EVENTS,
)

# Streams whose loss would resend or lose sends: on a cluster they want three replicas and the
# server's sync_interval: always (a server setting, not a stream one).
SEND_PATH_STREAMS: tuple[StreamSpec, ...] = (MESSAGES_OUTBOUND, CAMPAIGN_DISPATCH, MESSAGES_STATUS)


def stream_named(name: str) -> StreamSpec:
    """The stream called ``name``; KeyError when there is none."""
    for stream in ALL_STREAMS:
        if stream.name == name:
            return stream
    raise KeyError(name)


def stream_for_subject(subject: str) -> StreamSpec:
    """The one stream that stores a concrete subject; LookupError when none does."""
    for stream in ALL_STREAMS:
        if stream.captures(subject):
            return stream
    raise LookupError(f"no stream stores {subject!r}")


# --- consumers ------------------------------------------------------------------------------


def _adapter_consumers(channel: Channel, service: str, *, max_ack_pending: int) -> tuple[ConsumerSpec, ...]:
    # Two consumers so that an adapter drains the interactive lane first and a 100k campaign
    # queued on the bulk lane never delays an AI reply.
    return (
        ConsumerSpec(
            stream=MESSAGES_OUTBOUND.name,
            durable=f"{service}-outbound",
            description=f"{service} sends interactive messages.",
            filter_subject=subjects.lane_filter(Lane.OUTBOUND, channel=channel),
            max_deliver=5,
            max_ack_pending=max_ack_pending,
        ),
        ConsumerSpec(
            stream=CAMPAIGN_DISPATCH.name,
            durable=f"{service}-dispatch",
            description=f"{service} sends campaign messages.",
            filter_subject=subjects.lane_filter(Lane.DISPATCH, channel=channel),
            max_deliver=5,
            max_ack_pending=max_ack_pending,
        ),
    )


WHATSAPP_META_OUTBOUND, WHATSAPP_META_DISPATCH = _adapter_consumers(
    Channel.WHATSAPP_META, "whatsapp-meta", max_ack_pending=1000
)
# WhatsApp Web sends slowly on purpose (jittered delays, warm-up caps): few messages in flight.
WHATSAPP_QR_OUTBOUND, WHATSAPP_QR_DISPATCH = _adapter_consumers(Channel.WHATSAPP_QR, "whatsapp-qr", max_ack_pending=50)
SMS_OUTBOUND, SMS_DISPATCH = _adapter_consumers(Channel.SMS, "sms", max_ack_pending=500)

VOICE_DISPATCH = ConsumerSpec(
    stream=CAMPAIGN_DISPATCH.name,
    durable="voice-dispatch",
    description="voice places campaign calls.",
    filter_subject=subjects.lane_filter(Lane.DISPATCH, channel=Channel.VOICE),
    max_deliver=5,
    max_ack_pending=100,
)

CRM_INBOUND = ConsumerSpec(
    stream=MESSAGES_INBOUND.name,
    durable="crm-inbound",
    description="crm records inbound messages in conversations.",
    filter_subject=subjects.inbound_all(),
)
CRM_OUTBOUND = ConsumerSpec(
    stream=MESSAGES_OUTBOUND.name,
    durable="crm-outbound",
    description="crm records interactive sends beside the adapter that sends them.",
    filter_subject=subjects.outbound_all(),
)
CRM_DISPATCH = ConsumerSpec(
    stream=CAMPAIGN_DISPATCH.name,
    durable="crm-dispatch",
    description="crm records campaign sends beside the adapter that sends them.",
    filter_subject=subjects.dispatch_all(),
)
CRM_STATUS = ConsumerSpec(
    stream=MESSAGES_STATUS.name,
    durable="crm-status",
    description="crm updates message statuses in the inbox and analytics.",
    filter_subject=subjects.status_all(),
)
CRM_EVENTS = ConsumerSpec(
    stream=DOMAIN_EVENTS.name,
    durable="crm-events",
    description="crm follows campaigns, calls and lead moves proposed by the AI engine.",
    filter_subjects=(
        subjects.event_filter("campaign"),
        subjects.event_filter("call"),
        subjects.event_filter("lead"),
    ),
)

CAMPAIGNS_INBOUND = ConsumerSpec(
    stream=MESSAGES_INBOUND.name,
    durable="campaigns-inbound",
    description="campaigns stops cadences when a recipient replies.",
    filter_subject=subjects.inbound_all(),
)
CAMPAIGNS_STATUS = ConsumerSpec(
    stream=MESSAGES_STATUS.name,
    durable="campaigns-status",
    description="campaigns tracks per-recipient delivery and retries.",
    filter_subject=subjects.status_all(),
)
CAMPAIGNS_CONTACTS = ConsumerSpec(
    stream=DOMAIN_EVENTS.name,
    durable="campaigns-contacts",
    description="campaigns keeps its audience view of contacts and lead stages; drops opted-out contacts.",
    filter_subjects=(subjects.event_filter("contact"), subjects.event_filter("lead")),
)

AI_ENGINE_INBOUND = ConsumerSpec(
    stream=MESSAGES_INBOUND.name,
    durable="ai-engine-inbound",
    description="ai-engine answers inbound messages.",
    filter_subject=subjects.inbound_all(),
    # An LLM round trip with tools can take a while; handlers also send in-progress acks.
    ack_wait=timedelta(seconds=120),
    max_deliver=5,
    max_ack_pending=200,
)

GATEWAY_WEBHOOKS_INBOUND = ConsumerSpec(
    stream=MESSAGES_INBOUND.name,
    durable="gateway-webhooks-inbound",
    description="gateway's webhook worker forwards inbound messages to partner endpoints.",
    filter_subject=subjects.inbound_all(),
)
GATEWAY_WEBHOOKS_STATUS = ConsumerSpec(
    stream=MESSAGES_STATUS.name,
    durable="gateway-webhooks-status",
    description="gateway's webhook worker forwards delivery statuses to partner endpoints.",
    filter_subject=subjects.status_all(),
)
GATEWAY_WEBHOOKS_EVENTS = ConsumerSpec(
    stream=DOMAIN_EVENTS.name,
    durable="gateway-webhooks-events",
    description="gateway's webhook worker forwards domain events to partner endpoints.",
)

ALL_CONSUMERS: tuple[ConsumerSpec, ...] = (
    WHATSAPP_META_OUTBOUND,
    WHATSAPP_META_DISPATCH,
    WHATSAPP_QR_OUTBOUND,
    WHATSAPP_QR_DISPATCH,
    SMS_OUTBOUND,
    SMS_DISPATCH,
    VOICE_DISPATCH,
    CRM_INBOUND,
    CRM_OUTBOUND,
    CRM_DISPATCH,
    CRM_STATUS,
    CRM_EVENTS,
    CAMPAIGNS_INBOUND,
    CAMPAIGNS_STATUS,
    CAMPAIGNS_CONTACTS,
    AI_ENGINE_INBOUND,
    GATEWAY_WEBHOOKS_INBOUND,
    GATEWAY_WEBHOOKS_STATUS,
    GATEWAY_WEBHOOKS_EVENTS,
)

"""Every payload class by (event type, schema version), and generic envelope encoding and decoding."""

from __future__ import annotations

import json
import re
from typing import Any

from masteria.contracts.campaigns import CampaignProgressed, CampaignStateChanged
from masteria.contracts.contacts import (
    ContactCreated,
    ContactDeleted,
    ContactImportProgressed,
    ContactOptedIn,
    ContactOptedOut,
    ContactsMerged,
    ContactUpdated,
)
from masteria.contracts.conversations import (
    ConversationNoteAdded,
    ConversationOpened,
    ConversationUpdated,
    MessageDeliveryUpdated,
    MessageStored,
)
from masteria.contracts.envelope import Envelope, Payload, envelope_type
from masteria.contracts.leads import LeadStageChanged
from masteria.contracts.messages import CampaignDispatch, InboundMessage, MessageStatusChanged, SendMessage

# Listed by hand: a payload reaches the wire only by a reviewed line here. A breaking change adds a
# class with schema_version = N + 1 in a new module and lists it beside the old one.
PAYLOAD_CLASSES: tuple[type[Payload], ...] = (
    InboundMessage,
    SendMessage,
    CampaignDispatch,
    MessageStatusChanged,
    ContactCreated,
    ContactUpdated,
    ContactOptedOut,
    ContactOptedIn,
    ContactImportProgressed,
    ContactsMerged,
    ContactDeleted,
    LeadStageChanged,
    CampaignStateChanged,
    CampaignProgressed,
    ConversationOpened,
    ConversationUpdated,
    ConversationNoteAdded,
    MessageStored,
    MessageDeliveryUpdated,
)

_DATASCHEMA = re.compile(r"^masteria:(?P<type>[a-z0-9_.]+)/v(?P<version>[1-9]\d*)$")


class UnknownEventTypeError(LookupError):
    """No payload class is registered for an event type and version."""


def _index(classes: tuple[type[Payload], ...]) -> dict[tuple[str, int], type[Payload]]:
    index: dict[tuple[str, int], type[Payload]] = {}
    for cls in classes:
        key = (cls.event_type, cls.schema_version)
        if key in index:
            raise ValueError(f"{cls.__name__} and {index[key].__name__} both claim {key}")
        index[key] = cls
    return index


_BY_KEY = _index(PAYLOAD_CLASSES)


def event_types() -> list[str]:
    """Every registered event type, sorted."""
    return sorted({event_type for event_type, _ in _BY_KEY})


def payload_class_for(event_type: str, version: int | None = None) -> type[Payload]:
    """The payload class of ``event_type`` at ``version`` (the newest when None)."""
    if version is None:
        versions = [v for t, v in _BY_KEY if t == event_type]
        if not versions:
            raise UnknownEventTypeError(f"no payload registered for event type {event_type!r}")
        version = max(versions)
    try:
        return _BY_KEY[(event_type, version)]
    except KeyError:
        raise UnknownEventTypeError(f"no payload registered for {event_type!r} v{version}") from None


def parse_dataschema(dataschema: str) -> tuple[str, int]:
    """Split ``masteria:<type>/v<N>`` into event type and version."""
    match = _DATASCHEMA.match(dataschema)
    if match is None:
        raise ValueError(f"dataschema {dataschema!r} is not 'masteria:<type>/v<N>'")
    return match["type"], int(match["version"])


def decode_envelope(raw: bytes | str, *, tolerant: bool = True) -> Envelope[Any]:
    """Decode an envelope from JSON into its concrete payload class, chosen by ``type`` and ``dataschema``.

    Tolerant decoding ignores fields it does not know, so a producer may add an optional field
    before every consumer is upgraded; ``tolerant=False`` validates as strictly as producers do.
    """
    head = json.loads(raw)
    if not isinstance(head, dict):
        raise ValueError("an envelope must be a JSON object")
    cls = _class_of(head)
    return envelope_type(cls).model_validate_json(raw, extra="ignore" if tolerant else None)


def _class_of(head: dict[str, Any]) -> type[Payload]:
    event_type, dataschema = head.get("type"), head.get("dataschema")
    if not isinstance(event_type, str) or not isinstance(dataschema, str):
        raise ValueError("an envelope needs string 'type' and 'dataschema' attributes")
    schema_type, version = parse_dataschema(dataschema)
    if schema_type != event_type:
        raise ValueError(f"dataschema {dataschema!r} does not describe type {event_type!r}")
    return payload_class_for(event_type, version)


def encode_envelope(envelope: Envelope[Any]) -> bytes:
    """The JSON bytes published on NATS for an envelope."""
    # serialize_as_any keeps every payload field even when the envelope was built unparametrised.
    text: str = envelope.model_dump_json(serialize_as_any=True)
    return text.encode()

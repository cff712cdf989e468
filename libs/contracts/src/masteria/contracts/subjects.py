"""NATS subject names: builders, parsers, consumer wildcards and wildcard arithmetic.

Two shapes exist and their token counts never meet, which is what keeps streams from overlapping:

* lanes, four tokens: ``<aggregate>.<verb>.<channel>.<tenant>`` (``message.inbound.sms.<uuid>``);
* domain events, three tokens: ``<aggregate>.<event>.<tenant>`` (``contact.created.<uuid>``).
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from masteria.contracts.channels import Channel

if TYPE_CHECKING:
    from masteria.contracts.envelope import Envelope, Payload

_TOKEN = re.compile(r"^[a-z][a-z0-9_]*$")
_EVENT_TYPE = re.compile(r"^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$")


class Lane(StrEnum):
    """Channel-routed subjects; the value is the event type and the first two tokens."""

    INBOUND = "message.inbound"
    OUTBOUND = "message.outbound"
    DISPATCH = "campaign.dispatch"
    STATUS = "message.status"


class InvalidSubjectError(ValueError):
    """A subject or event type does not follow the naming scheme."""


@dataclass(frozen=True, slots=True)
class SubjectParts:
    """What a concrete subject says: event type, channel (lanes only) and tenant."""

    event_type: str
    channel: Channel | None
    tenant: uuid.UUID

    @property
    def lane(self) -> Lane | None:
        """The lane of a channel-routed subject, None for a domain event."""
        return Lane(self.event_type) if self.channel is not None else None


# --- builders -------------------------------------------------------------------------------


def lane_subject(lane: Lane, channel: Channel, tenant: uuid.UUID) -> str:
    """Concrete lane subject, e.g. ``message.inbound.sms.<tenant>``."""
    return f"{Lane(lane)}.{Channel(channel)}.{tenant}"


def event_subject(event_type: str, tenant: uuid.UUID) -> str:
    """Concrete domain-event subject, e.g. ``contact.created.<tenant>``."""
    check_event_type(event_type)
    if event_type in _LANE_TYPES:
        raise InvalidSubjectError(f"{event_type!r} is a lane: use lane_subject() with a channel")
    return f"{event_type}.{tenant}"


def inbound(channel: Channel, tenant: uuid.UUID) -> str:
    """``message.inbound.<channel>.<tenant>``: a customer wrote."""
    return lane_subject(Lane.INBOUND, channel, tenant)


def outbound(channel: Channel, tenant: uuid.UUID) -> str:
    """``message.outbound.<channel>.<tenant>``: the interactive send lane."""
    return lane_subject(Lane.OUTBOUND, channel, tenant)


def dispatch(channel: Channel, tenant: uuid.UUID) -> str:
    """``campaign.dispatch.<channel>.<tenant>``: the bulk send lane."""
    return lane_subject(Lane.DISPATCH, channel, tenant)


def status(channel: Channel, tenant: uuid.UUID) -> str:
    """``message.status.<channel>.<tenant>``: delivery status updates."""
    return lane_subject(Lane.STATUS, channel, tenant)


def subject_for(envelope: Envelope[Any]) -> str:
    """The subject an envelope is published on, derived from its payload type."""
    data: Payload = envelope.data
    return data.subject(envelope.tenant)


def check_event_type(event_type: str) -> None:
    """Raise InvalidSubjectError unless ``event_type`` reads ``<aggregate>.<event>``."""
    if not _EVENT_TYPE.match(event_type):
        raise InvalidSubjectError(f"event type {event_type!r} must be '<aggregate>.<event>' in snake_case")


_LANE_TYPES = frozenset(lane.value for lane in Lane)


# --- parsers --------------------------------------------------------------------------------


def parse(subject: str) -> SubjectParts:
    """Split a concrete subject into event type, channel and tenant; InvalidSubjectError if malformed."""
    tokens = subject.split(".")
    if len(tokens) < 3:
        raise InvalidSubjectError(f"subject {subject!r} has too few tokens")
    event_type = f"{tokens[0]}.{tokens[1]}"
    if event_type in _LANE_TYPES:
        return _parse_lane(subject, event_type, tokens)
    if len(tokens) != 3:
        raise InvalidSubjectError(f"domain-event subject {subject!r} must be '<aggregate>.<event>.<tenant>'")
    check_event_type(event_type)
    return SubjectParts(event_type, None, _parse_tenant(subject, tokens[2]))


def _parse_lane(subject: str, event_type: str, tokens: list[str]) -> SubjectParts:
    if len(tokens) != 4:
        raise InvalidSubjectError(f"lane subject {subject!r} must be '{event_type}.<channel>.<tenant>'")
    try:
        channel = Channel(tokens[2])
    except ValueError:
        raise InvalidSubjectError(f"subject {subject!r} names unknown channel {tokens[2]!r}") from None
    return SubjectParts(event_type, channel, _parse_tenant(subject, tokens[3]))


def _parse_tenant(subject: str, token: str) -> uuid.UUID:
    try:
        tenant = uuid.UUID(token)
    except ValueError:
        raise InvalidSubjectError(f"subject {subject!r}: tenant token {token!r} is not a UUID") from None
    # Only the canonical form is accepted: the same tenant must never appear as two subjects.
    if str(tenant) != token:
        raise InvalidSubjectError(f"subject {subject!r}: tenant token {token!r} is not a canonical UUID")
    return tenant


# --- consumer wildcards ---------------------------------------------------------------------


def lane_filter(lane: Lane, *, channel: Channel | None = None, tenant: uuid.UUID | None = None) -> str:
    """Wildcard over a lane, optionally narrowed to one channel and/or one tenant."""
    channel_token = str(Channel(channel)) if channel is not None else "*"
    tenant_token = str(tenant) if tenant is not None else "*"
    return f"{Lane(lane)}.{channel_token}.{tenant_token}"


def event_filter(aggregate: str, event: str | None = None, *, tenant: uuid.UUID | None = None) -> str:
    """Wildcard over domain events of one aggregate (``contact.*.*``), one event, one tenant."""
    for token in (aggregate, event):
        if token is not None and not _TOKEN.match(token):
            raise InvalidSubjectError(f"{token!r} is not a valid subject token")
    return f"{aggregate}.{event or '*'}.{tenant or '*'}"


def inbound_all() -> str:
    """Every inbound message: ``message.inbound.*.*``."""
    return lane_filter(Lane.INBOUND)


def outbound_all() -> str:
    """Every interactive send command: ``message.outbound.*.*``."""
    return lane_filter(Lane.OUTBOUND)


def dispatch_all() -> str:
    """Every campaign send command: ``campaign.dispatch.*.*``."""
    return lane_filter(Lane.DISPATCH)


def status_all() -> str:
    """Every status update: ``message.status.*.*``."""
    return lane_filter(Lane.STATUS)


# --- wildcard arithmetic (NATS semantics: '*' one token, '>' one or more trailing tokens) ---


def matches(pattern: str, subject: str) -> bool:
    """True when the concrete ``subject`` is matched by the wildcard ``pattern``."""
    return is_subset(subject, pattern)


def collide(a: str, b: str) -> bool:
    """True when some concrete subject matches both patterns (NATS refuses such streams)."""
    ta, tb = a.split("."), b.split(".")
    for x, y in zip(ta, tb, strict=False):
        if ">" in (x, y):
            return True
        if "*" not in (x, y) and x != y:
            return False
    return len(ta) == len(tb)


def is_subset(narrow: str, wide: str) -> bool:
    """True when every subject matched by ``narrow`` is also matched by ``wide``."""
    tn, tw = narrow.split("."), wide.split(".")
    for i, w in enumerate(tw):
        if i >= len(tn):
            return False
        if w == ">":
            return True
        n = tn[i]
        if n == ">" or (w != "*" and (n == "*" or n != w)):
            return False
    return len(tn) == len(tw)

"""The shape of Meta's webhook body, lenient where Meta adds fields over time."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class _Open(BaseModel):
    # Meta adds fields without notice; unknown ones must not turn into 400s that Meta retries forever.
    model_config = ConfigDict(extra="allow")


class Metadata(_Open):
    """Which of our numbers the change is about."""

    display_phone_number: str = ""
    phone_number_id: str


class Profile(_Open):
    """The customer's WhatsApp profile."""

    name: str | None = None


class WaContact(_Open):
    """A customer named in the change."""

    wa_id: str
    profile: Profile | None = None


class WaMessage(_Open):
    """One inbound message; the type-specific object sits under the key named by ``type``."""

    id: str = Field(min_length=1)
    from_: str = Field(alias="from", min_length=1)
    timestamp: str
    type: str
    context: dict[str, Any] | None = None


class WaStatus(_Open):
    """A delivery status of a message we sent."""

    id: str = Field(min_length=1)
    status: str
    timestamp: str
    recipient_id: str
    errors: list[dict[str, Any]] = Field(default_factory=list)


class ChangeValue(_Open):
    """The value of a ``messages`` change."""

    messaging_product: str | None = None
    metadata: Metadata | None = None
    contacts: list[WaContact] = Field(default_factory=list)
    messages: list[WaMessage] = Field(default_factory=list)
    statuses: list[WaStatus] = Field(default_factory=list)


class Change(_Open):
    """One change of an entry."""

    field: str
    value: ChangeValue


class Entry(_Open):
    """Changes of one WhatsApp Business account."""

    id: str
    changes: list[Change] = Field(default_factory=list)


class WebhookBody(_Open):
    """The whole POST body."""

    object: str
    entry: list[Entry]

    def phone_number_ids(self) -> list[str]:
        """Every number the body talks about, in order, without repeats."""
        seen: dict[str, None] = {}
        for entry in self.entry:
            for change in entry.changes:
                if change.value.metadata:
                    seen.setdefault(change.value.metadata.phone_number_id, None)
        return list(seen)

"""API shapes of campaigns: what a client sends to create or change one, and what it reads back."""

from __future__ import annotations

import uuid
from datetime import datetime, time
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator, model_validator

from masteria.campaigns.audience.filters import AudienceFilter
from masteria.campaigns.render import check_spec
from masteria.contracts.campaigns import CampaignState, RecipientCounts
from masteria.contracts.channels import Channel

SendChannel = Literal["whatsapp_meta", "sms", "whatsapp_qr"]
# Content kinds each channel can carry (templates only on the Cloud API; SMS is text or media).
CHANNEL_KINDS: dict[str, frozenset[str]] = {
    "whatsapp_meta": frozenset(
        {"text", "image", "audio", "video", "document", "sticker", "template", "interactive", "location", "contacts"}
    ),
    "whatsapp_qr": frozenset({"text", "image", "audio", "video", "document", "sticker", "location", "contacts"}),
    "sms": frozenset({"text", "image", "video", "document"}),
}


class AudienceSpec(BaseModel):
    """Exactly one of: ``segment_id``, ``filter`` (``{}`` is every contact) or ``upload_id``."""

    model_config = ConfigDict(extra="forbid")

    segment_id: uuid.UUID | None = None
    filter: AudienceFilter | None = None
    upload_id: uuid.UUID | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> AudienceSpec:
        given = [name for name in ("segment_id", "filter", "upload_id") if getattr(self, name) is not None]
        if len(given) != 1:
            raise ValueError("give exactly one of segment_id, filter or upload_id")
        return self


class Variant(BaseModel):
    """One version of the message and its share of the recipients (weights are relative)."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field("A", min_length=1, max_length=50)
    weight: float = Field(1.0, gt=0, le=1_000_000)
    content: dict[str, Any] = Field(description="An OutboundContent whose text may hold {{variables}}.")


class MessageSpec(BaseModel):
    """One to ten variants with distinct names, each a content that renders for a contact with every field."""

    model_config = ConfigDict(extra="forbid")

    variants: list[Variant] = Field(min_length=1, max_length=10)

    @model_validator(mode="after")
    def _checked(self) -> MessageSpec:
        names = [v.name for v in self.variants]
        if len(set(names)) != len(names):
            raise ValueError("variant names must be distinct")
        for variant in self.variants:
            problem = check_spec(variant.content)
            if problem is not None:
                raise ValueError(f"variant {variant.name!r}: {problem}")
        return self

    def content_of(self, name: str) -> dict[str, Any]:
        """The content spec of variant ``name`` (the first variant when the name is unknown)."""
        return next((v.content for v in self.variants if v.name == name), self.variants[0].content)

    def refused_kinds(self, channel: str) -> list[str]:
        """Content kinds of the variants that ``channel`` cannot carry."""
        allowed = CHANNEL_KINDS.get(channel, frozenset())
        return sorted({str(v.content.get("kind")) for v in self.variants} - allowed)


class QuietHours(BaseModel):
    """No sends from ``start`` to ``end`` (local time, "HH:MM"); may span midnight (21:00 to 08:00)."""

    model_config = ConfigDict(extra="forbid")

    start: time
    end: time


class Schedule(BaseModel):
    """When sends may happen: not before ``start_at``, outside quiet hours, on the given weekdays (0 = Monday)."""

    model_config = ConfigDict(extra="forbid")

    start_at: AwareDatetime | None = None
    timezone: str | None = Field(None, description="IANA name, e.g. America/Sao_Paulo; the service default if null.")
    quiet_hours: QuietHours | None = None
    days: list[int] | None = Field(None, description="Weekdays allowed, 0 = Monday ... 6 = Sunday; null = every day.")

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                ZoneInfo(value)
            except (ZoneInfoNotFoundError, ValueError) as exc:
                raise ValueError(f"unknown timezone {value!r}") from exc
        return value

    @field_validator("days")
    @classmethod
    def _weekdays(cls, value: list[int] | None) -> list[int] | None:
        if value is None:
            return None
        if not value or any(day < 0 or day > 6 for day in value):
            raise ValueError("days are 0 (Monday) to 6 (Sunday), at least one")
        return sorted(set(value))


class CampaignCreate(BaseModel):
    """A new campaign (a draft until launched)."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200)
    channel: SendChannel
    audience: AudienceSpec
    message: MessageSpec
    schedule: Schedule = Field(default_factory=Schedule)
    messages_per_second: float = Field(10.0, gt=0, le=10_000)
    channel_account_ids: list[uuid.UUID] = Field(default_factory=list, max_length=50)
    duplicate_window_hours: float = Field(24.0, ge=0, le=24 * 90)
    max_attempts: int = Field(3, ge=1, le=10)


class CampaignPatch(BaseModel):
    """Changes to a draft or scheduled campaign; fields left out stay as they are."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(None, min_length=1, max_length=200)
    channel: SendChannel | None = None
    audience: AudienceSpec | None = None
    message: MessageSpec | None = None
    schedule: Schedule | None = None
    messages_per_second: float | None = Field(None, gt=0, le=10_000)
    channel_account_ids: list[uuid.UUID] | None = Field(None, max_length=50)
    duplicate_window_hours: float | None = Field(None, ge=0, le=24 * 90)
    max_attempts: int | None = Field(None, ge=1, le=10)


class SnapshotOut(BaseModel):
    """The audience snapshot taken at launch."""

    state: Literal["not_started", "pending", "done"]
    total: int = 0
    skipped_by_reason: dict[str, int] = Field(default_factory=dict)
    took_ms: int | None = None


class CampaignOut(BaseModel):
    """A campaign as the API shows it, with its live counts."""

    id: uuid.UUID
    name: str
    channel: Channel
    state: CampaignState
    audience: dict[str, Any]
    message: dict[str, Any]
    schedule: dict[str, Any]
    messages_per_second: float
    channel_account_ids: list[uuid.UUID]
    duplicate_window_hours: float
    max_attempts: int
    counts: RecipientCounts
    snapshot: SnapshotOut
    launched_at: datetime | None
    paused_at: datetime | None
    completed_at: datetime | None
    created_at: datetime
    updated_at: datetime


class RecipientOut(BaseModel):
    """One recipient: who, where its message stands and why."""

    id: uuid.UUID
    contact_id: uuid.UUID
    name: str | None = Field(description="The contact's name; null when it has none or is no longer known.")
    phone: str | None
    variant: str
    state: str
    skip_reason: str | None
    attempt: int
    channel_account_id: uuid.UUID | None
    error_code: str | None
    error_title: str | None
    queued_at: datetime | None
    sent_at: datetime | None
    delivered_at: datetime | None
    read_at: datetime | None
    failed_at: datetime | None
    replied_at: datetime | None

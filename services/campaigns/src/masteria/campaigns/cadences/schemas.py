"""The cadences API's shapes: the cadence with its steps, enrolments, statistics."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from masteria.campaigns.audience.filters import AudienceFilter
from masteria.campaigns.cadences.conditions import Condition, ReplySince
from masteria.campaigns.cadences.hours import BusinessHours, DelayUnit, parse_clock
from masteria.campaigns.render import check_spec

StepChannel = Literal["whatsapp_meta", "sms", "whatsapp_qr"]
CadenceState = Literal["draft", "active", "paused"]
EnrolmentState = Literal["active", "completed", "stopped"]
# A year is more than any drip sequence waits; the bound keeps the business-hours count finite.
MAX_DELAY = {"seconds": 86_400, "minutes": 525_600, "hours": 8_760, "days": 365}


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class DelayIn(_In):
    """How long after the previous step (the enrolment, for the first) the step falls due."""

    value: int = Field(0, ge=0)
    unit: DelayUnit = DelayUnit.HOURS

    @model_validator(mode="after")
    def _bounded(self) -> DelayIn:
        if self.value > MAX_DELAY[self.unit.value]:
            raise ValueError(f"a delay is at most {MAX_DELAY[self.unit.value]} {self.unit.value}")
        return self


class StepIn(_In):
    """One message of the sequence; ``content`` is an OutboundContent whose texts may hold {{variables}}."""

    channel: StepChannel
    content: dict[str, Any] = Field(examples=[{"kind": "text", "body": "Oi {{first_name|cliente}}!"}])
    delay: DelayIn = Field(default_factory=DelayIn)
    condition: Condition = Condition.ALWAYS
    stage_id: uuid.UUID | None = Field(None, description="The stage of condition stage_is.")
    since: ReplySince = Field(ReplySince.ENROLMENT, description="From when condition no_reply looks for a reply.")
    channel_account_id: uuid.UUID | None = Field(None, description="The sender; None uses the channel's default.")

    @model_validator(mode="after")
    def _coherent(self) -> StepIn:
        if self.condition is Condition.STAGE_IS and self.stage_id is None:
            raise ValueError("condition stage_is needs stage_id")
        if self.condition is not Condition.STAGE_IS and self.stage_id is not None:
            raise ValueError("stage_id belongs to condition stage_is only")
        if self.channel == "sms" and self.content.get("kind") != "text":
            raise ValueError("an SMS step sends text content")
        reason = check_spec(self.content)
        if reason is not None:
            raise ValueError(reason)
        return self


class BusinessHoursIn(_In):
    """When steps may go: open weekdays (0 = Monday … 6 = Sunday) and a daily window in a timezone."""

    timezone: str = "America/Sao_Paulo"
    days: list[int] = Field(default_factory=lambda: [0, 1, 2, 3, 4], min_length=1, max_length=7)
    start: str = Field("09:00", examples=["09:00"])
    end: str = Field("18:00", examples=["18:00"])

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown timezone {value!r}") from exc
        return value

    @field_validator("days")
    @classmethod
    def _weekdays(cls, value: list[int]) -> list[int]:
        if any(day < 0 or day > 6 for day in value):
            raise ValueError("days are 0 (Monday) to 6 (Sunday)")
        return sorted(set(value))

    @field_validator("start", "end")
    @classmethod
    def _clock(cls, value: str) -> str:
        parse_clock(value)
        return value

    @model_validator(mode="after")
    def _opens_before_closing(self) -> BusinessHoursIn:
        if parse_clock(self.start) >= parse_clock(self.end):
            raise ValueError("start must come before end (windows across midnight are not supported)")
        return self

    def rules(self) -> BusinessHours:
        """The arithmetic's view of these hours."""
        return BusinessHours(ZoneInfo(self.timezone), frozenset(self.days), parse_clock(self.start),
                             parse_clock(self.end))


def hours_from_json(value: dict[str, Any] | None) -> BusinessHours | None:
    """Stored business hours (validated when written) as rules."""
    return BusinessHoursIn.model_validate(value).rules() if value else None


class _CadenceFields(_In):
    name: str = Field(min_length=1, max_length=200)
    steps: list[StepIn] = Field(default_factory=list, max_length=50)
    business_hours: BusinessHoursIn | None = None
    stop_on_reply: bool = True
    stop_on_stage_change: bool = False
    enrol_on_stage_id: uuid.UUID | None = Field(None, description="A lead entering this stage is enrolled.")
    duplicate_window_hours: float = Field(24, ge=0, le=24 * 365)


class CadenceIn(_CadenceFields):
    """A new cadence (a draft until activated)."""


class CadencePatch(_In):
    """Changes to a cadence; steps may change only while nobody was ever enrolled."""

    name: str | None = Field(None, min_length=1, max_length=200)
    steps: list[StepIn] | None = Field(None, max_length=50)
    business_hours: BusinessHoursIn | None = None
    stop_on_reply: bool | None = None
    stop_on_stage_change: bool | None = None
    enrol_on_stage_id: uuid.UUID | None = None
    duplicate_window_hours: float | None = Field(None, ge=0, le=24 * 365)


class StepOut(BaseModel):
    """A step as stored."""

    id: uuid.UUID
    position: int
    channel: str
    content: dict[str, Any]
    delay: DelayIn
    condition: Condition
    stage_id: uuid.UUID | None
    since: ReplySince
    channel_account_id: uuid.UUID | None


class EnrolmentCounts(BaseModel):
    """Enrolments by state."""

    total: int = 0
    active: int = 0
    completed: int = 0
    stopped: int = 0


class CadenceOut(BaseModel):
    """A cadence with its steps and how many contacts it holds."""

    id: uuid.UUID
    name: str
    state: CadenceState
    steps: list[StepOut]
    business_hours: BusinessHoursIn | None
    stop_on_reply: bool
    stop_on_stage_change: bool
    enrol_on_stage_id: uuid.UUID | None
    duplicate_window_hours: float
    enrolments: EnrolmentCounts
    created_at: datetime
    updated_at: datetime
    activated_at: datetime | None
    paused_at: datetime | None


class EnrolIn(_In):
    """Who to enrol: listed contacts, a saved segment, or an audience filter (exactly one)."""

    contact_ids: list[uuid.UUID] | None = Field(None, min_length=1, max_length=10_000)
    segment_id: uuid.UUID | None = None
    filter: AudienceFilter | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> EnrolIn:
        given = [x for x in (self.contact_ids, self.segment_id, self.filter) if x is not None]
        if len(given) != 1:
            raise ValueError("give exactly one of contact_ids, segment_id or filter")
        return self


class EnrolOut(BaseModel):
    """What an enrolment request did."""

    enrolled: int
    skipped: int
    skipped_by_reason: dict[str, int]


class EnrolmentOut(BaseModel):
    """One contact's way through a cadence."""

    id: uuid.UUID
    contact_id: uuid.UUID
    phone: str | None
    name: str | None
    state: EnrolmentState
    source: str
    next_position: int | None = Field(description="The step that goes next (1-based); None once finished.")
    next_run_at: datetime | None
    enrolled_at: datetime
    last_reply_at: datetime | None
    stopped_at: datetime | None
    stop_reason: str | None
    completed_at: datetime | None


class StepStats(BaseModel):
    """One step's figures; sent ⊇ delivered ⊇ read (a read message was also delivered and sent)."""

    step_id: uuid.UUID
    position: int
    channel: str
    queued: int = Field(0, description="Handed to the channel, no status yet.")
    sent: int = 0
    delivered: int = 0
    read: int = 0
    failed: int = 0
    unknown: int = Field(0, description="The sender died inside the provider call; never resent.")
    replied: int = Field(0, description="Contacts who wrote back after this step and before the next.")
    skipped_condition: int = 0
    skipped: dict[str, int] = Field(default_factory=dict, description="Not sent for another reason, by reason.")


class CadenceStats(BaseModel):
    """Per-step figures and where the enrolments stand."""

    steps: list[StepStats]
    enrolments: EnrolmentCounts
    stop_reasons: dict[str, int]


def window_seconds(hours: float) -> int:
    """The duplicate window in whole seconds."""
    return round(hours * 3600)

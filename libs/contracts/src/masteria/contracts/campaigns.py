"""Campaign events published by campaigns: state changes and live progress for dashboards and crm."""

from __future__ import annotations

import uuid
from enum import StrEnum
from typing import ClassVar

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from masteria.contracts.channels import Channel
from masteria.contracts.envelope import Payload


class CampaignState(StrEnum):
    """Where a campaign stands; completed and cancelled are final (the campaign is immutable)."""

    DRAFT = "draft"
    SCHEDULED = "scheduled"
    RUNNING = "running"
    PAUSED = "paused"
    COMPLETED = "completed"
    CANCELLED = "cancelled"

    @property
    def is_final(self) -> bool:
        """True when nothing about the campaign can change any more."""
        return self in (CampaignState.COMPLETED, CampaignState.CANCELLED)


class RecipientCounts(BaseModel):
    """How many recipients of a campaign stand in each state (a recipient counts in exactly one)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    total: int = Field(ge=0, description="Recipients in the snapshot, skipped ones included.")
    pending: int = Field(0, ge=0, description="Not dispatched yet.")
    queued: int = Field(0, ge=0, description="Dispatched; no status from the channel yet.")
    sent: int = Field(0, ge=0)
    delivered: int = Field(0, ge=0)
    read: int = Field(0, ge=0)
    failed: int = Field(0, ge=0)
    unknown: int = Field(0, ge=0, description="The sender died inside the provider call: never resent.")
    skipped: int = Field(0, ge=0, description="Dropped: opted out, invalid number or duplicate content.")
    cancelled: int = Field(0, ge=0, description="Never sent because the campaign was cancelled.")
    replied: int = Field(0, ge=0, description="Recipients who wrote back (also counted in their state).")


class CampaignStateChanged(Payload):
    """A campaign was scheduled, started, paused, resumed, completed or cancelled."""

    event_type: ClassVar[str] = "campaign.state_changed"
    schema_version: ClassVar[int] = 1

    campaign_id: uuid.UUID
    name: str
    channel: Channel
    state: CampaignState
    previous_state: CampaignState | None = None
    counts: RecipientCounts
    occurred_at: AwareDatetime


class CampaignProgressed(Payload):
    """A running campaign moved on; published at most about once a second while it sends."""

    event_type: ClassVar[str] = "campaign.progressed"
    schema_version: ClassVar[int] = 1

    campaign_id: uuid.UUID
    state: CampaignState
    counts: RecipientCounts
    sent_per_second: float = Field(ge=0, description="Dispatches per second over the last few seconds.")
    occurred_at: AwareDatetime

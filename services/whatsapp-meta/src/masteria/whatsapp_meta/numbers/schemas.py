"""API shapes for registering, listing and tuning numbers."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field


class PhoneNumberCreate(BaseModel):
    """What a tenant copies from Meta's dashboard."""

    model_config = ConfigDict(extra="forbid")

    phone_number_id: str = Field(min_length=1, max_length=64, pattern=r"^\d+$")
    waba_id: str = Field(min_length=1, max_length=64, pattern=r"^\d+$")
    display_phone_number: str | None = Field(None, max_length=32)
    access_token: str = Field(min_length=8, max_length=4096)
    app_secret: str = Field(min_length=8, max_length=256)
    label: str | None = Field(None, max_length=120)
    messages_per_second: int | None = Field(
        None, ge=1, le=1000, description="Sending pace; Meta allows 80/s by default and up to 1,000/s after upgrade."
    )


class PhoneNumberPatch(BaseModel):
    """What a tenant may change on a connected number."""

    model_config = ConfigDict(extra="forbid")

    messages_per_second: int | None = Field(
        None, ge=1, le=1000, description="Messages per second this number sends at most (1 to 1,000)."
    )
    label: str | None = Field(None, max_length=120)


class PhoneNumberOut(BaseModel):
    """A registered number; secrets never leave the service, except the verify token to configure Meta."""

    id: uuid.UUID
    phone_number_id: str
    display_phone_number: str
    waba_id: str
    label: str | None
    webhook_url: str
    verify_token: str
    created_at: datetime
    messages_per_second: int
    messaging_limit_tier: str | None = Field(description="Meta's tier: TIER_250, TIER_1K, ... TIER_UNLIMITED.")
    quality_rating: str | None = Field(description="GREEN, YELLOW or RED, as Meta rates the number.")
    throughput_level: str | None = Field(description="STANDARD (80/s) or HIGH (up to 1,000/s) at Meta.")
    verified_name: str | None
    profile_refreshed_at: datetime | None = Field(description="When the tier and quality were read from Meta.")

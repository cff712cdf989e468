"""API shapes for registering and listing numbers."""

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

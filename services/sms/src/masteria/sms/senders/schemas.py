"""API shapes for registering, listing and changing senders."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from masteria.sms.phones import InvalidPhoneNumber, is_short_code, to_e164

SenderKind = Literal["long_code", "toll_free", "short_code"]

# Twilio's throughput per sender in segments per second (PROVIDERS.md): a new sender starts here.
DEFAULT_MPS: dict[str, int] = {"long_code": 1, "toll_free": 3, "short_code": 100}
MAX_MPS = 1000


class SenderCreate(BaseModel):
    """What a tenant copies from Twilio's console."""

    model_config = ConfigDict(extra="forbid")

    account_sid: str = Field(pattern=r"^AC[0-9a-fA-F]{32}$", description="The account's SID, AC + 32 hex digits.")
    auth_token: str = Field(min_length=16, max_length=128)
    kind: SenderKind = "long_code"  # before phone_number: the number's validation depends on it
    phone_number: str = Field(
        min_length=3, max_length=32, description="E.164 (+5511987654321), or the digits of a short code."
    )
    messages_per_second: int | None = Field(
        None, ge=1, le=MAX_MPS, description="Segments per second; default 1 (long code), 3 (toll-free), 100 (short)."
    )
    label: str | None = Field(None, max_length=120)

    @field_validator("phone_number")
    @classmethod
    def _normalise_number(cls, value: str, info: ValidationInfo) -> str:
        if info.data.get("kind") == "short_code":
            if not is_short_code(value.strip()):
                raise ValueError("a short code is 3 to 8 digits")
            return value.strip()
        try:
            return to_e164(value)
        except InvalidPhoneNumber as exc:
            raise ValueError(str(exc)) from exc

    @property
    def mps(self) -> int:
        """The throughput asked for, or the kind's default."""
        return self.messages_per_second or DEFAULT_MPS[self.kind]


class SenderUpdate(BaseModel):
    """What may change on a sender; a new auth token is verified again."""

    model_config = ConfigDict(extra="forbid")

    messages_per_second: int | None = Field(None, ge=1, le=MAX_MPS)
    kind: SenderKind | None = None
    label: str | None = Field(None, max_length=120)
    auth_token: str | None = Field(None, min_length=16, max_length=128)


class SenderOut(BaseModel):
    """A sender as the API shows it: never its auth token, always the URLs to paste into Twilio."""

    id: uuid.UUID
    account_sid: str
    phone_number: str
    kind: SenderKind
    messages_per_second: int
    label: str | None
    inbound_webhook_url: str = Field(description="Twilio number → Messaging → 'A message comes in' (HTTP POST).")
    status_callback_url: str = Field(description="Sent with every message as StatusCallback; shown for reference.")
    created_at: datetime
    updated_at: datetime

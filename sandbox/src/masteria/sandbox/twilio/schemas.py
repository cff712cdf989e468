"""Request bodies of the sandbox's Twilio control API, and a sender's simulated behaviour."""

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from masteria.sandbox.meta.signing import SignatureMode

E164 = r"^\+[1-9]\d{6,14}$"
SHORT_CODE = r"^\d{3,8}$"
NumberKind = Literal["long_code", "toll_free", "short_code"]
HappyStatus = Literal["queued", "sending", "sent", "delivered"]
# Twilio's carrier-side delivery failures: unreachable handset, unknown handset, landline or
# unreachable carrier, carrier filtering.
DELIVERY_ERROR_CODES = [30003, 30005, 30006, 30007]


def _happy_path() -> list[HappyStatus]:
    # Twilio posts no callback for `queued` by default: the send's answer already says it.
    return ["sent", "delivered"]


class AccountRegistration(BaseModel):
    """A Twilio account (or subaccount) and its auth token."""

    account_sid: str = Field(pattern=r"^AC[0-9A-Za-z]+$")
    auth_token: str = Field(min_length=1)
    friendly_name: str = "Master IA Sandbox"


class NumberRegistration(BaseModel):
    """A sender bought in the account: its inbound webhook and, optionally, its Messaging Service."""

    account_sid: str = Field(min_length=1)
    phone_number: str = Field(min_length=1)
    kind: NumberKind = "long_code"
    sms_url: str | None = Field(default=None, pattern=r"^https?://")
    friendly_name: str | None = None
    messaging_service_sid: str | None = Field(default=None, pattern=r"^MG[0-9A-Za-z]+$")
    mps_limit: int | None = Field(default=None, ge=1)

    @model_validator(mode="after")
    def _number_fits_kind(self) -> "NumberRegistration":
        pattern = SHORT_CODE if self.kind == "short_code" else E164
        if not re.match(pattern, self.phone_number):
            raise ValueError(f"phone_number {self.phone_number!r} is not a valid {self.kind}")
        return self


class Behaviour(BaseModel):
    """How a sender behaves; `PUT` changes only the fields it names."""

    model_config = ConfigDict(extra="forbid")

    status_delay_ms: int = Field(default=200, ge=0, le=600_000)
    statuses: list[HappyStatus] = Field(default_factory=_happy_path, min_length=1)
    undelivered_rate: float = Field(default=0.0, ge=0, le=1)
    failed_rate: float = Field(default=0.0, ge=0, le=1)
    error_codes: list[int] = Field(default_factory=lambda: list(DELIVERY_ERROR_CODES), min_length=1)
    undelivered_to: dict[str, int] = Field(default_factory=dict)
    fault_429_rate: float = Field(default=0.0, ge=0, le=1)
    fault_5xx_rate: float = Field(default=0.0, ge=0, le=1)
    fault_timeout_rate: float = Field(default=0.0, ge=0, le=1)
    timeout_s: float = Field(default=5.0, ge=0, le=120)
    mps_limit: int | None = Field(default=None, ge=1)
    mps_counts: Literal["messages", "segments"] = "messages"
    webhook_retries: int = Field(default=1, ge=0, le=100)
    seed: int | None = None

    @model_validator(mode="after")
    def _rates_are_shares(self) -> "Behaviour":
        if self.fault_429_rate + self.fault_5xx_rate + self.fault_timeout_rate > 1:
            raise ValueError("fault rates add up to more than 1")
        if self.undelivered_rate + self.failed_rate > 1:
            raise ValueError("undelivered_rate + failed_rate is more than 1")
        return self


class MediaItem(BaseModel):
    """A picture (or other file) a customer sends: hosted by the sandbox from `data_base64`, or at `url`."""

    content_type: str = Field(default="image/jpeg", min_length=3)
    url: str | None = Field(default=None, pattern=r"^https?://")
    data_base64: str | None = None
    # Hosted media only: a slow media server (each request held this long), or a failing one (the
    # first `fail_fetches` authenticated requests get a 503).
    delay_ms: int = Field(default=0, ge=0, le=60_000)
    fail_fetches: int = Field(default=0, ge=0, le=100)

    @model_validator(mode="after")
    def _one_source(self) -> "MediaItem":
        if (self.url is None) == (self.data_base64 is None):
            raise ValueError("give exactly one of url or data_base64")
        return self


class CustomerWrite(BaseModel):
    """A simulated customer texting one of the account's numbers."""

    model_config = ConfigDict(populate_by_name=True)

    sender: str = Field(alias="from", pattern=E164)
    to: str = Field(min_length=1)
    body: str = Field(default="", max_length=1600)
    media: list[MediaItem] = Field(default_factory=list, max_length=10)
    signature: SignatureMode = "valid"
    copies: int = Field(default=1, ge=1, le=100)

"""Request bodies of the sandbox's Meta control API."""

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from masteria.sandbox.meta.signing import SignatureMode


class NumberRegistration(BaseModel):
    """A phone number set up as in Meta's dashboard, with its webhook subscription."""

    phone_number_id: str = Field(min_length=1, pattern=r"^[A-Za-z0-9_-]+$")
    display_phone_number: str = Field(min_length=1)
    waba_id: str = Field(min_length=1)
    access_token: str = Field(min_length=1)
    app_secret: str = Field(min_length=1)
    webhook_url: str = Field(pattern=r"^https?://")
    verify_token: str | None = None
    verified_name: str = "Master IA Sandbox"


class CustomerWrite(BaseModel):
    """A simulated customer sending a text to the number."""

    model_config = ConfigDict(populate_by_name=True)

    sender: str = Field(alias="from", pattern=r"^\d{5,20}$")
    name: str = "Cliente"
    text: str = Field(min_length=1, max_length=4096)
    signature: SignatureMode = "valid"
    copies: int = Field(default=1, ge=1, le=100)


class RawWebhook(BaseModel):
    """An arbitrary payload (`payload`, serialised as Meta does) or exact text (`raw_body`) to deliver."""

    payload: Any = None
    raw_body: str | None = None
    signature: SignatureMode = "valid"
    copies: int = Field(default=1, ge=1, le=100)

    @model_validator(mode="after")
    def _exactly_one_body(self) -> "RawWebhook":
        given = {"payload", "raw_body"} & self.model_fields_set
        if len(given) != 1:
            raise ValueError("give exactly one of payload or raw_body")
        if "raw_body" in given and self.raw_body is None:
            raise ValueError("raw_body must be a string")
        return self


class BurstRequest(BaseModel):
    """A load or crash test: many customers writing at a given pace."""

    count: int = Field(ge=1, le=1_000_000)
    rate_per_second: float = Field(default=0, ge=0)
    customers: int = Field(default=50, ge=1, le=100_000_000)
    text_prefix: str = "msg"
    concurrency: int = Field(default=32, ge=1, le=1024)

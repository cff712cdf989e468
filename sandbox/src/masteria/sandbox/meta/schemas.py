"""Request bodies of the sandbox's Meta control API."""

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from masteria.sandbox.meta.signing import SignatureMode
from masteria.sandbox.meta.state import MessagingLimitTier, QualityRating, ThroughputLevel

MediaType = Literal["image", "audio", "video", "document", "sticker"]
InboundType = Literal[
    "text", "image", "audio", "video", "document", "sticker", "location", "contacts", "interactive", "button",
    "reaction", "order", "system", "unsupported",
]  # fmt: skip
MEDIA_TYPES: frozenset[str] = frozenset({"image", "audio", "video", "document", "sticker"})


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
    messaging_limit_tier: MessagingLimitTier = "TIER_1K"
    quality_rating: QualityRating = "GREEN"
    throughput_level: ThroughputLevel = "STANDARD"


class CustomerWrite(BaseModel):
    """A simulated customer sending a message to the number: a text (the default), media the sandbox
    hosts (`media_id` from `POST /_sandbox/meta/media`, or inline `media_base64` + `mime_type`), or any
    other type Meta delivers with its object in `content` (location, contacts, interactive, button,
    reaction, ...)."""

    model_config = ConfigDict(populate_by_name=True)

    sender: str = Field(alias="from", pattern=r"^\d{5,20}$")
    name: str = "Cliente"
    type: InboundType = "text"
    text: str | None = Field(default=None, min_length=1, max_length=4096)
    media_id: str | None = None
    media_base64: str | None = None
    mime_type: str | None = None
    filename: str | None = None
    caption: str | None = Field(default=None, max_length=1024)
    voice: bool = False
    content: dict[str, Any] | None = None
    # A reply quotes the message it answers: {"from": ..., "id": "wamid..."}.
    context: dict[str, Any] | None = None
    # When the customer wrote (unix seconds); default now. It moves the service window too.
    timestamp: int | None = Field(default=None, ge=0)
    signature: SignatureMode = "valid"
    copies: int = Field(default=1, ge=1, le=100)

    @model_validator(mode="after")
    def _content_fits_type(self) -> "CustomerWrite":
        if self.type == "text" and self.text is None:
            raise ValueError("a text message needs text")
        if self.type in MEDIA_TYPES:
            if (self.media_id is None) == (self.media_base64 is None):
                raise ValueError(f"a {self.type} message needs exactly one of media_id or media_base64")
            if self.media_base64 is not None and not self.mime_type:
                raise ValueError("media_base64 needs mime_type")
        elif self.type not in ("text", "unsupported") and self.content is None:
            raise ValueError(f"a {self.type} message needs its object in content")
        return self


class CustomerWriteTo(CustomerWrite):
    """`POST /_sandbox/meta/customers/write`: the same, naming the number in the body."""

    phone_number_id: str = Field(min_length=1)


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

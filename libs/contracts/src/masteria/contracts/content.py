"""Message content, normalised across channels: a union discriminated on ``kind``.

Channel limits (body lengths, button counts) are the adapters' to enforce: a contract that
encoded one provider's limits would reject another channel's legitimate messages.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator


class ContentPart(BaseModel):
    """Base of content objects: closed and immutable like payloads."""

    model_config = ConfigDict(extra="forbid", frozen=True)


MediaKind = Literal["image", "audio", "video", "document", "sticker"]


class TextContent(ContentPart):
    """Plain text."""

    kind: Literal["text"] = "text"
    body: str = Field(min_length=1)
    preview_url: bool = False


class MediaContent(ContentPart):
    """An attachment, referenced by the provider's media id or by a URL."""

    kind: MediaKind
    media_id: str | None = None
    url: str | None = None
    mime_type: str | None = None
    caption: str | None = None
    filename: str | None = None
    sha256: str | None = None
    storage_key: str | None = Field(
        default=None,
        description="Key of the file in the platform's media store; events reference media, never inline it.",
    )
    size_bytes: int | None = Field(default=None, ge=0)

    @model_validator(mode="after")
    def _has_a_reference(self) -> MediaContent:
        if self.media_id is None and self.url is None and self.storage_key is None:
            raise ValueError("media content needs media_id, url or storage_key")
        return self


# --- templates ------------------------------------------------------------------------------


class MediaRef(ContentPart):
    """Media inside a template header: a provider media id or a public link."""

    id: str | None = None
    link: str | None = None
    filename: str | None = None

    @model_validator(mode="after")
    def _has_a_reference(self) -> MediaRef:
        if self.id is None and self.link is None:
            raise ValueError("a media reference needs id or link")
        return self


class TemplateParameter(ContentPart):
    """One filled-in template variable."""

    type: Literal["text", "currency", "date_time", "image", "video", "document", "payload"]
    # Named templates (Meta's parameter_format=NAMED) address parameters by name, positional ones by order.
    parameter_name: str | None = None
    text: str | None = None
    payload: str | None = None
    media: MediaRef | None = None

    @model_validator(mode="after")
    def _value_matches_type(self) -> TemplateParameter:
        needs = {"image": "media", "video": "media", "document": "media", "payload": "payload"}
        field = needs.get(self.type, "text")
        if getattr(self, field) is None:
            raise ValueError(f"a {self.type!r} template parameter needs {field!r}")
        return self


class TemplateComponent(ContentPart):
    """A template component (header, body, button) with its parameters."""

    type: Literal["header", "body", "button"]
    sub_type: Literal["quick_reply", "url", "copy_code", "flow"] | None = None
    index: int | None = Field(default=None, ge=0)
    parameters: list[TemplateParameter] = Field(default_factory=list)


class TemplateContent(ContentPart):
    """An approved template; the only content allowed outside WhatsApp's 24-hour window."""

    kind: Literal["template"] = "template"
    name: str = Field(min_length=1)
    language: str = Field(min_length=2, description="Provider language code, e.g. pt_BR or en_US.")
    components: list[TemplateComponent] = Field(default_factory=list)


# --- interactive ----------------------------------------------------------------------------


class ReplyButton(ContentPart):
    """A quick-reply button offered to the customer."""

    id: str = Field(min_length=1)
    title: str = Field(min_length=1)


class ButtonsInteractive(ContentPart):
    """Outbound: a message with reply buttons."""

    type: Literal["buttons"] = "buttons"
    body: str = Field(min_length=1)
    header: str | None = None
    footer: str | None = None
    buttons: list[ReplyButton] = Field(min_length=1)


class ListRow(ContentPart):
    """A selectable row of a list message."""

    id: str = Field(min_length=1)
    title: str = Field(min_length=1)
    description: str | None = None


class ListSection(ContentPart):
    """A titled group of rows."""

    title: str | None = None
    rows: list[ListRow] = Field(min_length=1)


class ListInteractive(ContentPart):
    """Outbound: a list message opened by a button."""

    type: Literal["list"] = "list"
    body: str = Field(min_length=1)
    button: str = Field(min_length=1, description="Label of the button that opens the list.")
    header: str | None = None
    footer: str | None = None
    sections: list[ListSection] = Field(min_length=1)


class ButtonReply(ContentPart):
    """Inbound: the customer tapped a reply button (or a template quick-reply button)."""

    type: Literal["button_reply"] = "button_reply"
    id: str = Field(description="Button id, or the template button payload.")
    title: str


class ListReply(ContentPart):
    """Inbound: the customer picked a list row."""

    type: Literal["list_reply"] = "list_reply"
    id: str
    title: str
    description: str | None = None


Interactive = Annotated[ButtonsInteractive | ListInteractive | ButtonReply | ListReply, Field(discriminator="type")]


class InteractiveContent(ContentPart):
    """Buttons and lists we send, and the replies customers send back."""

    kind: Literal["interactive"] = "interactive"
    interactive: Interactive

    @property
    def is_reply(self) -> bool:
        """True for what a customer sends (a button or list reply)."""
        return isinstance(self.interactive, ButtonReply | ListReply)


# --- the rest -------------------------------------------------------------------------------


class LocationContent(ContentPart):
    """A shared location."""

    kind: Literal["location"] = "location"
    latitude: float = Field(ge=-90, le=90)
    longitude: float = Field(ge=-180, le=180)
    name: str | None = None
    address: str | None = None


class ReactionContent(ContentPart):
    """An emoji reaction to an earlier message; an empty emoji removes the reaction."""

    kind: Literal["reaction"] = "reaction"
    message_external_id: str = Field(min_length=1)
    emoji: str


class SharedContact(ContentPart):
    """One shared contact card; phones stay as written on the card, not necessarily E.164."""

    name: str
    phones: list[str] = Field(default_factory=list)
    emails: list[str] = Field(default_factory=list)
    organization: str | None = None
    vcard: str | None = Field(default=None, description="The raw vCard when the channel provides one.")


class ContactsContent(ContentPart):
    """Contact cards (vCards) shared in a message."""

    kind: Literal["contacts"] = "contacts"
    contacts: list[SharedContact] = Field(min_length=1)


class UnsupportedContent(ContentPart):
    """Something the channel sent that we do not model; kept so the inbox can say so."""

    kind: Literal["unsupported"] = "unsupported"
    provider_type: str = Field(description="The provider's own type name, e.g. 'order' or 'system'.")
    summary: str = Field(default="", max_length=1000, description="Short human-readable gist, not the raw body.")


AnyContent = (
    TextContent
    | MediaContent
    | TemplateContent
    | InteractiveContent
    | LocationContent
    | ReactionContent
    | ContactsContent
    | UnsupportedContent
)

MessageContent = Annotated[AnyContent, Field(discriminator="kind")]
"""Any message content, discriminated on ``kind``."""


def preview(content: AnyContent, limit: int = 120) -> str:
    """A one-line human preview of content, as an inbox list shows it."""
    one_line = " ".join(_preview_text(content).split())
    return one_line if len(one_line) <= limit else one_line[: limit - 1] + "…"


def _preview_text(content: object) -> str:  # noqa: PLR0911 - one return per content kind reads best
    match content:
        case TextContent(body=body):
            return body
        case MediaContent(kind=kind, caption=caption):
            return f"[{kind}] {caption or ''}".strip()
        case TemplateContent(name=name):
            return f"[template] {name}"
        case InteractiveContent(interactive=ButtonsInteractive(body=body) | ListInteractive(body=body)):
            return body
        case InteractiveContent(interactive=ButtonReply(title=title) | ListReply(title=title)):
            return title
        case LocationContent(name=name, address=address):
            return f"[location] {name or address or ''}".strip()
        case ReactionContent(emoji=emoji):
            return f"[reaction] {emoji}".strip()
        case ContactsContent(contacts=contacts):
            return f"[contacts] {', '.join(c.name for c in contacts)}"
        case UnsupportedContent(provider_type=provider_type):
            return f"[unsupported: {provider_type}]"
    return ""

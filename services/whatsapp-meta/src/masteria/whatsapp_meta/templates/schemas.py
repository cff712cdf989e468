"""API shapes of templates: the list, the sync report, the preview."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class Variable(BaseModel):
    """One placeholder to fill: ``key`` is how preview and the picker name it."""

    key: str = Field(description="header.1, body.nome, button.0.1 or header.media")
    name: str
    kind: str = Field(description="text, or image/video/document for a media header")
    example: str | None = None


class ComponentVariables(BaseModel):
    """The placeholders of one component."""

    component: str = Field(description="header, body or button")
    index: int | None = Field(None, description="The button's position, for button components.")
    variables: list[Variable]


class TemplateOut(BaseModel):
    """A template as last synced from the WhatsApp Business account."""

    id: uuid.UUID
    waba_id: str
    meta_id: str | None
    name: str
    language: str
    category: str | None
    status: str
    parameter_format: str = Field(description="POSITIONAL ({{1}}) or NAMED ({{nome}})")
    quality_score: str | None
    components: list[dict[str, Any]] = Field(description="Meta's components, as Graph returns them.")
    variables: list[ComponentVariables]
    synced_at: datetime


class TemplatePage(BaseModel):
    """One page of templates."""

    items: list[TemplateOut]
    next_cursor: str | None = None


class SyncRequest(BaseModel):
    """Which number's WhatsApp Business account to sync; none: every account of the tenant."""

    model_config = ConfigDict(extra="forbid")

    number_id: str | None = Field(None, description="Our number id, or Meta's phone_number_id.")
    phone_number_id: str | None = Field(None, description="Same as number_id (either name is accepted).")


class WabaSync(BaseModel):
    """What one account's sync did."""

    waba_id: str
    synced: int
    created: int
    updated: int
    removed: int


class SyncResult(BaseModel):
    """What the sync did, per account and in total."""

    synced: int
    created: int
    updated: int
    removed: int
    accounts: list[WabaSync]


class PreviewRequest(BaseModel):
    """Values by variable key (``body.1``) or, when unambiguous, by placeholder name (``1``)."""

    model_config = ConfigDict(extra="forbid")

    variables: dict[str, str] = Field(default_factory=dict)


class RenderedHeader(BaseModel):
    """The header: text, or the media given for it."""

    format: str
    text: str | None = None
    media: str | None = None


class RenderedButton(BaseModel):
    """A button with its URL filled in."""

    type: str
    text: str
    url: str | None = None


class PreviewOut(BaseModel):
    """The template as the customer will see it, per component and as one text."""

    header: RenderedHeader | None
    body: str
    footer: str | None
    buttons: list[RenderedButton]
    text: str

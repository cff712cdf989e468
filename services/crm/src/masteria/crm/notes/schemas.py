"""API shapes of notes."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, Field


class NoteIn(BaseModel):
    """A note for the team; the customer never sees it."""

    body: str = Field(min_length=1, max_length=4000)


class NoteOut(BaseModel):
    """A note as the inbox shows it."""

    id: uuid.UUID
    conversation_id: uuid.UUID
    author_user_id: uuid.UUID | None
    body: str
    created_at: datetime

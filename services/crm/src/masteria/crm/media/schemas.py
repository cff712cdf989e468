"""API shapes of media."""

from __future__ import annotations

from pydantic import BaseModel, Field


class MediaOut(BaseModel):
    """A stored file: put ``storage_key`` in a MediaContent to send it."""

    storage_key: str
    mime_type: str
    size_bytes: int
    filename: str | None
    sha256: str
    url: str = Field(description="Where the dashboard reads it back.")

"""API shapes of contact imports."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, Field

from masteria.contracts.contacts import ImportState


class ImportOut(BaseModel):
    """An import and how far it got; ``processed_rows = imported_rows + failed_rows``."""

    id: uuid.UUID
    state: ImportState
    filename: str | None
    mapping: dict[str, str]
    default_country: str
    tags: list[str]
    total_rows: int = Field(description="Non-blank rows after the header.")
    processed_rows: int
    imported_rows: int = Field(description="Rows whose contact now matches the row (created, updated or unchanged).")
    created_rows: int
    updated_rows: int
    failed_rows: int = Field(description="Rows refused; errors.csv lists each with its row number and reason.")
    error: str | None = Field(description="Why the import as a whole failed, when it did.")
    created_at: datetime
    updated_at: datetime
    finished_at: datetime | None
    errors_url: str

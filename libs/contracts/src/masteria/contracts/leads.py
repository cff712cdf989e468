"""Lead events published by crm's pipelines (the Kanban board); campaigns and cadences follow them."""

from __future__ import annotations

import uuid
from typing import ClassVar

from pydantic import AwareDatetime, Field

from masteria.contracts.envelope import Payload


class LeadStageChanged(Payload):
    """A contact's lead card entered a stage of a pipeline (created there, or moved from another)."""

    event_type: ClassVar[str] = "lead.stage_changed"
    schema_version: ClassVar[int] = 1

    lead_id: uuid.UUID
    contact_id: uuid.UUID
    pipeline_id: uuid.UUID
    stage_id: uuid.UUID
    stage_name: str = Field(min_length=1)
    previous_stage_id: uuid.UUID | None = Field(default=None, description="None when the card was just created.")
    occurred_at: AwareDatetime

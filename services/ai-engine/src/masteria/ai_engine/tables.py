"""The schema ``ai_engine``: for now the outbox and processed events every service keeps."""

from __future__ import annotations

from masteria.messaging.tables import outbox_table, processed_events_table
from masteria.persistence.base import make_base

SCHEMA = "ai_engine"
Base = make_base(SCHEMA)
outbox = outbox_table(Base.metadata)
processed_events = processed_events_table(Base.metadata)

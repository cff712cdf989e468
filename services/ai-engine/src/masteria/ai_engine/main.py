"""Builds the ai-engine service: it owns personas, knowledge bases, AI replies and lead scoring.

It already boots with its settings, HTTP app (/health, /ready, /metrics), FastStream app and outbox
relay; its features land with their issues.
"""

from __future__ import annotations

from masteria.ai_engine.settings import AiEngineSettings
from masteria.ai_engine.tables import outbox
from masteria.runtime.service import Service

NAME = "ai-engine"


def build_service(settings: AiEngineSettings | None = None) -> Service:
    """The service with its outbox."""
    return Service(name=NAME, settings=settings or AiEngineSettings(), outbox_table=outbox)

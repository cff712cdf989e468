"""Builds the voice service: it owns voice agents, calls and transcripts.

It already boots with its settings, HTTP app (/health, /ready, /metrics), FastStream app and outbox
relay; its features land with their issues.
"""

from __future__ import annotations

from masteria.runtime.service import Service
from masteria.voice.settings import VoiceSettings
from masteria.voice.tables import outbox

NAME = "voice"


def build_service(settings: VoiceSettings | None = None) -> Service:
    """The service with its outbox."""
    return Service(name=NAME, settings=settings or VoiceSettings(), outbox_table=outbox)

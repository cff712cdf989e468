"""Builds the sms service: it owns Twilio SMS senders, their rate state and opt-out keywords.

It already boots with its settings, HTTP app (/health, /ready, /metrics), FastStream app and outbox
relay; its features land with their issues.
"""

from __future__ import annotations

from masteria.runtime.service import Service
from masteria.sms.settings import SmsSettings
from masteria.sms.tables import outbox

NAME = "sms"


def build_service(settings: SmsSettings | None = None) -> Service:
    """The service with its outbox."""
    return Service(name=NAME, settings=settings or SmsSettings(), outbox_table=outbox)

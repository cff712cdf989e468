"""Builds the whatsapp-qr service: it owns WhatsApp Web sessions and their humane sending limits.

It already boots with its settings, HTTP app (/health, /ready, /metrics), FastStream app and outbox
relay; its features land with their issues.
"""

from __future__ import annotations

from masteria.runtime.service import Service
from masteria.whatsapp_qr.settings import WhatsappQrSettings
from masteria.whatsapp_qr.tables import outbox

NAME = "whatsapp-qr"


def build_service(settings: WhatsappQrSettings | None = None) -> Service:
    """The service with its outbox."""
    return Service(name=NAME, settings=settings or WhatsappQrSettings(), outbox_table=outbox)

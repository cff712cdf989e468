"""Builds the campaigns service: it owns campaigns, audiences, cadences and per-recipient state.

It already boots with its settings, HTTP app (/health, /ready, /metrics), FastStream app and outbox
relay; its features land with their issues.
"""

from __future__ import annotations

from masteria.campaigns.settings import CampaignsSettings
from masteria.campaigns.tables import outbox
from masteria.runtime.service import Service

NAME = "campaigns"


def build_service(settings: CampaignsSettings | None = None) -> Service:
    """The service with its outbox."""
    return Service(name=NAME, settings=settings or CampaignsSettings(), outbox_table=outbox)

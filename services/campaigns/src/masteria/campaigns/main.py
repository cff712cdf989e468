"""Builds the campaigns service: campaigns and their recipients, the audience view of contacts, the
dispatcher, the snapshot worker, cadences, the audience and message tools, and the consumers of
contacts, inbound messages and statuses."""

from __future__ import annotations

from datetime import timedelta

from masteria.campaigns import inbound
from masteria.campaigns.audience import view
from masteria.campaigns.cadences import contacts as cadence_contacts
from masteria.campaigns.cadences import replies as cadence_replies
from masteria.campaigns.cadences import statuses as cadence_statuses
from masteria.campaigns.cadences import worker as cadence_worker
from masteria.campaigns.cadences.routes import router as cadences_router
from masteria.campaigns.campaign.routes import router as campaigns_router
from masteria.campaigns.runtime import Campaigns
from masteria.campaigns.sending import statuses
from masteria.campaigns.settings import CampaignsSettings
from masteria.campaigns.tables import outbox
from masteria.campaigns.tools.audience import router as audience_router
from masteria.campaigns.tools.estimate import router as estimate_router
from masteria.campaigns.tools.preview import router as preview_router
from masteria.campaigns.tools.segments import router as segments_router
from masteria.campaigns.tools.testsend import router as testsend_router
from masteria.campaigns.tools.uploads import router as uploads_router
from masteria.contracts.streams import CAMPAIGNS_CONTACTS, CAMPAIGNS_INBOUND, CAMPAIGNS_STATUS
from masteria.runtime.consumers import batch_handler
from masteria.runtime.service import Service

NAME = "campaigns"


def build_service(settings: CampaignsSettings | None = None) -> Service:
    """The service with its routes, consumers, outbox, dispatcher, snapshot and cadence workers."""
    settings = settings or CampaignsSettings()
    campaigns = Campaigns(settings)
    attribution = timedelta(seconds=settings.attribution_window_s)
    service = Service(
        name=NAME,
        settings=settings,
        outbox_table=outbox,
        # The tools' fixed paths before /campaigns/{id}: "segments" must not be read as a campaign id.
        routers=[
            segments_router,
            audience_router,
            uploads_router,
            preview_router,
            estimate_router,
            testsend_router,
            campaigns_router,
            cadences_router,
        ],
        batch_consumers=[
            (CAMPAIGNS_CONTACTS, batch_handler(view.CONSUMER, view.contacts_work([cadence_contacts.apply]))),
            (
                CAMPAIGNS_INBOUND,
                batch_handler(inbound.CONSUMER, inbound.inbound_work(attribution, [cadence_replies.apply])),
            ),
            (
                CAMPAIGNS_STATUS,
                batch_handler(
                    statuses.CONSUMER,
                    statuses.status_work(settings.retry_base_s, settings.retry_cap_s, [cadence_statuses.apply]),
                ),
            ),
        ],
        on_start=[campaigns.start, cadence_worker.start],
        on_stop=[campaigns.stop, cadence_worker.stop],
    )
    service.http.state.campaigns = campaigns
    return service

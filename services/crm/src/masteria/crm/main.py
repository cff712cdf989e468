"""Builds the crm service: contacts, imports, the inbox and media APIs; the inbound, outbound, campaign
dispatch and status consumers; the background import runner."""

from __future__ import annotations

from masteria.contracts.streams import CRM_DISPATCH, CRM_INBOUND, CRM_OUTBOUND, CRM_STATUS
from masteria.crm.contacts.routes import router as contacts_router
from masteria.crm.delivery import service as delivery
from masteria.crm.imports.routes import router as imports_router
from masteria.crm.inbox import handlers
from masteria.crm.inbox.routes import router as inbox_router
from masteria.crm.media.routes import router as media_router
from masteria.crm.notes.routes import router as notes_router
from masteria.crm.runtime import Crm
from masteria.crm.sending import dispatches, recorder
from masteria.crm.sending.routes import router as sending_router
from masteria.crm.settings import CrmSettings
from masteria.crm.tables import outbox
from masteria.media import MediaSettings
from masteria.runtime.consumers import batch_handler
from masteria.runtime.service import Service

NAME = "crm"


def build_service(settings: CrmSettings | None = None, media_settings: MediaSettings | None = None) -> Service:
    """The service with its routes, consumers, outbox and import runner."""
    settings = settings or CrmSettings()
    crm = Crm(settings, media_settings or MediaSettings())
    service = Service(
        name=NAME,
        settings=settings,
        outbox_table=outbox,
        # Imports before contacts: /contacts/imports must not be read as /contacts/{id}.
        routers=[imports_router, contacts_router, inbox_router, notes_router, sending_router, media_router],
        batch_consumers=[
            (CRM_INBOUND, handlers.inbound_handler(settings)),
            (CRM_OUTBOUND, batch_handler(recorder.CONSUMER, recorder.record_sends)),
            (CRM_DISPATCH, batch_handler(dispatches.CONSUMER, dispatches.record_dispatches)),
            (CRM_STATUS, batch_handler(delivery.CONSUMER, delivery.record_statuses)),
        ],
        on_start=[crm.start],
        on_stop=[crm.stop],
    )
    service.http.state.crm = crm
    return service

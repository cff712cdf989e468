"""Builds the crm service: the inbox API and the inbound consumer."""

from __future__ import annotations

from masteria.contracts.streams import CRM_INBOUND
from masteria.crm.inbox import handlers
from masteria.crm.inbox.routes import router as inbox_router
from masteria.crm.settings import CrmSettings
from masteria.crm.tables import outbox
from masteria.runtime.service import Service

NAME = "crm"


def build_service(settings: CrmSettings | None = None) -> Service:
    """The service with its routes, consumer and outbox."""
    settings = settings or CrmSettings()
    return Service(
        name=NAME,
        settings=settings,
        outbox_table=outbox,
        routers=[inbox_router],
        batch_consumers=[(CRM_INBOUND, handlers.inbound_handler(settings))],
    )

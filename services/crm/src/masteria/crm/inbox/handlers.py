"""The inbound consumer: one transaction per batch, acked after commit."""

from __future__ import annotations

from collections.abc import Callable

from masteria.crm.inbox.service import CONSUMER, record_inbound
from masteria.crm.settings import CrmSettings
from masteria.messaging.batch_consumer import BatchHandler
from masteria.messaging.consuming import Received, by_tenant
from masteria.observability.metrics import EVENTS_CONSUMED
from masteria.persistence.tenancy import set_tenant
from masteria.runtime.service import Service


def inbound_handler(settings: CrmSettings) -> Callable[[Service], BatchHandler]:
    """A factory the runtime calls once the service's engines are open."""

    def make(service: Service) -> BatchHandler:
        async def on_inbound(items: list[Received]) -> None:
            # A failure raises: the batch is nak'ed and redelivered; dedup makes that safe.
            if not items or service.outbox is None:
                return
            stored = 0
            async with service.sessions() as session, session.begin():
                for tenant_id, group in by_tenant(items):
                    await set_tenant(session, tenant_id)
                    stored += await record_inbound(session, service.outbox, tenant_id, group, settings.default_region)
            EVENTS_CONSUMED.labels(CONSUMER, "stored").inc(stored)
            EVENTS_CONSUMED.labels(CONSUMER, "skipped").inc(len(items) - stored)

        return on_inbound

    return make

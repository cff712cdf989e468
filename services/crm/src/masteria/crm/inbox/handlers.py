"""The inbound consumer: batches from JetStream, one transaction per batch, ack after commit."""

from __future__ import annotations

from faststream.nats import JStream, NatsBroker, PullSub
from faststream.nats.annotations import NatsMessage

from masteria.contracts.streams import CRM_INBOUND
from masteria.crm.inbox.service import CONSUMER, record_inbound
from masteria.crm.settings import CrmSettings
from masteria.messaging.consuming import by_tenant, decode_batch, raw_batch_decoder
from masteria.observability.metrics import EVENTS_CONSUMED
from masteria.persistence.tenancy import set_tenant
from masteria.runtime.service import Service


def register(service: Service, settings: CrmSettings) -> None:
    """Subscribe the inbox to every channel's inbound messages."""
    broker: NatsBroker = service.broker

    @broker.subscriber(
        CRM_INBOUND.filter_subject or "",
        stream=JStream(CRM_INBOUND.stream, declare=False),  # provisioned by the runtime, not here
        durable=CRM_INBOUND.durable,
        pull_sub=PullSub(batch_size=settings.inbound_batch_size, timeout=settings.inbound_batch_timeout_s, batch=True),
        decoder=raw_batch_decoder,
        description="Records every customer message in the tenant's inbox.",
    )
    async def on_inbound(bodies: list[bytes], message: NatsMessage) -> None:
        # A failure raises: FastStream naks the batch and JetStream redelivers it; dedup makes that safe.
        items = decode_batch(CONSUMER, bodies, message.batch_headers)
        if not items or service.outbox is None:
            return
        stored = 0
        async with service.sessions() as session, session.begin():
            for tenant_id, group in by_tenant(items):
                await set_tenant(session, tenant_id)
                stored += await record_inbound(session, service.outbox, tenant_id, group, settings.default_region)
        EVENTS_CONSUMED.labels(CONSUMER, "stored").inc(stored)
        EVENTS_CONSUMED.labels(CONSUMER, "duplicate").inc(len(items) - stored)

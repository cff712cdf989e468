"""A batch consumer's usual shape: one transaction per batch, each tenant's share under its RLS context."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable

from sqlalchemy.ext.asyncio import AsyncSession

from masteria.messaging.batch_consumer import BatchHandler
from masteria.messaging.consuming import Received, by_tenant
from masteria.messaging.outbox import Outbox
from masteria.observability.metrics import EVENTS_CONSUMED
from masteria.persistence.tenancy import set_tenant
from masteria.runtime.service import Service

Work = Callable[[AsyncSession, Outbox, uuid.UUID, list[Received]], Awaitable[int]]


def batch_handler(consumer: str, work: Work) -> Callable[[Service], BatchHandler]:
    """A factory the runtime calls once the engines are open; ``work`` returns how many items had an effect."""

    def make(service: Service) -> BatchHandler:
        async def handle(items: list[Received]) -> None:
            # A failure raises: the batch is nak'ed and redelivered; dedup makes that safe. Acked after commit.
            if not items or service.outbox is None:
                return
            applied = 0
            async with service.sessions() as session, session.begin():
                for tenant_id, group in by_tenant(items):
                    await set_tenant(session, tenant_id)
                    applied += await work(session, service.outbox, tenant_id, group)
            EVENTS_CONSUMED.labels(consumer, "stored").inc(applied)
            EVENTS_CONSUMED.labels(consumer, "skipped").inc(len(items) - applied)

        return handle

    return make

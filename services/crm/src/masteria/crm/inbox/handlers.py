"""The inbound consumer: one transaction per batch, acked after commit."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from sqlalchemy.ext.asyncio import AsyncSession

from masteria.crm.inbox.service import CONSUMER, record_inbound
from masteria.crm.settings import CrmSettings
from masteria.messaging.batch_consumer import BatchHandler
from masteria.messaging.consuming import Received
from masteria.messaging.outbox import Outbox
from masteria.runtime.consumers import batch_handler
from masteria.runtime.service import Service


def inbound_handler(settings: CrmSettings) -> Callable[[Service], BatchHandler]:
    """A factory the runtime calls once the service's engines are open."""

    async def work(session: AsyncSession, outbox: Outbox, tenant_id: uuid.UUID, items: list[Received]) -> int:
        return await record_inbound(session, outbox, tenant_id, items, settings.default_region)

    return batch_handler(CONSUMER, work)

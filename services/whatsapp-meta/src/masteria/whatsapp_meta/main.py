"""Builds the whatsapp-meta service: HTTP app (numbers, webhook) and FastStream app."""

from __future__ import annotations

import httpx

from masteria.persistence.group_commit import GroupCommitter
from masteria.runtime.service import Service
from masteria.whatsapp_meta.context import MetaContext
from masteria.whatsapp_meta.graph import GraphClient
from masteria.whatsapp_meta.numbers.routes import router as numbers_router
from masteria.whatsapp_meta.settings import WhatsAppMetaSettings
from masteria.whatsapp_meta.tables import outbox
from masteria.whatsapp_meta.webhooks.routes import router as webhook_router
from masteria.whatsapp_meta.webhooks.routing import NumberDirectory
from masteria.whatsapp_meta.webhooks.service import record_in

NAME = "whatsapp-meta"


def build_service(settings: WhatsAppMetaSettings | None = None) -> Service:
    """The service with its routes, outbox and start-up hooks."""
    settings = settings or WhatsAppMetaSettings()
    service = Service(
        name=NAME, settings=settings, outbox_table=outbox, routers=[numbers_router, webhook_router]
    )
    http = httpx.AsyncClient(timeout=httpx.Timeout(10.0, connect=3.0))

    async def attach_context(svc: Service) -> None:
        if svc.secret_box is None:
            raise RuntimeError("MASTERIA_SECRET_KEYS is required: numbers' secrets are sealed with it")
        graph = GraphClient(http, settings.graph_url, settings.graph_version)
        assert svc.outbox is not None
        committer = GroupCommitter(svc.sessions, record_in(svc.outbox))
        committer.start()
        svc.http.state.meta = MetaContext(
            settings=settings,
            graph=graph if settings.verify_number_on_register else None,
            directory=NumberDirectory(svc.sessions, svc.secret_box, settings.number_cache_ttl_s),
            committer=committer,
        )

    async def close_http(svc: Service) -> None:
        await svc.http.state.meta.committer.stop()
        await http.aclose()

    service.on_start.append(attach_context)
    service.on_stop.append(close_http)
    return service

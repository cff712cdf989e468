"""What the adapter keeps beside the shared runtime: Graph clients, number caches, the send machinery."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any

from fastapi import Request

from masteria.persistence.group_commit import GroupCommitter
from masteria.runtime.problems import Problem
from masteria.runtime.service import Service, service_of
from masteria.security.secretbox import SecretBox
from masteria.whatsapp_meta.graph import GraphClient
from masteria.whatsapp_meta.sending.numbers import SendingNumbers
from masteria.whatsapp_meta.sending.templates import TemplateGate
from masteria.whatsapp_meta.settings import WhatsAppMetaSettings
from masteria.whatsapp_meta.webhooks.routing import NumberDirectory
from masteria.whatsapp_meta.webhooks.service import Recorded, WebhookItems


@dataclass
class MetaContext:
    """Per-process collaborators, created at start-up."""

    settings: WhatsAppMetaSettings
    graph: GraphClient
    directory: NumberDirectory
    senders: SendingNumbers
    committer: GroupCommitter[WebhookItems, Recorded]
    templates: TemplateGate
    wake_media: Callable[[], None] = lambda: None
    background: set[asyncio.Task[Any]] = field(default_factory=set)

    def in_background(self, work: Coroutine[Any, Any, Any]) -> None:
        """Run work after the response (kept referenced until it ends; cancelled at stop)."""
        task = asyncio.create_task(work)
        self.background.add(task)
        task.add_done_callback(self.background.discard)


def meta_of(request: Request) -> MetaContext:
    """The adapter's context for a request."""
    context: MetaContext = request.app.state.meta
    return context


def box_of(service: Service) -> SecretBox:
    """The secret box, or a clear error when the keyring is not configured."""
    if service.secret_box is None:
        raise Problem(503, "Secrets not configured", "set MASTERIA_SECRET_KEYS for this service")
    return service.secret_box


__all__ = ["MetaContext", "box_of", "meta_of", "service_of"]

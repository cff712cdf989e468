"""What the campaigns tests share: publishing crm's events, reading the database as a tenant, calling the API."""

from __future__ import annotations

import asyncio
import contextlib
import json
import uuid
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any

import httpx
import nats
from sqlalchemy import text

from masteria.contracts.channels import Channel
from masteria.contracts.contacts import ContactCreated, ContactOptedOut, ContactSource, OptOutReason
from masteria.contracts.envelope import Envelope, Payload
from masteria.contracts.ids import uuid7
from masteria.contracts.messages import CampaignDispatch, DeliveryError, MessageStatus, MessageStatusChanged
from masteria.contracts.subjects import subject_for
from masteria.devstack.harness import RunningService
from masteria.devstack.infra import ensure_infra
from masteria.persistence.tenancy import tenant_session
from masteria.security.internal_token import InternalTokenIssuer

from .conftest import bearer


def envelope(payload: Payload, tenant: uuid.UUID) -> Envelope[Any]:
    return Envelope.wrap(payload, tenant=tenant, source="test")


async def publish(*envelopes: Envelope[Any]) -> None:
    nc = await nats.connect(ensure_infra().nats_url)
    try:
        js = nc.jetstream()
        for env in envelopes:
            await js.publish(subject_for(env), env.model_dump_json().encode(), headers={"Nats-Msg-Id": str(env.id)})
    finally:
        await nc.close()


def created(
    phone: str,
    *,
    name: str | None = "Maria Silva",
    tags: Iterable[str] = (),
    custom: dict[str, str] | None = None,
    contact_id: uuid.UUID | None = None,
    at: datetime | None = None,
) -> ContactCreated:
    return ContactCreated(
        contact_id=contact_id or uuid7(),
        phone=phone,
        name=name,
        tags=list(tags),
        custom_fields=custom or {},
        source=ContactSource.API,
        created_at=at or datetime.now(UTC),
    )


def opted_out(contact: ContactCreated, channel: Channel | None = Channel.WHATSAPP_META) -> ContactOptedOut:
    return ContactOptedOut(
        contact_id=contact.contact_id,
        phone=contact.phone,
        channel=channel,
        reason=OptOutReason.KEYWORD,
        keyword="STOP",
        occurred_at=datetime.now(UTC),
    )


async def rows(service: RunningService, tenant: uuid.UUID, sql: str, **params: Any) -> list[Any]:
    """Run a query as the tenant (RLS applies) and return its rows."""
    async with tenant_session(service.service.sessions, tenant) as session:
        return list((await session.execute(text(sql), params)).all())


class Api:
    """The campaigns API as one tenant's user calls it (through the gateway's internal token)."""

    def __init__(self, service: RunningService, issuer: InternalTokenIssuer, tenant: uuid.UUID, role: str = "admin"):
        self.service, self.issuer, self.tenant, self.role = service, issuer, tenant, role

    async def call(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        headers = bearer(self.issuer, self.tenant, self.role)
        return await self.service.client.request(method, path, headers=headers, **kwargs)

    async def ok(self, method: str, path: str, status: int = 200, **kwargs: Any) -> Any:
        response = await self.call(method, path, **kwargs)
        assert response.status_code == status, response.text
        return response.json() if response.content else None


Reply = Callable[[CampaignDispatch], list[tuple[MessageStatus, DeliveryError | None]]]


def delivered_and_read(dispatch: CampaignDispatch) -> list[tuple[MessageStatus, DeliveryError | None]]:
    """What a healthy channel reports for a send."""
    del dispatch
    return [(MessageStatus.ACCEPTED, None), (MessageStatus.DELIVERED, None), (MessageStatus.READ, None)]


class AdapterStandIn:
    """Plays a channel adapter on the bus: takes the tenant's dispatch commands, answers with statuses.

    It is the adapters' contract (campaign.dispatch in, message.status out), not campaigns code: the
    campaigns service under test is the real one, with the real broker and database.
    """

    def __init__(self, tenant: uuid.UUID, reply: Reply = delivered_and_read) -> None:
        self.tenant, self.reply = tenant, reply
        self.received: list[CampaignDispatch] = []
        self.paused = False
        self._task: asyncio.Task[None] | None = None
        self._nc: Any = None

    async def __aenter__(self) -> AdapterStandIn:
        self._nc = await nats.connect(ensure_infra().nats_url)
        js = self._nc.jetstream()
        self._sub = await js.subscribe(f"campaign.dispatch.*.{self.tenant}", ordered_consumer=True)
        self._task = asyncio.create_task(self._run())
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        await self._nc.close()

    async def _run(self) -> None:
        js = self._nc.jetstream()
        while True:
            try:
                msg = await self._sub.next_msg(timeout=1.0)
            except nats.errors.TimeoutError:
                continue
            dispatch = CampaignDispatch.model_validate(json.loads(msg.data)["data"])
            self.received.append(dispatch)
            for status, error in self.reply(dispatch):
                change = MessageStatusChanged(
                    channel=dispatch.channel,
                    dispatch_id=dispatch.dispatch_id,
                    external_id=f"ext-{dispatch.dispatch_id}",
                    status=status,
                    occurred_at=datetime.now(UTC),
                    error=error,
                    recipient=dispatch.to,
                    attempt=dispatch.attempt,
                )
                env = envelope(change, self.tenant)
                await js.publish(subject_for(env), env.model_dump_json().encode(), headers={"Nats-Msg-Id": str(env.id)})


async def domain_events(
    tenant: uuid.UUID, until: Callable[[list[dict[str, Any]]], bool], within: float = 15
) -> list[Any]:
    """The tenant's campaign.* events stored so far (from the stream's start) until ``until(seen)`` holds."""
    nc = await nats.connect(ensure_infra().nats_url)
    seen: list[dict[str, Any]] = []
    try:
        sub = await nc.jetstream().subscribe(f"campaign.*.{tenant}", ordered_consumer=True)
        deadline = asyncio.get_running_loop().time() + within
        while not until(seen):
            remaining = deadline - asyncio.get_running_loop().time()
            if remaining <= 0:
                raise TimeoutError(f"campaign events: condition not met; saw {[e['type'] for e in seen]}")
            with contextlib.suppress(nats.errors.TimeoutError):
                msg = await sub.next_msg(timeout=min(remaining, 1.0))
                seen.append(json.loads(msg.data))
    finally:
        await nc.close()
    return seen

"""What the crm integration tests share: publishing lane messages, reading what crm published, calling its API."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import httpx
import nats

from masteria.contracts.channels import Channel
from masteria.contracts.content import TextContent
from masteria.contracts.envelope import Envelope, Payload
from masteria.contracts.messages import ConsentAction, ConsentKeyword, InboundMessage, Sender
from masteria.contracts.subjects import subject_for
from masteria.devstack.harness import RunningService, wait_for
from masteria.devstack.infra import ensure_infra
from masteria.security.internal_token import InternalTokenIssuer

from .conftest import bearer


def inbound(
    tenant: uuid.UUID,
    account: uuid.UUID,
    external_id: str,
    text: str,
    *,
    sender: str = "+5511999990001",
    name: str | None = "Maria",
    channel: Channel = Channel.WHATSAPP_META,
    at: datetime | None = None,
    consent: ConsentAction | None = None,
) -> Envelope[Any]:
    moment = at or datetime.now(UTC)
    message = InboundMessage(
        channel=channel,
        external_id=external_id,
        channel_account_id=account,
        business_address="+5511900000000",
        sender=Sender(address=sender, display_name=name),
        content=TextContent(body=text),
        sent_at=moment,
        received_at=moment,
        consent=ConsentKeyword(action=consent, keyword=text) if consent else None,
    )
    return Envelope.wrap(message, tenant=tenant, source="test")


def envelope(payload: Payload, tenant: uuid.UUID) -> Envelope[Any]:
    return Envelope.wrap(payload, tenant=tenant, source="test")


async def publish(*envelopes: Envelope[Any], fresh_ids: bool = False) -> None:
    nc = await nats.connect(ensure_infra().nats_url)
    try:
        js = nc.jetstream()
        for env in envelopes:
            msg_id = str(uuid.uuid4()) if fresh_ids else str(env.id)
            await js.publish(subject_for(env), env.model_dump_json().encode(), headers={"Nats-Msg-Id": msg_id})
    finally:
        await nc.close()


async def collect(
    subject: str, until: Callable[[list[dict[str, Any]]], bool], *, within: float = 10.0
) -> list[dict[str, Any]]:
    """Envelopes stored on ``subject`` (from the start of the stream) until ``until(seen)`` holds."""
    nc = await nats.connect(ensure_infra().nats_url)
    seen: list[dict[str, Any]] = []
    try:
        sub = await nc.jetstream().subscribe(subject, ordered_consumer=True)
        deadline = asyncio.get_running_loop().time() + within
        while not until(seen):
            remaining = deadline - asyncio.get_running_loop().time()
            if remaining <= 0:
                raise TimeoutError(f"{subject}: condition not met; saw {[e['type'] for e in seen]}")
            try:
                msg = await sub.next_msg(timeout=min(remaining, 1.0))
            except nats.errors.TimeoutError:
                continue
            seen.append(json.loads(msg.data))
    finally:
        await nc.close()
    return seen


class Api:
    """The crm API as one tenant's user calls it (through the gateway's internal token)."""

    def __init__(
        self,
        crm: RunningService,
        issuer: InternalTokenIssuer,
        tenant: uuid.UUID,
        user: uuid.UUID | None = None,
        role: str = "agent",
    ) -> None:
        self.crm, self.issuer, self.tenant, self.user, self.role = crm, issuer, tenant, user or uuid.uuid4(), role

    def headers(self) -> dict[str, str]:
        return bearer(self.issuer, self.tenant, self.role, user_id=self.user)

    def as_role(self, role: str) -> Api:
        """The same tenant and user with another role."""
        return Api(self.crm, self.issuer, self.tenant, self.user, role)

    async def call(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        return await self.crm.client.request(method, path, headers=self.headers(), **kwargs)

    async def ok(self, method: str, path: str, status: int = 200, **kwargs: Any) -> Any:
        response = await self.call(method, path, **kwargs)
        assert response.status_code == status, response.text
        return response.json() if response.content and "json" in response.headers.get("content-type", "") else None

    async def conversation_of(self, phone: str) -> dict[str, Any]:
        async def found() -> Any:
            page = await self.ok("GET", "/api/v1/conversations", params={"limit": 200})
            return next((c for c in page["items"] if c["contact"]["phone"] == phone), None)

        conversation: dict[str, Any] = await wait_for(found)
        return conversation

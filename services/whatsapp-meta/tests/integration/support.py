"""Driving the adapter from outside as the platform does: the sandbox's Meta, send commands on NATS, statuses."""

from __future__ import annotations

import asyncio
import random
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import nats
from nats.js.api import ConsumerConfig, DeliverPolicy

from masteria.contracts.channels import Channel
from masteria.contracts.content import AnyContent, TemplateComponent, TemplateContent, TemplateParameter, TextContent
from masteria.contracts.envelope import Envelope
from masteria.contracts.ids import uuid7
from masteria.contracts.messages import (
    CampaignDispatch,
    InboundMessage,
    MessageOrigin,
    MessageStatus,
    MessageStatusChanged,
    SendMessage,
)
from masteria.contracts.registry import decode_envelope
from masteria.devstack.harness import RunningService, wait_for
from masteria.devstack.infra import ensure_infra
from masteria.messaging.headers import envelope_headers
from masteria.security.internal_token import Identity, InternalTokenIssuer

APP_SECRET = "app-secret-for-tests"
WABA = "102290129340398"


@dataclass
class Number:
    """A number at the sandbox's Meta and its registration in the adapter."""

    tenant: uuid.UUID
    phone_number_id: str
    access_token: str
    registration: dict[str, Any]

    @property
    def id(self) -> uuid.UUID:
        """Our registration id (channel_account_id in commands)."""
        return uuid.UUID(self.registration["id"])


class MetaSandbox:
    """The sandbox's control and ledger API, for one adapter's webhook URL."""

    def __init__(self, base_url: str, webhook_url: str) -> None:
        self.http = httpx.AsyncClient(base_url=base_url, timeout=30)
        self.webhook_url = webhook_url

    async def close(self) -> None:
        await self.http.aclose()

    async def number(
        self, meta: RunningService, issuer: InternalTokenIssuer, tenant: uuid.UUID | None = None, **profile: Any
    ) -> Number:
        """A new number at Meta, connected to the adapter by a new (or the given) tenant."""
        tenant = tenant or uuid.uuid4()
        pnid = str(random.randint(10**14, 10**15))
        token = f"EAAG-{uuid.uuid4().hex}"
        response = await self.http.post(
            "/_sandbox/meta/numbers",
            json={
                "phone_number_id": pnid,
                "display_phone_number": "+55 11 90000-0000",
                "waba_id": WABA,
                "access_token": token,
                "app_secret": APP_SECRET,
                "webhook_url": self.webhook_url,
                **profile,
            },
        )
        assert response.status_code == 201, response.text
        registered = await meta.client.post(
            "/api/v1/whatsapp/phone-numbers",
            json={
                "phone_number_id": pnid,
                "waba_id": WABA,
                "access_token": token,
                "app_secret": APP_SECRET,
                "display_phone_number": profile.get("display_phone_number", "+55 11 90000-0000"),
            },
            headers=bearer(issuer, tenant),
        )
        assert registered.status_code == 201, registered.text
        return Number(tenant, pnid, token, registered.json())

    async def behaviour(self, number: Number, **behaviour: Any) -> None:
        response = await self.http.put(f"/_sandbox/meta/numbers/{number.phone_number_id}/behaviour", json=behaviour)
        assert response.status_code == 200, response.text

    async def customer_writes(self, number: Number, customer: str, text: str = "oi", **extra: Any) -> dict[str, Any]:
        response = await self.http.post(
            f"/_sandbox/meta/numbers/{number.phone_number_id}/customers/write",
            json={"from": customer, "name": "Maria", "text": text, **extra},
        )
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    async def raw_webhook(self, number: Number, payload: dict[str, Any]) -> None:
        response = await self.http.post(
            f"/_sandbox/meta/numbers/{number.phone_number_id}/webhooks/raw", json={"payload": payload}
        )
        assert response.status_code == 200, response.text

    async def ledger(self, number: Number) -> list[dict[str, Any]]:
        response = await self.http.get("/_sandbox/meta/ledger", params={"phone_number_id": number.phone_number_id})
        entries: list[dict[str, Any]] = response.json()
        return entries

    async def stats(self, number: Number) -> dict[str, Any]:
        response = await self.http.get(
            "/_sandbox/meta/ledger/stats", params={"phone_number_id": number.phone_number_id}
        )
        stats: dict[str, Any] = response.json()
        return stats

    async def host_media(self, number: Number, data: bytes, mime_type: str, filename: str) -> str:
        response = await self.http.post(
            "/_sandbox/meta/media",
            data={"phone_number_id": number.phone_number_id, "mime_type": mime_type},
            files={"file": (filename, data, mime_type)},
        )
        assert response.status_code == 201, response.text
        return str(response.json()["id"])


def bearer(issuer: InternalTokenIssuer, tenant_id: uuid.UUID, role: str = "owner") -> dict[str, str]:
    token = issuer.issue(Identity(tenant_id, uuid.uuid4(), (role,)), audience="whatsapp-meta")
    return {"Authorization": f"Bearer {token}"}


def template(name: str = "boas_vindas", *values: str, language: str = "pt_BR") -> TemplateContent:
    """A template with one body parameter per value."""
    parameters = [TemplateParameter(type="text", text=v) for v in values]
    return TemplateContent(
        name=name,
        language=language,
        components=[TemplateComponent(type="body", parameters=parameters)] if values else [],
    )


def reply(number: Number, to: str, content: AnyContent | str, message_id: uuid.UUID | None = None) -> Envelope[Any]:
    """An interactive send command (agent reply)."""
    body = TextContent(body=content) if isinstance(content, str) else content
    payload = SendMessage(
        channel=Channel.WHATSAPP_META,
        message_id=message_id or uuid7(),
        channel_account_id=number.id,
        to=to,
        content=body,
        origin=MessageOrigin.AGENT,
    )
    return Envelope.wrap(payload, tenant=number.tenant, source="tests")


def dispatch(number: Number, to: str, content: AnyContent, **extra: Any) -> Envelope[Any]:
    """A bulk send command (campaign)."""
    payload = CampaignDispatch(
        channel=Channel.WHATSAPP_META,
        dispatch_id=uuid7(),
        campaign_id=uuid7(),
        recipient_id=uuid7(),
        channel_account_id=number.id,
        to=to,
        content=content,
        **extra,
    )
    return Envelope.wrap(payload, tenant=number.tenant, source="tests")


async def publish(*envelopes: Envelope[Any], fresh_msg_id: bool = False) -> None:
    """Publish commands as an outbox relay does (``fresh_msg_id``: a second copy JetStream will not drop)."""
    nc = await nats.connect(ensure_infra().nats_url)
    try:
        js = nc.jetstream()
        for envelope in envelopes:
            headers = envelope_headers(envelope)
            if fresh_msg_id:
                headers["Nats-Msg-Id"] = str(uuid.uuid4())
            await js.publish(
                envelope.data.subject(envelope.tenant), envelope.model_dump_json().encode(), headers=headers
            )
    finally:
        await nc.close()


@dataclass
class Feed:
    """Everything the adapter published on one of a tenant's lanes, collected in the background."""

    subject: str
    events: list[Any] = field(default_factory=list)

    async def __aenter__(self) -> Feed:
        self._nc = await nats.connect(ensure_infra().nats_url)
        js = self._nc.jetstream()
        self._sub = await js.subscribe(
            self.subject,
            config=ConsumerConfig(deliver_policy=DeliverPolicy.ALL),
            ordered_consumer=True,
            cb=self._on_message,
        )
        return self

    async def __aexit__(self, *_: object) -> None:
        await self._sub.unsubscribe()
        await self._nc.close()

    async def _on_message(self, msg: Any) -> None:
        self.events.append(decode_envelope(msg.data).data)

    async def until(self, predicate: Callable[[list[Any]], Any], within: float = 10.0) -> Any:
        """Wait until ``predicate(events)`` is truthy; returns its value."""
        return await wait_for(lambda: predicate(self.events), within=within)

    def of(self, send_id: uuid.UUID) -> list[MessageStatusChanged]:
        """The statuses of one send, in the order they were published."""
        return [
            e for e in self.events if isinstance(e, MessageStatusChanged) and send_id in (e.message_id, e.dispatch_id)
        ]

    def statuses(self, send_id: uuid.UUID) -> list[MessageStatus]:
        """Just the status values of one send."""
        return [e.status for e in self.of(send_id)]

    def inbound(self) -> list[InboundMessage]:
        """Inbound messages (on an inbound feed)."""
        return [e for e in self.events if isinstance(e, InboundMessage)]


def statuses_of(tenant: uuid.UUID) -> Feed:
    """The tenant's WhatsApp status events."""
    return Feed(f"message.status.whatsapp_meta.{tenant}")


def inbound_of(tenant: uuid.UUID) -> Feed:
    """The tenant's WhatsApp inbound messages."""
    return Feed(f"message.inbound.whatsapp_meta.{tenant}")


def customer() -> str:
    """A random Brazilian mobile wa_id."""
    return f"55119{random.randint(10**7, 10**8 - 1)}"


async def eventually(check: Callable[[], Any], within: float = 10.0) -> Any:
    """``wait_for`` with a default suited to the sandbox's status delays."""
    return await wait_for(check, within=within)


def now() -> int:
    """Unix seconds."""
    return int(time.time())


async def sleep_briefly() -> None:
    """Let other tasks run (never used to wait for a condition)."""
    await asyncio.sleep(0)

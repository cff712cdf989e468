"""A running sms service against a fresh database, real NATS and Redis, and the Twilio sandbox.

Both apps run in this process: the service calls the sandbox's REST API through an ASGI
transport, and the sandbox posts its signed webhooks (inbound, status callbacks) to the
service the same way, to the public URL Twilio would use; the service sees another host.
"""

from __future__ import annotations

import secrets as pysecrets
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import nats
import pytest
from fastapi import FastAPI
from nats.js.api import ConsumerConfig, DeliverPolicy

from masteria.contracts.channels import Channel
from masteria.contracts.content import AnyContent, TextContent
from masteria.contracts.envelope import Envelope, Payload
from masteria.contracts.messages import CampaignDispatch, MessageOrigin, SendMessage
from masteria.contracts.registry import decode_envelope
from masteria.contracts.subjects import subject_for
from masteria.devstack.harness import RunningService, ScratchDatabase, fresh_database, running_service, settings_env
from masteria.devstack.infra import ensure_infra
from masteria.devstack.secrets_file import DevSecrets
from masteria.media import MediaSettings
from masteria.messaging.headers import envelope_headers
from masteria.sandbox.app import create_app
from masteria.sandbox.settings import SandboxSettings
from masteria.security.internal_token import Identity, InternalTokenIssuer
from masteria.sms.main import build_service
from masteria.sms.settings import SmsSettings

pytestmark = pytest.mark.integration
PUBLIC = "https://masteria.test"  # where "Twilio" posts: the gateway's public URL
SANDBOX = "http://sandbox.test"


class Deferred(httpx.AsyncBaseTransport):
    """A transport whose target is set later: the two apps each need the other's."""

    target: httpx.AsyncBaseTransport | None = None

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        assert self.target is not None
        return await self.target.handle_async_request(request)


@dataclass
class Stack:
    """The service, the sandbox and clients for both."""

    sms: RunningService
    sandbox: httpx.AsyncClient
    issuer: InternalTokenIssuer
    database: ScratchDatabase
    sandbox_app: FastAPI
    settings: SmsSettings
    media: MediaSettings

    def replica(self) -> Any:
        """Another process of the service (same database, NATS, Redis and sandbox), to start and stop."""
        return running_service(
            "sms",
            lambda: build_service(
                self.settings, twilio_transport=httpx.ASGITransport(app=self.sandbox_app), media=self.media
            ),
        )


@pytest.fixture(scope="session")
def secrets() -> DevSecrets:
    return DevSecrets.generate()


@pytest.fixture(scope="session")
async def database() -> AsyncIterator[ScratchDatabase]:
    async with fresh_database("sms_it") as db:
        yield db


@pytest.fixture(scope="session")
def media_settings(tmp_path_factory: pytest.TempPathFactory) -> MediaSettings:
    """Where inbound MMS files go: a store of this test session's own."""
    return MediaSettings(store_url=Path(tmp_path_factory.mktemp("media")).as_uri())


@pytest.fixture(scope="session")
async def stack(database: ScratchDatabase, secrets: DevSecrets, media_settings: MediaSettings) -> AsyncIterator[Stack]:
    to_service = Deferred()
    sandbox_app = create_app(SandboxSettings(public_url=SANDBOX, retry_initial_s=0.01), webhook_transport=to_service)
    settings = SmsSettings(
        **settings_env(database, secrets),
        MASTERIA_PUBLIC_URL=PUBLIC,
        twilio_api_url=f"{SANDBOX}/twilio",
        retry_base_s=0.05,
        retry_max_s=0.4,
        rate_headroom=0.05,
        media_backoff_base_s=0.05,
        media_backoff_cap_s=0.2,
        media_max_attempts=4,
        media_poll_s=0.1,
    )
    async with (
        sandbox_app.router.lifespan_context(sandbox_app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=sandbox_app), base_url=SANDBOX) as sandbox,
        running_service(
            "sms",
            lambda: build_service(
                settings, twilio_transport=httpx.ASGITransport(app=sandbox_app), media=media_settings
            ),
        ) as sms,
    ):
        to_service.target = httpx.ASGITransport(app=sms.service.http)
        issuer = InternalTokenIssuer(secrets.internal_token_private_key)
        yield Stack(sms, sandbox, issuer, database, sandbox_app, settings, media_settings)


def bearer(issuer: InternalTokenIssuer, tenant_id: uuid.UUID, role: str = "owner") -> dict[str, str]:
    token = issuer.issue(Identity(tenant_id, uuid.uuid4(), (role,)), audience="sms")
    return {"Authorization": f"Bearer {token}"}


def random_number() -> str:
    return f"+1555{pysecrets.randbelow(10**7):07d}"


def customer_number() -> str:
    return f"+55119{pysecrets.randbelow(10**8):08d}"


@dataclass
class Sender:
    """A number bought at the sandbox and connected to the service."""

    tenant: uuid.UUID
    account_sid: str
    auth_token: str
    phone_number: str
    id: str
    body: dict[str, Any]


async def sandbox_account(stack: Stack) -> tuple[str, str]:
    sid, token = "AC" + pysecrets.token_hex(16), pysecrets.token_hex(16)
    response = await stack.sandbox.post("/_sandbox/twilio/accounts", json={"account_sid": sid, "auth_token": token})
    assert response.status_code == 201, response.text
    return sid, token


async def sandbox_number(
    stack: Stack, account_sid: str, *, kind: str = "long_code", phone: str | None = None, **behaviour: Any
) -> str:
    phone = phone or random_number()
    response = await stack.sandbox.post(
        "/_sandbox/twilio/numbers",
        json={
            "account_sid": account_sid,
            "phone_number": phone,
            "kind": kind,
            "sms_url": f"{PUBLIC}/webhooks/sms/twilio/inbound",
        },
    )
    assert response.status_code == 201, response.text
    if behaviour:
        changed = await stack.sandbox.put(f"/_sandbox/twilio/numbers/{phone}/behaviour", json=behaviour)
        assert changed.status_code == 200, changed.text
    return phone


async def connect_sender(
    stack: Stack, tenant: uuid.UUID | None = None, *, mps: int | None = None, **behaviour: Any
) -> Sender:
    """A fresh account and number at the sandbox, registered through the API."""
    tenant = tenant or uuid.uuid4()
    sid, token = await sandbox_account(stack)
    phone = await sandbox_number(stack, sid, **behaviour)
    body: dict[str, Any] = {"account_sid": sid, "auth_token": token, "phone_number": phone, "kind": "long_code"}
    if mps is not None:
        body["messages_per_second"] = mps
    response = await stack.sms.client.post("/api/v1/sms/senders", json=body, headers=bearer(stack.issuer, tenant))
    assert response.status_code == 201, response.text
    out = response.json()
    return Sender(tenant, sid, token, phone, out["id"], out)


async def customer_writes(stack: Stack, sender: Sender, customer: str, body: str, **extra: Any) -> dict[str, Any]:
    response = await stack.sandbox.post(
        "/_sandbox/twilio/customers/write", json={"from": customer, "to": sender.phone_number, "body": body, **extra}
    )
    assert response.status_code == 200, response.text
    answer: dict[str, Any] = response.json()
    return answer


# --- NATS ---------------------------------------------------------------------------------------


async def publish(*payloads: Payload, tenant: uuid.UUID) -> list[Envelope[Any]]:
    """Publish commands as a producer's outbox relay would (Nats-Msg-Id = envelope id)."""
    envelopes = [Envelope.wrap(p, tenant=tenant, source="tests") for p in payloads]
    nc = await nats.connect(ensure_infra().nats_url)
    try:
        js = nc.jetstream()
        for envelope in envelopes:
            await js.publish(
                subject_for(envelope), envelope.model_dump_json().encode(), headers=envelope_headers(envelope)
            )
    finally:
        await nc.close()
    return envelopes


def send_message(sender: Sender, to: str, content: AnyContent | str = "oi", **extra: Any) -> SendMessage:
    content = TextContent(body=content) if isinstance(content, str) else content
    return SendMessage(
        channel=Channel.SMS,
        message_id=extra.pop("message_id", uuid.uuid4()),
        channel_account_id=uuid.UUID(sender.id),
        to=to,
        content=content,
        origin=MessageOrigin.AGENT,
        **extra,
    )


def dispatch(sender: Sender, to: str, body: str = "promo", **extra: Any) -> CampaignDispatch:
    return CampaignDispatch(
        channel=Channel.SMS,
        dispatch_id=uuid.uuid4(),
        campaign_id=uuid.uuid4(),
        recipient_id=uuid.uuid4(),
        channel_account_id=uuid.UUID(sender.id),
        to=to,
        content=TextContent(body=body),
        **extra,
    )


async def events(subject: str, *, until: Any = None, within: float = 10.0) -> list[Envelope[Any]]:
    """Everything JetStream holds on ``subject``, read until ``until(list)`` holds or ``within`` passes."""
    nc = await nats.connect(ensure_infra().nats_url)
    try:
        sub = await nc.jetstream().subscribe(
            subject, config=ConsumerConfig(deliver_policy=DeliverPolicy.ALL), ordered_consumer=True
        )
        got: list[Envelope[Any]] = []
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            if until is not None and until(got):
                break
            try:
                msg = await sub.next_msg(timeout=max(0.05, min(0.3, deadline - time.monotonic())))
            except TimeoutError:
                continue
            got.append(decode_envelope(msg.data))
        return got
    finally:
        await nc.close()


async def statuses_of(tenant: uuid.UUID, command_id: uuid.UUID, *, until: Any, within: float = 10.0) -> list[Any]:
    """The status events of one command, in publication order."""
    found: list[Any] = []

    def mine(got: list[Envelope[Any]]) -> bool:
        found[:] = [e.data for e in got if command_id in (e.data.message_id, e.data.dispatch_id)]
        return bool(until(found))

    await events(f"message.status.sms.{tenant}", until=mine, within=within)
    return found


async def final_statuses(tenant: uuid.UUID, command_ids: list[uuid.UUID], *, within: float) -> dict[uuid.UUID, str]:
    """The last status of each command, read until every one is delivered or failed (or time is up)."""
    last: dict[uuid.UUID, str] = {}

    def settled(got: list[Envelope[Any]]) -> bool:
        for envelope in got[len(seen) :]:
            seen.append(envelope)
            key = envelope.data.message_id or envelope.data.dispatch_id
            last[key] = envelope.data.status.value
        return all(last.get(c) in ("delivered", "failed") for c in command_ids)

    seen: list[Envelope[Any]] = []
    await events(f"message.status.sms.{tenant}", until=settled, within=within)
    return {c: last.get(c, "none") for c in command_ids}


def status_list(found: list[Any]) -> list[str]:
    return [s.status.value for s in found]


async def ledger(stack: Stack, sender: Sender, to: str | None = None) -> list[dict[str, Any]]:
    params = {"from": sender.phone_number, **({"to": to} if to else {})}
    response = await stack.sandbox.get("/_sandbox/twilio/ledger", params=params)
    entries: list[dict[str, Any]] = response.json()
    return entries


async def lanes_idle() -> bool:
    """Both send lanes have delivered everything and hold nothing unacknowledged."""
    nc = await nats.connect(ensure_infra().nats_url)
    try:
        js = nc.jetstream()
        for stream, durable in (("MESSAGES_OUTBOUND", "sms-outbound"), ("CAMPAIGN_DISPATCH", "sms-dispatch")):
            info = await js.consumer_info(stream, durable)
            if info.num_pending or info.num_ack_pending or info.num_redelivered:
                return False
        return True
    finally:
        await nc.close()

"""``GET /api/v1/events`` over real HTTP against real JetStream: isolation, resume, heartbeats, access lapses."""

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime

import asyncpg
import httpx
import pytest
from nats.js import JetStreamContext

from masteria.contracts.channels import Channel
from masteria.contracts.conversations import Direction, MessageStored
from masteria.contracts.envelope import Envelope
from masteria.contracts.ids import uuid7
from masteria.contracts.registry import encode_envelope
from masteria.contracts.streams import DOMAIN_EVENTS
from masteria.contracts.subjects import subject_for
from masteria.gateway.identity.tokens import digest
from masteria.gateway.testing import Database, csrf, plain_dsn, sign_up, wait_for
from masteria.gateway.testing_events import EventStreamReader, ServerSentEvent
from masteria.messaging.headers import envelope_headers

pytestmark = pytest.mark.integration
Browser = Callable[[], Awaitable[httpx.AsyncClient]]


@pytest.fixture
async def browser(gateway_url: str) -> AsyncIterator[Browser]:
    """Clients on the real socket, each with its own cookie jar, like separate browsers."""
    clients: list[httpx.AsyncClient] = []

    async def make() -> httpx.AsyncClient:
        clients.append(httpx.AsyncClient(base_url=gateway_url))
        return clients[-1]

    yield make
    for client in clients:
        await client.aclose()


def message_stored(tenant: uuid.UUID, preview: str) -> Envelope[MessageStored]:
    """What crm publishes when it records a message."""
    payload = MessageStored(
        conversation_id=uuid7(),
        message_id=uuid7(),
        contact_id=uuid7(),
        direction=Direction.INBOUND,
        channel=Channel.WHATSAPP_META,
        content_kind="text",
        preview=preview,
        occurred_at=datetime.now(UTC),
    )
    return Envelope.wrap(payload, tenant=tenant, source="crm")


async def publish(js: JetStreamContext, tenant: uuid.UUID, preview: str) -> ServerSentEvent:
    """Publish as a producer's outbox relay does; returns the frame a follower of ``tenant`` must get."""
    envelope = message_stored(tenant, preview)
    data = encode_envelope(envelope)
    ack = await js.publish(subject_for(envelope), data, headers=envelope_headers(envelope))
    return ServerSentEvent(str(ack.seq), "message.stored", data.decode())


async def consumers_of(js: JetStreamContext, tenant: uuid.UUID) -> int:
    """Live consumers that feed ``tenant``'s streams (the server filters on the tenant's token)."""
    infos = await js.consumers_info(DOMAIN_EVENTS.name)
    return sum(1 for info in infos if info.config.filter_subject == f"*.*.{tenant}")


async def signed_up(browser: Browser, tenant: str = "Acme") -> tuple[httpx.AsyncClient, uuid.UUID]:
    client = await browser()
    me = await sign_up(client, tenant=tenant)
    return client, uuid.UUID(me["tenant"]["id"])


async def test_each_tenant_receives_its_own_events_only(browser: Browser, jetstream: JetStreamContext) -> None:
    alice, tenant_a = await signed_up(browser, "Alice Co")
    bob, tenant_b = await signed_up(browser, "Bob Co")
    async with EventStreamReader(alice) as a_stream, EventStreamReader(bob) as b_stream:
        assert a_stream.response is not None
        assert a_stream.response.status_code == 200
        assert a_stream.response.headers["content-type"] == "text/event-stream"
        assert a_stream.response.headers["cache-control"] == "no-cache"
        assert a_stream.response.headers["x-accel-buffering"] == "no"
        await wait_for(lambda: a_stream.retry_ms == 2000 and b_stream.retry_ms == 2000, "the retry hints")

        # Bob's first: were it to leak, it would reach Alice before her own (the stream is ordered).
        for_bob = await publish(jetstream, tenant_b, "for bob")
        for_alice = await publish(jetstream, tenant_a, "for alice")
        await wait_for(lambda: bool(a_stream.events and b_stream.events), "each tenant's event")
        assert a_stream.events == [for_alice]
        assert b_stream.events == [for_bob]
    envelope = Envelope[MessageStored].model_validate_json(for_alice.data)
    assert (envelope.tenant, envelope.data.preview) == (tenant_a, "for alice")


async def test_reconnecting_resumes_exactly_after_the_last_event(browser: Browser, jetstream: JetStreamContext) -> None:
    alice, tenant = await signed_up(browser)
    async with EventStreamReader(alice) as first:
        await wait_for(lambda: first.retry_ms is not None, "the stream to open")
        one, two = await publish(jetstream, tenant, "one"), await publish(jetstream, tenant, "two")
        await wait_for(lambda: len(first.events) == 2, "two events")
        assert first.events == [one, two]
    three = await publish(jetstream, tenant, "three")  # while nobody listens

    # As EventSource does after a drop that happened between "one" and "two".
    async with EventStreamReader(alice, headers={"Last-Event-ID": str(one.id)}) as resumed:
        await wait_for(lambda: len(resumed.events) == 2, "the missed events")
        four = await publish(jetstream, tenant, "four")
        await wait_for(lambda: len(resumed.events) == 3, "the live event after the replay")
        assert resumed.events == [two, three, four]  # none lost, none repeated, in order

    # The header wins over a query parameter left in the URL since the page opened the stream.
    url = f"/api/v1/events?last_event_id={one.id}"
    async with EventStreamReader(alice, url, headers={"Last-Event-ID": str(three.id)}) as again:
        await wait_for(lambda: bool(again.events), "the replay")
        assert again.events[0] == four
    async with EventStreamReader(alice, f"/api/v1/events?last_event_id={two.id}") as by_query:
        await wait_for(lambda: len(by_query.events) == 2, "the replay by query parameter")
        assert by_query.events == [three, four]


async def test_without_a_last_id_only_new_events_arrive(browser: Browser, jetstream: JetStreamContext) -> None:
    alice, tenant = await signed_up(browser)
    await publish(jetstream, tenant, "before")
    async with EventStreamReader(alice) as stream:
        await wait_for(lambda: stream.retry_ms is not None, "the stream to open")
        after = await publish(jetstream, tenant, "after")
        await wait_for(lambda: bool(stream.events), "the new event")
        assert stream.events == [after]


async def test_heartbeats_and_cleanup_on_hang_up(browser: Browser, jetstream: JetStreamContext) -> None:
    alice, tenant = await signed_up(browser)
    async with EventStreamReader(alice) as stream:
        await wait_for(lambda: "ping" in stream.comments, "a heartbeat (0.3 s in these tests)")
        assert await consumers_of(jetstream, tenant) == 1

    async def released() -> bool:
        return await consumers_of(jetstream, tenant) == 0

    await wait_for(released, "the consumer to be deleted after the client hung up", timeout=5)


async def test_an_expired_session_ends_the_stream_and_every_route_answers_401(
    browser: Browser, database: Database
) -> None:
    alice, _ = await signed_up(browser)
    async with EventStreamReader(alice) as stream:
        await wait_for(lambda: stream.retry_ms is not None, "the stream to open")
        connection = await asyncpg.connect(plain_dsn(database.admin_url))
        try:
            await connection.execute(
                "UPDATE gateway.sessions SET expires_at = now() - interval '1 second' WHERE token_hash = $1",
                digest(alice.cookies["masteria_session"]),
            )
        finally:
            await connection.close()
        await wait_for(lambda: stream.ended, "the stream to end once the session expired")

    # The stale cookie is still sent: the dashboard must get a 401 problem, on its own routes and proxied ones.
    for path in ("/api/v1/events", "/auth/me", "/api/v1/members", "/api/v1/contacts", "/api/v1/campaigns/1"):
        response = await alice.get(path)
        assert response.status_code == 401, path
        assert response.headers["content-type"] == "application/problem+json", path
        assert response.headers["www-authenticate"].startswith("Bearer"), path
    posted = await alice.post("/api/v1/contacts", json={}, headers=csrf(alice))
    assert posted.status_code == 401  # not a CSRF 403: the session is simply gone


async def test_switching_tenant_moves_the_stream(browser: Browser, jetstream: JetStreamContext) -> None:
    alice, first_tenant = await signed_up(browser, "First")
    second = (await alice.post("/api/v1/tenants", json={"name": "Second"}, headers=csrf(alice))).json()
    second_tenant = uuid.UUID(second["id"])
    me = (await alice.get("/auth/me")).json()  # what the dashboard's tenant switcher lists
    assert {(m["tenant"]["id"], m["tenant"]["name"], m["role"]) for m in me["memberships"]} == {
        (str(first_tenant), "First", "owner"),
        (second["id"], "Second", "owner"),
    }
    async with EventStreamReader(alice) as stream:
        await wait_for(lambda: stream.retry_ms is not None, "the stream to open")
        switched = await alice.post("/auth/switch-tenant", json={"tenant_id": second["id"]}, headers=csrf(alice))
        assert switched.status_code == 200
        await wait_for(lambda: stream.ended, "the first tenant's stream to end")
    async with EventStreamReader(alice) as stream:
        await wait_for(lambda: stream.retry_ms is not None, "the stream to reopen")
        await publish(jetstream, first_tenant, "old tenant")
        current = await publish(jetstream, second_tenant, "current tenant")
        await wait_for(lambda: bool(stream.events), "the current tenant's event")
        assert stream.events == [current]


async def test_api_key_with_a_read_scope(browser: Browser, jetstream: JetStreamContext) -> None:
    owner, tenant = await signed_up(browser)
    body = {"name": "events", "scopes": ["events:read"], "role": "viewer"}
    key = (await owner.post("/api/v1/api-keys", json=body, headers=csrf(owner))).json()["key"]
    partner = await browser()
    async with EventStreamReader(partner, headers={"Authorization": f"Bearer {key}"}) as stream:
        await wait_for(lambda: stream.retry_ms is not None, "the stream to open")
        event = await publish(jetstream, tenant, "for the partner")
        await wait_for(lambda: bool(stream.events), "the event")
        assert stream.events == [event]


async def test_anonymous_callers_get_401(browser: Browser) -> None:
    anonymous = await browser()
    async with EventStreamReader(anonymous) as stream:
        assert stream.response is not None
        assert stream.response.status_code == 401
        await stream.response.aread()
        assert stream.response.headers["content-type"] == "application/problem+json"
        assert stream.response.json()["status"] == 401
    invalid_key = await anonymous.get("/api/v1/events", headers={"Authorization": "Bearer mia_nope_nope"})
    assert invalid_key.status_code == 401
    bad_id = await (await signed_up(browser))[0].get("/api/v1/events", headers={"Last-Event-ID": "abc"})
    assert bad_id.status_code == 422


async def test_the_route_is_documented(browser: Browser) -> None:
    client = await browser()
    document = (await client.get("/api/v1/openapi.json")).json()
    operation = document["paths"]["/api/v1/events"]["get"]
    assert "text/event-stream" in operation["responses"]["200"]["content"]
    assert "Last-Event-ID" in operation["description"]
    assert {p["name"] for p in operation["parameters"]} == {"last_event_id", "Last-Event-ID"}

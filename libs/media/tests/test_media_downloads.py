"""The inbound download worker against a real PostgreSQL table: files land in the store and their
messages in the outbox, transient failures are retried, permanent ones given up, replicas never
fetch the same file, and a dead worker's claim comes back after its lease.

The provider is an httpx MockTransport serving files behind HTTP Basic, as Twilio's media URLs are.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import Column, DateTime, Integer, LargeBinary, MetaData, Table, Text, Uuid, func, select, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from masteria.contracts.channels import Channel
from masteria.contracts.content import MediaContent, TextContent
from masteria.contracts.envelope import Envelope
from masteria.contracts.messages import InboundMessage, Sender
from masteria.contracts.registry import decode_envelope
from masteria.devstack import postgres
from masteria.devstack.harness import wait_for
from masteria.devstack.infra import ensure_infra
from masteria.media import LocalMediaStore, tenant_of
from masteria.media.downloads import DownloadWorker, FetchedMedia, PendingDownloads, pending_row
from masteria.messaging.outbox import Outbox
from masteria.messaging.tables import messaging_schema_sql, outbox_table
from masteria.persistence.engine import create_engine, session_factory
from masteria.persistence.rls import create_schema_sql, tenant_rls_sql
from masteria.persistence.tenancy import system_session, tenant_session

pytestmark = pytest.mark.integration

SCHEMA = "downloads_test"
HOST = "media.provider.test"
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8
HEADERS = {"traceparent": "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"}


# --- the database: a fresh schema per test, laid out as a channel service's migrations lay it out ------


@pytest.fixture(scope="module")
async def database() -> AsyncIterator[postgres.DatabaseUrls]:
    await asyncio.to_thread(ensure_infra)
    name = f"media_downloads_{uuid.uuid4().hex[:8]}"
    urls = await postgres.create_database(name)
    try:
        yield urls
    finally:
        await postgres.drop_database(name)


@pytest.fixture(scope="module")
async def admin(database: postgres.DatabaseUrls) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(database.admin, pool_size=1)
    yield engine
    await engine.dispose()


@pytest.fixture(scope="module")
async def sessions(database: postgres.DatabaseUrls) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    """The services' role: no BYPASSRLS, so the tenant policies hold as in production."""
    engine = create_engine(database.app)
    yield session_factory(engine)
    await engine.dispose()


@dataclass
class Tables:
    downloads: Table
    outbox: Table


@pytest.fixture
async def tables(admin: AsyncEngine) -> Tables:
    """The pending downloads (``account`` and ``media_url`` locate a file here) and the outbox."""
    schema = f"downloads_{uuid.uuid4().hex[:8]}"
    metadata = MetaData(schema=schema)
    downloads = Table(
        "media_downloads",
        metadata,
        Column("id", Uuid, primary_key=True),
        Column("tenant_id", Uuid, nullable=False),
        Column("account", Text, nullable=False),
        Column("media_url", Text, nullable=False),
        Column("envelope", LargeBinary, nullable=False),
        Column("headers", JSONB, nullable=False),
        Column("attempts", Integer, nullable=False, server_default="0"),
        Column("next_attempt_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
        Column("last_error", Text),
        Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    )
    async with admin.begin() as connection:
        for statement in create_schema_sql(schema):
            await connection.execute(text(statement))
        await connection.run_sync(metadata.create_all)
        for statement in [
            *tenant_rls_sql(schema, "media_downloads", allow_system=True),
            *messaging_schema_sql(schema),
        ]:
            await connection.execute(text(statement))
    return Tables(downloads, outbox_table(MetaData(schema=schema)))


# --- the provider: files behind HTTP Basic, each with how it misbehaves -------------------------------


@dataclass
class File:
    data: bytes
    content_type: str | None = "image/png"
    fail_first: int = 0  # answer 503 this many times
    drop_first: int = 0  # break the connection this many times
    status: int = 200  # anything else: refused every time
    delay_s: float = 0.0


@dataclass
class Provider:
    """The remote side: counts every fetch of each path and checks each account's credentials."""

    accounts: dict[str, str] = field(default_factory=lambda: {"AC1": "secret"})
    files: dict[str, File] = field(default_factory=dict)
    fetches: dict[str, int] = field(default_factory=dict)

    def host(self, name: str, file: File) -> str:
        self.files[f"/{name}"] = file
        return f"https://{HOST}/{name}"

    async def __call__(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        self.fetches[path] = self.fetches.get(path, 0) + 1
        expected = {"Basic " + base64.b64encode(f"{a}:{t}".encode()).decode() for a, t in self.accounts.items()}
        if request.headers.get("authorization") not in expected:
            return httpx.Response(401)
        file = self.files.get(path)
        if file is None:
            return httpx.Response(404)
        await asyncio.sleep(file.delay_s)
        if self.fetches[path] <= file.drop_first:
            raise httpx.ReadError("connection reset", request=request)
        if self.fetches[path] <= file.fail_first:
            return httpx.Response(503)
        if file.status != 200:
            return httpx.Response(file.status)
        headers = {"content-type": file.content_type} if file.content_type else {}
        return httpx.Response(200, content=file.data, headers=headers)


class Refused(Exception):  # noqa: N818 - reads as the provider's answer
    def __init__(self, status: int) -> None:
        super().__init__(f"the provider answered {status}")
        self.status = status


@dataclass
class BasicAuthMedia:
    """A MediaSource as a channel writes one: the row's account says whose credentials fetch its URL."""

    http: httpx.AsyncClient
    tokens: dict[str, str]
    name = "test-media"
    locator = "media_url"
    fallback = "the provider's URL"
    failures: tuple[type[Exception], ...] = (Refused,)
    limits: list[int] = field(default_factory=list)

    async def fetch(self, row: Any, media: MediaContent, max_bytes: int) -> FetchedMedia:
        self.limits.append(max_bytes)
        token = self.tokens.get(row.account)
        if token is None:
            raise LookupError(f"account {row.account} is gone")
        response = await self.http.get(row.media_url, auth=(row.account, token))
        if response.status_code != 200:
            raise Refused(response.status_code)
        return FetchedMedia(response.content, media.mime_type or response.headers.get("content-type"))

    def permanent(self, error: Exception) -> bool:
        return isinstance(error, Refused) and error.status != 429 and error.status < 500


@pytest.fixture
def provider() -> Provider:
    return Provider()


@pytest.fixture
async def source(provider: Provider) -> AsyncIterator[BasicAuthMedia]:
    async with httpx.AsyncClient(transport=httpx.MockTransport(provider)) as http:
        yield BasicAuthMedia(http, dict(provider.accounts))


# --- the rig: what a webhook stages, the workers, and what the relay would publish --------------------

Published = tuple[Envelope[Any], dict[str, str]]


def inbound(tenant: uuid.UUID, content: Any) -> Envelope[Any]:
    message = InboundMessage(
        channel=Channel.SMS,
        external_id=f"MM{uuid.uuid4().hex}",
        channel_account_id=uuid.uuid4(),
        business_address="+5511900000000",
        sender=Sender(address="+5511999990000"),
        content=content,
        sent_at=datetime.now(UTC),
        received_at=datetime.now(UTC),
    )
    return Envelope.wrap(message, tenant=tenant, source="tests")


def photo(url: str, mime_type: str | None = "image/png") -> MediaContent:
    return MediaContent(kind="image", url=url, mime_type=mime_type, caption="olha", filename="foto.png")


@dataclass
class Rig:
    sessions: async_sessionmaker[AsyncSession]
    tables: Tables
    provider: Provider
    source: BasicAuthMedia
    media_root: Path
    tenant: uuid.UUID = field(default_factory=uuid.uuid4)
    started: list[DownloadWorker] = field(default_factory=list)

    @property
    def pending(self) -> PendingDownloads:
        return PendingDownloads(self.tables.downloads)

    def worker(self, max_bytes: int = 10_000_000, **overrides: Any) -> DownloadWorker:
        """A started worker on this test's tables; keyword arguments override the defaults."""
        options: dict[str, Any] = {
            "concurrency": 4,
            "max_attempts": 4,
            "retry_delay": lambda attempt: 0.02 * attempt,
            "poll_s": 0.05,
            **overrides,
        }
        store = LocalMediaStore(self.media_root, max_bytes=max_bytes)
        worker = DownloadWorker(self.sessions, Outbox(self.tables.outbox), self.pending, store, self.source, **options)
        worker.start()
        self.started.append(worker)
        return worker

    async def stage(self, envelope: Envelope[Any], account: str = "AC1") -> Envelope[Any]:
        content = envelope.data.content
        url = content.url if isinstance(content, MediaContent) else "-"
        row = pending_row(envelope.tenant, envelope, HEADERS, account=account, media_url=url)
        async with tenant_session(self.sessions, envelope.tenant) as session:
            await self.pending.add(session, [row])
        return envelope

    async def published(self) -> dict[uuid.UUID, Published]:
        """The tenant's outbox: each message with the headers it goes out with."""
        outbox = self.tables.outbox
        async with tenant_session(self.sessions, self.tenant) as session:
            rows = (await session.execute(select(outbox.c.payload, outbox.c.headers))).all()
        out = {}
        for row in rows:
            envelope = decode_envelope(row.payload)
            out[envelope.id] = (envelope, row.headers)
        return out

    async def published_one(self, envelope: Envelope[Any]) -> Published:
        async def found() -> Published | None:
            return (await self.published()).get(envelope.id)

        got: Published = await wait_for(found)
        return got

    async def deliver(self, name: str, file: File, account: str = "AC1", **worker: Any) -> Published:
        """A customer's file from the provider through a fresh worker to the outbox."""
        envelope = await self.stage(inbound(self.tenant, photo(self.provider.host(name, file))), account)
        self.worker(**worker).wake()
        return await self.published_one(envelope)

    async def waiting(self, tenant: uuid.UUID | None = None) -> int:
        async with tenant_session(self.sessions, tenant or self.tenant) as session:
            return await self.pending.pending_count(session)


@pytest.fixture
async def rig(
    sessions: async_sessionmaker[AsyncSession],
    tables: Tables,
    provider: Provider,
    source: BasicAuthMedia,
    tmp_path: Path,
) -> AsyncIterator[Rig]:
    made = Rig(sessions, tables, provider, source, tmp_path / "media")
    yield made
    for worker in made.started:
        await worker.stop()
        await worker.store.aclose()


# --- the worker ---------------------------------------------------------------------------------------


async def test_a_file_is_stored_and_its_message_published_by_reference(rig: Rig) -> None:
    sent, headers = await rig.deliver("photo", File(PNG))

    content = sent.data.content
    assert isinstance(content, MediaContent)
    assert content.storage_key is not None
    assert tenant_of(content.storage_key) == rig.tenant
    assert (content.sha256, content.size_bytes, content.mime_type) == (
        hashlib.sha256(PNG).hexdigest(),
        len(PNG),
        "image/png",
    )
    assert (content.caption, content.filename, content.url) == ("olha", "foto.png", f"https://{HOST}/photo")
    assert (await LocalMediaStore(rig.media_root).get(content.storage_key)).data == PNG
    assert headers == HEADERS, "the webhook's trace goes out with the message"
    assert await rig.waiting() == 0
    assert rig.provider.fetches == {"/photo": 1}


async def test_a_file_nobody_typed_is_stored_as_octet_stream(rig: Rig) -> None:
    untyped = photo(rig.provider.host("blob", File(b"some bytes", content_type=None)), mime_type=None)
    envelope = await rig.stage(inbound(rig.tenant, untyped))

    rig.worker().wake()
    sent, _ = await rig.published_one(envelope)

    assert sent.data.content.mime_type == "application/octet-stream"
    assert sent.data.content.storage_key is not None


@pytest.mark.parametrize(
    ("case", "file", "fetches", "stored"),
    [
        ("the provider fails twice", File(PNG, fail_first=2), 3, True),
        ("the connection breaks once (not a provider refusal)", File(PNG, drop_first=1), 2, True),
        ("the provider fails past the last attempt", File(PNG, fail_first=99), 3, False),
    ],
)
async def test_transient_failures_are_retried_up_to_the_last_attempt(
    rig: Rig, case: str, file: File, fetches: int, stored: bool
) -> None:
    sent, _ = await rig.deliver("flaky", file, max_attempts=3)

    content = sent.data.content
    assert (content.storage_key is not None) is stored, case
    assert content.url == f"https://{HOST}/flaky", "the provider's reference stays either way"
    assert rig.provider.fetches == {"/flaky": fetches}, case
    assert await rig.waiting() == 0


@pytest.mark.parametrize(
    ("case", "file", "account"),
    [
        ("refused for good", File(PNG, status=404), "AC1"),
        ("larger than the store takes", File(PNG), "AC1"),
        ("its account is gone", File(PNG), "AC-gone"),
    ],
)
async def test_a_file_that_cannot_come_is_given_up_at_once(rig: Rig, case: str, file: File, account: str) -> None:
    sent, _ = await rig.deliver("file", file, account, max_bytes=len(PNG) - 1, max_attempts=5)

    assert sent.data.content.storage_key is None, case
    assert rig.provider.fetches == ({} if account == "AC-gone" else {"/file": 1}), case
    assert rig.source.limits == [len(PNG) - 1], "the source is told the store's limit"


async def test_a_message_without_a_file_is_published_as_it_is(rig: Rig) -> None:
    envelope = await rig.stage(inbound(rig.tenant, TextContent(body="oi")))

    rig.worker().wake()
    sent, _ = await rig.published_one(envelope)

    assert sent == envelope
    assert rig.provider.fetches == {}


async def test_two_replicas_never_fetch_the_same_file(rig: Rig) -> None:
    for i in range(16):
        await rig.stage(inbound(rig.tenant, photo(rig.provider.host(f"f{i}", File(PNG + bytes([i]), delay_s=0.03)))))

    for replica in (rig.worker(concurrency=3), rig.worker(concurrency=3)):
        replica.wake()

    async def all_out() -> bool:
        return len(await rig.published()) == 16

    await wait_for(all_out, within=15)
    assert rig.provider.fetches == {f"/f{i}": 1 for i in range(16)}
    stored = {e.data.content.storage_key for e, _ in (await rig.published()).values()}
    assert None not in stored
    assert len(stored) == 16


async def test_a_claim_of_a_worker_that_died_comes_back_after_its_lease(rig: Rig) -> None:
    envelope = await rig.stage(inbound(rig.tenant, photo(rig.provider.host("orphan", File(PNG)))))
    lease_s = 0.6
    async with system_session(rig.sessions) as session:  # another replica takes it, then is killed
        [claimed] = await rig.pending.claim_due(session, 10, lease_s)
    claimed_at = time.monotonic()

    rig.worker().wake()
    sent, _ = await rig.published_one(envelope)

    assert claimed.id == envelope.id
    assert time.monotonic() - claimed_at >= lease_s * 0.9, "taken again before the lease ran out"
    assert sent.data.content.storage_key is not None
    assert rig.provider.fetches == {"/orphan": 1}


async def test_stopping_as_a_download_is_announced_ends_the_worker(rig: Rig) -> None:
    worker = rig.worker(concurrency=0)  # no room: it never claims, so its loop only waits to be woken
    for _ in range(3):
        await asyncio.sleep(0)  # let it reach that wait

    worker.wake()  # a webhook commits just as the service shuts down
    asked = time.monotonic()
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(5):
            await worker.stop()
    assert time.monotonic() - asked < 4, "stop() waited for a loop that had lost its cancel"


# --- the queue ----------------------------------------------------------------------------------------


async def test_concurrent_claims_skip_each_others_rows_and_hide_them_for_the_lease(rig: Rig) -> None:
    envelopes = [await rig.stage(inbound(rig.tenant, photo(f"https://{HOST}/{i}"))) for i in range(5)]

    async with system_session(rig.sessions) as first, system_session(rig.sessions) as second:
        mine = await rig.pending.claim_due(first, 2, 60)
        theirs = await rig.pending.claim_due(second, 10, 60)
    async with system_session(rig.sessions) as third:
        later = await rig.pending.claim_due(third, 10, 60)

    assert len(mine) == 2
    assert len(theirs) == 3
    assert {r.id for r in mine} | {r.id for r in theirs} == {e.id for e in envelopes}
    assert {r.attempts for r in [*mine, *theirs]} == {1}
    assert later == []


async def test_a_retry_waits_its_delay_and_keeps_a_bounded_error(rig: Rig) -> None:
    envelope = await rig.stage(inbound(rig.tenant, photo(f"https://{HOST}/x")))
    async with system_session(rig.sessions) as session:
        await rig.pending.claim_due(session, 1, 0)

    async with tenant_session(rig.sessions, rig.tenant) as session:
        await rig.pending.later(session, envelope.id, 60, "e" * 5000)
    async with system_session(rig.sessions) as session:
        due = await rig.pending.claim_due(session, 10, 0)
        error = await session.scalar(select(rig.tables.downloads.c.last_error))

    assert due == []
    assert error == "e" * 2000


async def test_a_download_staged_twice_is_one_and_each_tenant_counts_its_own(rig: Rig) -> None:
    other = uuid.uuid4()
    envelope = await rig.stage(inbound(rig.tenant, photo(f"https://{HOST}/twice")))
    await rig.stage(envelope)  # the webhook delivered again
    await rig.stage(inbound(other, photo(f"https://{HOST}/theirs")))

    assert await rig.waiting() == 1
    assert await rig.waiting(other) == 1
    async with system_session(rig.sessions) as session:
        assert await rig.pending.pending_count(session) == 2
    async with tenant_session(rig.sessions, rig.tenant) as session:
        await rig.pending.done(session, envelope.id)
    assert await rig.waiting() == 0

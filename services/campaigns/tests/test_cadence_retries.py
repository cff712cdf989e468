"""Retries of cadence sends against real PostgreSQL: a transient failure goes again under a new dispatch id with
the next attempt and is counted once, as what became of it; a permanent failure, the last attempt's failure and
``unknown`` are final; each attempt goes exactly once even when the worker is killed mid-turn.

As in ``test_cadence_worker``, the worker runs on an explicit clock; an adapter stand-in answers each command the
cadences wrote to the outbox with the statuses a channel would report, through the status consumer's hook.
"""

from __future__ import annotations

import asyncio
import random
import uuid
from collections import Counter, defaultdict
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import event, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import Session

from masteria.campaigns.cadences import replies, statuses
from masteria.campaigns.cadences.repository import sends_t
from masteria.campaigns.cadences.settings import CadenceSettings
from masteria.campaigns.cadences.worker import CadenceWorker
from masteria.campaigns.tables import outbox
from masteria.contracts.channels import Channel
from masteria.contracts.messages import (
    CampaignDispatch,
    DeliveryError,
    ErrorClassification,
    MessageStatus,
    MessageStatusChanged,
)
from masteria.devstack.harness import RunningService, ScratchDatabase, fresh_database, wait_for
from masteria.messaging.outbox import Outbox
from masteria.persistence.engine import create_engine, session_factory
from masteria.persistence.tenancy import tenant_session
from masteria.security.internal_token import InternalTokenIssuer

from .helpers import AdapterStandIn, Api
from .test_cadence_api import active_cadence, people
from .test_cadence_worker import Tenant, inbound, sent_to, text_step

pytestmark = pytest.mark.integration
RETRIES = CadenceSettings(allow_seconds=True, tick_s=0.01, batch=25, max_attempts=3, retry_base_s=60, retry_cap_s=600)
TRANSIENT = DeliveryError(code="130429", title="Rate limit hit", classification=ErrorClassification.TRANSIENT)
PERMANENT = DeliveryError(code="131026", title="Not on WhatsApp", classification=ErrorClassification.PERMANENT)
Answer = list[tuple[MessageStatus, DeliveryError | None]]
SP = ZoneInfo("America/Sao_Paulo")
DELIVERED: Answer = [(MessageStatus.ACCEPTED, None), (MessageStatus.DELIVERED, None)]


@pytest.fixture(scope="module")
async def cadence_database() -> AsyncIterator[ScratchDatabase]:
    # Its own database: no outbox relay drains the commands these tests count.
    async with fresh_database("cadence_retries_it") as db:
        yield db


@pytest.fixture(scope="module")
async def sessions(cadence_database: ScratchDatabase) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = create_engine(cadence_database.app_url, pool_size=5)
    yield session_factory(engine)
    await engine.dispose()


@pytest.fixture
def worker(sessions: async_sessionmaker[AsyncSession]) -> CadenceWorker:
    return CadenceWorker(sessions, Outbox(outbox), RETRIES)


@pytest.fixture
def tenant(sessions: async_sessionmaker[AsyncSession]) -> Tenant:
    return Tenant(sessions)


class Adapter:
    """Plays the channel adapters: answers each command it has not seen yet with ``reply(command)``'s statuses,
    handed to the cadence hook of the status consumer (what the campaigns status consumer does with them)."""

    def __init__(self, tenant: Tenant, reply: Callable[[dict[str, Any]], Answer]) -> None:
        self.tenant, self.reply = tenant, reply
        self.answered: set[str] = set()

    async def answer(self, at: datetime, settings: CadenceSettings = RETRIES) -> list[dict[str, Any]]:
        """Answer the new commands at ``at``; returns them."""
        new = [d for d in await self.tenant.dispatches() if d["dispatch_id"] not in self.answered]
        changes = []
        for dispatch in new:
            self.answered.add(dispatch["dispatch_id"])
            for offset, (value, error) in enumerate(self.reply(dispatch)):
                changes.append(report(dispatch, value, at + timedelta(milliseconds=offset), error))
        if changes:
            await self.tenant.run(statuses.apply, self.tenant.id, changes, settings=settings, now=at)
        return new


def report(
    dispatch: dict[str, Any], value: MessageStatus, at: datetime, error: DeliveryError | None = None
) -> MessageStatusChanged:
    return MessageStatusChanged(
        channel=Channel(dispatch["channel"]),
        dispatch_id=uuid.UUID(dispatch["dispatch_id"]),
        external_id=f"wamid.{dispatch['dispatch_id']}",
        status=value,
        occurred_at=at,
        error=error,
        recipient=dispatch["to"],
        attempt=dispatch["attempt"],
    )


async def sends(tenant: Tenant, cadence_id: uuid.UUID) -> dict[uuid.UUID, Any]:
    """The cadence's sends by contact (one step each)."""
    async with tenant_session(tenant.sessions, tenant.id) as session:
        stmt = select(sends_t).where(sends_t.c.cadence_id == cadence_id)
        return {row.contact_id: row for row in await session.execute(stmt)}


def attempts(dispatches: list[dict[str, Any]], phone: str) -> list[int]:
    return [d["attempt"] for d in dispatches if d["to"] == phone]


async def turn(worker: CadenceWorker, now: datetime) -> None:
    """Run every retry and step due at ``now``, whoever's (other tests' tenants share the database)."""
    while await worker.run_once(now) >= RETRIES.batch:
        pass


async def test_a_transient_failure_goes_again_under_a_new_dispatch_id_and_counts_once_as_delivered(
    tenant: Tenant, worker: CadenceWorker
) -> None:
    t0 = datetime.now(UTC)
    [ana] = await tenant.contacts("Ana Souza")
    phone = await tenant.phone(ana)
    cadence = await tenant.cadence(
        [text_step("Oi {{first_name}}!"), text_step("Amanhã eu volto", delay={"value": 1, "unit": "days"})], now=t0
    )
    await tenant.enrol(cadence, [ana], t0)
    adapter = Adapter(tenant, lambda d: [(MessageStatus.FAILED, TRANSIENT)] if d["attempt"] == 1 else DELIVERED)
    await turn(worker, t0 + timedelta(seconds=1))
    [first] = await adapter.answer(t0 + timedelta(seconds=2))

    waiting = (await sends(tenant, cadence))[ana]
    assert (waiting.state, waiting.dispatch_id, waiting.error_code) == ("retrying", None, "130429")
    assert t0 + timedelta(seconds=2) <= waiting.retry_at <= t0 + timedelta(seconds=2 + RETRIES.retry_base_s)
    step1 = (await tenant.stats(cadence))["steps"][0]
    assert (step1["queued"], step1["failed"]) == (1, 0)  # still on its way

    await turn(worker, waiting.retry_at - timedelta(milliseconds=1))
    assert len(await tenant.dispatches()) == 1  # not before its time
    await turn(worker, waiting.retry_at)
    await turn(worker, waiting.retry_at)  # a second turn finds nothing more to send
    [second] = await adapter.answer(waiting.retry_at + timedelta(seconds=1))

    assert (first["attempt"], second["attempt"]) == (1, 2)
    assert first["dispatch_id"] != second["dispatch_id"]
    assert (second["recipient_id"], second["cadence_step_id"]) == (first["recipient_id"], first["cadence_step_id"])
    assert sent_to(await tenant.dispatches(), phone) == ["Oi Ana!", "Oi Ana!"]  # not refused as its own duplicate
    delivered = (await sends(tenant, cadence))[ana]
    assert (delivered.state, str(delivered.dispatch_id), delivered.attempt) == ("delivered", second["dispatch_id"], 2)
    step1 = (await tenant.stats(cadence))["steps"][0]
    assert (step1["queued"], step1["sent"], step1["delivered"], step1["failed"]) == (0, 1, 1, 0)
    # Late news of the abandoned attempt matches nothing.
    late = report(first, MessageStatus.READ, waiting.retry_at + timedelta(seconds=5))
    assert await tenant.run(statuses.apply, tenant.id, [late], settings=RETRIES) == 0
    # The next step keeps its time: its delay counts from when the step first went.
    enrolment = (await tenant.enrolments(cadence))[ana]
    assert enrolment.next_run_at == t0 + timedelta(days=1, seconds=1)


def flaky(phones: dict[str, str]) -> Callable[[dict[str, Any]], Answer]:
    """Permanent for "permanent"; transient every time for "exhausted"; the sender dies inside the provider
    call for "unknown" (a transient failure reported afterwards does not make it safe to resend)."""

    def reply(dispatch: dict[str, Any]) -> Answer:
        who = phones[dispatch["to"]]
        if who == "permanent":
            return [(MessageStatus.FAILED, PERMANENT)]
        if who == "exhausted":
            return [(MessageStatus.ACCEPTED, None), (MessageStatus.FAILED, TRANSIENT)]
        return [(MessageStatus.UNKNOWN, None), (MessageStatus.FAILED, TRANSIENT)]

    return reply


async def test_permanent_failures_last_attempts_and_unknown_sends_are_final(
    tenant: Tenant, worker: CadenceWorker
) -> None:
    t0 = datetime.now(UTC)
    people = await tenant.contacts("Permanente", "Esgotado", "Incerto")
    phones = {await tenant.phone(p): who for p, who in zip(people, ("permanent", "exhausted", "unknown"), strict=True)}
    cadence = await tenant.cadence([text_step("Oi")], now=t0)
    await tenant.enrol(cadence, people, t0)
    adapter = Adapter(tenant, flaky(phones))
    now = t0 + timedelta(seconds=1)
    for _ in range(RETRIES.max_attempts + 2):  # more rounds than attempts: nothing goes once a send is final
        await turn(worker, now)
        await adapter.answer(now + timedelta(seconds=1))
        now += timedelta(seconds=RETRIES.retry_cap_s + 2)

    dispatches = await tenant.dispatches()
    by_who = {who: attempts(dispatches, phone) for phone, who in phones.items()}
    assert by_who == {"permanent": [1], "exhausted": [1, 2, 3], "unknown": [1]}
    exhausted = [d["dispatch_id"] for d in dispatches if phones[d["to"]] == "exhausted"]
    assert len(set(exhausted)) == 3
    final = await sends(tenant, cadence)
    assert [(final[p].state, final[p].attempt, final[p].error_code) for p in people] == [
        ("failed", 1, "131026"),
        ("failed", 3, "130429"),
        ("failed", 1, "130429"),  # the failure is recorded, but the message may have gone: never resent
    ]
    step = (await tenant.stats(cadence))["steps"][0]
    assert (step["queued"], step["failed"]) == (0, 3)


async def test_a_step_due_while_the_previous_one_waits_for_its_retry_goes_after_it(
    tenant: Tenant, worker: CadenceWorker
) -> None:
    t0 = datetime.now(UTC)
    [ana] = await tenant.contacts("Ana")
    phone = await tenant.phone(ana)
    steps = [text_step("Primeira"), text_step("Segunda", delay={"value": 5, "unit": "seconds"})]
    cadence = await tenant.cadence(steps, now=t0)
    await tenant.enrol(cadence, [ana], t0)
    adapter = Adapter(tenant, lambda d: [(MessageStatus.FAILED, TRANSIENT)] if d["attempt"] == 1 else DELIVERED)
    await turn(worker, t0 + timedelta(seconds=1))
    await adapter.answer(t0 + timedelta(seconds=2))
    retry_at = (await sends(tenant, cadence))[ana].retry_at

    held = t0 + timedelta(seconds=7)
    if held < retry_at:  # the backoff is random: when it is shorter than the delay, nothing waits
        await turn(worker, held)
        assert sent_to(await tenant.dispatches(), phone) == ["Primeira"]
        assert (await tenant.enrolments(cadence))[ana].next_run_at == retry_at
    await turn(worker, max(held, retry_at))
    dispatches = await tenant.dispatches()
    assert sent_to(dispatches, phone) == ["Primeira", "Primeira", "Segunda"]
    assert attempts(dispatches, phone) == [1, 2, 1]
    assert (await tenant.enrolments(cadence))[ana].state == "completed"


async def test_a_retry_due_after_closing_time_waits_for_the_next_opening(tenant: Tenant, worker: CadenceWorker) -> None:
    friday = datetime(2031, 3, 14, 17, 59, tzinfo=SP)  # far ahead: no other test's timers are due then
    [ana] = await tenant.contacts("Ana")
    hours = {"timezone": "America/Sao_Paulo", "days": [0, 1, 2, 3, 4], "start": "09:00", "end": "18:00"}
    cadence = await tenant.cadence([text_step("Boa tarde!")], now=friday, business_hours=hours)
    await tenant.enrol(cadence, [ana], friday)
    adapter = Adapter(tenant, lambda d: [(MessageStatus.FAILED, TRANSIENT)] if d["attempt"] == 1 else DELIVERED)
    await turn(worker, friday + timedelta(seconds=1))
    await adapter.answer(friday + timedelta(seconds=2))

    # The service was down until 19:30: the retry goes at Monday's opening, not at night.
    await turn(worker, datetime(2031, 3, 14, 19, 30, tzinfo=SP))
    monday_9 = datetime(2031, 3, 17, 9, 0, tzinfo=SP)
    waiting = (await sends(tenant, cadence))[ana]
    assert (waiting.state, waiting.retry_at) == ("retrying", monday_9)
    assert len(await tenant.dispatches()) == 1
    await turn(worker, monday_9)
    assert attempts(await tenant.dispatches(), await tenant.phone(ana)) == [1, 2]


async def test_a_retry_is_given_up_after_a_reply_and_refused_after_an_opt_out(
    tenant: Tenant, worker: CadenceWorker
) -> None:
    t0 = datetime.now(UTC)
    ana, bia, caio = await tenant.contacts("Ana", "Bia", "Caio")
    steps = [text_step("Oi"), text_step("Tchau", delay={"value": 1, "unit": "days"})]
    cadence = await tenant.cadence(steps, now=t0)
    await tenant.enrol(cadence, [ana, bia, caio], t0)
    adapter = Adapter(tenant, lambda d: [(MessageStatus.FAILED, TRANSIENT)] if d["attempt"] == 1 else DELIVERED)
    await turn(worker, t0 + timedelta(seconds=1))
    await adapter.answer(t0 + timedelta(seconds=2))

    await tenant.run(replies.apply, tenant.id, [inbound(await tenant.phone(ana), t0 + timedelta(seconds=3))])
    await tenant.view(bia, opted_out=["whatsapp_meta"])
    await turn(worker, t0 + timedelta(seconds=RETRIES.retry_base_s + 3))
    await adapter.answer(t0 + timedelta(seconds=RETRIES.retry_base_s + 4))

    dispatches = await tenant.dispatches()
    assert [len(sent_to(dispatches, await tenant.phone(p))) for p in (ana, bia, caio)] == [1, 1, 2]
    final = await sends(tenant, cadence)
    assert [(final[p].state, final[p].skip_reason) for p in (ana, bia, caio)] == [
        ("failed", None),
        ("skipped", "opted_out"),
        ("delivered", None),
    ]
    enrolments = await tenant.enrolments(cadence)
    assert [(enrolments[p].state, enrolments[p].stop_reason) for p in (ana, bia, caio)] == [
        ("stopped", "replied"),
        ("stopped", "opted_out"),
        ("active", None),
    ]


async def test_on_the_bus_a_transient_failure_is_retried_by_the_running_service(
    campaigns: RunningService, issuer: InternalTokenIssuer
) -> None:
    """The production path: the service's own worker, the outbox relay, NATS, the status consumer's hook, and
    the default retry settings (the first retry goes within ``retry_base_s``, 30 s)."""
    api = Api(campaigns, issuer, uuid.uuid4())
    [ana] = await people(api, "+5511955507001")

    def reply(dispatch: CampaignDispatch) -> Answer:
        return [(MessageStatus.FAILED, TRANSIENT)] if dispatch.attempt == 1 else DELIVERED

    async with AdapterStandIn(api.tenant, reply) as adapter:
        cadence = await active_cadence(api)
        await api.ok("POST", f"/api/v1/cadences/{cadence['id']}/enrolments", json={"contact_ids": [str(ana)]})

        async def delivered() -> Any:
            stats = await api.ok("GET", f"/api/v1/cadences/{cadence['id']}/stats")
            return stats if stats["steps"][0]["delivered"] == 1 else None

        stats = await wait_for(delivered, within=CadenceSettings().retry_base_s + 30)
    assert [d.attempt for d in adapter.received] == [1, 2]
    assert adapter.received[0].dispatch_id != adapter.received[1].dispatch_id
    step1 = stats["steps"][0]
    assert (step1["queued"], step1["sent"], step1["delivered"], step1["failed"]) == (0, 1, 1, 0)


async def test_a_worker_killed_mid_turn_sends_each_retry_exactly_once(
    tenant: Tenant, sessions: async_sessionmaker[AsyncSession]
) -> None:
    people = await tenant.contacts(*(f"Pessoa {i}" for i in range(150)))
    t0 = datetime.now(UTC)
    cadence = await tenant.cadence([text_step("Passo um")], now=t0)
    await tenant.enrol(cadence, people, t0)
    adapter = Adapter(tenant, lambda d: [(MessageStatus.FAILED, TRANSIENT)] if d["attempt"] == 1 else [])
    quick = RETRIES.model_copy(update={"retry_base_s": 0.0})  # retries due at once, on real time
    loop = asyncio.get_running_loop()

    async def retried() -> bool:
        await adapter.answer(datetime.now(UTC), quick)
        found = await sends(tenant, cadence)
        return len(found) == 150 and all(s.state == "queued" and s.attempt == 2 for s in found.values())

    kills, cut_short, deadline = 0, 0, loop.time() + 120
    rng = random.Random(7)

    def rolled_back(session: Session) -> None:
        nonlocal cut_short
        cut_short += 1

    event.listen(Session, "after_rollback", rolled_back)
    try:
        while not await retried():
            assert loop.time() < deadline, "the retries did not all go"
            worker = CadenceWorker(sessions, Outbox(outbox), RETRIES)
            worker.start()
            await asyncio.sleep(rng.uniform(0.0, 0.03) if kills % 4 else 0.3)
            await worker.kill()  # the task is cancelled wherever it is: an open transaction rolls back
            kills += 1
    finally:
        event.remove(Session, "after_rollback", rolled_back)

    assert kills >= 3
    assert cut_short >= 3, "the kills should interrupt some turns"
    dispatches = await tenant.dispatches()
    per_attempt = Counter((d["recipient_id"], d["attempt"]) for d in dispatches)
    assert len(per_attempt) == 150 * 2
    assert set(per_attempt.values()) == {1}
    ids: dict[str, set[str]] = defaultdict(set)
    for dispatch in dispatches:
        ids[dispatch["recipient_id"]].add(dispatch["dispatch_id"])
    assert all(len(both) == 2 for both in ids.values())
    second = {d["dispatch_id"] for d in dispatches if d["attempt"] == 2}
    assert {str(s.dispatch_id) for s in (await sends(tenant, cadence)).values()} == second

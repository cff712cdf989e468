"""Cadence timers against real PostgreSQL: steps go when due, conditions skip, replies and events stop, the
commands land in the outbox exactly once even when the worker is killed mid-turn.

The worker runs with an explicit clock (``run_once(now=...)``) so a two-hour delay is tested without waiting;
the restart test runs the real loop on real time.
"""

from __future__ import annotations

import asyncio
import json
import random
import uuid
from collections import Counter
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import event, insert, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import Session

from masteria.campaigns.cadences import contacts as contact_events
from masteria.campaigns.cadences import enrolling, replies, service, statuses
from masteria.campaigns.cadences.repository import enrolments_t, sends_t
from masteria.campaigns.cadences.schemas import CadenceIn, EnrolIn
from masteria.campaigns.cadences.settings import CadenceSettings
from masteria.campaigns.cadences.stats import cadence_stats
from masteria.campaigns.cadences.worker import CadenceWorker
from masteria.campaigns.tables import contacts, outbox
from masteria.contracts.channels import Channel
from masteria.contracts.contacts import ContactOptedOut, OptOutReason
from masteria.contracts.content import TextContent
from masteria.contracts.leads import LeadStageChanged
from masteria.contracts.messages import InboundMessage, MessageStatus, MessageStatusChanged, Sender
from masteria.devstack.harness import ScratchDatabase, fresh_database, wait_for
from masteria.messaging.outbox import Outbox
from masteria.persistence.engine import create_engine, session_factory
from masteria.persistence.tenancy import system_session, tenant_session

pytestmark = pytest.mark.integration
SETTINGS = CadenceSettings(allow_seconds=True, tick_s=0.01, batch=25)
SP = ZoneInfo("America/Sao_Paulo")


@pytest.fixture(scope="module")
async def cadence_database() -> AsyncIterator[ScratchDatabase]:
    # Its own database: no outbox relay drains the commands these tests count.
    async with fresh_database("cadences_it") as db:
        yield db


@pytest.fixture(scope="module")
async def sessions(cadence_database: ScratchDatabase) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = create_engine(cadence_database.app_url, pool_size=5)
    yield session_factory(engine)
    await engine.dispose()


@pytest.fixture
def worker(sessions: async_sessionmaker[AsyncSession]) -> CadenceWorker:
    return CadenceWorker(sessions, Outbox(outbox), SETTINGS)


class Tenant:
    """One tenant's cadences, contacts and what its cadences queued, driven through the domain functions."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self.sessions, self.id = sessions, uuid.uuid4()

    async def contacts(self, *names: str, **columns: Any) -> list[uuid.UUID]:
        """People in the contacts view (as its consumer would have stored them)."""
        rows = [{"contact_id": uuid.uuid4(), "tenant_id": self.id, "name": name,
                 "phone": f"+55119{random.randrange(10**7, 10**8)}", **columns} for name in names]
        async with tenant_session(self.sessions, self.id) as session:
            await session.execute(insert(contacts), rows)
        return [row["contact_id"] for row in rows]

    async def view(self, contact_id: uuid.UUID, **columns: Any) -> None:
        async with tenant_session(self.sessions, self.id) as session:
            await session.execute(update(contacts).where(contacts.c.contact_id == contact_id).values(**columns))

    async def phone(self, contact_id: uuid.UUID) -> str:
        async with tenant_session(self.sessions, self.id) as session:
            stmt = select(contacts.c.phone).where(contacts.c.contact_id == contact_id)
            return str((await session.execute(stmt)).scalar_one())

    async def cadence(self, steps: list[dict[str, Any]], *, now: datetime, **fields: Any) -> uuid.UUID:
        body = CadenceIn.model_validate({"name": "Follow-up", "steps": steps, **fields})
        async with tenant_session(self.sessions, self.id) as session:
            created = await service.create(session, self.id, body, SETTINGS, now)
            await service.activate(session, created.id, now)
        return created.id

    async def enrol(self, cadence_id: uuid.UUID, contact_ids: list[uuid.UUID], now: datetime) -> dict[str, Any]:
        async with tenant_session(self.sessions, self.id) as session:
            out = await enrolling.enrol(session, self.id, cadence_id, EnrolIn(contact_ids=contact_ids), now)
        return out.model_dump()

    async def run(self, fn: Any, *args: Any, **kwargs: Any) -> Any:
        """Call a hook or service function inside this tenant's transaction."""
        async with tenant_session(self.sessions, self.id) as session:
            return await fn(session, *args, **kwargs)

    async def dispatches(self) -> list[dict[str, Any]]:
        """The CampaignDispatch commands this tenant's cadences wrote to the outbox, oldest first."""
        async with system_session(self.sessions) as session:
            stmt = select(outbox.c.payload).where(
                outbox.c.tenant_id == self.id, outbox.c.subject.like("campaign.dispatch.%")
            ).order_by(outbox.c.id)
            return [json.loads(payload)["data"] for payload in (await session.execute(stmt)).scalars()]

    async def enrolments(self, cadence_id: uuid.UUID) -> dict[uuid.UUID, Any]:
        async with tenant_session(self.sessions, self.id) as session:
            stmt = select(enrolments_t).where(enrolments_t.c.cadence_id == cadence_id)
            return {row.contact_id: row for row in await session.execute(stmt)}

    async def stats(self, cadence_id: uuid.UUID) -> dict[str, Any]:
        async with tenant_session(self.sessions, self.id) as session:
            return (await cadence_stats(session, cadence_id)).model_dump()


def text_step(body: str, **extra: Any) -> dict[str, Any]:
    return {"channel": "whatsapp_meta", "content": {"kind": "text", "body": body}} | extra


def sms_step(body: str, **extra: Any) -> dict[str, Any]:
    return {"channel": "sms", "content": {"kind": "text", "body": body}} | extra


def inbound(phone: str, at: datetime, text_body: str = "Tenho interesse") -> InboundMessage:
    return InboundMessage(
        channel=Channel.WHATSAPP_META, external_id=f"wamid.{uuid.uuid4().hex}", channel_account_id=uuid.uuid4(),
        business_address="+5511900000000", sender=Sender(address=phone), content=TextContent(body=text_body),
        sent_at=at, received_at=at,
    )


def status(dispatch: dict[str, Any], value: MessageStatus, at: datetime) -> MessageStatusChanged:
    return MessageStatusChanged(
        channel=Channel(dispatch["channel"]), dispatch_id=uuid.UUID(dispatch["dispatch_id"]),
        external_id=f"wamid.{dispatch['dispatch_id']}", status=value, occurred_at=at, recipient=dispatch["to"],
    )


def sent_to(dispatches: list[dict[str, Any]], phone: str) -> list[str]:
    return [d["content"]["body"] for d in dispatches if d["to"] == phone]


async def turn(worker: CadenceWorker, now: datetime) -> None:
    """Run every step due at ``now``, whoever's (other tests' tenants share the database and the clock)."""
    while await worker.run_once(now) >= SETTINGS.batch:
        pass


@pytest.fixture
def tenant(sessions: async_sessionmaker[AsyncSession]) -> Tenant:
    return Tenant(sessions)


async def test_the_second_step_goes_only_to_those_who_did_not_reply(tenant: Tenant, worker: CadenceWorker) -> None:
    t0 = datetime.now(UTC)
    ana, bia = await tenant.contacts("Ana Souza", "Bia Lima")
    cadence = await tenant.cadence([
        text_step("Oi {{first_name}}, tudo bem?"),
        sms_step("Ainda tem interesse?", condition="no_reply", delay={"value": 2, "unit": "hours"}),
    ], now=t0, stop_on_reply=False)
    assert (await tenant.enrol(cadence, [ana, bia], t0))["enrolled"] == 2

    await turn(worker, t0 + timedelta(seconds=1))
    first = await tenant.dispatches()
    assert sorted(sent_to(first, await tenant.phone(ana)) + sent_to(first, await tenant.phone(bia))) == [
        "Oi Ana, tudo bem?", "Oi Bia, tudo bem?"]
    assert {d["campaign_id"] for d in first} == {str(cadence)}
    enrolments = await tenant.enrolments(cadence)
    assert {d["recipient_id"] for d in first} == {str(e.id) for e in enrolments.values()}

    await tenant.run(replies.apply, tenant.id, [inbound(await tenant.phone(ana), t0 + timedelta(minutes=10))])
    await turn(worker, t0 + timedelta(hours=1))  # not due yet
    assert len(await tenant.dispatches()) == 2
    await turn(worker, t0 + timedelta(hours=2, seconds=2))

    everything = await tenant.dispatches()
    assert sent_to(everything, await tenant.phone(ana)) == ["Oi Ana, tudo bem?"]
    assert sent_to(everything, await tenant.phone(bia)) == ["Oi Bia, tudo bem?", "Ainda tem interesse?"]
    assert [d["channel"] for d in everything if d["to"] == await tenant.phone(bia)] == ["whatsapp_meta", "sms"]
    assert {e.state for e in (await tenant.enrolments(cadence)).values()} == {"completed"}
    step1, step2 = (await tenant.stats(cadence))["steps"]
    assert (step1["queued"], step1["replied"], step1["skipped_condition"]) == (2, 1, 0)
    assert (step2["queued"], step2["skipped_condition"]) == (1, 1)


async def test_a_reply_stops_the_cadence(tenant: Tenant, worker: CadenceWorker) -> None:
    t0 = datetime.now(UTC)
    ana, bia = await tenant.contacts("Ana", "Bia")
    cadence = await tenant.cadence([text_step("Primeira"), text_step("Segunda", delay={"value": 1, "unit": "days"})],
                                   now=t0)
    await tenant.enrol(cadence, [ana, bia], t0)
    await turn(worker, t0 + timedelta(seconds=1))
    stopped = await tenant.run(replies.apply, tenant.id, [inbound(await tenant.phone(ana), t0 + timedelta(hours=3))])
    assert stopped == 1
    await turn(worker, t0 + timedelta(days=2))

    enrolments = await tenant.enrolments(cadence)
    assert (enrolments[ana].state, enrolments[ana].stop_reason) == ("stopped", "replied")
    assert enrolments[bia].state == "completed"
    dispatches = await tenant.dispatches()
    assert sent_to(dispatches, await tenant.phone(ana)) == ["Primeira"]
    assert sent_to(dispatches, await tenant.phone(bia)) == ["Primeira", "Segunda"]
    stats = await tenant.stats(cadence)
    assert stats["stop_reasons"] == {"replied": 1}
    assert stats["steps"][0]["replied"] == 1


async def test_a_reply_the_view_already_knows_stops_before_the_next_step(tenant: Tenant, worker: CadenceWorker) -> None:
    t0 = datetime.now(UTC)
    [ana] = await tenant.contacts("Ana")
    cadence = await tenant.cadence([text_step("Um"), text_step("Dois", delay={"value": 5, "unit": "minutes"})],
                                   now=t0)
    await tenant.enrol(cadence, [ana], t0)
    await turn(worker, t0 + timedelta(seconds=1))
    # The inbound consumer updated the view; its reply hook has not run yet (another batch, another replica).
    await tenant.view(ana, last_inbound_at=t0 + timedelta(minutes=1))
    await turn(worker, t0 + timedelta(minutes=6))
    assert sent_to(await tenant.dispatches(), await tenant.phone(ana)) == ["Um"]
    assert (await tenant.enrolments(cadence))[ana].stop_reason == "replied"


async def test_statuses_move_sends_forward_and_not_read_skips_readers(tenant: Tenant, worker: CadenceWorker) -> None:
    t0 = datetime.now(UTC)
    ana, bia = await tenant.contacts("Ana", "Bia")
    cadence = await tenant.cadence([
        text_step("Veja nossa oferta"),
        text_step("Você viu a oferta?", condition="not_read", delay={"value": 30, "unit": "minutes"}),
    ], now=t0)
    await tenant.enrol(cadence, [ana, bia], t0)
    await turn(worker, t0 + timedelta(seconds=1))
    by_phone = {d["to"]: d for d in await tenant.dispatches()}
    to_ana, to_bia = by_phone[await tenant.phone(ana)], by_phone[await tenant.phone(bia)]
    moved = await tenant.run(statuses.apply, tenant.id, [
        status(to_ana, MessageStatus.READ, t0 + timedelta(minutes=2)),
        status(to_ana, MessageStatus.DELIVERED, t0 + timedelta(minutes=1)),  # late: never moves it back
        status(to_bia, MessageStatus.ACCEPTED, t0 + timedelta(seconds=2)),
        status(to_bia, MessageStatus.DELIVERED, t0 + timedelta(minutes=1)),
        status({**to_bia, "dispatch_id": str(uuid.uuid4())}, MessageStatus.READ, t0),  # not a cadence send
    ])
    assert moved == 2
    await turn(worker, t0 + timedelta(minutes=31))

    dispatches = await tenant.dispatches()
    assert sent_to(dispatches, await tenant.phone(ana)) == ["Veja nossa oferta"]
    assert sent_to(dispatches, await tenant.phone(bia)) == ["Veja nossa oferta", "Você viu a oferta?"]
    step1, step2 = (await tenant.stats(cadence))["steps"]
    assert (step1["sent"], step1["delivered"], step1["read"], step1["queued"]) == (2, 2, 1, 0)
    assert (step2["queued"], step2["skipped_condition"]) == (1, 1)


async def test_a_lead_entering_a_stage_is_enrolled_and_leaving_it_stops_the_cadence(
    tenant: Tenant, worker: CadenceWorker
) -> None:
    t0 = datetime.now(UTC)
    proposal, won = uuid.uuid4(), uuid.uuid4()
    ana, bia = await tenant.contacts("Ana", "Bia")
    cadence = await tenant.cadence([
        text_step("Recebeu a proposta?"),
        text_step("Posso ajudar com a proposta?", condition="stage_is", stage_id=str(proposal),
                  delay={"value": 1, "unit": "days"}),
    ], now=t0, enrol_on_stage_id=str(proposal), stop_on_stage_change=True)

    def moved(contact: uuid.UUID, stage: uuid.UUID, previous: uuid.UUID | None, at: datetime) -> LeadStageChanged:
        return LeadStageChanged(lead_id=uuid.uuid4(), contact_id=contact, pipeline_id=uuid.uuid4(), stage_id=stage,
                                stage_name="x", previous_stage_id=previous, occurred_at=at)

    for person in (ana, bia):
        await tenant.view(person, lead_stage_id=proposal)
    changed = await tenant.run(contact_events.apply, tenant.id, [moved(ana, proposal, None, t0),
                                                                 moved(bia, proposal, None, t0)], now=t0)
    assert changed == 2
    assert {e.source for e in (await tenant.enrolments(cadence)).values()} == {"event"}
    await turn(worker, t0 + timedelta(seconds=1))
    await tenant.view(bia, lead_stage_id=won)
    await tenant.run(contact_events.apply, tenant.id, [moved(bia, won, proposal, t0 + timedelta(hours=1))],
                     now=t0 + timedelta(hours=1))
    await turn(worker, t0 + timedelta(days=1, minutes=1))

    enrolments = await tenant.enrolments(cadence)
    assert (enrolments[bia].state, enrolments[bia].stop_reason) == ("stopped", "stage_changed")
    assert enrolments[ana].state == "completed"
    dispatches = await tenant.dispatches()
    assert sent_to(dispatches, await tenant.phone(ana)) == ["Recebeu a proposta?", "Posso ajudar com a proposta?"]
    assert sent_to(dispatches, await tenant.phone(bia)) == ["Recebeu a proposta?"]


async def test_an_opt_out_stops_the_cadences_that_use_that_channel(tenant: Tenant, worker: CadenceWorker) -> None:
    t0 = datetime.now(UTC)
    ana, bia, caio = await tenant.contacts("Ana", "Bia", "Caio")
    cadence = await tenant.cadence([text_step("Oi"), sms_step("Oi por SMS", delay={"value": 1, "unit": "hours"})],
                                   now=t0)
    await tenant.enrol(cadence, [ana, bia, caio], t0)
    await turn(worker, t0 + timedelta(seconds=1))

    def opted_out(contact: uuid.UUID, channel: Channel | None) -> ContactOptedOut:
        return ContactOptedOut(contact_id=contact, phone="+5511999990000", channel=channel,
                               reason=OptOutReason.KEYWORD, keyword="STOP", occurred_at=t0)

    changed = await tenant.run(contact_events.apply, tenant.id,
                               [opted_out(ana, Channel.SMS), opted_out(bia, Channel.WHATSAPP_QR)])
    assert changed == 1  # the cadence never uses WhatsApp Web: Bia stays
    # Caio refused SMS too; the view knows before the event reaches the hook: the send is refused and stops him.
    await tenant.view(caio, opted_out=["sms"])
    await turn(worker, t0 + timedelta(hours=2))

    enrolments = await tenant.enrolments(cadence)
    assert [(enrolments[p].state, enrolments[p].stop_reason) for p in (ana, bia, caio)] == [
        ("stopped", "opted_out"), ("completed", None), ("stopped", "opted_out")]
    dispatches = await tenant.dispatches()
    assert [len(sent_to(dispatches, await tenant.phone(p))) for p in (ana, bia, caio)] == [1, 2, 1]
    assert (await tenant.stats(cadence))["steps"][1]["skipped"] == {"opted_out": 1}


async def test_enrolment_skips_opted_out_unknown_and_already_enrolled(tenant: Tenant) -> None:
    t0 = datetime.now(UTC)
    ana, bia = await tenant.contacts("Ana", "Bia")
    [out] = await tenant.contacts("Zé", opted_out=["*"])
    cadence = await tenant.cadence([text_step("Oi")], now=t0)
    first = await tenant.enrol(cadence, [ana, out, uuid.uuid4()], t0)
    assert first == {"enrolled": 1, "skipped": 2, "skipped_by_reason": {"opted_out": 1, "unknown_contact": 1}}
    again = await tenant.enrol(cadence, [ana, bia], t0)
    assert again == {"enrolled": 1, "skipped": 1, "skipped_by_reason": {"already_enrolled": 1}}


async def test_steps_wait_for_business_hours(tenant: Tenant, worker: CadenceWorker) -> None:
    saturday = datetime(2031, 3, 8, 12, 0, tzinfo=SP)  # far ahead: no other test's timers are due then
    [ana] = await tenant.contacts("Ana")
    cadence = await tenant.cadence(
        [text_step("Bom dia!"), text_step("Boa tarde!", delay={"value": 4, "unit": "hours"})], now=saturday,
        business_hours={"timezone": "America/Sao_Paulo", "days": [0, 1, 2, 3, 4], "start": "09:00", "end": "18:00"})
    await tenant.enrol(cadence, [ana], saturday)
    monday_9 = datetime(2031, 3, 10, 9, 0, tzinfo=SP)
    assert (await tenant.enrolments(cadence))[ana].next_run_at == monday_9
    await turn(worker, saturday + timedelta(hours=1))
    assert await tenant.dispatches() == []
    await turn(worker, monday_9 + timedelta(seconds=1))
    assert (await tenant.enrolments(cadence))[ana].next_run_at == monday_9 + timedelta(hours=4, seconds=1)

    # The service was down from 12:00 to 19:30: the step due at 13:00 goes at Tuesday's opening, not at night.
    await turn(worker, datetime(2031, 3, 10, 19, 30, tzinfo=SP))
    assert (await tenant.enrolments(cadence))[ana].next_run_at == datetime(2031, 3, 11, 9, 0, tzinfo=SP)
    assert sent_to(await tenant.dispatches(), await tenant.phone(ana)) == ["Bom dia!"]
    await turn(worker, datetime(2031, 3, 11, 9, 0, 1, tzinfo=SP))
    assert sent_to(await tenant.dispatches(), await tenant.phone(ana)) == ["Bom dia!", "Boa tarde!"]


async def test_a_paused_cadence_holds_its_timers_and_a_stopped_enrolment_never_sends(
    tenant: Tenant, worker: CadenceWorker
) -> None:
    t0 = datetime.now(UTC)
    ana, bia = await tenant.contacts("Ana", "Bia")
    cadence = await tenant.cadence([text_step("Oi", delay={"value": 10, "unit": "minutes"})], now=t0)
    await tenant.enrol(cadence, [ana, bia], t0)
    await tenant.run(service.pause, cadence, t0)
    await turn(worker, t0 + timedelta(minutes=11))
    assert await tenant.dispatches() == []
    enrolment = (await tenant.enrolments(cadence))[bia]
    stopped = await tenant.run(enrolling.stop_by_hand, cadence, enrolment.id, t0)
    assert (stopped.state, stopped.stop_reason) == ("stopped", "manual")
    await tenant.run(service.activate, cadence, t0)
    await turn(worker, t0 + timedelta(minutes=12))
    dispatches = await tenant.dispatches()
    assert (sent_to(dispatches, await tenant.phone(ana)), sent_to(dispatches, await tenant.phone(bia))) == (["Oi"], [])


async def test_a_worker_killed_mid_turn_neither_loses_nor_repeats_a_step(
    tenant: Tenant, sessions: async_sessionmaker[AsyncSession]
) -> None:
    people = await tenant.contacts(*(f"Pessoa {i}" for i in range(150)))
    t0 = datetime.now(UTC)
    steps = [text_step("Passo um"), text_step("Passo dois", delay={"value": 0, "unit": "seconds"}),
             sms_step("Passo três", delay={"value": 1, "unit": "seconds"})]
    cadence = await tenant.cadence(steps, now=t0)
    await tenant.enrol(cadence, people, t0)
    loop = asyncio.get_running_loop()

    async def finished() -> bool:
        async with tenant_session(sessions, tenant.id) as session:
            left = await session.execute(text(
                "SELECT count(*) FROM campaigns.enrolments WHERE cadence_id = :c AND state = 'active'"), {"c": cadence})
            return bool(left.scalar_one() == 0)

    kills, cut_short, deadline = 0, 0, loop.time() + 120
    rng = random.Random(6)

    def rolled_back(session: Session) -> None:
        nonlocal cut_short
        cut_short += 1

    event.listen(Session, "after_rollback", rolled_back)
    try:
        while not await finished():
            assert loop.time() < deadline, "the cadence did not finish"
            worker = CadenceWorker(sessions, Outbox(outbox), SETTINGS)
            worker.start()
            # Somewhere inside a turn, or between two; every fourth life is long enough for a turn to commit
            # however loaded the machine is, so the cadence finishes.
            await asyncio.sleep(rng.uniform(0.0, 0.03) if kills % 4 else 0.3)
            await worker.kill()  # the task is cancelled wherever it is: an open transaction rolls back
            kills += 1
    finally:
        event.remove(Session, "after_rollback", rolled_back)

    assert kills >= 5
    assert cut_short >= 3, "the kills should interrupt some turns"
    dispatches = await tenant.dispatches()
    per_step = Counter((d["recipient_id"], d["cadence_step_id"]) for d in dispatches)
    assert len(per_step) == 150 * 3
    assert set(per_step.values()) == {1}
    async with tenant_session(sessions, tenant.id) as session:
        rows = (await session.execute(select(sends_t.c.state, sends_t.c.dispatch_id).where(
            sends_t.c.cadence_id == cadence))).all()
    assert len(rows) == 450
    assert {row.state for row in rows} == {"queued"}
    assert {str(row.dispatch_id) for row in rows} == {d["dispatch_id"] for d in dispatches}


async def test_the_worker_loop_runs_due_steps_on_its_own(
    tenant: Tenant, sessions: async_sessionmaker[AsyncSession]
) -> None:
    [ana] = await tenant.contacts("Ana")
    now = datetime.now(UTC)
    steps = [text_step("Agora"), text_step("Logo depois", delay={"value": 1, "unit": "seconds"})]
    cadence = await tenant.cadence(steps, now=now)
    await tenant.enrol(cadence, [ana], now)
    worker = CadenceWorker(sessions, Outbox(outbox), SETTINGS)
    worker.start()
    try:
        phone = await tenant.phone(ana)
        await wait_for(lambda: _sent_twice(tenant, phone), within=10)
    finally:
        await worker.stop()


async def _sent_twice(tenant: Tenant, phone: str) -> bool:
    return sent_to(await tenant.dispatches(), phone) == ["Agora", "Logo depois"]

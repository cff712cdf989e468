"""Meta's statuses mapped back to our sends: duplicates and reordering never move a message backwards."""

from __future__ import annotations

import itertools
import random
import uuid
from typing import Any

import asyncpg
import pytest

from masteria.contracts.messages import MessageStatus, status_advances
from masteria.devstack.harness import RunningService, ScratchDatabase
from masteria.devstack.postgres import asyncpg_dsn
from masteria.security.internal_token import InternalTokenIssuer
from masteria.whatsapp_meta.sending.model import Command, LaneName, State
from masteria.whatsapp_meta.sending.records import Outcome

from .support import MetaSandbox, Number, customer, now, publish, reply, statuses_of

pytestmark = pytest.mark.integration
S = MessageStatus


def status_event(number: Number, wamid: str, recipient: str, status: str, at: int) -> dict[str, Any]:
    """One status as Meta's webhook carries it (no callback data: mapped by wamid)."""
    entry: dict[str, Any] = {"id": wamid, "status": status, "timestamp": str(at), "recipient_id": recipient}
    if status == "failed":
        entry["errors"] = [
            {
                "code": 131026,
                "title": "Message undeliverable",
                "error_data": {"details": "Receiver is incapable of receiving this message"},
            }
        ]
    return {
        "object": "whatsapp_business_account",
        "entry": [
            {
                "id": "102290129340398",
                "changes": [
                    {
                        "field": "messages",
                        "value": {
                            "messaging_product": "whatsapp",
                            "metadata": {
                                "display_phone_number": "5511900000000",
                                "phone_number_id": number.phone_number_id,
                            },
                            "statuses": [entry],
                        },
                    }
                ],
            }
        ],
    }


async def column(database: ScratchDatabase, sql: str, *args: object) -> list[asyncpg.Record]:
    conn = await asyncpg.connect(asyncpg_dsn(database.admin_url))
    try:
        return list(await conn.fetch(sql, *args))
    finally:
        await conn.close()


async def test_statuses_replayed_twice_in_random_order_leave_every_message_in_its_final_state(
    meta: RunningService, issuer: InternalTokenIssuer, sandbox: MetaSandbox, database: ScratchDatabase
) -> None:
    number = await sandbox.number(meta, issuer)
    await sandbox.behaviour(number, statuses=[])  # we play Meta's statuses ourselves
    wa_id = customer()
    await sandbox.customer_writes(number, wa_id)
    commands = [reply(number, f"+{wa_id}", f"Opção {i}") for i in range(6)]
    async with statuses_of(number.tenant) as feed:
        await publish(*commands)
        await feed.until(lambda _: all(feed.statuses(c.data.message_id) == [S.ACCEPTED] for c in commands))
        wamids = {c.data.message_id: feed.of(c.data.message_id)[0].external_id for c in commands}
        journeys = {
            c.data.message_id: (["sent", "delivered", "read"] if i % 2 == 0 else ["sent", "failed"])
            for i, c in enumerate(commands)
        }
        at = now()
        events = [
            status_event(number, wamids[mid], wa_id, status, at + step)
            for mid, steps in journeys.items()
            for step, status in enumerate(steps)
        ] * 2
        random.Random(7).shuffle(events)
        for event in events:
            await sandbox.raw_webhook(number, event)
        expected = {mid: (S.READ if steps[-1] == "read" else S.FAILED) for mid, steps in journeys.items()}
        await feed.until(lambda _: all(feed.statuses(mid)[-1] is final for mid, final in expected.items()))
    for mid in expected:
        published = feed.statuses(mid)
        assert len(published) == len(set(published)), f"a status was published twice: {published}"
        assert all(status_advances(a, b) for a, b in itertools.pairwise(published)), published
    failed = feed.of(next(mid for mid, final in expected.items() if final is S.FAILED))[-1]
    assert failed.error is not None
    assert (failed.error.code, failed.error.classification) == ("131026", "permanent")
    stored = await column(
        database, "SELECT id, status FROM whatsapp_meta.outbound_messages WHERE tenant_id = $1", number.tenant
    )
    assert {r["id"]: r["status"] for r in stored} == {mid: final.value for mid, final in expected.items()}


async def test_a_status_before_its_wamid_is_recorded_waits_and_applies_when_the_send_records_it(
    meta: RunningService, issuer: InternalTokenIssuer, sandbox: MetaSandbox, database: ScratchDatabase
) -> None:
    number = await sandbox.number(meta, issuer)
    wa_id = customer()
    command = reply(number, f"+{wa_id}", "rápido demais")
    await column(
        database,
        """INSERT INTO whatsapp_meta.outbound_messages
        (tenant_id, lane, id, number_id, recipient, state, attempts, sending_at, command)
        VALUES ($1, 'outbound', $2, $3, $4, 'sending', 1, now(), $5)""",
        number.tenant,
        command.data.message_id,
        number.id,
        f"+{wa_id}",
        command.model_dump_json().encode(),
    )
    wamid = f"wamid.{uuid.uuid4().hex}"
    async with statuses_of(number.tenant) as feed:
        # Meta's "delivered" overtakes our commit of the wamid (no callback data to map it by).
        await sandbox.raw_webhook(number, status_event(number, wamid, wa_id, "delivered", now()))
        waiting = await column(database, "SELECT status FROM whatsapp_meta.orphan_statuses WHERE wamid = $1", wamid)
        assert [r["status"] for r in waiting] == ["delivered"]
        # The send's own outcome lands now, as it would after the Graph call returned.
        sender = meta.service.http.state.machinery.sender
        parsed = Command.of(command, command.model_dump_json().encode())
        assert parsed is not None
        outcome = Outcome(parsed, "accepted", frozenset({State.SENDING}), 1, wamid=wamid, number_id=number.id)
        assert await sender.lanes[LaneName.OUTBOUND].settles.submit(outcome)
        await feed.until(lambda _: S.DELIVERED in feed.statuses(command.data.message_id))
    assert feed.statuses(command.data.message_id) == [S.ACCEPTED, S.DELIVERED]
    assert await column(database, "SELECT * FROM whatsapp_meta.orphan_statuses WHERE wamid = $1", wamid) == []


async def test_a_status_of_a_message_sent_elsewhere_is_published_without_ids_after_the_wait(
    meta: RunningService, issuer: InternalTokenIssuer, sandbox: MetaSandbox
) -> None:
    number = await sandbox.number(meta, issuer)
    wamid = f"wamid.{uuid.uuid4().hex}"
    reaper = meta.service.http.state.machinery.reaper
    reaper.orphan_ttl_s = 0.2  # the production wait is minutes
    try:
        async with statuses_of(number.tenant) as feed:
            await sandbox.raw_webhook(number, status_event(number, wamid, customer(), "read", now()))
            [event] = await feed.until(lambda events: [e for e in events if e.external_id == wamid], within=10)
    finally:
        reaper.orphan_ttl_s = 300.0
    assert event.status is S.READ
    assert (event.message_id, event.dispatch_id) == (None, None)

"""Sends through the sandbox's Meta: accepted then delivered, idempotent, crash-safe, window, retries, errors."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import asyncpg
import pytest

from masteria.contracts.content import ButtonsInteractive, InteractiveContent, ReactionContent, ReplyButton
from masteria.contracts.messages import ErrorClassification, MessageStatus
from masteria.devstack.harness import RunningService, ScratchDatabase
from masteria.devstack.postgres import asyncpg_dsn
from masteria.security.internal_token import InternalTokenIssuer

from .support import MetaSandbox, customer, dispatch, publish, reply, statuses_of, template

pytestmark = pytest.mark.integration
S = MessageStatus


async def rows(database: ScratchDatabase, sql: str, *args: object) -> list[asyncpg.Record]:
    conn = await asyncpg.connect(asyncpg_dsn(database.admin_url))
    try:
        return list(await conn.fetch(sql, *args))
    finally:
        await conn.close()


async def test_a_reply_is_accepted_with_its_wamid_then_delivered_by_metas_signed_status_webhook(
    meta: RunningService, issuer: InternalTokenIssuer, sandbox: MetaSandbox
) -> None:
    number = await sandbox.number(meta, issuer)
    await sandbox.behaviour(number, statuses=["sent", "delivered"], status_delay_ms=20, read_after_ms=60)
    wa_id = customer()
    await sandbox.customer_writes(number, wa_id, "Quero saber do meu pedido")
    command = reply(number, f"+{wa_id}", "Seu pedido saiu hoje")
    async with statuses_of(number.tenant) as feed:
        await publish(command)
        await feed.until(lambda _: S.READ in feed.statuses(command.data.message_id))
    events = feed.of(command.data.message_id)
    assert [e.status for e in events] == [S.ACCEPTED, S.SENT, S.DELIVERED, S.READ]
    [sent] = await sandbox.ledger(number)
    assert sent["body"]["text"]["body"] == "Seu pedido saiu hoje"
    assert sent["biz_opaque_callback_data"] == f"outbound:{command.data.message_id}"
    assert {e.external_id for e in events} == {sent["wamid"]}
    assert all(e.channel_account_id == number.id and e.recipient == f"+{wa_id}" for e in events)


async def test_a_campaign_template_goes_outside_the_window_and_its_statuses_name_the_dispatch(
    meta: RunningService, issuer: InternalTokenIssuer, sandbox: MetaSandbox
) -> None:
    number = await sandbox.number(meta, issuer)
    await sandbox.behaviour(number, statuses=["sent", "delivered"], status_delay_ms=20)
    command = dispatch(number, f"+{customer()}", template("boas_vindas", "Joana"), attempt=2)
    async with statuses_of(number.tenant) as feed:
        await publish(command)
        await feed.until(lambda _: S.DELIVERED in feed.statuses(command.data.dispatch_id))
    events = feed.of(command.data.dispatch_id)
    assert all(e.message_id is None and e.attempt == 2 for e in events)
    [sent] = await sandbox.ledger(number)
    assert sent["type"] == "template"
    assert sent["body"]["template"] == {
        "name": "boas_vindas",
        "language": {"code": "pt_BR"},
        "components": [{"type": "body", "parameters": [{"type": "text", "text": "Joana"}]}],
    }


async def test_a_redelivered_command_is_acknowledged_without_a_second_call_to_meta(
    meta: RunningService, issuer: InternalTokenIssuer, sandbox: MetaSandbox
) -> None:
    number = await sandbox.number(meta, issuer)
    await sandbox.behaviour(number, statuses=["sent"], status_delay_ms=20)
    wa_id = customer()
    await sandbox.customer_writes(number, wa_id)
    command = reply(number, f"+{wa_id}", "Uma vez só")
    async with statuses_of(number.tenant) as feed:
        await publish(command)
        await feed.until(lambda _: S.SENT in feed.statuses(command.data.message_id))
        await publish(command, fresh_msg_id=True)  # the same command again, past JetStream's dedup
        await publish(command, fresh_msg_id=True)
        marker = reply(number, f"+{wa_id}", "depois")  # sent after the copies: once it is in, they were handled
        await publish(marker)
        await feed.until(lambda _: S.SENT in feed.statuses(marker.data.message_id))
    assert [e["body"]["text"]["body"] for e in await sandbox.ledger(number)] == ["Uma vez só", "depois"]
    assert feed.statuses(command.data.message_id) == [S.ACCEPTED, S.SENT]


async def test_a_send_left_sending_by_a_crash_becomes_unknown_and_is_not_resent(
    meta: RunningService, issuer: InternalTokenIssuer, sandbox: MetaSandbox, database: ScratchDatabase
) -> None:
    number = await sandbox.number(meta, issuer)
    wa_id = customer()
    await sandbox.customer_writes(number, wa_id)
    redelivered = reply(number, f"+{wa_id}", "morreu no meio")
    swept = dispatch(number, f"+{wa_id}", template("boas_vindas", "Ana"))
    # What a process killed inside the Graph call leaves behind: the row, committed as "sending".
    started = datetime.now(UTC) - timedelta(minutes=5)
    for envelope, lane, send_id in (
        (redelivered, "outbound", redelivered.data.message_id),
        (swept, "dispatch", swept.data.dispatch_id),
    ):
        await rows(
            database,
            """INSERT INTO whatsapp_meta.outbound_messages
            (tenant_id, lane, id, number_id, recipient, state, attempts, sending_at, command)
            VALUES ($1, $2, $3, $4, $5, 'sending', 1, $6, $7)""",
            number.tenant,
            lane,
            send_id,
            number.id,
            f"+{wa_id}",
            started,
            envelope.model_dump_json().encode(),
        )
    async with statuses_of(number.tenant) as feed:
        await publish(redelivered)  # JetStream redelivers the command; the reaper finds the other alone
        await feed.until(
            lambda _: (
                S.UNKNOWN in feed.statuses(redelivered.data.message_id)
                and S.UNKNOWN in feed.statuses(swept.data.dispatch_id)
            )
        )
    [event] = feed.of(redelivered.data.message_id)
    assert event.error is not None
    assert event.error.classification is ErrorClassification.UNKNOWN
    assert await sandbox.ledger(number) == []
    states = await rows(
        database, "SELECT state FROM whatsapp_meta.outbound_messages WHERE tenant_id = $1", number.tenant
    )
    assert {r["state"] for r in states} == {"unknown"}


async def test_outside_the_window_a_text_fails_at_once_with_window_closed_and_meta_is_not_called(
    meta: RunningService, issuer: InternalTokenIssuer, sandbox: MetaSandbox
) -> None:
    number = await sandbox.number(meta, issuer)
    await sandbox.behaviour(number, statuses=["sent"], status_delay_ms=20)
    wa_id = customer()
    yesterday = datetime.now(UTC) - timedelta(hours=25)
    await sandbox.customer_writes(number, wa_id, "mensagem de ontem", timestamp=int(yesterday.timestamp()))
    late = reply(number, f"+{wa_id}", "Ainda está aí?")
    async with statuses_of(number.tenant) as feed:
        await publish(late)
        [failed] = await feed.until(lambda _: feed.of(late.data.message_id))
        assert failed.status is S.FAILED
        assert failed.error is not None
        assert (failed.error.code, failed.error.classification) == ("window_closed", ErrorClassification.PERMANENT)
        assert "template" in failed.error.title
        await sandbox.customer_writes(number, wa_id, "voltei")  # the window opens again
        again = reply(number, f"+{wa_id}", "Que bom!")
        await publish(again)
        await feed.until(lambda _: S.SENT in feed.statuses(again.data.message_id))
    assert [e["body"]["text"]["body"] for e in await sandbox.ledger(number)] == ["Que bom!"]


async def test_transient_failures_are_retried_with_backoff_until_delivered_and_nothing_goes_twice(
    meta: RunningService, issuer: InternalTokenIssuer, sandbox: MetaSandbox, database: ScratchDatabase
) -> None:
    number = await sandbox.number(meta, issuer)
    await sandbox.behaviour(
        number,
        statuses=["sent", "delivered"],
        status_delay_ms=20,
        fault_5xx_rate=0.3,
        fault_429_rate=0.1,
        fault_timeout_rate=0.1,
        timeout_s=0.2,
        seed=3,
    )
    commands = [dispatch(number, f"+{customer()}", template("boas_vindas", f"c{i}")) for i in range(20)]
    async with statuses_of(number.tenant) as feed:
        await publish(*commands)
        await feed.until(lambda _: all(S.DELIVERED in feed.statuses(c.data.dispatch_id) for c in commands), within=30)
    ledger = await sandbox.ledger(number)
    assert sorted(e["biz_opaque_callback_data"] for e in ledger) == sorted(
        f"dispatch:{c.data.dispatch_id}" for c in commands
    )
    attempts = await rows(
        database, "SELECT attempts, last_error FROM whatsapp_meta.outbound_messages WHERE tenant_id = $1", number.tenant
    )
    retried = [r for r in attempts if r["attempts"] > 1]
    assert retried, "with 50% faults some sends must have needed more than one attempt"
    codes = {json.loads(r["last_error"])["code"] for r in retried if r["last_error"]}
    assert codes <= {"131000", "4", "2", "timeout"}


async def test_permanent_failures_are_classified_sync_refusals_and_failed_statuses_alike(
    meta: RunningService, issuer: InternalTokenIssuer, sandbox: MetaSandbox
) -> None:
    number = await sandbox.number(meta, issuer)
    await sandbox.behaviour(number, statuses=["sent", "delivered"], status_delay_ms=20, permanent_failure_rate=1.0)
    unknown_template = dispatch(number, f"+{customer()}", template("nao_existe", "x"))
    undeliverable = dispatch(number, f"+{customer()}", template("boas_vindas", "Ana"))
    async with statuses_of(number.tenant) as feed:
        await publish(unknown_template, undeliverable)
        await feed.until(
            lambda _: (
                S.FAILED in feed.statuses(unknown_template.data.dispatch_id)
                and S.FAILED in feed.statuses(undeliverable.data.dispatch_id)
            )
        )
    [refused] = feed.of(unknown_template.data.dispatch_id)
    assert refused.error is not None
    assert (refused.error.code, refused.error.classification) == ("132001", ErrorClassification.PERMANENT)
    final = feed.of(undeliverable.data.dispatch_id)[-1]
    assert final.error is not None
    assert (final.error.code, final.error.classification) == ("131026", ErrorClassification.PERMANENT)
    assert feed.statuses(undeliverable.data.dispatch_id)[0] is S.ACCEPTED
    assert [e["type"] for e in await sandbox.ledger(number)] == ["template"]  # the refused one never counted


async def test_buttons_and_reactions_are_built_as_graph_expects(
    meta: RunningService, issuer: InternalTokenIssuer, sandbox: MetaSandbox
) -> None:
    number = await sandbox.number(meta, issuer)
    await sandbox.behaviour(number, statuses=["sent"], status_delay_ms=20)
    wa_id = customer()
    written = await sandbox.customer_writes(number, wa_id, "oi")
    buttons = InteractiveContent(
        interactive=ButtonsInteractive(
            body="Confirma?", buttons=[ReplyButton(id="yes", title="Sim"), ReplyButton(id="no", title="Não")]
        )
    )
    commands = [
        reply(number, f"+{wa_id}", buttons),
        reply(number, f"+{wa_id}", ReactionContent(message_external_id=written["wamid"], emoji="👍")),
    ]
    async with statuses_of(number.tenant) as feed:
        await publish(*commands)
        await feed.until(lambda _: all(S.ACCEPTED in feed.statuses(c.data.message_id) for c in commands))
    by_type = {e["type"]: e["body"] for e in await sandbox.ledger(number)}
    assert by_type["interactive"]["interactive"]["action"]["buttons"][1] == {
        "type": "reply",
        "reply": {"id": "no", "title": "Não"},
    }
    assert by_type["reaction"]["reaction"] == {"message_id": written["wamid"], "emoji": "👍"}


async def test_a_command_for_a_number_the_tenant_does_not_have_fails_with_the_reason(
    meta: RunningService, issuer: InternalTokenIssuer, sandbox: MetaSandbox
) -> None:
    number = await sandbox.number(meta, issuer)
    other = await sandbox.number(meta, issuer)  # another tenant's number, named in this tenant's command
    command = dispatch(number, f"+{customer()}", template("boas_vindas", "x"))
    command = command.model_copy(update={"data": command.data.model_copy(update={"channel_account_id": other.id})})
    async with statuses_of(number.tenant) as feed:
        await publish(command)
        [failed] = await feed.until(lambda _: feed.of(command.data.dispatch_id))
    assert failed.error is not None
    assert failed.error.code == "no_number"
    assert await sandbox.ledger(other) == []


async def test_copies_of_a_command_arriving_together_reach_meta_once(
    meta: RunningService, issuer: InternalTokenIssuer, sandbox: MetaSandbox
) -> None:
    number = await sandbox.number(meta, issuer)
    await sandbox.behaviour(number, statuses=["sent"], status_delay_ms=20)
    commands = [dispatch(number, f"+{customer()}", template("boas_vindas", f"x{i}")) for i in range(5)]
    async with statuses_of(number.tenant) as feed:
        await publish(*commands, *commands, *commands, fresh_msg_id=True)
        await feed.until(lambda _: all(S.SENT in feed.statuses(c.data.dispatch_id) for c in commands))
    ledger = await sandbox.ledger(number)
    assert sorted(e["biz_opaque_callback_data"] for e in ledger) == sorted(
        f"dispatch:{c.data.dispatch_id}" for c in commands
    )
    assert all(feed.statuses(c.data.dispatch_id).count(S.ACCEPTED) == 1 for c in commands)


async def test_after_the_last_attempt_a_send_fails_with_the_last_transient_error(
    meta: RunningService, issuer: InternalTokenIssuer, sandbox: MetaSandbox, database: ScratchDatabase
) -> None:
    number = await sandbox.number(meta, issuer)
    await sandbox.behaviour(number, fault_5xx_rate=1.0)  # Meta is down for this number
    command = dispatch(number, f"+{customer()}", template("boas_vindas", "x"))
    async with statuses_of(number.tenant) as feed:
        await publish(command)
        [failed] = await feed.until(lambda _: feed.of(command.data.dispatch_id), within=20)
    assert failed.status is S.FAILED
    assert failed.error is not None
    assert (failed.error.code, failed.error.classification) == ("131000", ErrorClassification.TRANSIENT)
    [row] = await rows(
        database, "SELECT attempts FROM whatsapp_meta.outbound_messages WHERE tenant_id = $1", number.tenant
    )
    assert row["attempts"] == meta.service.settings.send_max_attempts
    assert await sandbox.ledger(number) == []

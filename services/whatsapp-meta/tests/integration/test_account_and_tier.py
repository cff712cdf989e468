"""Meta's messaging limit (ours and the sandbox's agree; Meta's refusal when they do not) and Meta's
account webhooks: template verdicts stop sends before Graph, quality updates move tier and rating."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from masteria.contracts.messages import ErrorClassification, MessageStatus
from masteria.devstack.harness import RunningService, ScratchDatabase, wait_for
from masteria.security.internal_token import InternalTokenIssuer

from .support import WABA, MetaSandbox, Number, bearer, customer, dispatch, publish, statuses_of, template

pytestmark = pytest.mark.integration
S = MessageStatus


async def limited_number(
    meta: RunningService, issuer: InternalTokenIssuer, sandbox: MetaSandbox, tier: str, **behaviour: Any
) -> Number:
    """A number Meta (the sandbox) rates at ``tier``, refreshed so the adapter knows it too."""
    number = await sandbox.number(meta, issuer, messaging_limit_tier=tier)
    refreshed = await meta.client.post(
        f"/api/v1/whatsapp/phone-numbers/{number.id}/refresh", headers=bearer(issuer, number.tenant)
    )
    assert refreshed.json()["messaging_limit_tier"] == tier
    await sandbox.behaviour(number, statuses=["sent"], status_delay_ms=20, **behaviour)
    return number


async def sandbox_tier(sandbox: MetaSandbox, number: Number) -> dict[str, Any]:
    body: dict[str, Any] = (await sandbox.http.get(f"/_sandbox/meta/numbers/{number.phone_number_id}/tier")).json()
    return body


async def test_the_adapter_and_meta_count_the_tier_alike_and_the_one_over_never_reaches_graph(
    meta: RunningService, issuer: InternalTokenIssuer, sandbox: MetaSandbox
) -> None:
    number = await limited_number(meta, issuer, sandbox, "TIER_50")
    commands = [dispatch(number, f"+{customer()}", template("boas_vindas", f"c{i}")) for i in range(51)]
    async with statuses_of(number.tenant) as feed:
        await publish(*commands)
        await feed.until(lambda _: all(feed.of(c.data.dispatch_id) for c in commands), within=20)
        await feed.until(lambda _: sum(S.SENT in feed.statuses(c.data.dispatch_id) for c in commands) == 50)
    refused = [e for c in commands for e in feed.of(c.data.dispatch_id) if e.status is S.FAILED]
    [over] = refused
    assert over.error is not None
    assert (over.error.code, over.error.classification) == ("tier_limit", ErrorClassification.TRANSIENT)
    assert "50 new customers per 24 hours" in over.error.title
    ledger = await sandbox.ledger(number)
    assert len(ledger) == 50, "the 51st was refused here, without a Graph call"
    assert all(e["fails_with"] is None for e in ledger)
    assert (await sandbox_tier(sandbox, number))["reached"] == 50, "Meta counted the same 50 customers"


async def test_a_tier_meta_lowered_without_telling_us_ends_failed_131048_with_the_reason(
    meta: RunningService, issuer: InternalTokenIssuer, sandbox: MetaSandbox
) -> None:
    number = await limited_number(meta, issuer, sandbox, "TIER_1K")
    # Meta lowers the limit (no webhook reaches us) and the portfolio's other numbers used it up.
    await sandbox.http.patch(
        f"/_sandbox/meta/numbers/{number.phone_number_id}/behaviour", json={"messaging_limit_tier": "TIER_50"}
    )
    await sandbox.http.post(
        f"/_sandbox/meta/numbers/{number.phone_number_id}/tier/reached",
        json={"wa_ids": [customer() for _ in range(50)]},
    )
    command = dispatch(number, f"+{customer()}", template("boas_vindas", "nova"))
    async with statuses_of(number.tenant) as feed:
        await publish(command)
        await feed.until(lambda _: S.FAILED in feed.statuses(command.data.dispatch_id))
    failed = feed.of(command.data.dispatch_id)[-1]
    assert failed.error is not None
    assert (failed.error.code, failed.error.classification) == ("131048", ErrorClassification.TRANSIENT)
    assert "limit of new customers per 24 hours" in failed.error.title
    [entry] = await sandbox.ledger(number)
    assert entry["fails_with"] == 131048


async def test_metas_synchronous_131048_fails_the_send_at_once_without_retrying_it(
    meta: RunningService, issuer: InternalTokenIssuer, sandbox: MetaSandbox, database: ScratchDatabase
) -> None:
    number = await limited_number(meta, issuer, sandbox, "TIER_UNLIMITED", tier_error="sync")
    await sandbox.http.patch(
        f"/_sandbox/meta/numbers/{number.phone_number_id}/behaviour", json={"messaging_limit_tier": "TIER_50"}
    )
    await sandbox.http.post(
        f"/_sandbox/meta/numbers/{number.phone_number_id}/tier/reached",
        json={"wa_ids": [customer() for _ in range(50)]},
    )
    command = dispatch(number, f"+{customer()}", template("boas_vindas", "nova"))
    async with statuses_of(number.tenant) as feed:
        await publish(command)
        await feed.until(lambda _: S.FAILED in feed.statuses(command.data.dispatch_id))
    [failed] = feed.of(command.data.dispatch_id)
    assert failed.error is not None
    assert (failed.error.code, failed.error.classification) == ("131048", ErrorClassification.TRANSIENT)
    engine = create_async_engine(database.admin_url)
    try:
        async with engine.connect() as connection:
            attempts = await connection.scalar(
                text("SELECT attempts FROM whatsapp_meta.outbound_messages WHERE id = :id"),
                {"id": command.data.dispatch_id},
            )
    finally:
        await engine.dispose()
    assert attempts == 1, "a limit that lasts hours is left to the campaign, not retried here"


async def template_id(sandbox: MetaSandbox, name: str) -> str:
    templates = (await sandbox.http.get("/_sandbox/meta/templates", params={"waba_id": WABA})).json()
    return str(next(t["id"] for t in templates if t["name"] == name))


async def verdict(sandbox: MetaSandbox, name: str, event: str, **extra: Any) -> None:
    """Meta decides about a template: the sandbox changes it and sends the signed webhook."""
    answer = await sandbox.http.post(
        f"/_sandbox/meta/templates/{await template_id(sandbox, name)}/status",
        json={"waba_id": WABA, "event": event, **extra},
    )
    assert answer.status_code == 200, answer.text
    assert all(d["status_code"] == 200 for d in answer.json()["deliveries"]), answer.text


async def test_a_paused_or_rejected_template_is_refused_before_graph_until_meta_reinstates_it(
    meta: RunningService, issuer: InternalTokenIssuer, sandbox: MetaSandbox
) -> None:
    number = await sandbox.number(meta, issuer)
    auth = bearer(issuer, number.tenant)
    assert (await meta.client.post("/api/v1/whatsapp/templates/sync", headers=auth)).status_code == 200
    await sandbox.behaviour(number, statuses=["sent"], status_delay_ms=20)
    try:
        await verdict(sandbox, "boas_vindas", "PAUSED")
        # Sent as Meta would, but the sandbox keeps the template APPROVED: a Graph call would succeed.
        await sandbox.raw_webhook(
            number,
            {
                "object": "whatsapp_business_account",
                "entry": [
                    {
                        "id": WABA,
                        "time": 1,
                        "changes": [
                            {
                                "field": "message_template_status_update",
                                "value": {
                                    "event": "REJECTED",
                                    "message_template_id": int(await template_id(sandbox, "lembrete_consulta")),
                                    "message_template_name": "lembrete_consulta",
                                    "message_template_language": "pt_BR",
                                    "reason": "SCAM",
                                },
                            }
                        ],
                    }
                ],
            },
        )
        listed = (await meta.client.get("/api/v1/whatsapp/templates", headers=auth)).json()["items"]
        statuses = {t["name"]: t["status"] for t in listed}
        assert (statuses["boas_vindas"], statuses["lembrete_consulta"]) == ("PAUSED", "REJECTED")

        paused = dispatch(number, f"+{customer()}", template("boas_vindas", "x"))
        rejected = dispatch(number, f"+{customer()}", template("lembrete_consulta", "Maria", "amanhã", "10h"))
        async with statuses_of(number.tenant) as feed:
            await publish(paused, rejected)
            await feed.until(lambda _: all(feed.of(c.data.dispatch_id) for c in (paused, rejected)))
        [stopped] = feed.of(paused.data.dispatch_id)
        assert stopped.status is S.FAILED
        assert stopped.error is not None
        assert (stopped.error.code, stopped.error.classification) == ("132015", ErrorClassification.PERMANENT)
        assert "boas_vindas (pt_BR) is paused by Meta" in stopped.error.title
        assert stopped.error.provider_detail == "refused before calling Meta: the template's status is PAUSED"
        [refused] = feed.of(rejected.data.dispatch_id)
        assert refused.error is not None
        assert refused.error.code == "132001"
        assert "was rejected by Meta" in refused.error.title
        assert "SCAM" in refused.error.title
        assert await sandbox.ledger(number) == [], "neither reached Graph"

        await verdict(sandbox, "boas_vindas", "REINSTATED")
        again = dispatch(number, f"+{customer()}", template("boas_vindas", "de volta"))
        async with statuses_of(number.tenant) as feed:
            await publish(again)
            await feed.until(lambda _: S.SENT in feed.statuses(again.data.dispatch_id))
    finally:  # the WABA (and every tenant's synced copy of its templates) is shared by the session
        await verdict(sandbox, "boas_vindas", "APPROVED")
        await verdict(sandbox, "lembrete_consulta", "APPROVED")


async def test_a_disabled_template_fails_with_metas_code_and_reason(
    meta: RunningService, issuer: InternalTokenIssuer, sandbox: MetaSandbox
) -> None:
    number = await sandbox.number(meta, issuer)
    await meta.client.post("/api/v1/whatsapp/templates/sync", headers=bearer(issuer, number.tenant))
    try:
        await verdict(sandbox, "promocao_relampago", "DISABLED")
        command = dispatch(number, f"+{customer()}", template("promocao_relampago", "x"))
        async with statuses_of(number.tenant) as feed:
            await publish(command)
            await feed.until(lambda _: feed.of(command.data.dispatch_id))
        [failed] = feed.of(command.data.dispatch_id)
        assert failed.error is not None
        assert failed.error.code == "132016"
        assert "was disabled by Meta for low quality" in failed.error.title
    finally:
        await verdict(sandbox, "promocao_relampago", "APPROVED")


async def quality(sandbox: MetaSandbox, number: Number, **body: Any) -> None:
    answer = await sandbox.http.post(f"/_sandbox/meta/numbers/{number.phone_number_id}/quality", json=body)
    assert answer.status_code == 200, answer.text
    assert answer.json()["deliveries"][0]["status_code"] == 200, answer.text


async def test_quality_updates_move_the_numbers_tier_and_rating_in_the_numbers_list(
    meta: RunningService, issuer: InternalTokenIssuer, sandbox: MetaSandbox
) -> None:
    number = await sandbox.number(meta, issuer, display_phone_number="+55 11 95555-0102")
    auth = bearer(issuer, number.tenant)

    async def listed() -> tuple[str | None, str | None]:
        [shown] = (await meta.client.get("/api/v1/whatsapp/phone-numbers", headers=auth)).json()
        return shown["messaging_limit_tier"], shown["quality_rating"]

    await quality(sandbox, number, event="DOWNGRADE", current_limit="TIER_250")
    assert (await listed())[0] == "TIER_250"
    await quality(sandbox, number, event="FLAGGED")
    assert await listed() == ("TIER_250", "RED")
    await quality(sandbox, number, event="UNFLAGGED")  # the webhook has no rating: Graph says GREEN

    async def green() -> bool:
        return await listed() == ("TIER_250", "GREEN")

    await wait_for(green, within=10)
    await quality(sandbox, number, event="UPGRADE", current_limit="TIER_10K")
    assert (await listed())[0] == "TIER_10K"

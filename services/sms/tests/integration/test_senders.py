"""Senders: verified at Twilio (the sandbox), auth token sealed, tenant-scoped, throughput editable."""

from __future__ import annotations

import uuid

import asyncpg
import pytest

from masteria.devstack.postgres import asyncpg_dsn

from .conftest import PUBLIC, Stack, bearer, connect_sender, random_number, sandbox_account, sandbox_number

pytestmark = pytest.mark.integration


async def test_registration_shows_the_urls_to_configure_and_seals_the_token(stack: Stack) -> None:
    sender = await connect_sender(stack)
    body = sender.body
    assert body["phone_number"] == sender.phone_number
    assert (body["kind"], body["messages_per_second"]) == ("long_code", 1)
    assert body["inbound_webhook_url"] == f"{PUBLIC}/webhooks/sms/twilio/inbound"
    assert body["status_callback_url"] == f"{PUBLIC}/webhooks/sms/twilio/status"
    assert "auth_token" not in body
    conn = await asyncpg.connect(asyncpg_dsn(stack.database.admin_url))
    try:
        row = await conn.fetchrow("SELECT * FROM sms.senders WHERE id = $1", uuid.UUID(sender.id))
    finally:
        await conn.close()
    assert row is not None
    assert sender.auth_token not in str(dict(row))
    assert row["auth_token_sealed"].startswith("enc:v1:")


async def test_bad_credentials_and_foreign_numbers_are_422_with_a_reason(stack: Stack) -> None:
    tenant = uuid.uuid4()
    sid, token = await sandbox_account(stack)
    phone = await sandbox_number(stack, sid)
    wrong_token = await stack.sms.client.post(
        "/api/v1/sms/senders",
        headers=bearer(stack.issuer, tenant),
        json={"account_sid": sid, "auth_token": "f" * 32, "phone_number": phone},
    )
    assert wrong_token.status_code == 422, wrong_token.text
    assert wrong_token.headers["content-type"] == "application/problem+json"
    assert wrong_token.json()["reason"] == "invalid_credentials"
    assert "20003" in wrong_token.json()["detail"]

    not_ours = await stack.sms.client.post(
        "/api/v1/sms/senders",
        headers=bearer(stack.issuer, tenant),
        json={"account_sid": sid, "auth_token": token, "phone_number": random_number()},
    )
    assert not_ours.status_code == 422
    assert not_ours.json()["reason"] == "number_not_in_account"

    malformed = await stack.sms.client.post(
        "/api/v1/sms/senders",
        headers=bearer(stack.issuer, tenant),
        json={"account_sid": sid, "auth_token": token, "phone_number": "11 99999-0000"},
    )
    assert malformed.status_code == 422
    assert malformed.json()["errors"][0]["field"] == "phone_number"


async def test_a_number_is_connected_once_and_only_by_an_admin(stack: Stack) -> None:
    sender = await connect_sender(stack)
    again = await stack.sms.client.post(
        "/api/v1/sms/senders",
        headers=bearer(stack.issuer, uuid.uuid4()),
        json={"account_sid": sender.account_sid, "auth_token": sender.auth_token, "phone_number": sender.phone_number},
    )
    assert again.status_code == 409
    as_agent = await stack.sms.client.post(
        "/api/v1/sms/senders",
        headers=bearer(stack.issuer, sender.tenant, role="agent"),
        json={"account_sid": sender.account_sid, "auth_token": sender.auth_token, "phone_number": random_number()},
    )
    assert as_agent.status_code == 403
    assert (await stack.sms.client.get("/api/v1/sms/senders")).status_code == 401


async def test_short_codes_are_verified_as_short_codes(stack: Stack) -> None:
    sid, token = await sandbox_account(stack)
    code = str(100000 + uuid.uuid4().int % 899999)
    await sandbox_number(stack, sid, kind="short_code", phone=code)
    response = await stack.sms.client.post(
        "/api/v1/sms/senders",
        headers=bearer(stack.issuer, uuid.uuid4()),
        json={"account_sid": sid, "auth_token": token, "phone_number": code, "kind": "short_code"},
    )
    assert response.status_code == 201, response.text
    assert (response.json()["phone_number"], response.json()["messages_per_second"]) == (code, 100)


async def test_list_patch_and_delete_stay_inside_the_tenant(stack: Stack) -> None:
    sender = await connect_sender(stack)
    headers = bearer(stack.issuer, sender.tenant)
    listed = await stack.sms.client.get("/api/v1/sms/senders", headers=headers)
    assert [s["id"] for s in listed.json()] == [sender.id]
    other = bearer(stack.issuer, uuid.uuid4())
    assert (await stack.sms.client.get("/api/v1/sms/senders", headers=other)).json() == []
    assert (await stack.sms.client.get(f"/api/v1/sms/senders/{sender.id}", headers=other)).status_code == 404

    faster = await stack.sms.client.patch(
        f"/api/v1/sms/senders/{sender.id}", headers=headers, json={"messages_per_second": 10, "label": "Vendas"}
    )
    assert (faster.json()["messages_per_second"], faster.json()["label"]) == (10, "Vendas")
    toll_free = await stack.sms.client.patch(
        f"/api/v1/sms/senders/{sender.id}", headers=headers, json={"kind": "toll_free"}
    )
    assert (toll_free.json()["kind"], toll_free.json()["messages_per_second"]) == ("toll_free", 3)
    bad_token = await stack.sms.client.patch(
        f"/api/v1/sms/senders/{sender.id}", headers=headers, json={"auth_token": "e" * 32}
    )
    assert bad_token.status_code == 422
    too_fast = await stack.sms.client.patch(
        f"/api/v1/sms/senders/{sender.id}", headers=headers, json={"messages_per_second": 5000}
    )
    assert too_fast.status_code == 422

    assert (await stack.sms.client.delete(f"/api/v1/sms/senders/{sender.id}", headers=other)).status_code == 404
    assert (await stack.sms.client.delete(f"/api/v1/sms/senders/{sender.id}", headers=headers)).status_code == 204
    assert (await stack.sms.client.get(f"/api/v1/sms/senders/{sender.id}", headers=headers)).status_code == 404


async def test_every_table_is_closed_to_other_tenants_and_the_system_sees_only_senders(stack: Stack) -> None:
    await connect_sender(stack)
    tables = ("senders", "opt_outs", "sends", "status_receipts", "inbound_receipts", "outbox", "processed_events")
    app = await asyncpg.connect(asyncpg_dsn(stack.database.app_url))

    async def counts(*names: str) -> list[int]:
        return [int(await app.fetchval(f"SELECT count(*) FROM sms.{name}")) for name in names]  # noqa: S608

    try:
        async with app.transaction():
            await app.execute("SELECT set_config('app.tenant_id', $1, true)", str(uuid.uuid4()))
            assert await counts(*tables) == [0] * len(tables)
        async with app.transaction():  # no tenant at all: fails closed
            assert await counts(*tables) == [0] * len(tables)
        async with app.transaction():  # webhook routing: senders only
            await app.execute("SELECT set_config('app.system', 'on', true)")
            assert (await counts("senders"))[0] > 0
            assert await counts("opt_outs", "sends", "status_receipts", "inbound_receipts") == [0, 0, 0, 0]
    finally:
        await app.close()

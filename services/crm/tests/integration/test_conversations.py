"""Agents work the inbox: assignment, status, notes, unread counts and search, each change announced."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from masteria.contracts.channels import Channel
from masteria.devstack.harness import RunningService, wait_for
from masteria.security.internal_token import InternalTokenIssuer

from .helpers import Api, collect, inbound, publish

pytestmark = pytest.mark.integration


async def test_assign_resolve_read_and_note_each_publish_an_update(
    crm: RunningService, issuer: InternalTokenIssuer
) -> None:
    me = uuid.uuid4()
    a = Api(crm, issuer, uuid.uuid4(), user=me)
    account = uuid.uuid4()
    await publish(inbound(a.tenant, account, "wamid.w1", "preciso de ajuda", sender="+5511933330001"))
    conv = await a.conversation_of("+5511933330001")
    assert (conv["status"], conv["assignee_user_id"], conv["unread_count"]) == ("open", None, 1)

    assigned = await a.ok("PATCH", f"/api/v1/conversations/{conv['id']}", json={"assignee_user_id": str(me)})
    assert assigned["assignee_user_id"] == str(me)
    assert [c["id"] for c in (await a.ok("GET", "/api/v1/conversations", params={"assignee": "me"}))["items"]] == [
        conv["id"]
    ]
    assert (await a.ok("GET", "/api/v1/conversations", params={"assignee": "unassigned"}))["items"] == []
    other = (await a.ok("GET", "/api/v1/conversations", params={"assignee": str(uuid.uuid4())}))["items"]
    assert other == []
    read = await a.ok("POST", f"/api/v1/conversations/{conv['id']}/read")
    assert read["unread_count"] == 0
    pending = await a.ok("PATCH", f"/api/v1/conversations/{conv['id']}", json={"status": "pending"})
    assert pending["status"] == "pending"
    resolved = await a.ok(
        "PATCH", f"/api/v1/conversations/{conv['id']}", json={"status": "resolved", "assignee_user_id": None}
    )
    assert (resolved["status"], resolved["assignee_user_id"]) == ("resolved", None)
    assert [c["id"] for c in (await a.ok("GET", "/api/v1/conversations", params={"status": "resolved"}))["items"]] == [
        conv["id"]
    ]
    assert (await a.ok("GET", "/api/v1/conversations", params={"status": "open"}))["items"] == []
    note = await a.ok("POST", f"/api/v1/conversations/{conv['id']}/notes", 201, json={"body": "ligar amanhã"})
    assert note["author_user_id"] == str(me)
    notes = await a.ok("GET", f"/api/v1/conversations/{conv['id']}/notes")
    assert [n["body"] for n in notes["items"]] == ["ligar amanhã"]

    updates = await collect(f"conversation.updated.{a.tenant}", lambda seen: len(seen) >= 4)
    assert [(u["data"]["status"], u["data"]["assignee_user_id"], u["data"]["unread_count"]) for u in updates] == [
        ("open", str(me), 1),
        ("open", str(me), 0),
        ("pending", str(me), 0),
        ("resolved", None, 0),
    ]
    [added] = await collect(f"conversation.note_added.{a.tenant}", lambda seen: len(seen) >= 1)
    assert added["data"]["body"] == "ligar amanhã"
    assert added["data"]["note_id"] == note["id"]

    # The customer writes again: the resolved thread reopens, with one unread message.
    await publish(inbound(a.tenant, account, "wamid.w2", "oi de novo", sender="+5511933330001"))

    async def reopened() -> Any:
        c = await a.ok("GET", f"/api/v1/conversations/{conv['id']}")
        return c if c["status"] == "open" else None

    again = await wait_for(reopened)
    assert again["unread_count"] == 1
    updates = await collect(f"conversation.updated.{a.tenant}", lambda seen: len(seen) >= 5)
    assert updates[-1]["data"]["status"] == "open"


async def test_bad_changes_are_refused(crm: RunningService, issuer: InternalTokenIssuer) -> None:
    a = Api(crm, issuer, uuid.uuid4())
    await publish(inbound(a.tenant, uuid.uuid4(), "wamid.b1", "oi", sender="+5511933330002"))
    conv = await a.conversation_of("+5511933330002")
    closed = await a.call("PATCH", f"/api/v1/conversations/{conv['id']}", json={"status": "closed"})
    assert closed.status_code == 422
    assert closed.json()["errors"][0]["field"] == "status"
    empty = await a.call("POST", f"/api/v1/conversations/{conv['id']}/notes", json={"body": "   "})
    assert empty.status_code == 422
    assert empty.json()["errors"][0]["field"] == "body"
    bad = await a.call("GET", "/api/v1/conversations", params={"assignee": "someone"})
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "assignee"


async def test_filters_by_channel_and_search_over_every_message(
    crm: RunningService, issuer: InternalTokenIssuer
) -> None:
    a = Api(crm, issuer, uuid.uuid4())
    t0 = datetime.now(UTC) - timedelta(minutes=5)
    whatsapp = uuid.uuid4()
    await publish(
        inbound(
            a.tenant, whatsapp, "wamid.s1", "quero saber do boleto vencido", sender="+5511922220001", name="Rita", at=t0
        ),
        inbound(
            a.tenant,
            whatsapp,
            "wamid.s2",
            "obrigada",
            sender="+5511922220001",
            name="Rita",
            at=t0 + timedelta(minutes=1),
        ),
        inbound(
            a.tenant,
            uuid.uuid4(),
            "SM0001",
            "qual o prazo de entrega?",
            sender="+5511922220002",
            name="Téo",
            channel=Channel.SMS,
            at=t0 + timedelta(minutes=2),
        ),
    )

    async def both() -> Any:
        page = await a.ok("GET", "/api/v1/conversations")
        return page if len(page["items"]) == 2 and page["items"][1]["unread_count"] == 2 else None

    await wait_for(both)

    async def names(**params: Any) -> list[str]:
        return [c["contact"]["name"] for c in (await a.ok("GET", "/api/v1/conversations", params=params))["items"]]

    # "boleto" is not the last message of Rita's thread: search covers every message
    assert await names(q="boleto") == ["Rita"]
    assert await names(q="BOLETO VENC") == ["Rita"]
    assert await names(q="entrega") == ["Téo"]
    assert await names(q="2222 0002") == ["Téo"]  # a number however it is spaced
    assert await names(q="+55 11 92222") == ["Téo", "Rita"]
    assert await names(channel="sms") == ["Téo"]
    assert await names(channel="whatsapp_meta", q="obrigada") == ["Rita"]


async def test_another_tenant_cannot_touch_a_conversation(crm: RunningService, issuer: InternalTokenIssuer) -> None:
    a, b = Api(crm, issuer, uuid.uuid4()), Api(crm, issuer, uuid.uuid4())
    await publish(inbound(a.tenant, uuid.uuid4(), "wamid.iso", "privado", sender="+5511911110009"))
    conv = await a.conversation_of("+5511911110009")
    for method, path, kwargs in [
        ("PATCH", f"/api/v1/conversations/{conv['id']}", {"json": {"status": "resolved"}}),
        ("POST", f"/api/v1/conversations/{conv['id']}/read", {}),
        ("GET", f"/api/v1/conversations/{conv['id']}/notes", {}),
        ("POST", f"/api/v1/conversations/{conv['id']}/notes", {"json": {"body": "x"}}),
        ("POST", f"/api/v1/conversations/{conv['id']}/messages", {"json": {"content": {"kind": "text", "body": "x"}}}),
    ]:
        response = await b.call(method, path, **kwargs)
        assert response.status_code == 404, (method, path, response.text)
    assert (await b.ok("GET", "/api/v1/conversations", params={"q": "privado"}))["items"] == []
    detail = await a.ok("GET", f"/api/v1/conversations/{conv['id']}")
    assert detail["status"] == "open"
    assert detail["unread_count"] == 1

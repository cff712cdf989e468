"""Contacts: created once per number, filtered, tagged, changed, merged and deleted, per tenant."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from masteria.contracts.channels import Channel
from masteria.devstack.harness import RunningService
from masteria.security.internal_token import InternalTokenIssuer

from .helpers import Api, collect, inbound, publish

pytestmark = pytest.mark.integration


def api(crm: RunningService, issuer: InternalTokenIssuer) -> Api:
    return Api(crm, issuer, uuid.uuid4())


async def test_a_contact_is_created_normalised_and_announced(crm: RunningService, issuer: InternalTokenIssuer) -> None:
    a = api(crm, issuer)
    body = {
        "phone": "(11) 98888-0001",
        "name": " Ana Lima ",
        "email": "Ana@Example.com",
        "tags": ["vip", " vip", "sp"],
        "custom_fields": {"cidade": "São Paulo"},
    }
    created = await a.ok("POST", "/api/v1/contacts", 201, json=body)
    assert created["phone"] == "+5511988880001"
    assert (created["name"], created["email"], created["tags"]) == ("Ana Lima", "ana@example.com", ["vip", "sp"])
    assert created["custom_fields"] == {"cidade": "São Paulo"}
    assert created["consent"] == {}
    assert created["last_inbound_at"] == {}
    assert await a.ok("GET", f"/api/v1/contacts/{created['id']}") == created
    [event] = await collect(f"contact.created.{a.tenant}", lambda seen: len(seen) >= 1)
    assert event["data"]["contact_id"] == created["id"]
    assert event["data"]["tags"] == ["vip", "sp"]
    assert event["data"]["source"] == "agent"


async def test_a_duplicate_number_is_409_naming_the_existing_contact(
    crm: RunningService, issuer: InternalTokenIssuer
) -> None:
    a = api(crm, issuer)
    first = await a.ok("POST", "/api/v1/contacts", 201, json={"phone": "+5511988880002"})
    again = await a.call("POST", "/api/v1/contacts", json={"phone": "11 98888-0002"})
    assert again.status_code == 409
    assert again.headers["content-type"] == "application/problem+json"
    assert again.json()["contact_id"] == first["id"]
    other = await a.ok("POST", "/api/v1/contacts", 201, json={"phone": "+5511988880003"})
    clash = await a.call("PATCH", f"/api/v1/contacts/{other['id']}", json={"phone": "+5511988880002"})
    assert clash.status_code == 409
    assert clash.json()["contact_id"] == first["id"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"phone": "abc"}, "phone"),
        ({"phone": "+5511988880004", "email": "not-an-email"}, "email"),
        ({"phone": "+5511988880004", "custom_fields": {"bad/name": "x"}}, "custom_fields"),
        ({"phone": "+5511988880004", "default_country": "B1"}, "default_country"),
    ],
)
async def test_bad_fields_are_422_naming_the_field(
    crm: RunningService, issuer: InternalTokenIssuer, body: dict[str, Any], field: str
) -> None:
    response = await api(crm, issuer).call("POST", "/api/v1/contacts", json=body)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert [e["field"] for e in response.json()["errors"]] == [field]


async def test_patch_changes_only_what_it_names_and_says_what_changed(
    crm: RunningService, issuer: InternalTokenIssuer
) -> None:
    a = api(crm, issuer)
    c = await a.ok(
        "POST",
        "/api/v1/contacts",
        201,
        json={
            "phone": "+5511988880005",
            "name": "Bia",
            "tags": ["a"],
            "custom_fields": {"plano": "ouro", "cidade": "Rio"},
        },
    )
    patched = await a.ok(
        "PATCH",
        f"/api/v1/contacts/{c['id']}",
        json={"email": "bia@example.com", "custom_fields": {"plano": "prata", "cidade": None}},
    )
    assert patched["name"] == "Bia"
    assert patched["tags"] == ["a"]
    assert patched["custom_fields"] == {"plano": "prata"}
    assert patched["email"] == "bia@example.com"
    events = await collect(f"contact.updated.{a.tenant}", lambda seen: len(seen) >= 1)
    assert sorted(events[0]["data"]["changed"]) == ["custom_fields", "email"]
    unchanged = await a.ok("PATCH", f"/api/v1/contacts/{c['id']}", json={"name": "Bia"})
    assert unchanged["updated_at"] == patched["updated_at"]


async def test_list_filters_by_search_tags_channel_and_consent_with_cursor_pages(
    crm: RunningService, issuer: InternalTokenIssuer
) -> None:
    a = api(crm, issuer)
    for i in range(7):
        await a.ok(
            "POST",
            "/api/v1/contacts",
            201,
            json={
                "phone": f"+55119777700{i:02d}",
                "name": f"Pessoa {i}",
                "tags": ["lote"] + (["par"] if i % 2 == 0 else []),
            },
        )
    joana = await a.ok(
        "POST",
        "/api/v1/contacts",
        201,
        json={"phone": "+5521912345678", "name": "Joana Prado", "email": "joana@prado.com", "tags": ["vip"]},
    )
    names = [c["name"] for c in (await a.ok("GET", "/api/v1/contacts", params={"q": "prado"}))["items"]]
    assert names == ["Joana Prado"]
    assert [c["id"] for c in (await a.ok("GET", "/api/v1/contacts", params={"q": "2345"}))["items"]] == [joana["id"]]
    pares = await a.ok("GET", "/api/v1/contacts", params=[("tag", "lote"), ("tag", "par")])
    assert sorted(c["name"] for c in pares["items"]) == ["Pessoa 0", "Pessoa 2", "Pessoa 4", "Pessoa 6"]
    seen, cursor = [], None
    while True:
        page = await a.ok(
            "GET", "/api/v1/contacts", params={"tag": "lote", "limit": 3, **({"cursor": cursor} if cursor else {})}
        )
        seen += [c["name"] for c in page["items"]]
        if (cursor := page["next_cursor"]) is None:
            break
    assert seen == [f"Pessoa {i}" for i in reversed(range(7))]
    # consent: opted out of SMS only
    await a.ok("PUT", f"/api/v1/contacts/{joana['id']}/consent/sms", json={"allowed": False})
    opted = await a.ok("GET", "/api/v1/contacts", params={"opted_out": "true"})
    assert [c["id"] for c in opted["items"]] == [joana["id"]]
    assert (await a.ok("GET", "/api/v1/contacts", params={"opted_out": "true", "channel": "whatsapp_meta"}))[
        "items"
    ] == []
    assert len((await a.ok("GET", "/api/v1/contacts", params={"opted_out": "false"}))["items"]) == 7
    # channel alone: contacts with a conversation there
    account = uuid.uuid4()
    await publish(inbound(a.tenant, account, "wamid.chan", "oi", sender="+5511977770003", channel=Channel.SMS))
    await a.conversation_of("+5511977770003")
    on_sms = await a.ok("GET", "/api/v1/contacts", params={"channel": "sms"})
    assert [c["phone"] for c in on_sms["items"]] == ["+5511977770003"]
    tags = await a.ok("GET", "/api/v1/contacts/tags")
    assert tags["items"] == [{"tag": "lote", "count": 7}, {"tag": "par", "count": 4}, {"tag": "vip", "count": 1}]
    first = await a.ok("GET", "/api/v1/contacts/tags", params={"limit": 2})
    rest = await a.ok("GET", "/api/v1/contacts/tags", params={"limit": 2, "cursor": first["next_cursor"]})
    assert [t["tag"] for t in first["items"] + rest["items"]] == ["lote", "par", "vip"]


async def test_consent_changes_are_published_once(crm: RunningService, issuer: InternalTokenIssuer) -> None:
    a = api(crm, issuer)
    c = await a.ok("POST", "/api/v1/contacts", 201, json={"phone": "+5511988880006"})
    out = await a.ok("PUT", f"/api/v1/contacts/{c['id']}/consent/sms", json={"allowed": False})
    assert out["consent"]["sms"]["allowed"] is False
    assert out["consent"]["sms"]["reason"] == "request"
    await a.ok("PUT", f"/api/v1/contacts/{c['id']}/consent/sms", json={"allowed": False})  # no change, no event
    back = await a.ok("PUT", f"/api/v1/contacts/{c['id']}/consent/sms", json={"allowed": True})
    assert back["consent"]["sms"]["allowed"] is True
    events = await collect(f"contact.*.{a.tenant}", lambda seen: len(seen) >= 3)
    assert [e["type"] for e in events] == ["contact.created", "contact.opted_out", "contact.opted_in"]
    assert events[1]["data"]["channel"] == "sms"


async def test_merge_moves_threads_messages_tags_and_fields_and_deletes_the_duplicates(
    crm: RunningService, issuer: InternalTokenIssuer
) -> None:
    a = api(crm, issuer)
    account = uuid.uuid4()
    # The same person wrote from two numbers on the same WhatsApp number, and was imported twice.
    await publish(inbound(a.tenant, account, "wamid.m1", "primeiro", sender="+5511966660001", name="Carla"))
    await publish(inbound(a.tenant, account, "wamid.m2", "segundo", sender="+5511966660002", name=None))
    keep_conv = await a.conversation_of("+5511966660001")
    dup_conv = await a.conversation_of("+5511966660002")
    keep_id, dup_id = keep_conv["contact"]["id"], dup_conv["contact"]["id"]
    await a.ok("PATCH", f"/api/v1/contacts/{keep_id}", json={"tags": ["a"], "custom_fields": {"plano": "ouro"}})
    await a.ok(
        "PATCH",
        f"/api/v1/contacts/{dup_id}",
        json={"email": "carla@example.com", "tags": ["b"], "custom_fields": {"plano": "prata", "cidade": "Recife"}},
    )
    await a.ok("POST", f"/api/v1/conversations/{dup_conv['id']}/notes", 201, json={"body": "cliente antiga"})
    third = await a.ok("POST", "/api/v1/contacts", 201, json={"phone": "+5511966660003", "tags": ["c"]})

    merged = await a.ok("POST", f"/api/v1/contacts/{keep_id}/merge", json={"contact_ids": [dup_id, third["id"]]})
    assert merged["tags"] == ["a", "b", "c"]
    assert merged["custom_fields"] == {"plano": "ouro", "cidade": "Recife"}
    assert merged["email"] == "carla@example.com"
    assert merged["name"] == "Carla"
    assert "whatsapp_meta" in merged["last_inbound_at"]
    for gone in (dup_id, third["id"]):
        assert (await a.call("GET", f"/api/v1/contacts/{gone}")).status_code == 404
    conversations = (await a.ok("GET", "/api/v1/conversations"))["items"]
    assert len(conversations) == 1
    assert conversations[0]["contact"]["id"] == keep_id
    assert conversations[0]["unread_count"] == 2
    timeline = await a.ok("GET", f"/api/v1/contacts/{keep_id}/timeline")
    assert [(i["kind"], (i["message"] or {}).get("preview") or i["note"]["body"]) for i in timeline["items"]] == [
        ("note", "cliente antiga"),
        ("message", "segundo"),
        ("message", "primeiro"),
    ]
    [event] = await collect(f"contact.merged.{a.tenant}", lambda seen: len(seen) >= 1)
    assert sorted(event["data"]["merged_contact_ids"]) == sorted([dup_id, third["id"]])
    bad = await a.call("POST", f"/api/v1/contacts/{keep_id}/merge", json={"contact_ids": [keep_id]})
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "contact_ids"


async def test_timeline_pages_through_messages_and_notes(crm: RunningService, issuer: InternalTokenIssuer) -> None:
    a = api(crm, issuer)
    account = uuid.uuid4()
    await publish(*(inbound(a.tenant, account, f"wamid.t{i}", f"m{i}", sender="+5511955550001") for i in range(5)))

    async def five() -> Any:
        conv = await a.conversation_of("+5511955550001")
        return conv if conv["unread_count"] == 5 else None

    from masteria.devstack.harness import wait_for

    conv = await wait_for(five)
    for i in range(3):
        await a.ok("POST", f"/api/v1/conversations/{conv['id']}/notes", 201, json={"body": f"n{i}"})
    seen, cursor = [], None
    while True:
        page = await a.ok(
            "GET",
            f"/api/v1/contacts/{conv['contact']['id']}/timeline",
            params={"limit": 3, **({"cursor": cursor} if cursor else {})},
        )
        seen += [i["kind"] for i in page["items"]]
        if (cursor := page["next_cursor"]) is None:
            break
    assert sorted(seen) == ["message"] * 5 + ["note"] * 3
    assert len(seen) == 8


async def test_delete_removes_the_contact_with_its_conversations(
    crm: RunningService, issuer: InternalTokenIssuer
) -> None:
    a = api(crm, issuer)
    await publish(inbound(a.tenant, uuid.uuid4(), "wamid.del", "apague-me", sender="+5511944440001"))
    conv = await a.conversation_of("+5511944440001")
    assert (await a.call("DELETE", f"/api/v1/contacts/{conv['contact']['id']}")).status_code == 403  # agents keep
    assert (await a.as_role("admin").call("DELETE", f"/api/v1/contacts/{conv['contact']['id']}")).status_code == 204
    assert (await a.ok("GET", "/api/v1/conversations"))["items"] == []
    assert (await a.call("GET", f"/api/v1/conversations/{conv['id']}")).status_code == 404
    [event] = await collect(f"contact.deleted.{a.tenant}", lambda seen: len(seen) >= 1)
    assert (event["data"]["contact_id"], event["data"]["phone"]) == (conv["contact"]["id"], "+5511944440001")
    again = await a.as_role("admin").call("DELETE", f"/api/v1/contacts/{conv['contact']['id']}")
    assert again.status_code == 404
    assert again.headers["content-type"].startswith("application/problem+json")


async def test_another_tenant_sees_none_of_it(crm: RunningService, issuer: InternalTokenIssuer) -> None:
    a, b = api(crm, issuer), api(crm, issuer).as_role("admin")
    c = await a.ok("POST", "/api/v1/contacts", 201, json={"phone": "+5511988880009", "tags": ["segredo"]})
    other = await b.ok("POST", "/api/v1/contacts", 201, json={"phone": "+5511988880010"})
    for method, path, kwargs in [
        ("GET", f"/api/v1/contacts/{c['id']}", {}),
        ("PATCH", f"/api/v1/contacts/{c['id']}", {"json": {"name": "x"}}),
        ("DELETE", f"/api/v1/contacts/{c['id']}", {}),
        ("GET", f"/api/v1/contacts/{c['id']}/timeline", {}),
        ("PUT", f"/api/v1/contacts/{c['id']}/consent/sms", {"json": {"allowed": False}}),
        ("POST", f"/api/v1/contacts/{c['id']}/merge", {"json": {"contact_ids": [other["id"]]}}),
    ]:
        response = await b.call(method, path, **kwargs)
        assert response.status_code == 404, (method, path, response.text)
    merge_in = await b.call("POST", f"/api/v1/contacts/{other['id']}/merge", json={"contact_ids": [c["id"]]})
    assert merge_in.status_code == 422  # A's contact does not exist for B
    assert [x["id"] for x in (await b.ok("GET", "/api/v1/contacts"))["items"]] == [other["id"]]
    assert (await b.ok("GET", "/api/v1/contacts/tags"))["items"] == []
    assert (await a.ok("GET", f"/api/v1/contacts/{c['id']}"))["tags"] == ["segredo"]


async def test_viewers_read_but_do_not_write(crm: RunningService, issuer: InternalTokenIssuer) -> None:
    a = api(crm, issuer)
    c = await a.ok("POST", "/api/v1/contacts", 201, json={"phone": "+5511988880011"})
    viewer = a.as_role("viewer")
    assert (await viewer.ok("GET", f"/api/v1/contacts/{c['id']}"))["id"] == c["id"]
    for method, path, kwargs in [
        ("POST", "/api/v1/contacts", {"json": {"phone": "+5511988880012"}}),
        ("PATCH", f"/api/v1/contacts/{c['id']}", {"json": {"name": "x"}}),
        ("PUT", f"/api/v1/contacts/{c['id']}/consent/sms", {"json": {"allowed": False}}),
        ("GET", "/api/v1/contacts/export.csv", {}),
    ]:
        response = await viewer.call(method, path, **kwargs)
        assert response.status_code == 403, (method, path, response.text)

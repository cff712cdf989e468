"""The cadences API of a running campaigns service, fed by crm's events over NATS like in production:
building a cadence, refusals with reasons, enrolment by hand, filter and segment, the enrolment list, stops
by hand, by reply and by lead stage, statistics, and tenant isolation."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import pytest

from masteria.contracts.channels import Channel
from masteria.contracts.content import TextContent
from masteria.contracts.ids import uuid7
from masteria.contracts.leads import LeadStageChanged
from masteria.contracts.messages import InboundMessage, Sender
from masteria.devstack.harness import RunningService, wait_for
from masteria.security.internal_token import InternalTokenIssuer

from .helpers import Api, created, envelope, publish, rows

pytestmark = pytest.mark.integration


@pytest.fixture
def api(campaigns: RunningService, issuer: InternalTokenIssuer) -> Api:
    return Api(campaigns, issuer, uuid.uuid4())


def cadence_body(**fields: Any) -> dict[str, Any]:
    return {
        "name": "Boas-vindas",
        "steps": [
            {"channel": "whatsapp_meta", "content": {"kind": "text", "body": "Olá {{first_name|cliente}}!"}},
            {"channel": "sms", "content": {"kind": "text", "body": "Ainda quer conversar?"},
             "delay": {"value": 2, "unit": "days"}, "condition": "no_reply"},
        ],
    } | fields


async def people(api: Api, *phones: str, tags: tuple[str, ...] = ()) -> list[uuid.UUID]:
    """Contacts created in crm; waits until the campaigns view holds them."""
    events = [created(phone, name=f"Pessoa {phone[-4:]}", tags=tags) for phone in phones]
    await publish(*(envelope(event, api.tenant) for event in events))
    ids = [event.contact_id for event in events]

    async def arrived() -> bool:
        found = await rows(api.service, api.tenant, "SELECT 1 FROM campaigns.contacts WHERE contact_id = ANY(:ids)",
                           ids=ids)
        return len(found) == len(ids)

    await wait_for(arrived)
    return ids


async def active_cadence(api: Api, **fields: Any) -> dict[str, Any]:
    cadence = await api.ok("POST", "/api/v1/cadences", 201, json=cadence_body(**fields))
    return dict(await api.ok("POST", f"/api/v1/cadences/{cadence['id']}/activate"))


async def enrolments(api: Api, cadence_id: str, **params: Any) -> list[dict[str, Any]]:
    page = await api.ok("GET", f"/api/v1/cadences/{cadence_id}/enrolments", params={"limit": 500, **params})
    return list(page["items"])


async def test_a_cadence_is_built_listed_changed_and_activated(api: Api) -> None:
    hours = {"timezone": "America/Sao_Paulo", "days": [0, 1, 2, 3, 4], "start": "09:00", "end": "18:00"}
    cadence = await api.ok("POST", "/api/v1/cadences", 201, json=cadence_body(business_hours=hours))
    assert cadence["state"] == "draft"
    assert [(s["position"], s["channel"], s["condition"]) for s in cadence["steps"]] == [
        (1, "whatsapp_meta", "always"), (2, "sms", "no_reply")]
    assert cadence["steps"][1]["delay"] == {"value": 2, "unit": "days"}
    assert cadence["business_hours"] == hours
    assert (cadence["stop_on_reply"], cadence["stop_on_stage_change"], cadence["duplicate_window_hours"]) == (
        True, False, 24)

    second = await api.ok("POST", "/api/v1/cadences", 201, json=cadence_body(name="Reativação"))
    first_page = await api.ok("GET", "/api/v1/cadences", params={"limit": 1})
    assert [c["id"] for c in first_page["items"]] == [second["id"]]
    next_page = await api.ok("GET", "/api/v1/cadences", params={"limit": 1, "cursor": first_page["next_cursor"]})
    assert [c["id"] for c in next_page["items"]] == [cadence["id"]]

    changed = await api.ok("PATCH", f"/api/v1/cadences/{cadence['id']}",
                           json={"name": "Boas-vindas 2", "business_hours": None, "stop_on_stage_change": True})
    assert (changed["name"], changed["business_hours"], changed["stop_on_stage_change"]) == (
        "Boas-vindas 2", None, True)
    active = await api.ok("POST", f"/api/v1/cadences/{cadence['id']}/activate")
    assert active["state"] == "active"
    assert active["activated_at"] is not None
    listed = await api.ok("GET", "/api/v1/cadences", params={"state": "active"})
    assert [c["id"] for c in listed["items"]] == [cadence["id"]]
    paused = await api.ok("POST", f"/api/v1/cadences/{cadence['id']}/pause")
    assert paused["state"] == "paused"


@pytest.mark.parametrize(("body", "field", "says"), [
    (cadence_body(steps=[{"channel": "sms", "content": {"kind": "text", "body": "x"},
                          "delay": {"value": 30, "unit": "seconds"}}]), "steps.0.delay.unit", "minutes, hours or days"),
    (cadence_body(steps=[{"channel": "sms", "content": {"kind": "text", "body": "Oi {{apelido}}"}}]), "steps.0",
     "unknown variables: apelido"),
    (cadence_body(steps=[{"channel": "sms", "content": {"kind": "text", "body": "x"}, "condition": "stage_is"}]),
     "steps.0", "stage_is needs stage_id"),
    (cadence_body(business_hours={"start": "18:00", "end": "08:00"}), "business_hours", "start must come before end"),
    (cadence_body(name=""), "name", "at least 1 character"),
])
async def test_a_bad_cadence_is_refused_naming_the_field(api: Api, body: dict[str, Any], field: str, says: str) -> None:
    response = await api.call("POST", "/api/v1/cadences", json=body)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = response.json()
    assert any(e["field"] == field and says in e["message"] for e in problem["errors"]), problem


async def test_refusals_carry_a_reason(api: Api) -> None:
    empty = await api.ok("POST", "/api/v1/cadences", 201, json=cadence_body(steps=[]))
    refused = await api.call("POST", f"/api/v1/cadences/{empty['id']}/activate")
    assert (refused.status_code, refused.json()["reason"]) == (409, "no_steps")
    refused = await api.call("POST", f"/api/v1/cadences/{empty['id']}/pause")
    assert (refused.status_code, refused.json()["reason"]) == (409, "cadence_draft")
    refused = await api.call("POST", f"/api/v1/cadences/{empty['id']}/enrolments", json={"contact_ids": [
        str(uuid.uuid4())]})
    assert (refused.status_code, refused.json()["reason"]) == (409, "cadence_draft")

    cadence = await active_cadence(api)
    [ana] = await people(api, "+5511955500001")
    await api.ok("POST", f"/api/v1/cadences/{cadence['id']}/enrolments", json={"contact_ids": [str(ana)]})
    refused = await api.call("PATCH", f"/api/v1/cadences/{cadence['id']}", json={"steps": []})
    assert (refused.status_code, refused.json()["reason"]) == (409, "cadence_in_use")
    both = await api.call("POST", f"/api/v1/cadences/{cadence['id']}/enrolments",
                          json={"contact_ids": [str(ana)], "segment_id": str(uuid.uuid4())})
    assert both.status_code == 422
    assert "exactly one" in both.json()["detail"]
    no_segment = await api.call("POST", f"/api/v1/cadences/{cadence['id']}/enrolments",
                                json={"segment_id": str(uuid.uuid4())})
    assert (no_segment.status_code, no_segment.json()["errors"][0]["field"]) == (422, "segment_id")
    bad_cursor = await api.call("GET", f"/api/v1/cadences/{cadence['id']}/enrolments", params={"cursor": "nope"})
    assert bad_cursor.status_code == 400


async def test_contacts_are_enrolled_by_hand_by_filter_and_by_segment(api: Api) -> None:
    vip = await people(api, "+5511955500011", "+5511955500012", tags=("vip",))
    others = await people(api, "+5511955500013", "+5511955500014", tags=("lead",))
    cadence = await active_cadence(api)
    path = f"/api/v1/cadences/{cadence['id']}/enrolments"

    by_hand = await api.ok("POST", path, json={"contact_ids": [str(vip[0]), str(uuid.uuid4())]})
    assert by_hand == {"enrolled": 1, "skipped": 1, "skipped_by_reason": {"unknown_contact": 1}}
    by_filter = await api.ok("POST", path, json={"filter": {"tags_any": ["vip"]}})
    assert by_filter == {"enrolled": 1, "skipped": 1, "skipped_by_reason": {"already_enrolled": 1}}
    segment_id = uuid7()
    await rows(api.service, api.tenant, """INSERT INTO campaigns.segments (id, tenant_id, name, filter)
        VALUES (:id, :owner, 'Leads', '{"tags_any": ["lead"]}') RETURNING id""", id=segment_id, owner=api.tenant)
    by_segment = await api.ok("POST", path, json={"segment_id": str(segment_id)})
    assert by_segment == {"enrolled": 2, "skipped": 0, "skipped_by_reason": {}}

    listed = await enrolments(api, cadence["id"])
    assert {e["contact_id"] for e in listed} == {str(c) for c in vip + others}
    assert {e["source"] for e in listed} == {"manual", "filter", "segment"}
    first = await api.ok("GET", path, params={"limit": 3})
    rest = await api.ok("GET", path, params={"limit": 3, "cursor": first["next_cursor"]})
    assert len(first["items"]) == 3
    assert len(rest["items"]) == 1
    assert rest["next_cursor"] is None
    assert {e["id"] for e in first["items"] + rest["items"]} == {e["id"] for e in listed}
    counted = await api.ok("GET", f"/api/v1/cadences/{cadence['id']}")
    assert counted["enrolments"]["total"] == 4


async def test_the_first_step_goes_and_a_stop_by_hand_is_final(api: Api) -> None:
    ana, bia = await people(api, "+5511955500021", "+5511955500022")
    cadence = await active_cadence(api)
    path = f"/api/v1/cadences/{cadence['id']}/enrolments"
    await api.ok("POST", path, json={"contact_ids": [str(ana), str(bia)]})

    async def first_step_queued() -> Any:
        stats = await api.ok("GET", f"/api/v1/cadences/{cadence['id']}/stats")
        return stats if stats["steps"][0]["queued"] + stats["steps"][0]["sent"] == 2 else None

    stats = await wait_for(first_step_queued, within=15)
    assert stats["enrolments"]["active"] == 2
    listed = {e["contact_id"]: e for e in await enrolments(api, cadence["id"], state="active")}
    assert listed[str(ana)]["next_position"] == 2
    assert listed[str(ana)]["phone"] == "+5511955500021"

    stopped = await api.ok("DELETE", f"{path}/{listed[str(bia)]['id']}")
    assert (stopped["state"], stopped["stop_reason"], stopped["next_run_at"]) == ("stopped", "manual", None)
    again = await api.ok("DELETE", f"{path}/{listed[str(bia)]['id']}")
    assert again["stopped_at"] == stopped["stopped_at"]
    missing = await api.call("DELETE", f"{path}/{uuid.uuid4()}")
    assert missing.status_code == 404
    assert [e["contact_id"] for e in await enrolments(api, cadence["id"], state="stopped")] == [str(bia)]
    stats = await api.ok("GET", f"/api/v1/cadences/{cadence['id']}/stats")
    assert stats["stop_reasons"] == {"manual": 1}

    await api.ok("DELETE", f"/api/v1/cadences/{cadence['id']}", 204)
    assert (await api.call("GET", f"/api/v1/cadences/{cadence['id']}")).status_code == 404
    [left] = await rows(api.service, api.tenant, "SELECT state, stop_reason FROM campaigns.enrolments "
                        "WHERE contact_id = :id", id=ana)
    assert (left.state, left.stop_reason) == ("stopped", "cadence_deleted")


async def test_a_reply_over_nats_stops_the_cadence(api: Api) -> None:
    [ana] = await people(api, "+5511955500031")
    cadence = await active_cadence(api)
    await api.ok("POST", f"/api/v1/cadences/{cadence['id']}/enrolments", json={"contact_ids": [str(ana)]})
    now = datetime.now(UTC)
    reply = InboundMessage(
        channel=Channel.WHATSAPP_META, external_id=f"wamid.{uuid.uuid4().hex}", channel_account_id=uuid.uuid4(),
        business_address="+5511900000000", sender=Sender(address="+5511955500031"),
        content=TextContent(body="Quero sim"), sent_at=now, received_at=now,
    )
    await publish(envelope(reply, api.tenant))

    async def stopped() -> Any:
        found = await enrolments(api, cadence["id"], state="stopped")
        return found[0] if found else None

    enrolment = await wait_for(stopped, within=15)
    assert enrolment["stop_reason"] == "replied"
    assert enrolment["last_reply_at"] is not None


async def test_a_lead_entering_the_trigger_stage_is_enrolled(api: Api) -> None:
    [ana] = await people(api, "+5511955500041")
    stage = uuid7()
    cadence = await active_cadence(api, enrol_on_stage_id=str(stage))
    move = LeadStageChanged(lead_id=uuid7(), contact_id=ana, pipeline_id=uuid7(), stage_id=stage,
                            stage_name="Proposta", occurred_at=datetime.now(UTC))
    await publish(envelope(move, api.tenant))

    async def enrolled() -> list[dict[str, Any]]:
        return await enrolments(api, cadence["id"])

    [enrolment] = await wait_for(enrolled, within=15)
    assert (enrolment["contact_id"], enrolment["source"]) == (str(ana), "event")


async def test_another_tenant_sees_nothing_and_a_viewer_changes_nothing(
    api: Api, campaigns: RunningService, issuer: InternalTokenIssuer
) -> None:
    cadence = await api.ok("POST", "/api/v1/cadences", 201, json=cadence_body())
    stranger = Api(campaigns, issuer, uuid.uuid4())
    assert (await stranger.call("GET", f"/api/v1/cadences/{cadence['id']}")).status_code == 404
    assert (await stranger.call("GET", f"/api/v1/cadences/{cadence['id']}/stats")).status_code == 404
    assert (await stranger.ok("GET", "/api/v1/cadences"))["items"] == []
    viewer = Api(campaigns, issuer, api.tenant, role="viewer")
    assert (await viewer.call("POST", "/api/v1/cadences", json=cadence_body())).status_code == 403
    assert (await viewer.ok("GET", f"/api/v1/cadences/{cadence['id']}"))["id"] == cadence["id"]

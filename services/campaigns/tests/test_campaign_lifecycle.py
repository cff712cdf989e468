"""A campaign from draft to completed through the API: snapshot, pacing, statuses, control, refusals."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from masteria.contracts.channels import Channel
from masteria.contracts.content import TextContent
from masteria.contracts.ids import uuid7
from masteria.contracts.messages import (
    CampaignDispatch,
    DeliveryError,
    ErrorClassification,
    InboundMessage,
    MessageStatus,
    MessageStatusChanged,
    Sender,
)
from masteria.devstack.harness import RunningService, wait_for
from masteria.security.internal_token import InternalTokenIssuer

from .helpers import AdapterStandIn, Api, created, domain_events, envelope, opted_out, publish, rows

pytestmark = pytest.mark.integration
TEXT = {"kind": "text", "body": "Olá {{first_name}}, oferta {{custom.plan|básica}}"}


async def audience(campaigns: RunningService, tenant: uuid.UUID, n: int, **extra: Any) -> list[Any]:
    """``n`` contacts tagged "promo" (plus one untagged), through crm's events; waits for the view."""
    people = [created(f"+55119{i:08d}", name=f"Cliente {i}", tags=["promo"], **extra) for i in range(n)]
    people.append(created("+5511988888888", name="Sem tag"))
    await publish(*(envelope(p, tenant) for p in people))

    async def arrived() -> bool:
        found = await rows(campaigns, tenant, "SELECT count(*) AS n FROM campaigns.contacts")
        return bool(found[0].n == len(people))

    await wait_for(arrived)
    return people[:n]


def body(**overrides: Any) -> dict[str, Any]:
    return {
        "name": "Promo",
        "channel": "whatsapp_meta",
        "audience": {"filter": {"tags_any": ["promo"]}},
        "message": {"variants": [{"name": "A", "content": TEXT}]},
        "messages_per_second": 200,
        **overrides,
    }


async def settled(api: Api, campaign_id: str, state: str, within: float = 20.0) -> dict[str, Any]:
    async def reached() -> Any:
        campaign = await api.ok("GET", f"/api/v1/campaigns/{campaign_id}")
        return campaign if campaign["state"] == state else None

    result: dict[str, Any] = await wait_for(reached, within=within)
    return result


async def all_recipients(api: Api, campaign_id: str, *, limit: int, state: str | None = None) -> list[dict[str, Any]]:
    """Every recipient of a campaign, following the list's cursor."""
    found: list[dict[str, Any]] = []
    cursor: str | None = None
    while True:
        params: dict[str, Any] = (
            {"limit": limit} | ({"cursor": cursor} if cursor else {}) | ({"state": state} if state else {})
        )
        page = await api.ok("GET", f"/api/v1/campaigns/{campaign_id}/recipients", params=params)
        assert len(page["items"]) <= limit
        found += page["items"]
        cursor = page["next_cursor"]
        if cursor is None:
            return found


async def test_a_campaign_reaches_its_audience_and_completes(
    campaigns: RunningService, issuer: InternalTokenIssuer
) -> None:
    tenant = uuid.uuid4()
    api = Api(campaigns, issuer, tenant)
    people = await audience(campaigns, tenant, 30)
    await publish(envelope(opted_out(people[0]), tenant))
    draft = await api.ok("POST", "/api/v1/campaigns", 201, json=body(channel_account_ids=[str(uuid7()), str(uuid7())]))
    assert (draft["state"], draft["snapshot"]["state"]) == ("draft", "not_started")
    listed = await api.ok("GET", "/api/v1/campaigns", params={"state": "draft"})
    assert [c["id"] for c in listed["items"]] == [draft["id"]]

    async with AdapterStandIn(tenant) as adapter:
        launched = await api.ok("POST", f"/api/v1/campaigns/{draft['id']}/launch", 202)
        assert launched["state"] == "running"
        done = await settled(api, draft["id"], "completed")
        assert done["snapshot"]["state"] == "done"
        assert done["snapshot"]["total"] == 30
        assert done["snapshot"]["skipped_by_reason"] == {"opted_out": 1}
        assert sorted(d.to for d in adapter.received) == sorted(p.phone for p in people[1:])
        assert {d.content.body for d in adapter.received if d.to == people[5].phone} == {  # type: ignore[union-attr]
            "Olá Cliente, oferta básica"
        }
        # Spread over both senders.
        assert len({d.channel_account_id for d in adapter.received}) == 2

        async def all_read() -> Any:
            stats = await api.ok("GET", f"/api/v1/campaigns/{draft['id']}/stats")
            return stats if stats["counts"]["read"] == 29 else None

        stats = await wait_for(all_read)
    assert stats["counts"] | {"replied": 0} == {
        "total": 30,
        "pending": 0,
        "queued": 0,
        "sent": 0,
        "delivered": 0,
        "read": 29,
        "failed": 0,
        "unknown": 0,
        "skipped": 1,
        "cancelled": 0,
        "replied": 0,
    }
    assert (stats["delivery_rate"], stats["read_rate"]) == (1.0, 1.0)
    assert stats["skipped"] == {"opted_out": 1}
    assert sum(p["read"] for p in stats["series"]) == 29
    skipped = await api.ok("GET", f"/api/v1/campaigns/{draft['id']}/recipients", params={"state": "skipped"})
    assert [(r["name"], r["phone"], r["skip_reason"]) for r in skipped["items"]] == [
        ("Cliente 0", people[0].phone, "opted_out")
    ]
    # Every recipient is listed once, page by page, with the contact's name beside the number.
    listed_recipients = await all_recipients(api, draft["id"], limit=7)
    assert sorted((r["name"], r["phone"]) for r in listed_recipients) == sorted((p.name, p.phone) for p in people)
    assert len({r["id"] for r in listed_recipients}) == 30
    read = await all_recipients(api, draft["id"], limit=7, state="read")
    assert {r["name"] for r in read} == {p.name for p in people[1:]}

    # Finished: immutable.
    for method, path, payload in (
        ("PATCH", "", {"name": "Other"}),
        ("POST", "/launch", None),
        ("POST", "/pause", None),
        ("DELETE", "", None),
    ):
        response = await api.call(method, f"/api/v1/campaigns/{draft['id']}{path}", json=payload)
        assert response.status_code == 409, (method, path)
        assert response.json()["reason"] == "campaign_finished"


async def test_a_reply_is_attributed_to_the_campaign(campaigns: RunningService, issuer: InternalTokenIssuer) -> None:
    tenant = uuid.uuid4()
    api = Api(campaigns, issuer, tenant)
    people = await audience(campaigns, tenant, 3)
    async with AdapterStandIn(tenant):
        campaign = await api.ok("POST", "/api/v1/campaigns", 201, json=body())
        await api.ok("POST", f"/api/v1/campaigns/{campaign['id']}/launch", 202)
        await settled(api, campaign["id"], "completed")
    now = datetime.now(UTC)
    reply = InboundMessage(
        channel=Channel.WHATSAPP_META,
        external_id=f"wamid.{uuid.uuid4().hex}",
        channel_account_id=uuid7(),
        business_address="+5511900000000",
        sender=Sender(address=people[1].phone),
        content=TextContent(body="Quero!"),
        sent_at=now,
        received_at=now,
    )
    await publish(envelope(reply, tenant))

    async def replied() -> Any:
        campaign_now = await api.ok("GET", f"/api/v1/campaigns/{campaign['id']}")
        return campaign_now if campaign_now["counts"]["replied"] == 1 else None

    await wait_for(replied)
    stats = await api.ok("GET", f"/api/v1/campaigns/{campaign['id']}/stats")
    assert stats["reply_rate"] == round(1 / 3, 4)


async def test_pause_stops_sending_and_resume_finishes(campaigns: RunningService, issuer: InternalTokenIssuer) -> None:
    tenant = uuid.uuid4()
    api = Api(campaigns, issuer, tenant)
    await audience(campaigns, tenant, 40)
    async with AdapterStandIn(tenant) as adapter:
        campaign = await api.ok("POST", "/api/v1/campaigns", 201, json=body(messages_per_second=10))
        await api.ok("POST", f"/api/v1/campaigns/{campaign['id']}/launch", 202)
        await wait_for(lambda: len(adapter.received) >= 5)
        paused = await api.ok("POST", f"/api/v1/campaigns/{campaign['id']}/pause")
        assert paused["state"] == "paused"
        sent_at_pause = len(adapter.received)
        # Nothing is dispatched after the pause is acknowledged (commands already committed may still arrive).
        await wait_for(lambda: _quiet(api, campaign["id"]), within=5)
        after = len(adapter.received)
        assert after - sent_at_pause <= 2
        again = await api.ok("GET", f"/api/v1/campaigns/{campaign['id']}")
        assert again["counts"]["pending"] == 40 - after
        patch = await api.call("PATCH", f"/api/v1/campaigns/{campaign['id']}", json={"name": "x"})
        assert (patch.status_code, patch.json()["reason"]) == (409, "campaign_running")
        resumed = await api.ok("POST", f"/api/v1/campaigns/{campaign['id']}/resume")
        assert resumed["state"] == "running"
        done = await settled(api, campaign["id"], "completed", within=30)
    assert done["counts"]["pending"] == 0
    assert len({d.to for d in adapter.received}) == len(adapter.received) == 40


async def _quiet(api: Api, campaign_id: str) -> bool:
    campaign = await api.ok("GET", f"/api/v1/campaigns/{campaign_id}")
    return bool(campaign["counts"]["queued"] == 0)


async def test_cancel_marks_what_was_not_sent(campaigns: RunningService, issuer: InternalTokenIssuer) -> None:
    tenant = uuid.uuid4()
    api = Api(campaigns, issuer, tenant)
    await audience(campaigns, tenant, 30)
    async with AdapterStandIn(tenant) as adapter:
        campaign = await api.ok("POST", "/api/v1/campaigns", 201, json=body(messages_per_second=5))
        await api.ok("POST", f"/api/v1/campaigns/{campaign['id']}/launch", 202)
        await wait_for(lambda: len(adapter.received) >= 2)
        cancelled = await api.ok("POST", f"/api/v1/campaigns/{campaign['id']}/cancel")
        assert cancelled["state"] == "cancelled"

        async def swept() -> Any:
            now = await api.ok("GET", f"/api/v1/campaigns/{campaign['id']}")
            counts = now["counts"]
            return now if counts["pending"] == 0 and counts["queued"] == 0 else None

        final = await wait_for(swept)
    counts = final["counts"]
    assert counts["cancelled"] == 30 - len(adapter.received)
    assert counts["read"] == len(adapter.received)
    resume = await api.call("POST", f"/api/v1/campaigns/{campaign['id']}/resume")
    assert (resume.status_code, resume.json()["reason"]) == (409, "campaign_finished")


def flaky(dispatch: CampaignDispatch) -> list[tuple[MessageStatus, DeliveryError | None]]:
    """The first attempt to "+5511900000000" fails transiently; "+5511900000001" fails for good; the
    third's sender dies inside the provider call (unknown)."""
    transient = DeliveryError(code="130429", title="Rate limit hit", classification=ErrorClassification.TRANSIENT)
    permanent = DeliveryError(code="131026", title="Not on WhatsApp", classification=ErrorClassification.PERMANENT)
    if dispatch.to == "+5511900000000" and dispatch.attempt == 1:
        return [(MessageStatus.FAILED, transient)]
    if dispatch.to == "+5511900000001":
        return [(MessageStatus.FAILED, permanent)]
    if dispatch.to == "+5511900000002":
        return [(MessageStatus.UNKNOWN, None)]
    return [(MessageStatus.ACCEPTED, None), (MessageStatus.DELIVERED, None)]


async def test_transient_failures_retry_permanent_ones_fail_unknown_is_never_resent(
    campaigns: RunningService, issuer: InternalTokenIssuer
) -> None:
    tenant = uuid.uuid4()
    api = Api(campaigns, issuer, tenant)
    await audience(campaigns, tenant, 4)
    async with AdapterStandIn(tenant, flaky) as adapter:
        campaign = await api.ok("POST", "/api/v1/campaigns", 201, json=body())
        await api.ok("POST", f"/api/v1/campaigns/{campaign['id']}/launch", 202)
        done = await settled(api, campaign["id"], "completed")
    counts = done["counts"]
    assert (counts["delivered"], counts["failed"], counts["unknown"]) == (2, 1, 1)
    retried = [d for d in adapter.received if d.to == "+5511900000000"]
    assert [d.attempt for d in retried] == [1, 2]
    assert retried[0].dispatch_id != retried[1].dispatch_id
    assert len([d for d in adapter.received if d.to == "+5511900000002"]) == 1
    stats = await api.ok("GET", f"/api/v1/campaigns/{campaign['id']}/stats")
    assert stats["failures"] == [{"code": "131026", "title": "Not on WhatsApp", "count": 1}]


async def test_a_duplicate_inside_the_window_is_skipped(campaigns: RunningService, issuer: InternalTokenIssuer) -> None:
    tenant = uuid.uuid4()
    api = Api(campaigns, issuer, tenant)
    await audience(campaigns, tenant, 3)
    async with AdapterStandIn(tenant) as adapter:
        first = await api.ok("POST", "/api/v1/campaigns", 201, json=body())
        await api.ok("POST", f"/api/v1/campaigns/{first['id']}/launch", 202)
        await settled(api, first["id"], "completed")
        second = await api.ok("POST", "/api/v1/campaigns", 201, json=body(name="Again"))
        await api.ok("POST", f"/api/v1/campaigns/{second['id']}/launch", 202)
        done = await settled(api, second["id"], "completed")
    assert done["snapshot"]["skipped_by_reason"] == {"duplicate": 3}
    assert done["counts"]["skipped"] == 3
    assert len(adapter.received) == 3


async def test_an_opt_out_after_launch_is_never_messaged(
    campaigns: RunningService, issuer: InternalTokenIssuer
) -> None:
    tenant = uuid.uuid4()
    api = Api(campaigns, issuer, tenant)
    people = await audience(campaigns, tenant, 10)
    later = people[-1]
    async with AdapterStandIn(tenant) as adapter:
        campaign = await api.ok("POST", "/api/v1/campaigns", 201, json=body(messages_per_second=1))
        await api.ok("POST", f"/api/v1/campaigns/{campaign['id']}/launch", 202)
        await wait_for(lambda: len(adapter.received) >= 1)
        # Held while crm's opt-out reaches campaigns: the recipient was snapshotted as reachable and must be
        # dropped at dispatch time, however late in the campaign the opt-out lands.
        await api.ok("POST", f"/api/v1/campaigns/{campaign['id']}/pause")
        await publish(envelope(opted_out(later), tenant))
        query = "SELECT 1 FROM campaigns.contacts WHERE contact_id = :id AND opted_out <> '{}'"
        await wait_for(lambda: rows(campaigns, tenant, query, id=later.contact_id), within=10)
        await api.ok("POST", f"/api/v1/campaigns/{campaign['id']}/resume")
        done = await settled(api, campaign["id"], "completed", within=30)
    assert later.phone not in {d.to for d in adapter.received}
    assert done["counts"]["skipped"] == 1
    skipped = await api.ok("GET", f"/api/v1/campaigns/{campaign['id']}/recipients", params={"state": "skipped"})
    assert [r["skip_reason"] for r in skipped["items"]] == ["opted_out"]


async def test_refusals_carry_reasons(campaigns: RunningService, issuer: InternalTokenIssuer) -> None:
    api = Api(campaigns, issuer, uuid.uuid4())
    unknown = await api.call(
        "POST",
        "/api/v1/campaigns",
        json=body(message={"variants": [{"name": "A", "content": {"kind": "text", "body": "Oi {{apelido}}"}}]}),
    )
    assert unknown.status_code == 422
    assert "unknown variables: apelido" in unknown.json()["detail"]
    template = {"kind": "template", "name": "promo", "language": "pt_BR"}
    sms = await api.call(
        "POST",
        "/api/v1/campaigns",
        json=body(channel="sms", message={"variants": [{"name": "A", "content": template}]}),
    )
    assert (sms.status_code, sms.json()["reason"]) == (422, "unsupported_content")
    missing = await api.call("GET", f"/api/v1/campaigns/{uuid.uuid4()}")
    assert (missing.status_code, missing.json()["reason"]) == (404, "campaign_not_found")
    no_segment = await api.call("POST", "/api/v1/campaigns", json=body(audience={"segment_id": str(uuid.uuid4())}))
    assert (no_segment.status_code, no_segment.json()["reason"]) == (404, "segment_not_found")
    viewer = Api(campaigns, issuer, api.tenant, role="viewer")
    assert (await viewer.call("POST", "/api/v1/campaigns", json=body())).status_code == 403


async def test_a_scheduled_campaign_waits_for_its_start(campaigns: RunningService, issuer: InternalTokenIssuer) -> None:
    tenant = uuid.uuid4()
    api = Api(campaigns, issuer, tenant)
    await audience(campaigns, tenant, 2)
    start = datetime.now(UTC) + timedelta(seconds=3)
    async with AdapterStandIn(tenant) as adapter:
        campaign = await api.ok("POST", "/api/v1/campaigns", 201, json=body(schedule={"start_at": start.isoformat()}))
        launched = await api.ok("POST", f"/api/v1/campaigns/{campaign['id']}/launch", 202)
        assert launched["state"] == "scheduled"
        edited = await api.ok("PATCH", f"/api/v1/campaigns/{campaign['id']}", json={"messages_per_second": 50})
        assert edited["messages_per_second"] == 50
        assert adapter.received == []
        await settled(api, campaign["id"], "completed", within=20)
    assert len(adapter.received) == 2
    assert datetime.now(UTC) >= start


def accepted_only(dispatch: CampaignDispatch) -> list[tuple[MessageStatus, DeliveryError | None]]:
    del dispatch
    return [(MessageStatus.ACCEPTED, None)]


async def test_statuses_after_completion_still_reach_the_live_progress(
    campaigns: RunningService, issuer: InternalTokenIssuer
) -> None:
    # A campaign completes once every recipient was sent; reads come later. A dashboard following the live
    # feed must see them: progress goes on for a while after completion.
    tenant = uuid.uuid4()
    api = Api(campaigns, issuer, tenant)
    await audience(campaigns, tenant, 3)
    async with AdapterStandIn(tenant, accepted_only) as adapter:
        campaign = await api.ok("POST", "/api/v1/campaigns", 201, json=body())
        await api.ok("POST", f"/api/v1/campaigns/{campaign['id']}/launch", 202)
        await settled(api, campaign["id"], "completed")
    reads = [
        MessageStatusChanged(
            channel=d.channel,
            dispatch_id=d.dispatch_id,
            external_id=f"ext-{d.dispatch_id}",
            status=MessageStatus.READ,
            occurred_at=datetime.now(UTC),
            recipient=d.to,
        )
        for d in adapter.received
    ]
    await publish(*(envelope(r, tenant) for r in reads))

    def read_after_completion(seen: list[dict[str, Any]]) -> bool:
        return any(
            e["type"] == "campaign.progressed"
            and e["data"]["state"] == "completed"
            and e["data"]["counts"]["read"] == 3
            for e in seen
        )

    await domain_events(tenant, read_after_completion, within=15)

"""Test sends: one message of a campaign to a chosen number, through the bulk lane, never counted as a recipient."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from masteria.contracts.channels import Channel
from masteria.contracts.subjects import dispatch
from masteria.devstack.harness import RunningService
from masteria.security.internal_token import InternalTokenIssuer

from .helpers import rows
from .test_tools_support import ToolsApi, collect, seed_contacts

pytestmark = pytest.mark.integration


async def campaign(api: ToolsApi, body: str = "Oi {{first_name|Cliente}}, seu plano {{custom.plan}}") -> dict[str, Any]:
    variants = [
        {"name": "A", "content": {"kind": "text", "body": body}},
        {"name": "B", "content": {"kind": "text", "body": "Plano {{custom.plan|basico}} para {{name|voce}}"}},
    ]
    created: dict[str, Any] = await api.ok(
        "POST",
        "/api/v1/campaigns",
        201,
        json={"name": "Teste", "channel": "sms", "audience": {"filter": {}}, "message": {"variants": variants}},
    )
    return created


async def test_a_test_send_renders_for_the_contact_at_that_number_and_goes_through_the_bulk_lane(
    campaigns: RunningService, issuer: InternalTokenIssuer
) -> None:
    tenant = uuid.uuid4()
    api = ToolsApi(campaigns, issuer, tenant)
    [maria] = await seed_contacts(
        campaigns, tenant, [{"phone": "+5511999990001", "name": "Maria Silva", "custom": {"plan": "Ouro"}}]
    )
    draft = await campaign(api)
    sent = await api.ok("POST", f"/api/v1/campaigns/{draft['id']}/test-send", 202, json={"to": "(11) 99999-0001"})
    assert (sent["to"], sent["variant"], sent["contact_id"], sent["sample"]) == (
        "+5511999990001",
        "A",
        str(maria),
        False,
    )
    assert sent["content"]["body"] == "Oi Maria, seu plano Ouro"

    [published] = await collect(dispatch(Channel.SMS, tenant), lambda seen: len(seen) >= 1)
    command = published["data"]
    assert command["dispatch_id"] == sent["dispatch_id"]
    assert (command["campaign_id"], command["to"]) == (draft["id"], "+5511999990001")
    assert command["content"]["body"] == "Oi Maria, seu plano Ouro"

    # Not a recipient: the campaign still has none, and the real campaign may still send Maria this message.
    after = await api.ok("GET", f"/api/v1/campaigns/{draft['id']}")
    assert after["counts"]["total"] == 0
    assert after["state"] == "draft"
    assert await rows(campaigns, tenant, "SELECT * FROM campaigns.send_log") == []
    again = await api.ok("POST", f"/api/v1/campaigns/{draft['id']}/test-send", 202, json={"to": "+5511999990001"})
    assert again["dispatch_id"] != sent["dispatch_id"]


async def test_an_unknown_number_gets_sample_values_and_another_contact_may_lend_its_own(
    campaigns: RunningService, issuer: InternalTokenIssuer
) -> None:
    tenant = uuid.uuid4()
    api = ToolsApi(campaigns, issuer, tenant)
    [joao] = await seed_contacts(
        campaigns, tenant, [{"phone": "+5511999990002", "name": "João", "custom": {"plan": "Prata"}}]
    )
    draft = await campaign(api)
    path = f"/api/v1/campaigns/{draft['id']}/test-send"
    sample = await api.ok("POST", path, 202, json={"to": "+14155550100"})
    assert (sample["sample"], sample["contact_id"]) == (True, None)
    assert sample["content"]["body"] == "Oi Ana, seu plano plan"  # sample values: the field's own name
    lent = await api.ok("POST", path, 202, json={"to": "+14155550100", "contact_id": str(joao), "variant": "B"})
    assert (lent["variant"], lent["contact_id"], lent["content"]["body"]) == ("B", str(joao), "Plano Prata para João")
    sent = await collect(dispatch(Channel.SMS, tenant), lambda seen: len(seen) >= 2)
    assert {s["data"]["to"] for s in sent} == {"+14155550100"}


async def test_a_test_send_that_cannot_go_is_refused_with_the_reason(
    campaigns: RunningService, issuer: InternalTokenIssuer
) -> None:
    tenant = uuid.uuid4()
    api = ToolsApi(campaigns, issuer, tenant)
    await seed_contacts(
        campaigns,
        tenant,
        [
            {"phone": "+5511999990003", "name": "Out", "custom": {"plan": "x"}, "opted_out": ["sms"]},
            {"phone": "+5511999990004", "name": "No plan"},
        ],
    )
    draft = await campaign(api)
    path = f"/api/v1/campaigns/{draft['id']}/test-send"
    for body, status, reason in (
        ({"to": "+5511999990003"}, 422, "opted_out"),
        ({"to": "+5511999990004"}, 422, "missing_variable"),
        ({"to": "123"}, 422, "invalid_number"),
        ({"to": "+5511999990009", "variant": "Z"}, 422, "unknown_variant"),
        ({"to": "+5511999990009", "contact_id": str(uuid.uuid4())}, 404, "contact_not_found"),
    ):
        response = await api.call("POST", path, json=body)
        assert (response.status_code, response.json().get("reason")) == (status, reason), response.text
        assert response.headers["content-type"] == "application/problem+json"
    missing = await api.call("POST", f"/api/v1/campaigns/{uuid.uuid4()}/test-send", json={"to": "+5511999990009"})
    assert (missing.status_code, missing.json()["reason"]) == (404, "campaign_not_found")
    viewer = await api.as_role("viewer").call("POST", path, json={"to": "+5511999990009"})
    assert viewer.status_code == 403

"""Live audience counts before launch: who the filter keeps, and who of them the channel can reach."""

from __future__ import annotations

import uuid

import pytest

from masteria.contracts.ids import uuid7
from masteria.devstack.harness import RunningService
from masteria.security.internal_token import InternalTokenIssuer

from .test_tools_support import ToolsApi, seed_contacts

pytestmark = pytest.mark.integration
COUNT = "/api/v1/campaigns/audience/count"


async def test_the_count_splits_the_audience_into_sendable_opted_out_and_invalid(
    campaigns: RunningService, issuer: InternalTokenIssuer
) -> None:
    tenant = uuid.uuid4()
    api = ToolsApi(campaigns, issuer, tenant)
    stage = uuid7()
    await seed_contacts(
        campaigns,
        tenant,
        [
            {"phone": "+5511999990001", "tags": ["vip"], "custom": {"plan": "gold"}, "stage_id": stage},
            {"phone": "+5511999990002", "tags": ["vip"], "opted_out": ["sms"]},
            {"phone": "+5511999990003", "tags": ["vip"], "opted_out": ["*"]},
            {"phone": "11 9999", "tags": ["vip"]},  # not E.164: nobody can send to it
            {"phone": None, "tags": ["vip"]},
            {"phone": "+5511999990006", "tags": ["vip"], "deleted": True},
            {"phone": "+5511999990007", "tags": ["other"]},
        ],
    )

    async def count(audience: dict[str, object], channel: str = "sms") -> tuple[int, int, int, int]:
        answer = await api.ok("POST", COUNT, json={"audience": audience, "channel": channel})
        assert answer["took_ms"] >= 0
        return answer["total"], answer["sendable"], answer["opted_out"], answer["invalid"]

    assert await count({"filter": {"tags_any": ["vip"]}}) == (5, 1, 2, 2)
    # Opting out of SMS does not stop WhatsApp; opting out of everything does.
    assert await count({"filter": {"tags_any": ["vip"]}}, "whatsapp_meta") == (5, 2, 1, 2)
    assert await count({"filter": {}}) == (6, 2, 2, 2)
    assert await count({"filter": {"custom_fields": {"plan": "gold"}, "lead_stage_ids": [str(stage)]}}) == (1, 1, 0, 0)

    segment = await api.ok(
        "POST", "/api/v1/campaigns/segments", 201, json={"name": "VIP", "filter": {"tags_all": ["vip"]}}
    )
    assert await count({"segment_id": segment["id"]}) == (5, 1, 2, 2)
    # Another tenant's contacts are never counted.
    other = ToolsApi(campaigns, issuer, uuid.uuid4())
    answer = await other.ok("POST", COUNT, json={"audience": {"filter": {}}, "channel": "sms"})
    assert answer["total"] == 0


async def test_an_audience_must_be_one_thing_the_tenant_has(
    campaigns: RunningService, issuer: InternalTokenIssuer
) -> None:
    api = ToolsApi(campaigns, issuer, uuid.uuid4())
    for audience, reason in (
        ({"segment_id": str(uuid.uuid4())}, "segment_not_found"),
        ({"upload_id": str(uuid.uuid4())}, "upload_not_found"),
        ({"filter": {"upload_id": str(uuid.uuid4())}}, "upload_not_found"),
    ):
        response = await api.call("POST", COUNT, json={"audience": audience, "channel": "sms"})
        assert (response.status_code, response.json()["reason"]) == (404, reason)
    for body in (
        {"audience": {}, "channel": "sms"},
        {"audience": {"filter": {}, "segment_id": str(uuid.uuid4())}, "channel": "sms"},
        {"audience": {"filter": {}}, "channel": "fax"},
        {"audience": {"filter": {"tags_any": "vip"}}, "channel": "sms"},
    ):
        response = await api.call("POST", COUNT, json=body)
        assert response.status_code == 422, body
        assert response.headers["content-type"] == "application/problem+json"

"""Preview and estimate: the message as contacts would get it, and what an SMS campaign will cost."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from masteria.campaigns.tools.settings import ToolsSettings
from masteria.devstack.harness import RunningService
from masteria.security.internal_token import InternalTokenIssuer

from .test_tools_support import ToolsApi, seed_contacts

pytestmark = pytest.mark.integration
PREVIEW, ESTIMATE = "/api/v1/campaigns/preview", "/api/v1/campaigns/estimate"


def text(body: str, name: str = "A", weight: float = 1) -> dict[str, Any]:
    return {"name": name, "weight": weight, "content": {"kind": "text", "body": body}}


async def test_preview_renders_every_variant_for_a_contact_with_what_is_missing(
    campaigns: RunningService, issuer: InternalTokenIssuer
) -> None:
    tenant = uuid.uuid4()
    api = ToolsApi(campaigns, issuer, tenant)
    [maria, bare] = await seed_contacts(
        campaigns,
        tenant,
        [
            {"phone": "+5511999990001", "name": "Maria Silva", "custom": {"plan": "Ouro"}, "stage": "Proposta"},
            {"phone": "+5511999990002", "name": None, "opted_out": ["sms"]},
        ],
    )
    message = {
        "variants": [
            text("Oi {{first_name|Cliente}}, seu plano {{custom.plan}} vence amanha", "A", 3),
            text("{{name}}: etapa {{stage|nova}}", "B", 1),
        ]
    }
    preview = await api.ok("POST", PREVIEW, json={"channel": "sms", "message": message, "contact_id": str(maria)})
    [item] = preview["items"]
    assert item["contact"] == {
        "contact_id": str(maria),
        "name": "Maria Silva",
        "phone": "+5511999990001",
        "sample": False,
        "refusal": None,
    }
    a, b = item["variants"]
    assert a["content"] == {"kind": "text", "body": "Oi Maria, seu plano Ouro vence amanha", "preview_url": False}
    assert a["variables"] == {"first_name": "Maria", "custom.plan": "Ouro"}
    assert (a["missing"], a["sms"]["encoding"], a["sms"]["segments"]) == ([], "GSM-7", 1)
    assert b["content"]["body"] == "Maria Silva: etapa Proposta"

    [item] = (await api.ok("POST", PREVIEW, json={"channel": "sms", "message": message, "contact_id": str(bare)}))[
        "items"
    ]
    assert item["contact"]["refusal"] == "opted_out"
    a, b = item["variants"]
    # No plan and no fallback: this contact would be skipped (missing_variable); the first name falls back.
    assert (a["content"], a["missing"], a["variables"]) == (None, ["custom.plan"], {"first_name": "Cliente"})
    assert (b["content"], b["missing"]) == (None, ["name"])

    missing = await api.call(
        "POST", PREVIEW, json={"channel": "sms", "message": message, "contact_id": str(uuid.uuid4())}
    )
    assert (missing.status_code, missing.json()["reason"]) == (404, "contact_not_found")


async def test_preview_of_an_audience_shows_its_first_reachable_contacts_or_sample_values(
    campaigns: RunningService, issuer: InternalTokenIssuer
) -> None:
    tenant = uuid.uuid4()
    api = ToolsApi(campaigns, issuer, tenant)
    await seed_contacts(
        campaigns,
        tenant,
        [{"phone": f"+55119999900{i:02d}", "name": f"Pessoa {i}", "tags": ["vip"]} for i in range(8)]
        + [{"phone": "+5511999990099", "name": "Fora", "tags": ["vip"], "opted_out": ["*"]}],
    )
    message = {"variants": [text("Oi {{first_name}}, use o cupom {{custom.coupon|BEMVINDO}}")]}
    body = {"channel": "whatsapp_meta", "message": message, "audience": {"filter": {"tags_any": ["vip"]}}}
    preview = await api.ok("POST", PREVIEW, json=body)
    assert [i["contact"]["name"] for i in preview["items"]] == [f"Pessoa {i}" for i in range(5)]
    assert preview["items"][0]["variants"][0]["content"]["body"] == "Oi Pessoa, use o cupom BEMVINDO"
    assert preview["items"][0]["variants"][0]["sms"] is None  # not an SMS campaign

    sample = await api.ok("POST", PREVIEW, json={"channel": "sms", "message": message})
    [item] = sample["items"]
    assert item["contact"]["sample"] is True
    assert item["variants"][0]["content"]["body"] == "Oi Ana, use o cupom BEMVINDO"


async def test_a_message_that_cannot_render_is_refused_before_any_contact_is_read(
    campaigns: RunningService, issuer: InternalTokenIssuer
) -> None:
    api = ToolsApi(campaigns, issuer, uuid.uuid4())
    for message in (
        {"variants": []},
        {"variants": [text("Oi {{nickname}}")]},
        {"variants": [text("a", "A"), text("b", "A")]},
        {"variants": [{"name": "A", "content": {"kind": "text", "body": "x"}, "weight": 0}]},
        {"variants": [{"name": "A", "content": {"kind": "pigeon"}}]},
    ):
        response = await api.call("POST", PREVIEW, json={"channel": "sms", "message": message})
        assert response.status_code == 422, message
        assert response.headers["content-type"] == "application/problem+json"


async def test_the_sms_estimate_renders_the_audience_to_count_segments_and_cost(
    campaigns: RunningService, issuer: InternalTokenIssuer
) -> None:
    tenant = uuid.uuid4()
    api = ToolsApi(campaigns, issuer, tenant)
    # 30 short plain names, 10 accented ones (UCS-2), 5 without the variable the second variant needs.
    people = [{"phone": f"+551199999{i:04d}", "name": "Ana", "custom": {"plan": "x"}, "tags": ["t"]} for i in range(30)]
    people += [
        {"phone": f"+551198888{i:04d}", "name": "João", "custom": {"plan": "x"}, "tags": ["t"]} for i in range(10)
    ]
    people += [{"phone": f"+551197777{i:04d}", "name": "Bia", "tags": ["t"]} for i in range(5)]
    people += [{"phone": "+5511966660000", "name": "Out", "tags": ["t"], "opted_out": ["sms"]}]
    await seed_contacts(campaigns, tenant, people)
    filler = "a" * 150
    message = {
        "variants": [
            text(f"Oi {{{{first_name}}}} {filler}", "long", 1),  # 154-155 chars: 1 GSM-7 segment, 3 in UCS-2
            text("Plano {{custom.plan}}", "short", 1),
        ]
    }
    body = {"channel": "sms", "message": message, "audience": {"filter": {"tags_any": ["t"]}}}
    estimate = await api.ok("POST", ESTIMATE, json=body)

    assert estimate["audience"]["total"] == 46
    assert (estimate["audience"]["sendable"], estimate["audience"]["opted_out"]) == (45, 1)
    assert (estimate["sample_size"], estimate["exact"]) == (45, True)
    long, short = estimate["variants"]
    assert long["encodings"] == {"GSM-7": 35, "UCS-2": 10}
    assert long["encoding"] == "GSM-7"
    assert (long["segments_min"], long["segments_max"]) == (1, 3)
    assert long["ucs2_characters"] == ["ã"]
    assert long["recipients"] == 22  # half of the 45, rounded
    assert long["segments_avg"] == pytest.approx((35 * 1 + 10 * 3) / 45, abs=0.001)
    assert short["missing_variable"] == 5
    assert short["recipients"] == 20  # half of the 40 who have a plan
    assert short["encodings"] == {"GSM-7": 40}
    assert estimate["recipients"] == long["recipients"] + short["recipients"]
    assert estimate["total_segments"] == long["total_segments"] + short["total_segments"] == 32 + 20
    assert (estimate["cost_per_segment"], estimate["currency"]) == (0.0079, "USD")
    assert estimate["estimated_cost"] == pytest.approx(52 * 0.0079)
    assert estimate["conversations"] is None


async def test_a_large_audience_is_estimated_on_a_sample(
    campaigns: RunningService, issuer: InternalTokenIssuer
) -> None:
    tenant = uuid.uuid4()
    api = ToolsApi(campaigns, issuer, tenant)
    await seed_contacts(campaigns, tenant, [{"phone": f"+55119999{i:05d}", "name": "Ana"} for i in range(400)])
    campaigns.service.http.state.tools_settings = ToolsSettings(estimate_sample=100, sms_cost_per_segment=0.05)
    try:
        estimate = await api.ok(
            "POST",
            ESTIMATE,
            json={"channel": "sms", "message": {"variants": [text("Oi {{first_name}}")]}, "audience": {"filter": {}}},
        )
    finally:
        campaigns.service.http.state.tools_settings = None
    assert estimate["exact"] is False
    assert 0 < estimate["sample_size"] <= 100
    assert (estimate["recipients"], estimate["total_segments"]) == (400, 400)
    assert estimate["estimated_cost"] == pytest.approx(20.0)


async def test_whatsapp_counts_conversations_and_sms_refuses_what_it_cannot_carry(
    campaigns: RunningService, issuer: InternalTokenIssuer
) -> None:
    tenant = uuid.uuid4()
    api = ToolsApi(campaigns, issuer, tenant)
    await seed_contacts(campaigns, tenant, [{"phone": f"+55119999000{i}", "name": "Ana"} for i in range(3)])
    template = {
        "name": "A",
        "content": {
            "kind": "template",
            "name": "promo",
            "language": "pt_BR",
            "components": [{"type": "body", "parameters": [{"type": "text", "text": "{{first_name}}"}]}],
        },
    }
    body: dict[str, Any] = {"channel": "whatsapp_meta", "message": {"variants": [template]}, "audience": {"filter": {}}}
    estimate = await api.ok("POST", ESTIMATE, json=body)
    assert (estimate["recipients"], estimate["conversations"], estimate["total_segments"]) == (3, 3, None)
    assert estimate["variants"][0]["encoding"] is None

    refused = await api.call("POST", ESTIMATE, json={**body, "channel": "sms"})
    assert refused.status_code == 422
    assert refused.json()["reason"] == "content_not_sms"
    assert refused.json()["variant"] == "A"

"""Templates synced from the WhatsApp Business account, listed with variables, previewed; number settings."""

from __future__ import annotations

import uuid

import pytest

from masteria.devstack.harness import RunningService
from masteria.security.internal_token import InternalTokenIssuer

from .support import MetaSandbox, bearer

pytestmark = pytest.mark.integration


async def test_templates_sync_from_the_account_and_list_with_their_variables_per_component(
    meta: RunningService, issuer: InternalTokenIssuer, sandbox: MetaSandbox
) -> None:
    number = await sandbox.number(meta, issuer)
    auth = bearer(issuer, number.tenant)
    synced = await meta.client.post(
        "/api/v1/whatsapp/templates/sync", json={"phone_number_id": str(number.id)}, headers=auth
    )
    assert synced.status_code == 200, synced.text
    report = synced.json()
    assert report["synced"] == report["created"] > 3
    again = (await meta.client.post("/api/v1/whatsapp/templates/sync", headers=auth)).json()
    assert (again["created"], again["updated"], again["removed"]) == (0, report["synced"], 0)

    listed = await meta.client.get("/api/v1/whatsapp/templates", params={"number_id": str(number.id)}, headers=auth)
    by_name = {t["name"]: t for t in listed.json()["items"]}
    welcome = by_name["boas_vindas"]
    assert (welcome["language"], welcome["status"], welcome["parameter_format"]) == ("pt_BR", "APPROVED", "POSITIONAL")
    assert welcome["variables"] == [
        {
            "component": "body",
            "index": None,
            "variables": [{"key": "body.1", "name": "1", "kind": "text", "example": "Maria"}],
        }
    ]
    assert any(t["parameter_format"] == "NAMED" for t in by_name.values())
    approved = await meta.client.get(
        "/api/v1/whatsapp/templates", params={"status": "approved", "q": "boas"}, headers=auth
    )
    assert [t["name"] for t in approved.json()["items"]] == ["boas_vindas"]
    elsewhere = await meta.client.get("/api/v1/whatsapp/templates", headers=bearer(issuer, uuid.uuid4()))
    assert elsewhere.json()["items"] == []


async def test_preview_fills_the_variables_and_names_each_missing_one(
    meta: RunningService, issuer: InternalTokenIssuer, sandbox: MetaSandbox
) -> None:
    number = await sandbox.number(meta, issuer)
    auth = bearer(issuer, number.tenant)
    await meta.client.post("/api/v1/whatsapp/templates/sync", headers=auth)
    items = (await meta.client.get("/api/v1/whatsapp/templates", headers=auth)).json()["items"]
    order = next(t for t in items if t["name"] == "confirmacao_pedido")
    values = {"header.1": "#48213", "body.1": "Maria", "body.2": "#48213", "body.3": "R$ 189,90", "button.0.1": "48213"}
    preview = await meta.client.post(
        f"/api/v1/whatsapp/templates/{order['id']}/preview", json={"variables": values}, headers=auth
    )
    assert preview.status_code == 200, preview.text
    rendered = preview.json()
    assert rendered["header"] == {"format": "TEXT", "text": "Pedido #48213 confirmado", "media": None}
    assert rendered["body"].startswith("Olá Maria! Recebemos o seu pedido #48213 no valor de R$ 189,90.")
    assert rendered["text"].startswith("Pedido #48213 confirmado\n\nOlá Maria!")
    [button] = rendered["buttons"]
    assert button["type"] == "URL"
    assert button["url"].endswith("48213")

    missing = await meta.client.post(
        f"/api/v1/whatsapp/templates/{order['id']}/preview",
        json={"variables": {"body.1": "Maria", "header.1": "#1"}},
        headers=auth,
    )
    assert missing.status_code == 422
    problem = missing.json()
    assert missing.headers["content-type"] == "application/problem+json"
    assert problem["missing"] == ["body.2", "body.3", "button.0.1"]
    assert "body.2" in problem["detail"]

    named = next(t for t in items if t["parameter_format"] == "NAMED")
    names = {v["name"]: "x" for group in named["variables"] for v in group["variables"]}
    by_name = await meta.client.post(
        f"/api/v1/whatsapp/templates/{named['id']}/preview", json={"variables": names}, headers=auth
    )
    assert by_name.status_code == 200, by_name.text


async def test_numbers_show_their_pace_tier_and_quality_and_the_pace_can_be_changed(
    meta: RunningService, issuer: InternalTokenIssuer, sandbox: MetaSandbox
) -> None:
    number = await sandbox.number(
        meta, issuer, messaging_limit_tier="TIER_10K", quality_rating="YELLOW", throughput_level="HIGH"
    )
    auth = bearer(issuer, number.tenant)
    assert number.registration["messages_per_second"] == 80
    refreshed = await meta.client.post(f"/api/v1/whatsapp/phone-numbers/{number.id}/refresh", headers=auth)
    assert refreshed.status_code == 200, refreshed.text
    profile = refreshed.json()
    assert (profile["messaging_limit_tier"], profile["quality_rating"], profile["throughput_level"]) == (
        "TIER_10K",
        "YELLOW",
        "HIGH",
    )
    assert profile["profile_refreshed_at"] is not None

    url = f"/api/v1/whatsapp/phone-numbers/{number.id}"
    assert (await meta.client.patch(url, json={"messages_per_second": 1000}, headers=auth)).json()[
        "messages_per_second"
    ] == 1000
    for bad in (0, 1001, "fast"):
        refused = await meta.client.patch(url, json={"messages_per_second": bad}, headers=auth)
        assert refused.status_code == 422
        assert refused.json()["errors"][0]["field"] == "messages_per_second"
    as_agent = await meta.client.patch(
        url, json={"messages_per_second": 5}, headers=bearer(issuer, number.tenant, role="agent")
    )
    assert as_agent.status_code == 403
    listed = (await meta.client.get("/api/v1/whatsapp/phone-numbers", headers=auth)).json()
    assert [n["messages_per_second"] for n in listed] == [1000]


async def test_a_number_whose_token_meta_refuses_cannot_be_refreshed(
    meta: RunningService, issuer: InternalTokenIssuer, sandbox: MetaSandbox
) -> None:
    number = await sandbox.number(meta, issuer)
    await sandbox.http.delete(f"/_sandbox/meta/numbers/{number.phone_number_id}")  # the token stops working
    refused = await meta.client.post(
        f"/api/v1/whatsapp/phone-numbers/{number.id}/refresh", headers=bearer(issuer, number.tenant)
    )
    assert refused.status_code == 502
    assert "Graph" in refused.json()["detail"]


def account_event(field: str, value: dict[str, object]) -> dict[str, object]:
    return {
        "object": "whatsapp_business_account",
        "entry": [{"id": "102290129340398", "changes": [{"field": field, "value": value}]}],
    }


async def test_metas_account_webhooks_update_template_statuses_and_the_numbers_tier(
    meta: RunningService, issuer: InternalTokenIssuer, sandbox: MetaSandbox
) -> None:
    number = await sandbox.number(meta, issuer, display_phone_number="+55 11 95555-0101")
    auth = bearer(issuer, number.tenant)
    await meta.client.post("/api/v1/whatsapp/templates/sync", headers=auth)
    await sandbox.raw_webhook(
        number,
        account_event(
            "message_template_status_update",
            {
                "event": "PAUSED",
                "message_template_name": "boas_vindas",
                "message_template_language": "pt_BR",
                "reason": "LOW_QUALITY",
            },
        ),
    )
    await sandbox.raw_webhook(
        number,
        account_event(
            "phone_number_quality_update",
            {"display_phone_number": "5511955550101", "event": "UPGRADE", "current_limit": "TIER_10K"},
        ),
    )
    listed = (await meta.client.get("/api/v1/whatsapp/templates", params={"q": "boas"}, headers=auth)).json()
    assert [t["status"] for t in listed["items"]] == ["PAUSED"]
    profile = (await meta.client.get(f"/api/v1/whatsapp/phone-numbers/{number.id}", headers=auth)).json()
    assert profile["messaging_limit_tier"] == "TIER_10K"

"""Routing table, header filtering, settings and the OpenAPI merge."""

import pytest

from masteria.gateway.oauth.providers import facebook_profile, google_profile
from masteria.gateway.proxy.families import family_of, owner_of
from masteria.gateway.proxy.headers import api_request_headers, response_headers, webhook_request_headers
from masteria.gateway.proxy.openapi import merge_documents
from masteria.gateway.settings import GatewaySettings


@pytest.mark.parametrize(
    ("family", "service"),
    [
        ("conversations", "crm"),
        ("analytics", "crm"),
        ("media", "crm"),
        ("whatsapp", "whatsapp-meta"),
        ("whatsapp-web", "whatsapp-qr"),
        ("sms", "sms"),
        ("cadences", "campaigns"),
        ("ai", "ai-engine"),
        ("voice", "voice"),
        ("tenants", None),
    ],
)
def test_families_route_to_their_owner(family: str, service: str | None) -> None:
    assert owner_of(family) == service


def test_family_of_path() -> None:
    assert family_of("/api/v1/contacts/123") == "contacts"
    assert family_of("/api/v1/sms") == "sms"
    assert family_of("/auth/me") is None


def test_credentials_and_hop_by_hop_headers_do_not_cross() -> None:
    incoming = [
        ("Cookie", "masteria_session=s"),
        ("Authorization", "Bearer mia_x"),
        ("X-CSRF-Token", "t"),
        ("Connection", "keep-alive, X-Private"),
        ("X-Private", "1"),
        ("Keep-Alive", "5"),
        ("Host", "gw"),
        ("X-Forwarded-For", "6.6.6.6"),
        ("Content-Type", "application/json"),
        ("Accept", "*/*"),
    ]
    kept = dict(api_request_headers(incoming))
    assert kept == {"Content-Type": "application/json", "Accept": "*/*"}


def test_webhook_headers_stay_but_for_connection_ones() -> None:
    incoming = [("X-Hub-Signature-256", "sha256=ab"), ("Authorization", "Basic x"), ("Transfer-Encoding", "chunked")]
    assert dict(webhook_request_headers(incoming)) == {"X-Hub-Signature-256": "sha256=ab", "Authorization": "Basic x"}


def test_upstream_cookies_do_not_reach_the_client() -> None:
    kept = response_headers([("set-cookie", "a=b"), ("content-type", "application/json"), ("connection", "close")])
    assert kept == [("content-type", "application/json")]


def test_service_urls_merge_with_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GATEWAY_SERVICE_URLS", '{"crm": "http://crm:9000/"}')
    urls = GatewaySettings().service_urls
    assert urls["crm"] == "http://crm:9000"
    assert urls["sms"] == "http://127.0.0.1:8103"


def test_production_refuses_missing_signing_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MASTERIA_ENV", "production")
    monkeypatch.setenv("MASTERIA_SECRET_KEYS", "k1:" + "A" * 44)
    monkeypatch.setenv("MASTERIA_INTERNAL_TOKEN_PUBLIC_KEY", "pem")
    monkeypatch.setenv("DATABASE_URL", "postgresql+asyncpg://app:strong@db/masteria")
    with pytest.raises(ValueError, match="GATEWAY_INTERNAL_TOKEN_PRIVATE_KEY"):
        GatewaySettings()


def test_cookies_are_secure_on_https(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MASTERIA_PUBLIC_URL", "https://app.example")
    assert GatewaySettings().secure_cookies
    monkeypatch.setenv("MASTERIA_PUBLIC_URL", "http://127.0.0.1:8000")
    assert not GatewaySettings().secure_cookies


def test_provider_profiles() -> None:
    google = google_profile({"sub": "1", "email": "A@x.io", "email_verified": True, "name": "A"})
    assert (google.subject, google.email, google.email_verified) == ("1", "a@x.io", True)
    assert not google_profile({"sub": "1", "email": "a@x.io", "email_verified": False}).email_verified
    facebook = facebook_profile({"id": "9", "name": "B"})
    assert facebook.email is None
    assert not facebook.email_verified


def _schema(props: dict[str, object]) -> dict[str, object]:
    return {"type": "object", "properties": props}


GATEWAY_DOC = {
    "openapi": "3.1.0",
    "paths": {"/api/v1/tenants": {"get": {"operationId": "list", "responses": {}}}},
    "components": {"schemas": {"Page": _schema({"n": {"type": "integer"}}), "Shared": {"type": "string"}}},
}
CRM_DOC = {
    "paths": {
        "/api/v1/contacts": {
            "get": {
                "operationId": "list",
                "responses": {
                    "200": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Page"}}}}
                },
            }
        },
        "/internal/rebuild": {"post": {"responses": {}}},
    },
    "components": {
        "schemas": {
            "Page": _schema({"items": {"type": "array", "items": {"$ref": "#/components/schemas/Contact"}}}),
            "Contact": _schema({"phone": {"type": "string"}}),
            "Shared": {"type": "string"},
        }
    },
}


def test_merge_prefixes_clashing_schemas_and_rewrites_refs() -> None:
    merged = merge_documents(GATEWAY_DOC, {"crm": CRM_DOC}, ["voice"])
    schemas = merged["components"]["schemas"]
    assert schemas["Page"] == GATEWAY_DOC["components"]["schemas"]["Page"]  # the gateway's stays as is
    assert "CrmPage" in schemas
    assert "Contact" in schemas
    assert "CrmShared" not in schemas
    ref = merged["paths"]["/api/v1/contacts"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    assert ref == {"$ref": "#/components/schemas/CrmPage"}
    assert merged["paths"]["/api/v1/contacts"]["get"]["operationId"] == "crm_list"  # clash renamed
    assert "/internal/rebuild" not in merged["paths"]  # not routed by the gateway
    assert merged["x-unavailable-services"] == ["voice"]


def test_merge_renames_schemas_whose_references_were_renamed() -> None:
    gateway = {
        "paths": {},
        "components": {"schemas": {"Item": {"type": "string"}, "List": {"$ref": "#/components/schemas/Item"}}},
    }
    crm = {
        "paths": {},
        "components": {"schemas": {"Item": {"type": "integer"}, "List": {"$ref": "#/components/schemas/Item"}}},
    }
    schemas = merge_documents(gateway, {"crm": crm}, [])["components"]["schemas"]
    assert schemas["CrmItem"] == {"type": "integer"}
    assert schemas["CrmList"] == {"$ref": "#/components/schemas/CrmItem"}
    assert schemas["List"] == {"$ref": "#/components/schemas/Item"}

"""Which service owns which resource family of ``/api/v1/<family>/...``."""

from __future__ import annotations

FAMILY_OWNERS: dict[str, str] = {
    "conversations": "crm",
    "contacts": "crm",
    "leads": "crm",
    "pipelines": "crm",
    "analytics": "crm",
    "media": "crm",
    "whatsapp": "whatsapp-meta",
    "whatsapp-web": "whatsapp-qr",
    "sms": "sms",
    "campaigns": "campaigns",
    "cadences": "campaigns",
    "ai": "ai-engine",
    "voice": "voice",
}
# Families the gateway serves itself; API key scopes may name them too.
GATEWAY_FAMILIES: tuple[str, ...] = ("tenants", "members", "api-keys", "events")
ALL_FAMILIES: tuple[str, ...] = (*GATEWAY_FAMILIES, *FAMILY_OWNERS)
API_PREFIX = "/api/v1/"


def family_of(path: str) -> str | None:
    """The family of an ``/api/v1/<family>/...`` path, or None outside the API."""
    if not path.startswith(API_PREFIX):
        return None
    family = path[len(API_PREFIX) :].split("/", 1)[0]
    return family or None


def owner_of(family: str) -> str | None:
    """The service that owns ``family``, or None when nobody does."""
    return FAMILY_OWNERS.get(family)


def families_of(service: str) -> list[str]:
    """Every family ``service`` owns."""
    return [family for family, owner in FAMILY_OWNERS.items() if owner == service]

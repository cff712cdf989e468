"""Saved segments: a tenant names its audience filters, finds them, changes them, and cannot lose one a draft uses."""

from __future__ import annotations

import asyncio
import uuid

import pytest

from masteria.devstack.harness import RunningService
from masteria.security.internal_token import InternalTokenIssuer

from .helpers import Api

pytestmark = pytest.mark.integration
BASE = "/api/v1/campaigns/segments"


async def test_a_segment_is_saved_listed_changed_and_deleted(
    campaigns: RunningService, issuer: InternalTokenIssuer
) -> None:
    api = Api(campaigns, issuer, uuid.uuid4())
    vip = await api.ok(
        "POST",
        BASE,
        201,
        json={"name": " VIP SP ", "filter": {"tags_all": ["vip", "sp"], "custom_fields": {"plan": "gold"}}},
    )
    assert vip["name"] == "VIP SP"
    assert vip["filter"]["tags_all"] == ["sp", "vip"]
    assert vip["filter"]["custom_fields"] == {"plan": "gold"}
    late = await api.ok("POST", BASE, 201, json={"name": "Late payers", "description": "overdue", "filter": {}})

    assert await api.ok("GET", f"{BASE}/{vip['id']}") == vip
    page = await api.ok("GET", BASE, params={"limit": 1})
    assert [s["name"] for s in page["items"]] == ["Late payers"]  # newest first
    rest = await api.ok("GET", BASE, params={"limit": 1, "cursor": page["next_cursor"]})
    assert [s["name"] for s in rest["items"]] == ["VIP SP"]
    assert rest["next_cursor"] is None
    found = await api.ok("GET", BASE, params={"q": "vip"})
    assert [s["id"] for s in found["items"]] == [vip["id"]]

    changed = await api.ok(
        "PATCH", f"{BASE}/{late['id']}", json={"name": "Overdue", "description": None, "filter": {"tags_any": ["late"]}}
    )
    assert (changed["name"], changed["description"], changed["filter"]["tags_any"]) == ("Overdue", None, ["late"])
    assert changed["updated_at"] > late["updated_at"]

    await api.ok("DELETE", f"{BASE}/{late['id']}", 204)
    gone = await api.call("GET", f"{BASE}/{late['id']}")
    assert gone.status_code == 404
    assert gone.headers["content-type"] == "application/problem+json"
    assert gone.json()["reason"] == "segment_not_found"


async def test_names_are_unique_in_a_tenant_but_not_across_tenants(
    campaigns: RunningService,
    issuer: InternalTokenIssuer,
) -> None:
    api, other = Api(campaigns, issuer, uuid.uuid4()), Api(campaigns, issuer, uuid.uuid4())
    first = await api.ok("POST", BASE, 201, json={"name": "Clientes"})
    taken = await api.call("POST", BASE, json={"name": "clientes"})
    assert (taken.status_code, taken.json()["reason"]) == (409, "segment_name_taken")
    second = await api.ok("POST", BASE, 201, json={"name": "Leads"})
    renamed = await api.call("PATCH", f"{BASE}/{second['id']}", json={"name": "Clientes"})
    assert (renamed.status_code, renamed.json()["reason"]) == (409, "segment_name_taken")
    await other.ok("POST", BASE, 201, json={"name": "Clientes"})
    # Another tenant's segment is simply not found.
    assert (await other.call("GET", f"{BASE}/{first['id']}")).status_code == 404
    assert (await other.call("DELETE", f"{BASE}/{first['id']}")).status_code == 404


async def test_the_same_new_name_saved_twice_at_once_is_saved_once(
    campaigns: RunningService, issuer: InternalTokenIssuer
) -> None:
    api = Api(campaigns, issuer, uuid.uuid4())
    answers = await asyncio.gather(
        *(api.call("POST", BASE, json={"name": name}) for name in ("Promo", "promo", "PROMO", "Promo"))
    )
    assert sorted(a.status_code for a in answers) == [201, 409, 409, 409]
    assert len((await api.ok("GET", BASE))["items"]) == 1


async def test_bad_filters_and_names_are_refused_with_the_field(
    campaigns: RunningService,
    issuer: InternalTokenIssuer,
) -> None:
    api = Api(campaigns, issuer, uuid.uuid4())
    for body, field in (
        ({"name": "x", "filter": {"colour": "blue"}}, "filter.colour"),
        ({"name": "x", "filter": {"lead_stage_ids": ["not-a-uuid"]}}, "filter.lead_stage_ids.0"),
        ({"name": "   "}, "name"),
        ({}, "name"),
    ):
        response = await api.call("POST", BASE, json=body)
        assert response.status_code == 422, body
        assert response.headers["content-type"] == "application/problem+json"
        assert field in [e["field"] for e in response.json()["errors"]], response.text


async def test_viewers_read_segments_but_only_writers_change_them(
    campaigns: RunningService,
    issuer: InternalTokenIssuer,
) -> None:
    tenant = uuid.uuid4()
    admin, viewer = Api(campaigns, issuer, tenant), Api(campaigns, issuer, tenant, role="viewer")
    segment = await admin.ok("POST", BASE, 201, json={"name": "All"})
    assert (await viewer.ok("GET", BASE))["items"][0]["id"] == segment["id"]
    assert (await viewer.call("POST", BASE, json={"name": "Mine"})).status_code == 403
    assert (await viewer.call("DELETE", f"{BASE}/{segment['id']}")).status_code == 403

"""Two replicas dispatch one campaign at once, one stops midway: every recipient is sent exactly once."""

from __future__ import annotations

import uuid
from collections import Counter
from typing import Any

import pytest

from masteria.campaigns.main import build_service
from masteria.campaigns.settings import CampaignsSettings
from masteria.devstack.harness import RunningService, running_service, wait_for
from masteria.security.internal_token import InternalTokenIssuer

from .helpers import AdapterStandIn, Api, domain_events
from .test_campaign_lifecycle import audience, body, settled

pytestmark = pytest.mark.integration


async def test_replicas_never_send_a_recipient_twice_and_events_follow_the_campaign(
    campaigns: RunningService, campaigns_settings: CampaignsSettings, issuer: InternalTokenIssuer
) -> None:
    tenant = uuid.uuid4()
    api = Api(campaigns, issuer, tenant)
    await audience(campaigns, tenant, 300)
    async with AdapterStandIn(tenant) as adapter:
        async with running_service("campaigns", lambda: build_service(campaigns_settings)) as replica:
            campaign = await api.ok("POST", "/api/v1/campaigns", 201, json=body(messages_per_second=150))
            await Api(replica, issuer, tenant).ok("POST", f"/api/v1/campaigns/{campaign['id']}/launch", 202)
            await wait_for(lambda: len(adapter.received) >= 100, within=20)
        # The replica stopped mid-campaign (its tick in progress rolled back); the other one finishes.
        done = await settled(api, campaign["id"], "completed", within=30)
    per_recipient = Counter(d.recipient_id for d in adapter.received)
    assert len(per_recipient) == 300
    assert max(per_recipient.values()) == 1
    assert done["counts"]["total"] == 300

    async def all_read() -> bool:
        # A campaign completes when every recipient has a first status; the reads may come later: statuses the
        # stopped replica had fetched but not committed come back after the consumer's ack wait (30 s).
        campaign_now = await api.ok("GET", f"/api/v1/campaigns/{campaign['id']}")
        return bool(campaign_now["counts"]["read"] == 300)

    await wait_for(all_read, within=60, interval=0.5)

    def finished(seen: list[dict[str, Any]]) -> bool:
        return any(e["type"] == "campaign.state_changed" and e["data"]["state"] == "completed" for e in seen)

    events = await domain_events(tenant, finished)
    states = [e["data"]["state"] for e in events if e["type"] == "campaign.state_changed"]
    assert states == ["running", "completed"]
    assert events[-1]["data"]["counts"]["total"] == 300
    progressed = [e for e in events if e["type"] == "campaign.progressed"]
    assert progressed
    assert all(e["data"]["campaign_id"] == campaign["id"] for e in progressed)

"""Audience filters count the right contacts; queueing dispatches skips whom it must and writes the commands."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import text

from masteria.campaigns.audience.filters import AudienceFilter, count, count_for_channel
from masteria.campaigns.sending.dispatch import DispatchItem, queue_dispatches
from masteria.campaigns.tables import outbox
from masteria.contracts.channels import Channel
from masteria.contracts.ids import uuid7
from masteria.contracts.messages import CampaignDispatch
from masteria.devstack.harness import RunningService
from masteria.messaging.outbox import Outbox
from masteria.persistence.tenancy import tenant_session

pytestmark = pytest.mark.integration
STAGE = uuid7()


async def seed(campaigns: RunningService, tenant: uuid.UUID, people: list[dict[str, Any]]) -> list[uuid.UUID]:
    ids = []
    async with tenant_session(campaigns.service.sessions, tenant) as session:
        for person in people:
            contact_id = uuid7()
            ids.append(contact_id)
            await session.execute(
                text("""INSERT INTO campaigns.contacts (contact_id, tenant_id, phone, name, email, tags, custom_fields,
                        opted_out, last_inbound_at, lead_stage_id, lead_stage_name, deleted)
                        VALUES (:id, :t, :phone, :name, :email, :tags, CAST(:custom AS jsonb), :opted_out, :last,
                                :stage, :stage_name, :deleted)"""),
                {
                    "id": contact_id,
                    "t": tenant,
                    "phone": person.get("phone"),
                    "name": person.get("name"),
                    "email": person.get("email"),
                    "tags": person.get("tags", []),
                    "custom": json.dumps(person.get("custom", {})),
                    "opted_out": person.get("opted_out", []),
                    "last": person.get("last"),
                    "stage": person.get("stage"),
                    "stage_name": person.get("stage_name"),
                    "deleted": person.get("deleted", False),
                },
            )
    return ids


PEOPLE = [
    {
        "phone": "+5511900000001",
        "name": "Ana",
        "tags": ["vip", "sp"],
        "custom": {"plan": "gold"},
        "stage": STAGE,
        "stage_name": "Proposta",
        "last": datetime.now(UTC) - timedelta(days=2),
    },
    {"phone": "+5511900000002", "name": "Bia", "tags": ["vip"], "opted_out": ["whatsapp_meta"]},
    {
        "phone": "+5511900000003",
        "name": "Caio",
        "tags": ["sp"],
        "opted_out": ["*"],
        "last": datetime.now(UTC) - timedelta(days=40),
    },
    {"phone": "12345", "name": "Duda", "tags": ["vip"]},
    {"phone": "+5511900000005", "name": "Eva", "tags": ["vip"], "deleted": True},
]


async def test_filters_select_by_tags_fields_stage_activity_and_consent(campaigns: RunningService) -> None:
    tenant = uuid.uuid4()
    ids = await seed(campaigns, tenant, PEOPLE)
    other_tenant = uuid.uuid4()
    await seed(campaigns, other_tenant, PEOPLE[:2])
    cases = [
        (AudienceFilter(), 4),
        (AudienceFilter(tags_any=["vip"]), 3),
        (AudienceFilter(tags_all=["vip", "sp"]), 1),
        (AudienceFilter(tags_any=["vip", "sp"], tags_none=["sp"]), 2),
        (AudienceFilter(custom_fields={"plan": "gold"}), 1),
        (AudienceFilter(lead_stage_ids=[STAGE]), 1),
        (AudienceFilter(last_inbound_within_days=7), 1),
        (AudienceFilter(last_inbound_before=datetime.now(UTC) - timedelta(days=30)), 3),
        (AudienceFilter(has_channel_consent=Channel.WHATSAPP_META), 2),
        (AudienceFilter(has_channel_consent=Channel.SMS), 3),
        (AudienceFilter(contact_ids=[ids[0], ids[4]]), 1),
    ]
    async with tenant_session(campaigns.service.sessions, tenant) as session:
        for audience, expected in cases:
            assert await count(session, tenant, audience) == expected, audience
        live = await count_for_channel(session, tenant, AudienceFilter(tags_any=["vip"]), Channel.WHATSAPP_META)
    assert (live.total, live.sendable, live.opted_out, live.invalid) == (3, 1, 1, 1)


async def test_queueing_skips_refused_contacts_and_duplicates_and_writes_commands(campaigns: RunningService) -> None:
    tenant = uuid.uuid4()
    await seed(campaigns, tenant, PEOPLE)
    spec = {"kind": "text", "body": "Oi {{first_name}}, plano {{custom.plan}}"}
    fallback_spec = {"kind": "text", "body": "Oi {{first_name}}, plano {{custom.plan|básico}}"}
    campaign = uuid7()
    out = Outbox(outbox)
    async with tenant_session(campaigns.service.sessions, tenant) as session:
        contacts = (await session.execute(text("SELECT * FROM campaigns.contacts ORDER BY phone"))).all()

        def item(row: Any, content: Any, attempt: int = 1) -> DispatchItem:
            return DispatchItem(Channel.WHATSAPP_META, None, row, content, campaign, uuid7(), attempt=attempt)

        ana, bia, caio, eva, duda = contacts  # ordered by phone: "12345" (Duda) sorts after "+55..."
        items = [
            item(ana, spec),
            item(bia, spec),
            item(caio, spec),
            item(eva, spec),
            item(duda, spec),
            item(ana, spec),
            item(bia, fallback_spec),
        ]
        outcomes = await queue_dispatches(session, out, tenant, items, duplicate_window=timedelta(hours=24))
        assert [(o.state, o.reason) for o in outcomes] == [
            ("queued", None),
            ("skipped", "opted_out"),
            ("skipped", "opted_out"),
            ("skipped", "contact_deleted"),
            ("skipped", "invalid_number"),
            ("skipped", "duplicate"),
            ("skipped", "opted_out"),
        ]
        assert outcomes[0].dispatch is not None
        assert outcomes[0].dispatch.content.body == "Oi Ana, plano gold"  # type: ignore[union-attr]
        bia_sms = DispatchItem(Channel.SMS, None, bia, spec, campaign, uuid7())
        again = await queue_dispatches(
            session,
            out,
            tenant,
            [item(ana, spec), bia_sms, item(ana, spec, attempt=2)],
            duplicate_window=timedelta(hours=24),
        )
        assert [(o.state, o.reason) for o in again] == [
            ("skipped", "duplicate"),
            ("skipped", "missing_variable"),
            ("queued", None),
        ]
        rows = (await session.execute(text("SELECT subject, payload FROM campaigns.outbox ORDER BY id"))).all()
    assert [r.subject for r in rows] == [f"campaign.dispatch.whatsapp_meta.{tenant}"] * 2
    dispatch = CampaignDispatch.model_validate(json.loads(rows[0].payload)["data"])
    assert (dispatch.to, dispatch.campaign_id, dispatch.variables) == (
        "+5511900000001",
        campaign,
        {"first_name": "Ana", "custom.plan": "gold"},
    )


async def test_outside_the_window_the_same_content_goes_again(campaigns: RunningService) -> None:
    tenant = uuid.uuid4()
    await seed(campaigns, tenant, PEOPLE[:1])
    spec = {"kind": "text", "body": "Promo"}
    out = Outbox(outbox)
    async with tenant_session(campaigns.service.sessions, tenant) as session:
        ana = (await session.execute(text("SELECT * FROM campaigns.contacts"))).one()
        first = DispatchItem(Channel.SMS, None, ana, spec, uuid7(), uuid7())
        await queue_dispatches(session, out, tenant, [first], duplicate_window=timedelta(hours=1))
        await session.execute(text("UPDATE campaigns.send_log SET last_sent_at = now() - interval '2 hours'"))
        second = DispatchItem(Channel.SMS, None, ana, spec, uuid7(), uuid7())
        (outcome,) = await queue_dispatches(session, out, tenant, [second], duplicate_window=timedelta(hours=1))
        assert outcome.queued
        # Rolled back: the relay must not publish test commands to a shared stream.
        await session.rollback()

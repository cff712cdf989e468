"""The contacts view follows crm's events: details, tags, consent, lead stages, deletions, last inbound."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from masteria.contracts.channels import Channel
from masteria.contracts.contacts import ContactDeleted, ContactUpdated
from masteria.contracts.content import TextContent
from masteria.contracts.ids import uuid7
from masteria.contracts.leads import LeadStageChanged
from masteria.contracts.messages import InboundMessage, Sender
from masteria.devstack.harness import RunningService, wait_for

from .helpers import created, envelope, opted_out, publish, rows

pytestmark = pytest.mark.integration


async def view_of(campaigns: RunningService, tenant: uuid.UUID, contact_id: uuid.UUID) -> Any:
    found = await rows(campaigns, tenant, "SELECT * FROM campaigns.contacts WHERE contact_id = :id", id=contact_id)
    return found[0] if found else None


async def test_contact_details_consent_stage_and_deletion_reach_the_view(campaigns: RunningService) -> None:
    tenant = uuid.uuid4()
    maria = created("+5511999990001", tags=["vip"], custom={"plan": "gold"})
    await publish(envelope(maria, tenant))
    row = await wait_for(lambda: view_of(campaigns, tenant, maria.contact_id))
    assert (row.phone, row.name, row.tags, row.custom_fields) == (
        "+5511999990001",
        "Maria Silva",
        ["vip"],
        {"plan": "gold"},
    )

    later = datetime.now(UTC) + timedelta(seconds=5)
    update = ContactUpdated(
        contact_id=maria.contact_id,
        phone=maria.phone,
        name="Maria S.",
        tags=["vip", "sp"],
        changed=["name", "tags"],
        updated_at=later,
    )
    stale = ContactUpdated(
        contact_id=maria.contact_id,
        phone=maria.phone,
        name="Old name",
        updated_at=later - timedelta(seconds=1),
    )
    stage = LeadStageChanged(
        lead_id=uuid7(),
        contact_id=maria.contact_id,
        pipeline_id=uuid7(),
        stage_id=uuid7(),
        stage_name="Proposta",
        occurred_at=later,
    )
    await publish(
        envelope(update, tenant),
        envelope(stale, tenant),
        envelope(stage, tenant),
        envelope(opted_out(maria, Channel.SMS), tenant),
    )

    async def settled() -> Any:
        row = await view_of(campaigns, tenant, maria.contact_id)
        return row if row.lead_stage_name and row.opted_out else None

    row = await wait_for(settled)
    assert (row.name, row.tags, row.lead_stage_name, row.lead_stage_id) == (
        "Maria S.",
        ["vip", "sp"],
        "Proposta",
        stage.stage_id,
    )
    assert row.opted_out == ["sms"]

    await publish(envelope(ContactDeleted(contact_id=maria.contact_id, phone=maria.phone, occurred_at=later), tenant))
    await wait_for(lambda: _deleted(campaigns, tenant, maria.contact_id))
    # A late update of a deleted contact does not bring it back.
    resurrect = ContactUpdated(
        contact_id=maria.contact_id, phone=maria.phone, name="Zombie", updated_at=later + timedelta(seconds=10)
    )
    marker = created("+5511999990009")
    await publish(envelope(resurrect, tenant), envelope(marker, tenant))
    await wait_for(lambda: view_of(campaigns, tenant, marker.contact_id))
    row = await view_of(campaigns, tenant, maria.contact_id)
    assert row.deleted
    assert row.name == "Maria S."


async def _deleted(campaigns: RunningService, tenant: uuid.UUID, contact_id: uuid.UUID) -> bool:
    row = await view_of(campaigns, tenant, contact_id)
    return bool(row.deleted)


async def test_an_opt_out_before_the_contact_is_known_is_kept(campaigns: RunningService) -> None:
    tenant = uuid.uuid4()
    joao = created("+5511999990002", name="João")
    await publish(envelope(opted_out(joao, None), tenant))
    await wait_for(lambda: view_of(campaigns, tenant, joao.contact_id))
    await publish(envelope(joao, tenant))

    async def named() -> Any:
        row = await view_of(campaigns, tenant, joao.contact_id)
        return row if row.name else None

    row = await wait_for(named)
    assert row.opted_out == ["*"]
    assert row.name == "João"


async def test_an_inbound_message_sets_the_last_activity(campaigns: RunningService) -> None:
    tenant = uuid.uuid4()
    ana = created("+5511999990003", name="Ana")
    await publish(envelope(ana, tenant))
    await wait_for(lambda: view_of(campaigns, tenant, ana.contact_id))
    now = datetime.now(UTC)
    message = InboundMessage(
        channel=Channel.WHATSAPP_META,
        external_id=f"wamid.{uuid.uuid4().hex}",
        channel_account_id=uuid7(),
        business_address="+5511900000000",
        sender=Sender(address=ana.phone),
        content=TextContent(body="oi"),
        sent_at=now,
        received_at=now,
    )
    await publish(envelope(message, tenant))

    async def active() -> Any:
        row = await view_of(campaigns, tenant, ana.contact_id)
        return row if row.last_inbound_at else None

    row = await wait_for(active)
    assert row.last_inbound_channel == "whatsapp_meta"
    assert abs((row.last_inbound_at - now).total_seconds()) < 1

"""``POST /api/v1/campaigns/estimate``: what a campaign will cost before it launches.

SMS: the message of every variant is rendered for a random sample of the contacts a launch would keep
(the whole audience when it is small), because variables change the length and one accented name turns
a message to UCS-2. Segments per message come from that sample; the totals scale it to the audience
by each variant's weight; the cost is segments x CAMPAIGNS_SMS_COST_PER_SEGMENT. WhatsApp: each recipient
is one conversation. Contacts missing a variable are left out of the totals, as the launch leaves them out.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping, Sequence
from typing import Any

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, ConfigDict, Field

from masteria.campaigns.audience.resolve import resolve_audience
from masteria.campaigns.campaign.schemas import AudienceSpec, MessageSpec, Variant
from masteria.campaigns.problems import domain_errors
from masteria.campaigns.render import compile_spec
from masteria.campaigns.tools import contact_store
from masteria.campaigns.tools.audience import CountOut
from masteria.campaigns.tools.rendering import sample_contact
from masteria.campaigns.tools.settings import ToolsSettings, tools_settings
from masteria.campaigns.tools.sms_estimate import NotSmsContentError, SampleStats
from masteria.contracts.channels import Channel
from masteria.persistence.tenancy import tenant_session
from masteria.runtime.auth import current_identity
from masteria.runtime.problems import Problem
from masteria.runtime.service import service_of
from masteria.security.internal_token import Identity

router = APIRouter(prefix="/api/v1/campaigns/estimate", tags=["campaigns"])


class EstimateIn(BaseModel):
    """The campaign as it would launch."""

    model_config = ConfigDict(extra="forbid")

    channel: Channel
    message: MessageSpec
    audience: AudienceSpec


class VariantEstimate(BaseModel):
    """One variant: its share of the audience and, on SMS, its segments per message."""

    name: str
    share: float = Field(description="Its weight over the sum of weights.")
    recipients: int = Field(description="Expected recipients of this variant.")
    missing_variable: int = Field(description="Sampled contacts this variant could not be rendered for.")
    encoding: str | None = Field(None, description="GSM-7, UCS-2 or MMS: what most sampled messages took.")
    encodings: dict[str, int] = Field(default_factory=dict, description="Sampled messages per encoding.")
    segments_min: int | None = None
    segments_max: int | None = None
    segments_avg: float | None = None
    ucs2_characters: list[str] = Field(default_factory=list, description="Characters that forced UCS-2.")
    too_long: int = Field(0, description="Sampled messages longer than the 1,600 characters an SMS may have.")
    total_segments: int | None = None
    estimated_cost: float | None = None


class EstimateOut(BaseModel):
    """The audience, the sample it was estimated on, and the totals."""

    channel: Channel
    audience: CountOut
    sample_size: int = Field(description="Contacts rendered.")
    exact: bool = Field(description="True when every reachable contact was rendered (not a sample).")
    recipients: int = Field(description="Expected messages: reachable contacts minus those missing a variable.")
    conversations: int | None = Field(None, description="WhatsApp: one conversation per recipient.")
    total_segments: int | None = None
    cost_per_segment: float | None = None
    currency: str | None = None
    estimated_cost: float | None = None
    variants: list[VariantEstimate]


def _stats(variant: Variant, sample: Sequence[Mapping[Any, Any]], channel: Channel) -> SampleStats:
    compiled = compile_spec(variant.content)
    contents = [compiled.render(contact).content for contact in sample]
    if channel != Channel.SMS:
        return SampleStats(rendered=len(contents), missing_variable=sum(c is None for c in contents))
    try:
        return SampleStats.of(contents)
    except NotSmsContentError as exc:
        raise Problem(
            422, "Not an SMS", f"variant {variant.name!r}: {exc}", reason="content_not_sms", variant=variant.name
        ) from exc


def _variant(
    variant: Variant, share: float, stats: SampleStats, reachable: int, settings: ToolsSettings, *, sms: bool
) -> VariantEstimate:
    recipients = round(reachable * share * stats.sendable_share)
    estimate = VariantEstimate(
        name=variant.name, share=round(share, 4), recipients=recipients, missing_variable=stats.missing_variable
    )
    if sms:
        total = round(recipients * stats.average_segments)
        estimate.encoding = stats.encoding
        estimate.encodings = dict(stats.encodings)
        estimate.segments_min = min(stats.segments, default=None)
        estimate.segments_max = max(stats.segments, default=None)
        estimate.segments_avg = round(stats.average_segments, 3)
        estimate.ucs2_characters = stats.forcing_characters
        estimate.too_long = stats.too_long
        estimate.total_segments = total
        estimate.estimated_cost = round(total * settings.sms_cost_per_segment, 4)
    return estimate


def estimate_variants(
    message: MessageSpec, sample: Sequence[Mapping[Any, Any]], reachable: int, channel: Channel, settings: ToolsSettings
) -> list[VariantEstimate]:
    """Every variant estimated from the sample (pure CPU work: run it off the event loop)."""
    sms = channel == Channel.SMS
    weights = sum(v.weight for v in message.variants)
    return [
        _variant(variant, variant.weight / weights, _stats(variant, sample, channel), reachable, settings, sms=sms)
        for variant in message.variants
    ]


@router.post("")
async def estimate_campaign(
    body: EstimateIn,
    request: Request,
    identity: Identity = Depends(current_identity),
    settings: ToolsSettings = Depends(tools_settings),
) -> EstimateOut:
    """Segments, encoding and cost (SMS) or conversations (WhatsApp) for a message and an audience."""
    with domain_errors():
        async with tenant_session(service_of(request).sessions, identity.tenant_id) as session:
            audience = await resolve_audience(session, body.audience)
            started = time.perf_counter()
            counted = await contact_store.count_reach(session, identity.tenant_id, audience, body.channel)
            count_ms = round((time.perf_counter() - started) * 1000, 1)
            sample = await contact_store.sample_reachable(
                session, identity.tenant_id, audience, body.channel, settings.estimate_sample, counted.sendable
            )
    # An empty audience still shows what the message costs, on sample values.
    rendered_for: Sequence[Mapping[Any, Any]] = list(sample) if sample else [sample_contact(body.message)]
    variants = await asyncio.to_thread(
        estimate_variants, body.message, rendered_for, counted.sendable, body.channel, settings
    )
    sms = body.channel == Channel.SMS
    recipients = sum(v.recipients for v in variants)
    total_segments = sum(v.total_segments or 0 for v in variants) if sms else None
    return EstimateOut(
        channel=body.channel,
        audience=CountOut(
            total=counted.total,
            sendable=counted.sendable,
            opted_out=counted.opted_out,
            invalid=counted.invalid,
            took_ms=count_ms,
        ),
        sample_size=len(sample),
        exact=len(sample) >= counted.sendable,
        recipients=recipients,
        conversations=None if sms else recipients,
        total_segments=total_segments,
        cost_per_segment=settings.sms_cost_per_segment if sms else None,
        currency=settings.sms_cost_currency if sms else None,
        estimated_cost=round((total_segments or 0) * settings.sms_cost_per_segment, 4) if sms else None,
        variants=variants,
    )

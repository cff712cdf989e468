"""A campaign's audience spec (a segment, a filter or an upload) as one AudienceFilter."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from masteria.campaigns.audience.filters import AudienceFilter
from masteria.campaigns.campaign.schemas import AudienceSpec
from masteria.campaigns.errors import NotFoundError
from masteria.campaigns.tables import Segment, Upload


async def resolve_audience(session: AsyncSession, audience: AudienceSpec | dict[str, Any]) -> AudienceFilter:
    """The filter behind the audience; NotFoundError (reason segment_not_found / upload_not_found) otherwise."""
    spec = audience if isinstance(audience, AudienceSpec) else AudienceSpec.model_validate(audience)
    if spec.segment_id is not None:
        segment = await session.get(Segment, spec.segment_id)
        if segment is None:
            raise NotFoundError("segment_not_found", "no such segment")
        return AudienceFilter.model_validate(segment.filter)
    upload_id = spec.upload_id if spec.upload_id is not None else spec.filter.upload_id if spec.filter else None
    if upload_id is not None and await session.get(Upload, upload_id) is None:
        raise NotFoundError("upload_not_found", "no such upload")
    return spec.filter if spec.filter is not None else AudienceFilter(upload_id=upload_id)

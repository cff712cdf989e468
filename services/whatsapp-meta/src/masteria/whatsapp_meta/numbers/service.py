"""Registering and tuning numbers: secrets sealed before they touch the database, profile from Graph."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from masteria.observability.logging import get_logger
from masteria.persistence.tenancy import system_session, tenant_session
from masteria.runtime.problems import Problem
from masteria.security.secretbox import SecretBox
from masteria.whatsapp_meta.graph import GraphClient, GraphError, GraphUnavailable
from masteria.whatsapp_meta.numbers import repository
from masteria.whatsapp_meta.numbers.schemas import PhoneNumberCreate, PhoneNumberOut, PhoneNumberPatch
from masteria.whatsapp_meta.tables import PhoneNumber
from masteria.whatsapp_meta.webhooks.routing import sealing_context

log = get_logger(__name__)


def hash_verify_token(token: str) -> str:
    """Lookup key for the verify token Meta echoes on subscription."""
    return hashlib.sha256(token.encode()).hexdigest()


async def register(
    session: AsyncSession,
    *,
    sessions: async_sessionmaker[AsyncSession],
    box: SecretBox,
    tenant_id: uuid.UUID,
    data: PhoneNumberCreate,
    graph: GraphClient | None,
    default_messages_per_second: int = 80,
) -> PhoneNumber:
    """Check the number with Graph (when configured), then store it with sealed secrets."""
    async with system_session(sessions) as system:
        if await repository.exists_anywhere(system, data.phone_number_id):
            raise Problem(409, "Already registered", "this phone_number_id is already connected")
    display = data.display_phone_number
    profile: dict[str, Any] = {}
    if graph is not None:
        profile = await _check_with_graph(graph, data)
        display = display or str(profile.get("display_phone_number", ""))
    verify_token = secrets.token_urlsafe(24)
    number = PhoneNumber(
        tenant_id=tenant_id,
        phone_number_id=data.phone_number_id,
        display_phone_number=display or data.phone_number_id,
        waba_id=data.waba_id,
        label=data.label,
        access_token_sealed=box.seal(data.access_token, context=sealing_context(data.phone_number_id, "token")),
        app_secret_sealed=box.seal(data.app_secret, context=sealing_context(data.phone_number_id, "app_secret")),
        verify_token_sealed=box.seal(verify_token, context=sealing_context(data.phone_number_id, "verify")),
        verify_token_hash=hash_verify_token(verify_token),
        messages_per_second=data.messages_per_second or default_messages_per_second,
    )
    if profile:
        apply_profile(number, profile)
    await repository.add(session, number)
    return number


def apply_profile(number: PhoneNumber, profile: dict[str, Any]) -> None:
    """Keep what Graph says about the number: tier, quality, throughput, names."""
    throughput = profile.get("throughput")
    number.messaging_limit_tier = _text(profile.get("messaging_limit_tier"), 32)
    number.quality_rating = _text(profile.get("quality_rating"), 16)
    number.throughput_level = _text(throughput.get("level") if isinstance(throughput, dict) else None, 16)
    number.verified_name = _text(profile.get("verified_name"), 512)
    if profile.get("display_phone_number"):
        number.display_phone_number = str(profile["display_phone_number"])[:32]
    number.profile_refreshed_at = datetime.now(UTC)


async def refresh(number: PhoneNumber, *, box: SecretBox, graph: GraphClient) -> None:
    """Read the number's profile from Graph again (tier and quality change over time)."""
    apply_profile(number, await _profile(number, box=box, graph=graph))


async def _profile(number: PhoneNumber, *, box: SecretBox, graph: GraphClient) -> dict[str, Any]:
    token = box.open_text(number.access_token_sealed, context=sealing_context(number.phone_number_id, "token"))
    try:
        return await graph.phone_number(number.phone_number_id, token)
    except GraphError as exc:
        raise Problem(
            502, "Meta refused the request", f"Graph API answered {exc.status}: {exc}", reason="graph_refused"
        ) from exc
    except GraphUnavailable as exc:
        raise Problem(502, "Meta unreachable", f"could not reach the Graph API: {exc}") from exc


async def refresh_rating(
    sessions: async_sessionmaker[AsyncSession],
    tenant_id: uuid.UUID,
    number_id: uuid.UUID,
    *,
    box: SecretBox,
    graph: GraphClient,
) -> bool:
    """Read the quality rating from Graph after Meta's quality webhook, which does not carry it
    (background work: a failure is logged). Only the rating: the webhook's tier is the newer word,
    and Graph's per-number ``messaging_limit_tier`` is deprecated in favour of the portfolio's."""
    try:
        async with tenant_session(sessions, tenant_id) as session:
            number = await repository.get(session, number_id)
            if number is None:
                return False
            rating = _text((await _profile(number, box=box, graph=graph)).get("quality_rating"), 16)
            if rating is not None:
                number.quality_rating = rating
    except Problem as exc:
        log.warning("quality rating not read after Meta's quality update", number_id=str(number_id), error=exc.detail)
        return False
    return True


def patch(number: PhoneNumber, data: PhoneNumberPatch) -> None:
    """Apply the fields given (absent ones stay as they are)."""
    if data.messages_per_second is not None:
        number.messages_per_second = data.messages_per_second
    if "label" in data.model_fields_set:
        number.label = data.label


def _text(value: Any, limit: int) -> str | None:
    return str(value)[:limit] if value not in (None, "") else None


async def _check_with_graph(graph: GraphClient, data: PhoneNumberCreate) -> dict[str, Any]:
    try:
        return await graph.phone_number(data.phone_number_id, data.access_token)
    except GraphError as exc:
        raise Problem(
            422,
            "Meta refused the credentials",
            f"Graph API answered {exc.status}: {exc}. Check the access token and phone_number_id.",
            errors=[{"field": "access_token", "message": str(exc)}],
        ) from exc
    except GraphUnavailable as exc:
        raise Problem(502, "Meta unreachable", f"could not reach the Graph API: {exc}") from exc


def to_out(number: PhoneNumber, box: SecretBox, public_base_url: str) -> PhoneNumberOut:
    """The API view, with the verify token opened for the operator to paste into Meta."""
    return PhoneNumberOut(
        id=number.id,
        phone_number_id=number.phone_number_id,
        display_phone_number=number.display_phone_number,
        waba_id=number.waba_id,
        label=number.label,
        webhook_url=f"{public_base_url.rstrip('/')}/webhooks/whatsapp-meta",
        verify_token=box.open_text(
            number.verify_token_sealed, context=sealing_context(number.phone_number_id, "verify")
        ),
        created_at=number.created_at,
        messages_per_second=number.messages_per_second,
        messaging_limit_tier=number.messaging_limit_tier,
        quality_rating=number.quality_rating,
        throughput_level=number.throughput_level,
        verified_name=number.verified_name,
        profile_refreshed_at=number.profile_refreshed_at,
    )

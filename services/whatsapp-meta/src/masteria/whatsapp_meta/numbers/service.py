"""Registering numbers: secrets sealed before they touch the database."""

from __future__ import annotations

import hashlib
import secrets
import uuid

import httpx
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from masteria.persistence.tenancy import system_session
from masteria.runtime.problems import Problem
from masteria.security.secretbox import SecretBox
from masteria.whatsapp_meta.graph import GraphClient, GraphError
from masteria.whatsapp_meta.numbers import repository
from masteria.whatsapp_meta.numbers.schemas import PhoneNumberCreate, PhoneNumberOut
from masteria.whatsapp_meta.tables import PhoneNumber
from masteria.whatsapp_meta.webhooks.routing import sealing_context


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
) -> PhoneNumber:
    """Check the number with Graph (when configured), then store it with sealed secrets."""
    async with system_session(sessions) as system:
        if await repository.exists_anywhere(system, data.phone_number_id):
            raise Problem(409, "Already registered", "this phone_number_id is already connected")
    display = data.display_phone_number
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
    )
    await repository.add(session, number)
    return number


async def _check_with_graph(graph: GraphClient, data: PhoneNumberCreate) -> dict[str, object]:
    try:
        return await graph.phone_number(data.phone_number_id, data.access_token)
    except GraphError as exc:
        raise Problem(
            422, "Meta refused the credentials",
            f"Graph API answered {exc.status}: {exc}. Check the access token and phone_number_id.",
            errors=[{"field": "access_token", "message": str(exc)}],
        ) from exc
    except httpx.HTTPError as exc:
        raise Problem(502, "Meta unreachable", f"could not reach the Graph API: {exc!r}") from exc


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
    )

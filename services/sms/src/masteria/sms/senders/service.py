"""Registering and changing senders: Twilio vouches for them, the auth token is sealed at once."""

from __future__ import annotations

import uuid

import httpx
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from masteria.persistence.base import utcnow
from masteria.persistence.tenancy import system_session
from masteria.runtime.problems import Problem
from masteria.security.secretbox import SecretBox
from masteria.sms.senders import repository
from masteria.sms.senders.directory import sealing_context
from masteria.sms.senders.schemas import DEFAULT_MPS, SenderCreate, SenderOut, SenderUpdate
from masteria.sms.tables import Sender
from masteria.sms.twilio_api import TwilioClient, TwilioError

INBOUND_PATH = "/webhooks/sms/twilio/inbound"
STATUS_PATH = "/webhooks/sms/twilio/status"


def inbound_url(webhook_base_url: str) -> str:
    """Where Twilio posts the messages customers send to our numbers."""
    return f"{webhook_base_url}{INBOUND_PATH}"


def status_url(webhook_base_url: str) -> str:
    """The StatusCallback sent with every message."""
    return f"{webhook_base_url}{STATUS_PATH}"


async def register(
    session: AsyncSession,
    *,
    sessions: async_sessionmaker[AsyncSession],
    box: SecretBox,
    tenant_id: uuid.UUID,
    data: SenderCreate,
    twilio: TwilioClient | None,
) -> Sender:
    """Check the sender with Twilio (when configured), then store it with the token sealed."""
    async with system_session(sessions) as system:
        if await repository.exists_anywhere(system, data.phone_number):
            raise Problem(409, "Already registered", f"{data.phone_number} is already connected as an SMS sender")
    if twilio is not None:
        await verify(twilio, data.account_sid, data.auth_token, data.phone_number, data.kind)
    sender = Sender(
        tenant_id=tenant_id,
        account_sid=data.account_sid,
        auth_token_sealed=box.seal(data.auth_token, context=sealing_context(data.phone_number)),
        phone_number=data.phone_number,
        kind=data.kind,
        messages_per_second=data.mps,
        label=data.label,
    )
    await repository.add(session, sender)
    return sender


async def update(sender: Sender, data: SenderUpdate, *, box: SecretBox, twilio: TwilioClient | None) -> Sender:
    """Apply a PATCH; a kind change without a rate resets the rate to the new kind's default."""
    fields = data.model_fields_set
    if data.auth_token is not None:
        if twilio is not None:
            await verify(twilio, sender.account_sid, data.auth_token, sender.phone_number, sender.kind)
        sender.auth_token_sealed = box.seal(data.auth_token, context=sealing_context(sender.phone_number))
    if data.kind is not None and data.kind != sender.kind:
        sender.kind = data.kind
        sender.messages_per_second = DEFAULT_MPS[data.kind]
    if data.messages_per_second is not None:
        sender.messages_per_second = data.messages_per_second
    if "label" in fields:
        sender.label = data.label
    sender.updated_at = utcnow()
    return sender


async def verify(twilio: TwilioClient, account_sid: str, auth_token: str, phone_number: str, kind: str) -> None:
    """Twilio must accept the credentials and list the number in the account; 422 with the reason otherwise."""
    try:
        await twilio.account(account_sid, auth_token)
    except TwilioError as exc:
        raise Problem(
            422,
            "Twilio refused the credentials",
            f"Twilio answered {exc.http_status} ({exc}): check the account SID and auth token",
            reason="invalid_credentials",
            errors=[{"field": "auth_token", "message": exc.message}],
        ) from exc
    except httpx.HTTPError as exc:
        raise Problem(502, "Twilio unreachable", f"could not reach the Twilio API: {exc!r}") from exc
    try:
        owned = await _owns(twilio, account_sid, auth_token, phone_number, kind)
    except (TwilioError, httpx.HTTPError) as exc:
        raise Problem(502, "Twilio unreachable", f"could not look the number up at Twilio: {exc}") from exc
    if not owned:
        raise Problem(
            422,
            "Number not in this Twilio account",
            f"Twilio lists no number {phone_number} in account {account_sid}",
            reason="number_not_in_account",
            errors=[{"field": "phone_number", "message": "not in this account"}],
        )


async def _owns(twilio: TwilioClient, account_sid: str, auth_token: str, phone_number: str, kind: str) -> bool:
    if kind == "short_code" and await twilio.short_code(account_sid, auth_token, phone_number):
        return True
    return await twilio.incoming_number(account_sid, auth_token, phone_number) is not None


def to_out(sender: Sender, webhook_base_url: str) -> SenderOut:
    """The API view, with the webhook URLs to configure at Twilio."""
    return SenderOut(
        id=sender.id,
        account_sid=sender.account_sid,
        phone_number=sender.phone_number,
        kind=sender.kind,  # type: ignore[arg-type]  # the column holds only the three kinds (CHECK)
        messages_per_second=sender.messages_per_second,
        label=sender.label,
        inbound_webhook_url=inbound_url(webhook_base_url),
        status_callback_url=status_url(webhook_base_url),
        created_at=sender.created_at,
        updated_at=sender.updated_at,
    )

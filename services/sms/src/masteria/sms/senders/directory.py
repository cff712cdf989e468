"""Finding a sender with its auth token opened, with a short in-process cache.

Every webhook and every send needs one, and senders rarely change; a change made through this
process forgets the entry at once, one made through another replica is seen within the TTL.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from masteria.persistence.tenancy import system_session, tenant_session
from masteria.security.secretbox import SecretBox
from masteria.sms.senders import repository
from masteria.sms.tables import Sender


def sealing_context(phone_number: str) -> str:
    """Associated data binding a sealed auth token to its number."""
    return f"sms.senders:{phone_number}:auth_token"


@dataclass(frozen=True)
class KnownSender:
    """A registered sender with what sending and signature checks need."""

    id: uuid.UUID
    tenant_id: uuid.UUID
    account_sid: str
    auth_token: str
    phone_number: str
    kind: str
    messages_per_second: int


_DEFAULT = uuid.UUID(int=0)  # cache key of "the tenant's default sender"
_MISS_TTL_S = 2.0


class SenderDirectory:
    """Sender lookups by number (webhooks, any tenant) and by id (sends, one tenant)."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession], box: SecretBox, ttl_s: float) -> None:
        self.sessions, self.box, self.ttl_s = sessions, box, ttl_s
        self._by_number: dict[str, tuple[float, KnownSender | None]] = {}
        self._by_id: dict[tuple[uuid.UUID, uuid.UUID], tuple[float, KnownSender | None]] = {}

    def forget(self, tenant_id: uuid.UUID, phone_number: str) -> None:
        """Drop cached entries after a sender of ``tenant_id`` changed."""
        self._by_number.pop(phone_number, None)
        for key in [k for k in self._by_id if k[0] == tenant_id]:
            self._by_id.pop(key, None)

    async def by_number(self, phone_number: str) -> KnownSender | None:
        """The sender registered for one of our numbers, whichever tenant owns it."""
        now = time.monotonic()
        hit = self._by_number.get(phone_number)
        if hit and hit[0] > now:
            return hit[1]
        async with system_session(self.sessions) as session:
            row = await repository.by_phone_number(session, phone_number)
        known = self.open(row) if row else None
        self._by_number[phone_number] = (now + self._ttl(known), known)
        return known

    async def for_send(self, tenant_id: uuid.UUID, sender_id: uuid.UUID | None) -> KnownSender | None:
        """The sender a command names, or the tenant's default (its oldest) when it names none."""
        key = (tenant_id, sender_id or _DEFAULT)
        now = time.monotonic()
        hit = self._by_id.get(key)
        if hit and hit[0] > now:
            return hit[1]
        async with tenant_session(self.sessions, tenant_id) as session:
            row = await (repository.get(session, sender_id) if sender_id else repository.first(session))
        known = self.open(row) if row else None
        self._by_id[key] = (now + self._ttl(known), known)
        return known

    def _ttl(self, known: KnownSender | None) -> float:
        # A miss is remembered briefly: a number registered through another replica shows up soon.
        return self.ttl_s if known else min(self.ttl_s, _MISS_TTL_S)

    def open(self, row: Sender) -> KnownSender:
        """The row with its auth token opened."""
        return KnownSender(
            id=row.id,
            tenant_id=row.tenant_id,
            account_sid=row.account_sid,
            auth_token=self.box.open_text(row.auth_token_sealed, context=sealing_context(row.phone_number)),
            phone_number=row.phone_number,
            kind=row.kind,
            messages_per_second=row.messages_per_second,
        )

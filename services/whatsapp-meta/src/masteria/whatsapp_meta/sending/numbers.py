"""The sending side of a number: its Meta id, opened token, pace and tier, cached briefly per process."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from masteria.persistence.tenancy import system_session, tenant_session
from masteria.security.secretbox import SecretBox
from masteria.whatsapp_meta.numbers import repository
from masteria.whatsapp_meta.sending.singleflight import SingleFlight
from masteria.whatsapp_meta.tables import PhoneNumber
from masteria.whatsapp_meta.webhooks.routing import sealing_context


@dataclass(frozen=True)
class SendingNumber:
    """What a send needs to know about the number it goes out from."""

    registration_id: uuid.UUID
    tenant_id: uuid.UUID
    phone_number_id: str
    waba_id: str
    access_token: str
    messages_per_second: int
    messaging_limit_tier: str | None


class SendingNumbers:
    """Numbers by registration id (or the tenant's default), cached for ``ttl_s``.

    A PATCH in this process forgets the entry at once; other replicas follow within the TTL.
    """

    def __init__(self, sessions: async_sessionmaker[AsyncSession], box: SecretBox, ttl_s: float) -> None:
        self.sessions, self.box, self.ttl_s = sessions, box, ttl_s
        self._cache: dict[tuple[uuid.UUID, uuid.UUID | None], tuple[float, SendingNumber | None]] = {}
        self._by_meta_id: dict[str, tuple[float, SendingNumber | None]] = {}
        self._loads: SingleFlight[object, SendingNumber | None] = SingleFlight()

    def forget(self, tenant_id: uuid.UUID, registration_id: uuid.UUID | None = None) -> None:
        """Drop a number (and the tenant's default, which may be it), or all the tenant's numbers."""
        if registration_id is None:
            for key in [k for k in self._cache if k[0] == tenant_id]:
                del self._cache[key]
        self._cache.pop((tenant_id, registration_id), None)
        self._cache.pop((tenant_id, None), None)
        self._by_meta_id.clear()
        self._loads.forget(lambda key: isinstance(key, str) or (isinstance(key, tuple) and key[0] == tenant_id))

    async def resolve(self, tenant_id: uuid.UUID, registration_id: uuid.UUID | None) -> SendingNumber | None:
        """The tenant's number with this id, or its oldest number when none is named; None if absent."""
        key = (tenant_id, registration_id)
        now = time.monotonic()
        hit = self._cache.get(key)
        if hit is not None and hit[0] > now:
            return hit[1]
        return await self._loads.run(key, lambda: self._load(tenant_id, registration_id))

    async def _load(self, tenant_id: uuid.UUID, registration_id: uuid.UUID | None) -> SendingNumber | None:
        async with tenant_session(self.sessions, tenant_id) as session:
            if registration_id is not None:
                row = await repository.get(session, registration_id)
            else:
                row = await repository.oldest(session)
        number = self.open(row) if row is not None else None
        self._cache[(tenant_id, registration_id)] = (time.monotonic() + self.ttl_s, number)
        return number

    async def by_phone_number_id(self, phone_number_id: str) -> SendingNumber | None:
        """A number by Meta's id, whatever its tenant (system context: background work, not requests)."""
        now = time.monotonic()
        hit = self._by_meta_id.get(phone_number_id)
        if hit is not None and hit[0] > now:
            return hit[1]
        return await self._loads.run(phone_number_id, lambda: self._load_by_meta_id(phone_number_id))

    async def _load_by_meta_id(self, phone_number_id: str) -> SendingNumber | None:
        async with system_session(self.sessions) as session:
            rows = await repository.by_phone_number_ids(session, [phone_number_id])
        number = self.open(rows[0]) if rows else None
        self._by_meta_id[phone_number_id] = (time.monotonic() + self.ttl_s, number)
        return number

    def open(self, row: PhoneNumber) -> SendingNumber:
        """A row with its token opened."""
        return SendingNumber(
            registration_id=row.id,
            tenant_id=row.tenant_id,
            phone_number_id=row.phone_number_id,
            waba_id=row.waba_id,
            access_token=self.box.open_text(
                row.access_token_sealed, context=sealing_context(row.phone_number_id, "token")
            ),
            messages_per_second=row.messages_per_second,
            messaging_limit_tier=row.messaging_limit_tier,
        )

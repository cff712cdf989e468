"""Finding the tenant and secrets of the number a webhook names, with a short in-process cache."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from masteria.persistence.tenancy import system_session
from masteria.security.secretbox import SecretBox
from masteria.whatsapp_meta.numbers import repository
from masteria.whatsapp_meta.tables import PhoneNumber


def sealing_context(phone_number_id: str, field: str) -> str:
    """Associated data binding a sealed value to its number and field."""
    return f"whatsapp_meta.phone_numbers:{phone_number_id}:{field}"


@dataclass(frozen=True)
class KnownNumber:
    """A registered number with its app secret opened for signature checks."""

    registration_id: uuid.UUID
    tenant_id: uuid.UUID
    phone_number_id: str
    business_address: str
    app_secret: str
    waba_id: str = ""


class NumberDirectory:
    """Number lookups by Meta id; cached because every webhook needs one and numbers rarely change."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession], box: SecretBox, ttl_s: float) -> None:
        self.sessions, self.box, self.ttl_s = sessions, box, ttl_s
        self._cache: dict[str, tuple[float, KnownNumber]] = {}

    def forget(self, phone_number_id: str) -> None:
        """Drop a cached entry after the number changed."""
        self._cache.pop(phone_number_id, None)

    async def find(self, phone_number_ids: list[str]) -> dict[str, KnownNumber]:
        """The registered numbers among ``phone_number_ids``; unknown ids are simply absent."""
        now = time.monotonic()
        found = {pid: hit[1] for pid in phone_number_ids if (hit := self._cache.get(pid)) and hit[0] > now}
        missing = [pid for pid in phone_number_ids if pid not in found]
        if missing:
            async with system_session(self.sessions) as session:
                for row in await repository.by_phone_number_ids(session, missing):
                    known = self._open(row)
                    self._cache[row.phone_number_id] = (now + self.ttl_s, known)
                    found[row.phone_number_id] = known
        return found

    def _open(self, row: PhoneNumber) -> KnownNumber:
        digits = "".join(ch for ch in row.display_phone_number if ch.isdigit())
        return KnownNumber(
            registration_id=row.id,
            tenant_id=row.tenant_id,
            phone_number_id=row.phone_number_id,
            business_address=f"+{digits}" if digits else row.phone_number_id,
            app_secret=self.box.open_text(
                row.app_secret_sealed, context=sealing_context(row.phone_number_id, "app_secret")
            ),
            waba_id=row.waba_id,
        )

    async def by_waba(self, waba_ids: list[str]) -> list[KnownNumber]:
        """Every registered number of these WhatsApp Business accounts, across tenants (not cached: rare)."""
        if not waba_ids:
            return []
        async with system_session(self.sessions) as session:
            rows = await repository.by_waba_ids(session, waba_ids)
        return [self._open(row) for row in rows]

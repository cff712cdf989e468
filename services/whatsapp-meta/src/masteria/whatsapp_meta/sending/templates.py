"""Refusing a template Meta would refuse, before calling it: paused, disabled, rejected, not yet approved.

What we know of a template's status comes from the sync and from Meta's
``message_template_status_update`` webhooks (``webhooks.account``). A template we never synced is
not refused here: Graph decides. Per (tenant, account) the templates that are *not* APPROVED are
read in one query and cached briefly: a bulk run at 1,000 sends/s pays a dict lookup per send. A
webhook or a sync in this process forgets the tenant at once; other replicas follow within the TTL,
and until then Graph's own refusal (132015, 132016, 132001) gives the same code.
"""

from __future__ import annotations

import time
import uuid

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from masteria.contracts.content import TemplateContent
from masteria.contracts.messages import DeliveryError, ErrorClassification
from masteria.persistence.tenancy import tenant_session
from masteria.whatsapp_meta.sending.singleflight import SingleFlight
from masteria.whatsapp_meta.templates import repository

Unsendable = dict[tuple[str, str], tuple[str, str | None]]  # (name, language) -> (status, reason)

# Statuses Meta refuses to send, with the code Graph answers for each (132001 for every status that
# is not a usable approval: Meta says the template "does not exist" in that language).
META_CODES = {"PAUSED": 132015, "DISABLED": 132016}
REFUSED = frozenset(
    {"PAUSED", "DISABLED", "REJECTED", "PENDING", "IN_APPEAL", "PENDING_DELETION", "DELETED", "ARCHIVED",
     "LIMIT_EXCEEDED"}
)  # fmt: skip
_WHY = {
    "PAUSED": "is paused by Meta for low quality; it can be sent again once Meta unpauses it",
    "DISABLED": "was disabled by Meta for low quality; it cannot be sent",
    "REJECTED": "was rejected by Meta; edit it and submit it for review again",
    "PENDING": "is still under Meta's review",
    "IN_APPEAL": "is under appeal at Meta",
}


class TemplateGate:
    """The tenant's templates Meta will not send, by WhatsApp Business account, cached for ``ttl_s``."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession], ttl_s: float) -> None:
        self.sessions, self.ttl_s = sessions, ttl_s
        self._cache: dict[tuple[uuid.UUID, str], tuple[float, Unsendable]] = {}
        self._loads: SingleFlight[tuple[uuid.UUID, str], Unsendable] = SingleFlight()

    def forget(self, tenant_id: uuid.UUID) -> None:
        """The tenant's templates changed (webhook or sync)."""
        for key in [k for k in self._cache if k[0] == tenant_id]:
            del self._cache[key]
        self._loads.forget(lambda key: key[0] == tenant_id)

    async def refusal(self, tenant_id: uuid.UUID, waba_id: str, template: TemplateContent) -> DeliveryError | None:
        """Why this template cannot be sent now, or None when Meta may accept it."""
        found = (await self._unsendable(tenant_id, waba_id)).get((template.name, template.language))
        if found is None or found[0].upper() not in REFUSED:
            return None
        status, reason = found[0].upper(), found[1]
        why = _WHY.get(status, f"is {status} at Meta, not approved for sending")
        title = f"The template {template.name} ({template.language}) {why}"
        if reason:
            title += f" (reason: {reason[:200]})"
        return DeliveryError(
            code=str(META_CODES.get(status, 132001)),
            title=title,
            classification=ErrorClassification.PERMANENT,
            provider_detail=f"refused before calling Meta: the template's status is {status}",
        )

    async def _unsendable(self, tenant_id: uuid.UUID, waba_id: str) -> Unsendable:
        key = (tenant_id, waba_id)
        now = time.monotonic()
        hit = self._cache.get(key)
        if hit is not None and hit[0] > now:
            return hit[1]
        return await self._loads.run(key, lambda: self._load(tenant_id, waba_id))

    async def _load(self, tenant_id: uuid.UUID, waba_id: str) -> Unsendable:
        async with tenant_session(self.sessions, tenant_id) as session:
            rows = await repository.unsendable(session, waba_id)
        found = {(name, language): (status, reason) for name, language, status, reason in rows}
        self._cache[(tenant_id, waba_id)] = (time.monotonic() + self.ttl_s, found)
        return found

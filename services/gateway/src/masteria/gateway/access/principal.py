"""The authenticated caller of one request."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Literal

from masteria.gateway.access.scopes import ALL
from masteria.security.internal_token import Identity


@dataclass(frozen=True)
class Principal:
    """A browser session (a person) or an API key (a partner system), acting for one tenant."""

    kind: Literal["session", "api_key"]
    user_id: uuid.UUID | None
    tenant_id: uuid.UUID | None
    role: str | None  # None: no (longer a) membership in ``tenant_id``
    scopes: tuple[str, ...] = (ALL,)  # a person is limited by role only
    api_key_id: uuid.UUID | None = None
    session_id: uuid.UUID | None = None
    csrf_token: str | None = None

    def identity(self) -> Identity:
        """What the internal token says about this caller; only for a caller with a tenant and role."""
        if self.tenant_id is None or self.role is None:
            raise ValueError("a principal without a tenant has no internal identity")
        return Identity(
            tenant_id=self.tenant_id,
            user_id=self.user_id,
            roles=(self.role,),
            scopes=self.scopes,
            api_key_id=self.api_key_id,
        )

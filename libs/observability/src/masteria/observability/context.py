"""Request-scoped values that logs carry: the tenant being served."""

from __future__ import annotations

import contextvars
import uuid

current_tenant: contextvars.ContextVar[uuid.UUID | None] = contextvars.ContextVar(
    "current_tenant", default=None
)

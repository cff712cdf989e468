"""Domain errors shared by the crm features; ``problems.domain_errors`` turns them into HTTP answers."""

from __future__ import annotations

import uuid


class NotFoundError(LookupError):
    """No such resource in the caller's tenant (another tenant's id is simply not found)."""


class DuplicatePhoneError(Exception):
    """Another contact of the tenant already has this number."""

    def __init__(self, phone: str, existing_id: uuid.UUID) -> None:
        super().__init__(f"a contact with {phone} already exists")
        self.phone, self.existing_id = phone, existing_id


class RefusedError(Exception):
    """A request understood but refused for a reason the client can act on (``reason`` is machine-readable)."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(detail)
        self.reason, self.detail = reason, detail

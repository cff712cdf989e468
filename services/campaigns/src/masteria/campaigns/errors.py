"""Domain errors of campaigns; ``problems.domain_errors`` turns them into problem+json answers."""

from __future__ import annotations


class NotFoundError(LookupError):
    """No such resource in the caller's tenant (another tenant's id is simply not found)."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(detail)
        self.reason, self.detail = reason, detail


class RefusedError(Exception):
    """Understood but not allowed now, for a reason the client can act on (``reason`` is machine-readable)."""

    def __init__(self, reason: str, detail: str, status: int = 409) -> None:
        super().__init__(detail)
        self.reason, self.detail, self.status = reason, detail, status

"""Time-ordered identifiers (UUIDv7) for events, rows and cursors."""

from __future__ import annotations

import uuid

import uuid_utils.compat as uuid_compat


def uuid7() -> uuid.UUID:
    """A new UUIDv7: sortable by creation time, so ids double as cursors."""
    return uuid_compat.uuid7()

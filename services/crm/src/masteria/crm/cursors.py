"""Keyset cursors of the crm lists: (time, id) for activity-ordered lists, id or text for the rest."""

from __future__ import annotations

import uuid
from datetime import datetime

from masteria.runtime.pagination import decode_cursor, decode_id, encode_cursor, encode_id
from masteria.runtime.problems import Problem

_INVALID = Problem(400, "Invalid cursor", "the cursor is not one this API returned")
# Id cursors are the runtime's, shared by every service; re-exported so crm's routes read one module.
__all__ = ["decode_id", "decode_text", "decode_time_id", "encode_id", "encode_text", "encode_time_id"]


def encode_time_id(at: datetime, item_id: uuid.UUID) -> str:
    """A cursor after the item at ``at`` with ``item_id``."""
    return encode_cursor([at.isoformat(), str(item_id)])


def decode_time_id(cursor: str | None) -> tuple[datetime, uuid.UUID] | None:
    """The (time, id) a cursor points after; 400 when it is not one of ours."""
    if cursor is None:
        return None
    values = decode_cursor(cursor)
    try:
        return datetime.fromisoformat(values[0]), uuid.UUID(values[1])
    except (IndexError, ValueError, TypeError) as exc:
        raise _INVALID from exc


def encode_text(value: str) -> str:
    """A cursor after ``value`` (alphabetical lists)."""
    return encode_cursor([value])


def decode_text(cursor: str | None) -> str | None:
    """The text a cursor points after."""
    if cursor is None:
        return None
    values = decode_cursor(cursor)
    if not values or not isinstance(values[0], str):
        raise _INVALID
    return values[0]

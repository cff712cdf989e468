"""Keyset cursors of the campaigns lists: ordered by time-ordered ids."""

from __future__ import annotations

import uuid

from masteria.runtime.pagination import decode_cursor, encode_cursor
from masteria.runtime.problems import Problem


def encode_id(item_id: uuid.UUID) -> str:
    """A cursor after ``item_id``."""
    return encode_cursor([str(item_id)])


def decode_id(cursor: str | None) -> uuid.UUID | None:
    """The id a cursor points after; 400 when it is not one of ours."""
    if cursor is None:
        return None
    values = decode_cursor(cursor)
    try:
        return uuid.UUID(values[0])
    except (IndexError, ValueError, TypeError) as exc:
        raise Problem(400, "Invalid cursor", "the cursor is not one this API returned") from exc

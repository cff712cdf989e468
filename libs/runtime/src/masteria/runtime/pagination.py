"""Opaque cursors for keyset pagination: stable under inserts, cheap at any depth."""

from __future__ import annotations

import base64
import json
import uuid
from typing import Any, Generic, TypeVar

from pydantic import BaseModel

from masteria.runtime.problems import Problem

T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    """One page of a list and the cursor of the next one (null at the end)."""

    items: list[T]
    next_cursor: str | None = None


def encode_cursor(values: list[Any]) -> str:
    """Pack the sort key of the last item."""
    return base64.urlsafe_b64encode(json.dumps(values, default=str).encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> list[Any]:
    """Unpack a cursor, or answer 400 with the reason."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        values = json.loads(raw)
    except (ValueError, json.JSONDecodeError) as exc:
        raise Problem(400, "Invalid cursor", "the cursor is not one this API returned") from exc
    if not isinstance(values, list):
        raise Problem(400, "Invalid cursor", "the cursor is not one this API returned")
    return values


def encode_id(item_id: uuid.UUID) -> str:
    """A cursor after ``item_id``, for lists ordered by time-ordered ids (UUIDv7)."""
    return encode_cursor([str(item_id)])


def decode_id(cursor: str | None) -> uuid.UUID | None:
    """The id a cursor points after (None for the first page); 400 when it is not one of ours."""
    if cursor is None:
        return None
    values = decode_cursor(cursor)
    try:
        return uuid.UUID(values[0])
    except (IndexError, ValueError, TypeError) as exc:
        raise Problem(400, "Invalid cursor", "the cursor is not one this API returned") from exc

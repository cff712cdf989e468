"""Where a login may send the browser afterwards, pure: only paths on this site."""

from __future__ import annotations

from urllib.parse import urlsplit

DEFAULT_NEXT = "/"
_MAX_LENGTH = 2000


def safe_next(value: str | None) -> str:
    """``value`` when it is a same-site absolute path, else ``/`` (no open redirects)."""
    if not value or len(value) > _MAX_LENGTH or not value.startswith("/"):
        return DEFAULT_NEXT
    # "//evil" and "/\\evil" are protocol-relative for browsers; control characters confuse parsers.
    if value.startswith(("//", "/\\")) or "\\" in value or any(ord(c) < 0x20 or ord(c) == 0x7F for c in value):
        return DEFAULT_NEXT
    parts = urlsplit(value)
    if parts.scheme or parts.netloc:
        return DEFAULT_NEXT
    return value

"""A tenant's time zone, pure: the default and which names are accepted."""

from __future__ import annotations

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

# Where most of our customers are; a tenant elsewhere changes it once in the settings.
DEFAULT_TIMEZONE = "America/Sao_Paulo"
MAX_LENGTH = 64  # the longest IANA name is 32 characters


def zone_error(name: str) -> str | None:
    """Why ``name`` is not an IANA time zone this server knows, or None when it is one."""
    if not name or len(name) > MAX_LENGTH:
        return f"the time zone must be an IANA name of 1 to {MAX_LENGTH} characters, such as {DEFAULT_TIMEZONE}"
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return f"{name!r} is not an IANA time zone name; use one such as {DEFAULT_TIMEZONE} or Europe/Lisbon"
    return None

"""Phone numbers normalised to E.164 with libphonenumber's rules."""

from __future__ import annotations

from functools import lru_cache

import phonenumbers


class InvalidPhoneNumber(ValueError):  # noqa: N818 - reads as a sentence at the raise site
    """Not a number any country dials."""


# Pure and costly (~60 µs a parse): the inbound path sees the same senders again and again.
@lru_cache(maxsize=8192)
def to_e164(raw: str, default_region: str) -> str:
    """``+5511999990001`` from what a provider or a person wrote; raises when it cannot be a number."""
    try:
        parsed = phonenumbers.parse(raw, None if raw.startswith("+") else default_region)
    except phonenumbers.NumberParseException as exc:
        raise InvalidPhoneNumber(f"{raw!r}: {exc}") from exc
    if not phonenumbers.is_possible_number(parsed):
        raise InvalidPhoneNumber(f"{raw!r} is not a possible phone number")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)

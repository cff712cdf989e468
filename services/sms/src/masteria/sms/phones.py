"""Our numbers and customers' numbers in the form Twilio uses: E.164, or a short code's digits."""

from __future__ import annotations

import re

import phonenumbers

_SHORT_CODE = re.compile(r"^\d{3,8}$")


class InvalidPhoneNumber(ValueError):  # noqa: N818 - reads as a sentence at the raise site
    """Not a number any country dials."""


def is_short_code(value: str) -> bool:
    """True for a short code (3 to 8 digits, no country code), which Twilio writes as is."""
    return bool(_SHORT_CODE.match(value))


def to_e164(raw: str) -> str:
    """``+5511999990001`` from an international number in any usual formatting."""
    cleaned = raw.strip()
    if not cleaned.startswith("+"):
        raise InvalidPhoneNumber(f"{raw!r} must start with '+' and the country code (E.164)")
    try:
        parsed = phonenumbers.parse(cleaned, None)
    except phonenumbers.NumberParseException as exc:
        raise InvalidPhoneNumber(f"{raw!r}: {exc}") from exc
    if not phonenumbers.is_possible_number(parsed):
        raise InvalidPhoneNumber(f"{raw!r} is not a possible phone number")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def normalise_address(raw: str) -> str:
    """A Twilio address as we store it: short codes as digits, everything else E.164."""
    return raw.strip() if is_short_code(raw.strip()) else to_e164(raw)

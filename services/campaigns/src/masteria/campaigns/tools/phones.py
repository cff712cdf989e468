"""Numbers written by people (``(11) 99999-0001``, ``+55 11 ...``) to E.164, with libphonenumber's rules.

The same rules as crm's contacts (possible, not necessarily assigned), so a number typed the way crm
accepted it matches the contact crm stored.
"""

from __future__ import annotations

import phonenumbers


class InvalidNumberError(ValueError):
    """Not a number any country dials."""


def is_region(code: str) -> bool:
    """True for an ISO 3166 alpha-2 country libphonenumber knows (``BR``, ``US``...)."""
    return code.upper() in phonenumbers.SUPPORTED_REGIONS


def to_e164(raw: str, default_region: str) -> str:
    """``+5511999990001`` from ``raw``; a number without ``+`` is read as dialled in ``default_region``."""
    text = raw.strip()
    try:
        parsed = phonenumbers.parse(text, None if text.startswith("+") else default_region.upper())
    except phonenumbers.NumberParseException as exc:
        raise InvalidNumberError(str(exc)) from exc
    if not phonenumbers.is_possible_number(parsed):
        raise InvalidNumberError("not a possible phone number")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)

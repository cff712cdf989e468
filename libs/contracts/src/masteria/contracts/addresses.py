"""Phone addresses as they travel in contracts: E.164 strings, already normalised by the edge."""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator, WithJsonSchema

E164_PATTERN = r"^\+[1-9]\d{6,14}$"
_E164 = re.compile(E164_PATTERN)


def is_e164(value: str) -> bool:
    """True when ``value`` is ``+`` followed by 7 to 15 digits, the first not zero."""
    return bool(_E164.match(value))


def _validate_e164(value: str) -> str:
    # Contracts never normalise: a loose number here means an adapter forgot to, and that must be loud.
    if not is_e164(value):
        raise ValueError(f"{value!r} is not an E.164 number ('+' and 7 to 15 digits, e.g. +5511987654321)")
    return value


E164 = Annotated[
    str,
    AfterValidator(_validate_e164),
    WithJsonSchema({"type": "string", "pattern": E164_PATTERN, "examples": ["+5511987654321"]}),
]
"""A phone number in E.164 form, e.g. ``+5511987654321``."""

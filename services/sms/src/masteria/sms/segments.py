"""How many SMS segments a body takes: GSM-7 or UCS-2, as carriers (and Twilio) bill them.

A body in the GSM 03.38 alphabet packs 160 septets in one segment; characters of its extension
table cost two septets (an escape and the character). Any other character switches the whole
message to UCS-2: 70 UTF-16 code units in one segment. A concatenated message spends part of each
segment on its header, leaving 153 septets or 67 code units per segment; an escape pair or a
surrogate pair is never split across two segments, so a segment may hold one unit less.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = frozenset("\f^{}\\[~]|€")

GSM7_SINGLE, GSM7_MULTI = 160, 153
UCS2_SINGLE, UCS2_MULTI = 70, 67

Encoding = Literal["GSM-7", "UCS-2"]


@dataclass(frozen=True)
class SegmentCount:
    """The encoding a body needs and the segments it is split into."""

    encoding: Encoding
    segments: int
    units: int  # septets for GSM-7, UTF-16 code units for UCS-2


def is_gsm7(body: str) -> bool:
    """True when every character has a GSM-7 encoding (basic or extension table)."""
    return all(ch in GSM7_BASIC or ch in GSM7_EXTENSION for ch in body)


def _unit_widths(body: str, encoding: Encoding) -> list[int]:
    # Width of each character in units; a 2-wide character must stay inside one segment.
    if encoding == "GSM-7":
        return [2 if ch in GSM7_EXTENSION else 1 for ch in body]
    return [2 if ord(ch) > 0xFFFF else 1 for ch in body]


def _split(widths: list[int], per_segment: int) -> int:
    segments, used = 1, 0
    for width in widths:
        if used + width > per_segment:
            segments, used = segments + 1, 0
        used += width
    return segments


def count(body: str) -> SegmentCount:
    """The segments ``body`` is billed as (an empty body still takes one)."""
    encoding: Encoding = "GSM-7" if is_gsm7(body) else "UCS-2"
    widths = _unit_widths(body, encoding)
    units = sum(widths)
    single, multi = (GSM7_SINGLE, GSM7_MULTI) if encoding == "GSM-7" else (UCS2_SINGLE, UCS2_MULTI)
    segments = 1 if units <= single else _split(widths, multi)
    return SegmentCount(encoding, segments, units)


def segments_of(body: str) -> int:
    """Just the number of segments."""
    return count(body).segments

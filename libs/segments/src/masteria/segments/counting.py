"""Encoding detection and segment splitting (the rules are in the package docstring)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

# GSM 03.38: the 128 basic code points minus the escape (0x1B), and the extension table reached through it.
GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = frozenset("\f^{}\\[~]|€")

GSM7_SINGLE, GSM7_MULTI = 160, 153
UCS2_SINGLE, UCS2_MULTI = 70, 67
_BMP_MAX = 0xFFFF

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


def ucs2_characters(body: str) -> list[str]:
    """The distinct characters (in order of appearance) that force ``body`` to UCS-2; empty for GSM-7."""
    return list(dict.fromkeys(ch for ch in body if ch not in GSM7_BASIC and ch not in GSM7_EXTENSION))


def _unit_widths(body: str, encoding: Encoding) -> list[int]:
    # Width of each character in units; a 2-wide character must stay inside one segment.
    if encoding == "GSM-7":
        return [2 if ch in GSM7_EXTENSION else 1 for ch in body]
    return [2 if ord(ch) > _BMP_MAX else 1 for ch in body]


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

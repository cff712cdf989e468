"""How many SMS segments a body takes, counted as Twilio counts them (GSM-7 or UCS-2)."""

from dataclasses import dataclass
from typing import Literal

Encoding = Literal["GSM-7", "UCS-2"]

# 3GPP TS 23.038 default alphabet (one septet each) and its extension table (escape + char: two septets).
# Note 'ç' is not in it (only 'Ç'): most Portuguese text with accents goes out as UCS-2.
GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = frozenset("\f^{}\\[~]|€")

GSM7_SINGLE = 160
GSM7_PER_SEGMENT = 153  # a concatenated segment spends 7 septets on its user data header
UCS2_SINGLE = 70
UCS2_PER_SEGMENT = 67


@dataclass(frozen=True, slots=True)
class SegmentCount:
    """The encoding a body needs, its length in encoding units, and the segments it takes."""

    encoding: Encoding
    units: int
    segments: int


def is_gsm7(body: str) -> bool:
    """True when every character is in the GSM-7 alphabet or its extension table."""
    return all(ch in GSM7_BASIC or ch in GSM7_EXTENSION for ch in body)


def count_segments(body: str) -> SegmentCount:
    """Segments of `body`; an empty body still takes one segment."""
    if is_gsm7(body):
        widths = [2 if ch in GSM7_EXTENSION else 1 for ch in body]
        return SegmentCount("GSM-7", sum(widths), _pack(widths, GSM7_SINGLE, GSM7_PER_SEGMENT))
    # UCS-2 as carriers use it is UTF-16: a character outside the BMP (most emoji) is two code units.
    widths = [2 if ord(ch) > 0xFFFF else 1 for ch in body]
    return SegmentCount("UCS-2", sum(widths), _pack(widths, UCS2_SINGLE, UCS2_PER_SEGMENT))


def _pack(widths: list[int], single: int, per_segment: int) -> int:
    total = sum(widths)
    if total <= single:
        return 1
    # A two-unit character (an escape sequence, a surrogate pair) is never split between segments:
    # when it does not fit in what is left of a segment it starts the next one, leaving a gap.
    segments, used = 1, 0
    for width in widths:
        if used + width > per_segment:
            segments += 1
            used = 0
        used += width
    return segments

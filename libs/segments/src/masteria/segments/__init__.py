"""How many SMS segments a body takes: GSM-7 or UCS-2, as carriers (and Twilio) bill them.

A body in the GSM 03.38 alphabet packs 160 septets in one segment; characters of its extension
table cost two septets (an escape and the character). Any other character switches the whole
message to UCS-2: 70 UTF-16 code units in one segment. A concatenated message spends part of each
segment on its header, leaving 153 septets or 67 code units per segment; an escape pair or a
surrogate pair is never split across two segments, so a segment may hold one unit less.

Pure functions, shared by the SMS adapter (pacing and billing) and campaigns (estimates)::

    from masteria.segments import count
    count("Olá Maria").segments   # 1, encoding "UCS-2" (á is not in the GSM alphabet)
"""

from masteria.segments.counting import (
    GSM7_BASIC,
    GSM7_EXTENSION,
    GSM7_MULTI,
    GSM7_SINGLE,
    UCS2_MULTI,
    UCS2_SINGLE,
    Encoding,
    SegmentCount,
    count,
    is_gsm7,
    segments_of,
    ucs2_characters,
)

__all__ = [
    "GSM7_BASIC",
    "GSM7_EXTENSION",
    "GSM7_MULTI",
    "GSM7_SINGLE",
    "UCS2_MULTI",
    "UCS2_SINGLE",
    "Encoding",
    "SegmentCount",
    "count",
    "is_gsm7",
    "segments_of",
    "ucs2_characters",
]

"""Message ids shaped like Meta's `wamid.` ids."""

import base64
import secrets

# Real wamids are base64 of a small protobuf-like record: the wa_id, a direction marker and a random
# hex id. Mimicking that layout keeps ids of a realistic length and alphabet for columns and logs.
_OUTBOUND_MARKER = b"\x15\x02\x00\x11\x18\x12"
_INBOUND_MARKER = b"\x15\x02\x00\x12\x18\x16"


def _wamid(wa_id: str, marker: bytes, local_id: str) -> str:
    # Bounded so that any `to` a client sends still yields an id (the length is one byte).
    digits = wa_id.encode("ascii")[:64]
    record = b"\x1c\x18" + bytes([len(digits)]) + digits + marker + local_id.encode("ascii") + b"\x00"
    return "wamid." + base64.b64encode(record).decode("ascii")


def outbound_wamid(wa_id: str) -> str:
    """A new id for a message the business sent to `wa_id`."""
    return _wamid(wa_id, _OUTBOUND_MARKER, secrets.token_hex(9).upper())


def inbound_wamid(wa_id: str) -> str:
    """A new id for a message the customer `wa_id` sent."""
    return _wamid(wa_id, _INBOUND_MARKER, "3EB0" + secrets.token_hex(9).upper())


def fbtrace_id() -> str:
    """A trace id as Graph puts in its error answers."""
    return secrets.token_urlsafe(16)[:23]

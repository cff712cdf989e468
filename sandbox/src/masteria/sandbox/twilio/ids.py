"""Twilio-shaped identifiers: a two-letter prefix and 32 lowercase hex digits."""

import secrets


def sid(prefix: str) -> str:
    """A new sid: `SM` messages, `MM` messages with media, `PN` numbers, `ME` media, `MG` services."""
    return prefix + secrets.token_hex(16)


def idempotency_token(message_sid: str, status: str) -> str:
    """The `I-Twilio-Idempotency-Token` of one callback: the same on every retry of that callback."""
    return f"{message_sid}-{status}"

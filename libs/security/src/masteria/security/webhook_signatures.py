"""Signatures of webhooks we receive (Meta) and send (Standard Webhooks)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time


def meta_signature(app_secret: str, body: bytes) -> str:
    """The ``X-Hub-Signature-256`` value Meta sends for ``body``."""
    digest = hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def verify_meta_signature(app_secret: str, body: bytes, header: str | None) -> bool:
    """Constant-time check of Meta's signature over the raw request bytes."""
    if not header or not header.startswith("sha256="):
        return False
    return hmac.compare_digest(meta_signature(app_secret, body), header.strip())


def new_standard_webhook_secret() -> str:
    """A ``whsec_`` secret as the Standard Webhooks specification shapes them."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


def _standard_key(secret: str) -> bytes:
    return base64.b64decode(secret.removeprefix("whsec_"))


def standard_webhook_signature(secret: str, msg_id: str, timestamp: int, body: bytes) -> str:
    """``v1,<base64 HMAC-SHA256(key, "{id}.{timestamp}.{body}")>``."""
    signed = f"{msg_id}.{timestamp}.".encode() + body
    mac = hmac.new(_standard_key(secret), signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(mac).decode()


def verify_standard_webhook(
    secrets_: list[str],
    msg_id: str,
    timestamp: int,
    body: bytes,
    header: str,
    *,
    tolerance_s: int = 300,
    now: float | None = None,
) -> bool:
    """True when any listed signature matches any secret and the timestamp is fresh."""
    if abs((now if now is not None else time.time()) - timestamp) > tolerance_s:
        return False
    offered = header.split()
    return any(
        hmac.compare_digest(standard_webhook_signature(secret, msg_id, timestamp, body), candidate)
        for secret in secrets_
        for candidate in offered
    )

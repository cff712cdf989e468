"""Meta's webhook signature (`X-Hub-Signature-256`) and Meta's way of serialising payloads."""

import hashlib
import hmac
import json
from typing import Any, Literal

SignatureMode = Literal["valid", "invalid", "missing"]
SIGNATURE_HEADER = "X-Hub-Signature-256"


def serialise(payload: Any) -> bytes:
    """Encode a payload the way Meta's webhooks arrive: compact, non-ASCII and `/` escaped."""
    # Meta signs "an escaped unicode version of the payload" and escapes slashes; a receiver that
    # re-serialises the parsed JSON instead of hashing the raw bytes gets a different signature.
    text = json.dumps(payload, separators=(",", ":"), ensure_ascii=True)
    return text.replace("/", "\\/").encode("ascii")


def sign(app_secret: str, body: bytes) -> str:
    """The header value Meta sends for `body`: `sha256=<hex HMAC-SHA256(app_secret, body)>`."""
    digest = hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def signature_headers(mode: SignatureMode, app_secret: str, body: bytes) -> dict[str, str]:
    """The signature header for a delivery: correct, well-formed but wrong, or absent."""
    if mode == "missing":
        return {}
    secret = app_secret if mode == "valid" else app_secret + "-not-the-app-secret"
    return {SIGNATURE_HEADER: sign(secret, body)}

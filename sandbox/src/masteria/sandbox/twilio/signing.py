"""Twilio's webhook signature, `X-Twilio-Signature`, over a URL and form parameters.

Written from Twilio's description rather than by calling the `twilio` package's validator, so the
tests' check with `twilio.request_validator.RequestValidator` is an independent one.
"""

import base64
import hashlib
import hmac
from collections.abc import Sequence

from masteria.sandbox.meta.signing import SignatureMode

SIGNATURE_HEADER = "X-Twilio-Signature"
Params = Sequence[tuple[str, str]]


def sign(auth_token: str, url: str, params: Params) -> str:
    """base64(HMAC-SHA1(auth_token, url + every name+value, sorted by name then value))."""
    # The full URL exactly as requested (query string included), then each POST parameter appended
    # as name followed by value, with no separators.
    data = url + "".join(name + value for name, value in sorted(set(params)))
    digest = hmac.new(auth_token.encode(), data.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode("ascii")


def signature_headers(mode: SignatureMode, auth_token: str, url: str, params: Params) -> dict[str, str]:
    """The signature header for a delivery: correct, well-formed but wrong, or absent."""
    if mode == "missing":
        return {}
    token = auth_token if mode == "valid" else auth_token + "-not-the-auth-token"
    return {SIGNATURE_HEADER: sign(token, url, params)}

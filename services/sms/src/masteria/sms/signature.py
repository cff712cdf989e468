"""``X-Twilio-Signature``: which URL Twilio signed, and the check itself (the twilio package's).

Twilio signs the full URL it requested plus the sorted POST parameters. Behind the gateway this
service sees another host (and maybe scheme) than the one Twilio called, so the URL is rebuilt
from the configured public base, with the path and query exactly as they arrived (the gateway
forwards both untouched). The URL as this service saw it is tried too, for a deployment where
Twilio calls the service directly; either way only the auth token can produce a valid signature.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from twilio.request_validator import RequestValidator, get_signature_algorithm

SIGNATURE_HEADER = "x-twilio-signature"
SETTINGS_HEADER = "x-twilio-webhooks-signature-settings"


def public_url(base_url: str, raw_path: str, query: str) -> str:
    """The URL Twilio called: the public base, then path and query as received."""
    return base_url.rstrip("/") + raw_path + (f"?{query}" if query else "")


def candidate_urls(base_url: str, raw_path: str, query: str, seen_url: str) -> list[str]:
    """URLs the signature may be over, the public one first, without repeats."""
    return list(dict.fromkeys([public_url(base_url, raw_path, query), seen_url]))


def is_valid(
    auth_token: str,
    urls: Sequence[str],
    params: Mapping[str, Any],
    signature: str | None,
    settings_header: str | None = None,
) -> bool:
    """True when Twilio (someone holding ``auth_token``) signed ``params`` for one of ``urls``."""
    if not signature:
        return False
    validator = RequestValidator(auth_token)
    algorithm = get_signature_algorithm(settings_header)
    return any(validator.validate(url, params, signature, algorithm) for url in urls)


def sign(auth_token: str, url: str, params: Mapping[str, Any]) -> str:
    """The signature Twilio would send for ``params`` posted to ``url`` (tests sign with it)."""
    signature: str = RequestValidator(auth_token).compute_signature(url, params)
    return signature

"""Posting Twilio's form-encoded, signed webhooks through the sandbox's shared webhook deliverer."""

import asyncio
from dataclasses import dataclass
from urllib.parse import urlencode

from masteria.sandbox.meta.burst import RetryPolicy
from masteria.sandbox.meta.signing import SignatureMode
from masteria.sandbox.meta.webhooks import DeliveryResult, WebhookDeliverer
from masteria.sandbox.twilio.signing import Params, signature_headers

_BASE_HEADERS = {
    "Content-Type": "application/x-www-form-urlencoded; charset=utf-8",
    "User-Agent": "TwilioProxy/1.1",
    "X-Home-Region": "us1",
}


@dataclass(frozen=True, slots=True)
class FormWebhook:
    """One webhook: where it goes, its form fields, and the account token that signs it."""

    url: str
    params: Params
    auth_token: str
    idempotency_token: str
    signature: SignatureMode = "valid"

    def encode(self) -> tuple[bytes, dict[str, str]]:
        """The body and headers; the signature covers the URL as given and the decoded fields."""
        body = urlencode(list(self.params)).encode("ascii")
        headers = {
            **_BASE_HEADERS,
            "I-Twilio-Idempotency-Token": self.idempotency_token,
            **signature_headers(self.signature, self.auth_token, self.url, self.params),
        }
        return body, headers


@dataclass(frozen=True, slots=True)
class Attempts:
    """The last answer to a webhook and how many POSTs it took."""

    result: DeliveryResult
    attempts: int


def retryable(result: DeliveryResult) -> bool:
    """Twilio retries a webhook when nobody answered or the answer was a server error."""
    return result.status_code is None or result.status_code >= 500


async def deliver(deliverer: WebhookDeliverer, webhook: FormWebhook, *, retries: int, policy: RetryPolicy) -> Attempts:
    """POST the webhook, then up to `retries` more times (with backoff) while the failure is retryable."""
    body, headers = webhook.encode()
    delay = policy.initial_s
    attempts = 0
    while True:
        attempts += 1
        result = await deliverer.post(webhook.url, body, headers)
        if result.ok or not retryable(result) or attempts > retries:
            return Attempts(result, attempts)
        await asyncio.sleep(delay)
        delay = min(delay * 2, policy.max_s)

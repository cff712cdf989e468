"""Building Meta's webhook events and delivering them (signed) to a number's webhook URL."""

import secrets
from dataclasses import dataclass
from typing import Any

import httpx

from masteria.sandbox.meta.signing import SignatureMode, serialise, signature_headers
from masteria.sandbox.meta.state import SimulatedNumber

# Enough of a receiver's answer to diagnose a test failure without keeping megabytes per delivery.
_MAX_BODY_CHARS = 4096
_BASE_HEADERS = {"Content-Type": "application/json", "User-Agent": "facebookexternalua"}


@dataclass(frozen=True, slots=True)
class CustomerMessage:
    """A text a simulated customer sends to a business number."""

    wa_id: str
    name: str
    text: str
    wamid: str
    timestamp: int


@dataclass(frozen=True, slots=True)
class DeliveryResult:
    """What the receiver answered to one POST, or why there was no answer."""

    status_code: int | None
    body: str | None
    error: str | None = None

    @property
    def ok(self) -> bool:
        """Meta counts only a 2xx answer as delivered."""
        return self.status_code is not None and 200 <= self.status_code < 300

    def to_json(self) -> dict[str, Any]:
        """The result as the control API reports it."""
        result: dict[str, Any] = {"status_code": self.status_code, "body": self.body}
        if self.error is not None:
            result["error"] = self.error
        return result


@dataclass(frozen=True, slots=True)
class HandshakeResult:
    """Outcome of Meta's `hub.challenge` subscription check."""

    verified: bool
    status_code: int | None
    error: str | None = None


def message_event(number: SimulatedNumber, wa_id: str, name: str, message: dict[str, Any]) -> dict[str, Any]:
    """The `messages` webhook Meta sends when customer `wa_id` sends `message` (any type)."""
    value = {
        "messaging_product": "whatsapp",
        "metadata": {
            "display_phone_number": number.display_phone_number,
            "phone_number_id": number.phone_number_id,
        },
        "contacts": [{"profile": {"name": name}, "wa_id": wa_id}],
        "messages": [message],
    }
    return {
        "object": "whatsapp_business_account",
        "entry": [{"id": number.waba_id, "changes": [{"field": "messages", "value": value}]}],
    }


def text_message_event(number: SimulatedNumber, message: CustomerMessage) -> dict[str, Any]:
    """The `messages` webhook Meta sends when a customer writes a text."""
    return message_event(
        number,
        message.wa_id,
        message.name,
        {
            "from": message.wa_id,
            "id": message.wamid,
            "timestamp": str(message.timestamp),
            "type": "text",
            "text": {"body": message.text},
        },
    )


def signed_request(number: SimulatedNumber, body: bytes, mode: SignatureMode = "valid") -> dict[str, str]:
    """Headers for delivering `body` to `number`'s webhook."""
    return {**_BASE_HEADERS, **signature_headers(mode, number.app_secret, body)}


def encode_event(event: dict[str, Any]) -> bytes:
    """Serialise an event once; the same bytes are signed and sent, retries included."""
    body: bytes = serialise(event)
    return body


class WebhookDeliverer:
    """Sends webhooks and handshakes through one shared HTTP client."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self._client = client

    async def post(self, url: str, body: bytes, headers: dict[str, str]) -> DeliveryResult:
        """POST one delivery; transport failures become a result, never an exception."""
        try:
            response = await self._client.post(url, content=body, headers=headers)
        except httpx.HTTPError as exc:
            return DeliveryResult(None, None, error=f"{type(exc).__name__}: {exc}")
        return DeliveryResult(response.status_code, response.text[:_MAX_BODY_CHARS])

    async def verify_subscription(self, url: str, verify_token: str) -> HandshakeResult:
        """Meta's subscription check: verified only if the body echoes the challenge exactly."""
        challenge = str(secrets.randbelow(9 * 10**9) + 10**9)
        params = {"hub.mode": "subscribe", "hub.verify_token": verify_token, "hub.challenge": challenge}
        try:
            response = await self._client.get(url, params=params)
        except httpx.HTTPError as exc:
            return HandshakeResult(False, None, error=f"{type(exc).__name__}: {exc}")
        verified = response.status_code == 200 and response.text == challenge
        return HandshakeResult(verified, response.status_code)

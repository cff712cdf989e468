"""Clients a journey drives: a signed-in operator through the gateway, and the provider sandbox."""

from __future__ import annotations

import random
import secrets
import uuid
from dataclasses import dataclass
from typing import Any

import httpx


class Operator:
    """A person using the platform through the gateway with a session cookie and the CSRF header."""

    def __init__(self, gateway_url: str) -> None:
        self.http = httpx.AsyncClient(base_url=gateway_url, timeout=10)

    async def close(self) -> None:
        """Close the connection pool."""
        await self.http.aclose()

    def _csrf(self) -> dict[str, str]:
        token = self.http.cookies.get("masteria_csrf")
        return {"X-CSRF-Token": token} if token else {}

    async def signup(self, email: str | None = None, tenant_name: str = "Loja") -> dict[str, Any]:
        """Create an account and its tenant; stays signed in."""
        email = email or f"op-{uuid.uuid4().hex[:10]}@example.com"
        response = await self.http.post("/auth/signup", json={
            "email": email, "password": "correct-horse-battery", "name": "Operadora", "tenant_name": tenant_name})
        assert response.status_code in (200, 201), response.text
        body: dict[str, Any] = response.json()
        return body

    async def get(self, path: str, **params: Any) -> httpx.Response:
        """A read through the gateway."""
        return await self.http.get(path, params=params)

    async def post(self, path: str, json: Any = None, **kwargs: Any) -> httpx.Response:
        """A write through the gateway, with the CSRF header the session requires."""
        return await self.http.post(path, json=json, headers=self._csrf(), **kwargs)

    async def patch(self, path: str, json: Any) -> httpx.Response:
        """A partial update through the gateway."""
        return await self.http.patch(path, json=json, headers=self._csrf())

    async def put(self, path: str, json: Any) -> httpx.Response:
        """A replacement through the gateway."""
        return await self.http.put(path, json=json, headers=self._csrf())


@dataclass(frozen=True)
class SandboxNumber:
    """A WhatsApp number as it exists at (the sandbox's) Meta."""

    phone_number_id: str
    display_phone_number: str
    waba_id: str
    access_token: str
    app_secret: str


class Sandbox:
    """The provider stand-in's control API."""

    def __init__(self, url: str) -> None:
        self.http = httpx.AsyncClient(base_url=url, timeout=30)
        self._profiles: dict[str, dict[str, Any]] = {}

    async def close(self) -> None:
        """Close the connection pool."""
        await self.http.aclose()

    async def new_meta_number(self, webhook_url: str, **profile: Any) -> SandboxNumber:
        """A number at Meta whose webhooks go to ``webhook_url``; ``profile``: tier, quality, throughput."""
        number = SandboxNumber(
            phone_number_id=str(random.randint(10**14, 10**15 - 1)),
            display_phone_number=f"+55 11 9{random.randint(1000, 9999)}-{random.randint(1000, 9999)}",
            waba_id=str(random.randint(10**14, 10**15 - 1)),
            access_token="EAAG" + secrets.token_urlsafe(32),
            app_secret=secrets.token_hex(16),
        )
        self._profiles[number.phone_number_id] = profile
        await self._register(number, webhook_url, None)
        return number

    async def subscribe(self, number: SandboxNumber, webhook_url: str, verify_token: str) -> dict[str, Any]:
        """Configure the callback in Meta's dashboard: Meta runs the GET handshake."""
        return await self._register(number, webhook_url, verify_token)

    async def _register(self, number: SandboxNumber, webhook_url: str, verify_token: str | None) -> dict[str, Any]:
        response = await self.http.post("/_sandbox/meta/numbers", json={
            "phone_number_id": number.phone_number_id, "display_phone_number": number.display_phone_number,
            "waba_id": number.waba_id, "access_token": number.access_token, "app_secret": number.app_secret,
            "webhook_url": webhook_url, **self._profiles.get(number.phone_number_id, {}),
            **({"verify_token": verify_token} if verify_token else {})})
        assert response.status_code in (200, 201), response.text
        body: dict[str, Any] = response.json()
        return body

    async def customer_writes(self, number: SandboxNumber, text: str, *, sender: str = "5511999990001",
                              name: str = "Maria", signature: str = "valid", copies: int = 1) -> dict[str, Any]:
        """A customer sends ``text``; Meta posts the signed webhook."""
        response = await self.http.post(f"/_sandbox/meta/numbers/{number.phone_number_id}/customers/write", json={
            "from": sender, "name": name, "text": text, "signature": signature, "copies": copies})
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    async def raw_webhook(self, number: SandboxNumber, **body: Any) -> dict[str, Any]:
        """Deliver an arbitrary body, signed as asked."""
        response = await self.http.post(f"/_sandbox/meta/numbers/{number.phone_number_id}/webhooks/raw", json=body)
        assert response.status_code == 200, response.text
        result: dict[str, Any] = response.json()
        return result

    async def burst(self, number: SandboxNumber, count: int, **options: Any) -> str:
        """Start a background burst of customer messages; returns the job id."""
        response = await self.http.post(f"/_sandbox/meta/numbers/{number.phone_number_id}/customers/burst",
                                        json={"count": count, **options})
        assert response.status_code == 202, response.text
        return str(response.json()["job_id"])

    async def meta_behaviour(self, number: SandboxNumber, **behaviour: Any) -> dict[str, Any]:
        """Set how (the sandbox's) Meta treats this number's sends: statuses, limits, faults."""
        response = await self.http.put(f"/_sandbox/meta/numbers/{number.phone_number_id}/behaviour", json=behaviour)
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    async def meta_ledger(self, number: SandboxNumber) -> list[dict[str, Any]]:
        """What Meta accepted from this number, oldest first."""
        response = await self.http.get("/_sandbox/meta/ledger", params={"phone_number_id": number.phone_number_id})
        assert response.status_code == 200, response.text
        body: list[dict[str, Any]] = response.json()
        return body

    async def job(self, job_id: str) -> dict[str, Any]:
        """Progress of a burst."""
        response = await self.http.get(f"/_sandbox/jobs/{job_id}")
        body: dict[str, Any] = response.json()
        return body


@dataclass(frozen=True)
class SandboxSmsSender:
    """A Twilio account and one of its numbers, as they exist at (the sandbox's) Twilio."""

    account_sid: str
    auth_token: str
    phone_number: str


class TwilioSandbox:
    """The Twilio half of the sandbox's control API."""

    def __init__(self, sandbox: Sandbox) -> None:
        self.http = sandbox.http

    async def new_sender(self, kind: str = "long_code") -> SandboxSmsSender:
        """An account with one number; inbound SMS go nowhere until :meth:`point` names a webhook."""
        sender = SandboxSmsSender(
            account_sid="AC" + secrets.token_hex(16),
            auth_token=secrets.token_hex(16),
            phone_number=f"+1415{random.randint(2000000, 9999999)}",
        )
        response = await self.http.post("/_sandbox/twilio/accounts", json={
            "account_sid": sender.account_sid, "auth_token": sender.auth_token})
        assert response.status_code in (200, 201), response.text
        await self.point(sender, None, kind=kind)
        return sender

    async def point(self, sender: SandboxSmsSender, sms_url: str | None, *, kind: str = "long_code") -> None:
        """Set the number's inbound webhook, as the Twilio console does."""
        response = await self.http.post("/_sandbox/twilio/numbers", json={
            "account_sid": sender.account_sid, "phone_number": sender.phone_number, "kind": kind,
            "sms_url": sms_url})
        assert response.status_code in (200, 201), response.text

    async def behaviour(self, sender: SandboxSmsSender, **behaviour: Any) -> dict[str, Any]:
        """How Twilio treats this number's sends: callbacks, limits, faults."""
        response = await self.http.put(f"/_sandbox/twilio/numbers/{sender.phone_number}/behaviour", json=behaviour)
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    async def customer_writes(self, sender: SandboxSmsSender, body: str, *, customer: str) -> dict[str, Any]:
        """A customer texts our number; Twilio posts the signed inbound webhook."""
        response = await self.http.post("/_sandbox/twilio/customers/write", json={
            "from": customer, "to": sender.phone_number, "body": body})
        assert response.status_code == 200, response.text
        result: dict[str, Any] = response.json()
        return result

    async def ledger(self, sender: SandboxSmsSender) -> list[dict[str, Any]]:
        """What Twilio accepted from this number, oldest first."""
        response = await self.http.get("/_sandbox/twilio/ledger")
        assert response.status_code == 200, response.text
        return [e for e in response.json() if e["from"] == sender.phone_number]


async def connect_sms(operator: Operator, sandbox: Sandbox) -> tuple[SandboxSmsSender, dict[str, Any]]:
    """What an operator does by hand: register the Twilio number here, paste our webhook in Twilio's console."""
    twilio = TwilioSandbox(sandbox)
    sender = await twilio.new_sender()
    response = await operator.post("/api/v1/sms/senders", {
        "account_sid": sender.account_sid, "auth_token": sender.auth_token,
        "phone_number": sender.phone_number, "kind": "long_code", "label": "SMS"})
    assert response.status_code == 201, response.text
    registered: dict[str, Any] = response.json()
    await twilio.point(sender, registered["inbound_webhook_url"])
    return sender, registered


async def connect_whatsapp(
    operator: Operator, sandbox: Sandbox, gateway_url: str, **profile: Any
) -> tuple[SandboxNumber, dict[str, Any]]:
    """What an operator does by hand: create the number at Meta, register it here, subscribe the webhook.

    ``profile`` is the number as Meta knows it, e.g. ``messaging_limit_tier="TIER_UNLIMITED"`` for bulk runs
    (the sandbox's default tier lets a number reach 1,000 new customers a day).
    """
    number = await sandbox.new_meta_number(f"{gateway_url}/webhooks/whatsapp-meta", **profile)
    response = await operator.post("/api/v1/whatsapp/phone-numbers", {
        "phone_number_id": number.phone_number_id, "waba_id": number.waba_id,
        "access_token": number.access_token, "app_secret": number.app_secret, "label": "Atendimento"})
    assert response.status_code == 201, response.text
    registered: dict[str, Any] = response.json()
    subscription = await sandbox.subscribe(number, registered["webhook_url"], registered["verify_token"])
    assert subscription.get("verified") is True, subscription
    return number, registered

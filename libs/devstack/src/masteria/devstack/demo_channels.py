"""The demo tenant's channels and first conversations, set up by `make up` through the public APIs.

What an operator would do by hand: log in at the gateway, create a number at "Meta" and a sender at
"Twilio" (both the sandbox), connect them to Master IA, point the provider's webhooks at us, and let a
few customers write. Idempotent: the credentials live in ``var/demo-channels.json`` and are reused;
our side is registered once (never a second number or sender); the sandbox, which keeps its state in
memory and may have restarted, is set up again on every run; customers write only while the tenant's
inbox is empty.
"""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import httpx

from .errors import InfraError
from .paths import var_dir

CREDENTIALS_FILE = "demo-channels.json"
CSRF_COOKIE = "masteria_csrf"


@dataclass(frozen=True)
class WhatsAppDemo:
    """The demo number as Meta's dashboard shows it (the sandbox plays Meta)."""

    phone_number_id: str = "106540352242922"
    waba_id: str = "102290129340398"
    display_phone_number: str = "+55 11 90000-0000"
    access_token: str = "EAAG-masteria-demo-access-token"  # noqa: S105 - sandbox-only demo credential
    app_secret: str = "masteria-demo-app-secret"  # noqa: S105 - sandbox-only demo credential
    label: str = "WhatsApp demo"


@dataclass(frozen=True)
class SmsDemo:
    """The demo Twilio account and its long code (the sandbox plays Twilio)."""

    account_sid: str = "AC" + "de" * 16
    auth_token: str = "masteria-demo-auth-token"  # noqa: S105 - sandbox-only demo credential
    phone_number: str = "+5511940000000"
    kind: str = "long_code"
    label: str = "SMS demo"


@dataclass(frozen=True)
class DemoCredentials:
    """Both channels' credentials: fixed defaults, written to var/ once and read back on every run."""

    whatsapp: WhatsAppDemo
    sms: SmsDemo

    @classmethod
    def load_or_create(cls, path: Path) -> DemoCredentials:
        """Read the file, or write the defaults to it when it does not exist yet."""
        if not path.exists():
            created = cls(WhatsAppDemo(), SmsDemo())
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(asdict(created), indent=2) + "\n")
            return created
        try:
            raw = json.loads(path.read_text())
            return cls(WhatsAppDemo(**raw["whatsapp"]), SmsDemo(**raw["sms"]))
        except (ValueError, KeyError, TypeError) as exc:
            raise InfraError(f"{path} is not valid demo credentials ({exc}); delete it to get the defaults") from exc


@dataclass(frozen=True)
class Customer:
    """A simulated customer and what they write, one message after another."""

    number: str  # E.164 without the plus, as WhatsApp's wa_id
    name: str
    texts: tuple[str, ...]


WHATSAPP_CUSTOMERS: tuple[Customer, ...] = (
    Customer("5511987650001", "Maria Oliveira", (
        "Oi, boa tarde! Vi o anúncio de vocês no Instagram.",
        "Vocês entregam em Campinas? Meu CEP é 13010-000.",
    )),
    Customer("5521998760002", "João Pereira", (
        "Olá! Fiz o pedido 48213 ontem e ainda não recebi o código de rastreio. Podem verificar, por favor?",
    )),
    Customer("5531991230003", "Ana Souza", (
        "Bom dia! O plano anual tem desconto para pagamento no Pix?",
    )),
    Customer("5511976540004", "Carlos Lima", (
        "Preciso trocar o tamanho da camiseta que comprei (veio M, queria G). Como faço a troca?",
    )),
)  # fmt: skip
SMS_CUSTOMERS: tuple[Customer, ...] = (
    Customer("5511965430005", "Roberto Alves", ("Oi, recebi o aviso da renegociação. Quais são as condições?",)),
    Customer("5541988760006", "Fernanda Costa", ("Qual o horário de atendimento da loja do centro no sábado?",)),
)


@dataclass(frozen=True)
class DemoSummary:
    """What the demo tenant has, for the `make up` summary (None: that channel was left alone)."""

    whatsapp: str | None
    sms: str | None
    inbox: str


class _Api:
    """One HTTP peer (the gateway or the sandbox): every call checked, every failure explained."""

    def __init__(self, client: httpx.Client, name: str) -> None:
        self.client = client
        self.name = name
        self.csrf: str | None = None

    def call(self, method: str, path: str, what: str, *, json_body: Any = None, params: Any = None) -> Any:
        headers = {"X-CSRF-Token": self.csrf} if self.csrf is not None and method != "GET" else {}
        where = f"{method} {self.client.base_url.join(path)} ({self.name})"
        try:
            response = self.client.request(method, path, json=json_body, params=params, headers=headers)
        except httpx.HTTPError as exc:
            raise InfraError(f"demo channels: {what} failed: {where}: {exc!r}") from exc
        if not response.is_success:
            raise InfraError(
                f"demo channels: {what} failed: {where} answered {response.status_code}: {response.text[:2000]}"
            )
        return response.json() if response.content else None


def ensure_demo_channels(
    gateway_url: str,
    sandbox_url: str,
    *,
    email: str,
    password: str,
    credentials_file: Path | None = None,
    transport: httpx.BaseTransport | None = None,
    wait_s: float = 30.0,
) -> DemoSummary:
    """Connect the demo WhatsApp number and SMS sender (once), set the sandbox up (every time), and let
    customers write while the tenant's inbox is empty."""
    creds = DemoCredentials.load_or_create(credentials_file or var_dir() / CREDENTIALS_FILE)
    with (
        httpx.Client(base_url=gateway_url, timeout=30, transport=transport) as gateway_client,
        httpx.Client(base_url=sandbox_url, timeout=30, transport=transport) as sandbox_client,
    ):
        api, sandbox = _Api(gateway_client, "gateway"), _Api(sandbox_client, "sandbox")
        _log_in(api, gateway_client, email, password)
        whatsapp = _ensure_whatsapp(api, sandbox, creds.whatsapp, gateway_url)
        sms = _ensure_sms(api, sandbox, creds.sms)
        inbox = _ensure_conversations(api, sandbox, whatsapp, sms, wait_s)
    wa_line = sms_line = None
    if whatsapp is not None:
        wa_line = f"{whatsapp.display_phone_number} (phone_number_id {whatsapp.phone_number_id})"
    if sms is not None:
        sms_line = f"{sms.phone_number} (Twilio account {sms.account_sid})"
    return DemoSummary(wa_line, sms_line, inbox)


def _log_in(api: _Api, client: httpx.Client, email: str, password: str) -> None:
    api.call("POST", "/auth/login", "logging in as the demo user", json_body={"email": email, "password": password})
    csrf = client.cookies.get(CSRF_COOKIE)
    if not csrf:
        raise InfraError(f"demo channels: the gateway's login set no {CSRF_COOKIE} cookie")
    api.csrf = csrf


def _ensure_whatsapp(api: _Api, sandbox: _Api, demo: WhatsAppDemo, gateway_url: str) -> WhatsAppDemo | None:
    """The demo number, connected on our side once and at the sandbox every time; None when the tenant
    already has a number of its own (left alone)."""
    numbers: list[dict[str, Any]] = api.call("GET", "/api/v1/whatsapp/phone-numbers", "listing WhatsApp numbers")
    ours = next((n for n in numbers if n["phone_number_id"] == demo.phone_number_id), None)
    if ours is None and numbers:
        return None
    at_meta = {
        "phone_number_id": demo.phone_number_id,
        "display_phone_number": demo.display_phone_number,
        "waba_id": demo.waba_id,
        "access_token": demo.access_token,
        "app_secret": demo.app_secret,
        "webhook_url": f"{gateway_url}/webhooks/whatsapp-meta",
    }
    if ours is None:
        # Meta must know the number first: registering checks the token with the Graph API.
        sandbox.call("POST", "/_sandbox/meta/numbers", "creating the demo number at the sandbox's Meta",
                     json_body=at_meta)
        ours = api.call("POST", "/api/v1/whatsapp/phone-numbers", "connecting the demo WhatsApp number", json_body={
            "phone_number_id": demo.phone_number_id, "waba_id": demo.waba_id, "access_token": demo.access_token,
            "app_secret": demo.app_secret, "label": demo.label,
        })  # fmt: skip
    handshake = sandbox.call("POST", "/_sandbox/meta/numbers", "subscribing the demo number's webhook at the sandbox",
                             json_body={**at_meta, "verify_token": ours["verify_token"]})
    if not handshake.get("verified"):
        raise InfraError(f"demo channels: Meta's webhook handshake with {at_meta['webhook_url']} failed: {handshake}")
    sandbox.call("PUT", f"/_sandbox/meta/numbers/{demo.phone_number_id}/behaviour",
                 "setting the demo number's behaviour at the sandbox",
                 json_body={"statuses": ["sent", "delivered"], "read_after_ms": 3000})
    api.call("POST", "/api/v1/whatsapp/templates/sync", "syncing the demo number's templates",
             json_body={"phone_number_id": demo.phone_number_id})
    return demo


def _ensure_sms(api: _Api, sandbox: _Api, demo: SmsDemo) -> SmsDemo | None:
    """The demo sender, connected on our side once and at the sandbox every time; None when the tenant
    already has a sender of its own (left alone)."""
    senders: list[dict[str, Any]] = api.call("GET", "/api/v1/sms/senders", "listing SMS senders")
    ours = next((s for s in senders if s["phone_number"] == demo.phone_number), None)
    if ours is None and senders:
        return None
    sandbox.call("POST", "/_sandbox/twilio/accounts", "creating the demo account at the sandbox's Twilio",
                 json_body={"account_sid": demo.account_sid, "auth_token": demo.auth_token})
    at_twilio = {"account_sid": demo.account_sid, "phone_number": demo.phone_number, "kind": demo.kind}
    if ours is None:
        # Twilio must know the number first: registering checks the account and its numbers.
        sandbox.call("POST", "/_sandbox/twilio/numbers", "creating the demo SMS number at the sandbox's Twilio",
                     json_body={**at_twilio, "sms_url": None})
        ours = api.call("POST", "/api/v1/sms/senders", "connecting the demo SMS sender", json_body={
            "account_sid": demo.account_sid, "auth_token": demo.auth_token, "phone_number": demo.phone_number,
            "kind": demo.kind, "label": demo.label,
        })  # fmt: skip
    sandbox.call("POST", "/_sandbox/twilio/numbers", "pointing the demo SMS number's webhook at Master IA",
                 json_body={**at_twilio, "sms_url": ours["inbound_webhook_url"]})
    return demo


def _conversation_count(api: _Api) -> tuple[int, bool]:
    """How many conversations the first page holds, and whether there are more."""
    page = api.call("GET", "/api/v1/conversations", "listing conversations", params={"limit": 50})
    return len(page["items"]), page.get("next_cursor") is not None


def _ensure_conversations(
    api: _Api, sandbox: _Api, whatsapp: WhatsAppDemo | None, sms: SmsDemo | None, wait_s: float
) -> str:
    """Customers write while the inbox is empty; wait until their conversations are in it."""
    existing, more = _conversation_count(api)
    if existing or (whatsapp is None and sms is None):
        return f"{existing}{'+' if more else ''} conversations"
    expected = 0
    if whatsapp is not None:
        path = f"/_sandbox/meta/numbers/{whatsapp.phone_number_id}/customers/write"
        for customer in WHATSAPP_CUSTOMERS:
            for text in customer.texts:
                answer = sandbox.call("POST", path, f"WhatsApp customer {customer.name} writing",
                                      json_body={"from": customer.number, "name": customer.name, "text": text})
                _check_deliveries(answer, f"WhatsApp customer {customer.name}'s message")
        expected += len(WHATSAPP_CUSTOMERS)
    if sms is not None:
        for customer in SMS_CUSTOMERS:
            for text in customer.texts:
                body = {"from": f"+{customer.number}", "to": sms.phone_number, "body": text}
                answer = sandbox.call("POST", "/_sandbox/twilio/customers/write",
                                      f"SMS customer {customer.name} writing", json_body=body)
                _check_deliveries(answer, f"SMS customer {customer.name}'s message")
        expected += len(SMS_CUSTOMERS)
    deadline = time.monotonic() + wait_s
    while (count := _conversation_count(api)[0]) < expected:
        if time.monotonic() > deadline:
            return f"{count} of {expected} conversations so far (the rest are still on their way; see make logs)"
        time.sleep(0.3)
    return f"{count} conversations (customers just wrote)"


def _check_deliveries(answer: dict[str, Any], what: str) -> None:
    deliveries = answer.get("deliveries") or []
    failed = [d for d in deliveries if not (isinstance(d.get("status_code"), int) and 200 <= d["status_code"] < 300)]
    if not deliveries or failed:
        raise InfraError(f"demo channels: the webhook for {what} was not accepted: {deliveries}")

"""In-memory Twilio: accounts, numbers and how each behaves, opt-outs, messages and the ledger."""

import hmac
import random
import secrets
import threading
import time
from collections import Counter, deque
from dataclasses import dataclass, field
from typing import Any, Literal

from masteria.sandbox.twilio.ledger import Ledger, LedgerEntry
from masteria.sandbox.twilio.schemas import Behaviour, NumberKind
from masteria.sandbox.twilio.tasks import TaskSet

Fault = Literal["429", "5xx", "timeout"]
_CALLBACK_LOG = 100_000


@dataclass(frozen=True, slots=True)
class Account:
    """An account as Twilio's console shows it."""

    sid: str
    auth_token: str
    friendly_name: str
    created_at: float


@dataclass(frozen=True, slots=True)
class SimulatedNumber:
    """A sender the account owns: long code, toll-free number or short code."""

    sid: str
    account_sid: str
    phone_number: str
    kind: NumberKind
    sms_url: str | None
    friendly_name: str
    messaging_service_sid: str | None
    created_at: float

    @property
    def opt_out_scope(self) -> str:
        """Where Twilio keeps a STOP: the Messaging Service when the number is in one, else the number."""
        return self.messaging_service_sid or self.phone_number

    def to_json(self) -> dict[str, Any]:
        """The number as the control API returns it."""
        return {
            "sid": self.sid,
            "account_sid": self.account_sid,
            "phone_number": self.phone_number,
            "kind": self.kind,
            "sms_url": self.sms_url,
            "friendly_name": self.friendly_name,
            "messaging_service_sid": self.messaging_service_sid,
        }


@dataclass(frozen=True, slots=True)
class Outcome:
    """How a send ends: the statuses its callbacks report, and the error code of a failure."""

    statuses: tuple[str, ...]
    error_code: int | None = None


@dataclass(slots=True)
class MessageRecord:
    """An accepted send and its current status, for `GET .../Messages/{sid}.json`."""

    entry: LedgerEntry
    status: str = "queued"
    error_code: int | None = None
    date_updated: float = 0.0
    date_sent: float | None = None


@dataclass(slots=True)
class _Sender:
    behaviour: Behaviour
    rng: random.Random
    # (monotonic time, units) of the sends admitted in the last second, for the MPS limit.
    window: deque[tuple[float, int]] = field(default_factory=deque)


@dataclass(frozen=True, slots=True)
class HostedMedia:
    """Bytes a simulated customer sent, served at the media URL of the inbound webhook."""

    content_type: str
    data: bytes
    delay_ms: int = 0  # how long the media resource holds each request (a slow media server)
    fail_fetches: int = 0  # the first this many authenticated requests get a 503


@dataclass
class TwilioRegistry:
    """Everything the stand-in holds; a lock makes it safe from any thread, and only `aclose` awaits."""

    ledger: Ledger = field(default_factory=Ledger)
    tasks: TaskSet = field(default_factory=TaskSet)
    _accounts: dict[str, Account] = field(default_factory=dict)
    _numbers: dict[str, SimulatedNumber] = field(default_factory=dict)
    _senders: dict[str, _Sender] = field(default_factory=dict)
    _opt_outs: dict[tuple[str, str], float] = field(default_factory=dict)
    _messages: dict[str, MessageRecord] = field(default_factory=dict)
    _media: dict[str, HostedMedia] = field(default_factory=dict)
    _media_fetches: Counter[str] = field(default_factory=Counter)
    # Signs the short-lived download URLs the media resource redirects to (see `media`).
    media_key: bytes = field(default_factory=lambda: secrets.token_bytes(32))
    _callbacks: deque[dict[str, Any]] = field(default_factory=lambda: deque(maxlen=_CALLBACK_LOG))
    _lock: threading.Lock = field(default_factory=threading.Lock)

    async def aclose(self) -> None:
        """Cancel the status callbacks still due."""
        await self.tasks.aclose()

    # Accounts

    def register_account(self, account: Account) -> None:
        """Add an account, or rotate its auth token."""
        with self._lock:
            self._accounts[account.sid] = account

    def account(self, account_sid: str) -> Account | None:
        """The account with this sid, if registered."""
        with self._lock:
            return self._accounts.get(account_sid)

    def accounts(self) -> list[Account]:
        """Every registered account."""
        with self._lock:
            return list(self._accounts.values())

    def authenticate(self, username: str, password: str) -> Account | None:
        """The account when the Basic credentials are its sid and auth token, else None."""
        account = self.account(username)
        if account is None or not hmac.compare_digest(password.encode(), account.auth_token.encode()):
            return None
        return account

    # Numbers and their behaviour

    def register_number(self, number: SimulatedNumber, mps_limit: int | None) -> None:
        """Add a number (a re-registration keeps its behaviour; `mps_limit`, when given, is applied)."""
        with self._lock:
            self._numbers[number.phone_number] = number
            sender = self._senders.get(number.phone_number)
            if sender is None:
                self._senders[number.phone_number] = _Sender(Behaviour(mps_limit=mps_limit), random.Random())  # noqa: S311
            elif mps_limit is not None:
                sender.behaviour = sender.behaviour.model_copy(update={"mps_limit": mps_limit})

    def remove_number(self, phone_number: str) -> bool:
        """Forget a number and its behaviour; False when it was unknown."""
        with self._lock:
            self._senders.pop(phone_number, None)
            return self._numbers.pop(phone_number, None) is not None

    def number(self, phone_number: str) -> SimulatedNumber | None:
        """The number, if registered."""
        with self._lock:
            return self._numbers.get(phone_number)

    def numbers(self, account_sid: str | None = None) -> list[SimulatedNumber]:
        """Every registered number, or one account's."""
        with self._lock:
            numbers = list(self._numbers.values())
        return [n for n in numbers if account_sid is None or n.account_sid == account_sid]

    def number_of_service(self, account_sid: str, service_sid: str) -> SimulatedNumber | None:
        """The first number of the account in this Messaging Service (the service's sender pool)."""
        return next((n for n in self.numbers(account_sid) if n.messaging_service_sid == service_sid), None)

    def behaviour(self, phone_number: str) -> Behaviour:
        """The number's behaviour (defaults for an unknown number)."""
        with self._lock:
            sender = self._senders.get(phone_number)
            return sender.behaviour if sender is not None else Behaviour()

    def set_behaviour(self, phone_number: str, behaviour: Behaviour, *, reseed: bool) -> None:
        """Replace the number's behaviour; with `reseed`, its random choices restart from `seed`."""
        with self._lock:
            sender = self._senders.setdefault(phone_number, _Sender(behaviour, random.Random()))  # noqa: S311
            sender.behaviour = behaviour
            if reseed:
                sender.rng.seed(behaviour.seed)

    def roll_fault(self, phone_number: str) -> Fault | None:
        """Whether this request to the number's sender is one of the injected faults."""
        with self._lock:
            sender = self._senders.get(phone_number)
            if sender is None:
                return None
            b = sender.behaviour
            if not (b.fault_429_rate or b.fault_5xx_rate or b.fault_timeout_rate):
                return None
            draw = sender.rng.random()
        if draw < b.fault_429_rate:
            return "429"
        if draw < b.fault_429_rate + b.fault_5xx_rate:
            return "5xx"
        if draw < b.fault_429_rate + b.fault_5xx_rate + b.fault_timeout_rate:
            return "timeout"
        return None

    def roll_outcome(self, phone_number: str, to: str) -> Outcome:
        """How a send accepted from this number to `to` will end."""
        with self._lock:
            sender = self._senders.get(phone_number)
            b = sender.behaviour if sender is not None else Behaviour()
            rng = sender.rng if sender is not None else random.Random()  # noqa: S311
            draw = rng.random() if (b.undelivered_rate or b.failed_rate) else 1.0
            code = rng.choice(b.error_codes)
        happy = tuple(b.statuses)
        # The statuses before `sent` (queued, sending) happen whatever the ending.
        before_sent = tuple(s for s in happy if s in ("queued", "sending"))
        if to in b.undelivered_to:
            return Outcome((*before_sent, "sent", "undelivered"), b.undelivered_to[to])
        if draw < b.undelivered_rate:
            return Outcome((*before_sent, "sent", "undelivered"), code)
        if draw < b.undelivered_rate + b.failed_rate:
            return Outcome((*before_sent, "failed"), code)
        return Outcome(happy)

    def admit(self, phone_number: str, units: int, now: float) -> bool:
        """Count a send at `now` (monotonic) against the number's MPS limit; False, uncounted, beyond it."""
        with self._lock:
            sender = self._senders.get(phone_number)
            if sender is None or sender.behaviour.mps_limit is None:
                return True
            limit = sender.behaviour.mps_limit
            cost = units if sender.behaviour.mps_counts == "segments" else 1
            window = sender.window
            while window and now - window[0][0] >= 1.0:
                window.popleft()
            if sum(units for _, units in window) + cost > limit:
                return False
            window.append((now, cost))
            return True

    # Opt-outs: per sender (a number, or a Messaging Service for all its numbers) and recipient

    def opt_out(self, sender: str, recipient: str) -> None:
        """The recipient replied STOP to this sender (a `SimulatedNumber.opt_out_scope`)."""
        with self._lock:
            self._opt_outs.setdefault((sender, recipient), time.time())

    def opt_in(self, sender: str, recipient: str) -> bool:
        """The recipient replied START; False when they were not opted out."""
        with self._lock:
            return self._opt_outs.pop((sender, recipient), None) is not None

    def is_opted_out(self, sender: str, recipient: str) -> bool:
        """Whether sends from `sender` to `recipient` are refused with 21610."""
        with self._lock:
            return (sender, recipient) in self._opt_outs

    def opt_outs(self) -> list[dict[str, Any]]:
        """Every opt-out in force."""
        with self._lock:
            items = list(self._opt_outs.items())
        return [{"sender": s, "recipient": r, "since": t} for (s, r), t in items]

    # Messages

    def record_send(self, entry: LedgerEntry) -> MessageRecord:
        """Keep an accepted send: in the ledger and as a message whose status can be read."""
        record = MessageRecord(entry, date_updated=entry.wall_time)
        with self._lock:
            self._messages[entry.sid] = record
        self.ledger.append(entry)
        return record

    def message(self, message_sid: str) -> MessageRecord | None:
        """The message with this sid, if the API accepted it."""
        with self._lock:
            return self._messages.get(message_sid)

    def set_status(self, message_sid: str, status: str, error_code: int | None) -> None:
        """Move a message to a new status."""
        now = time.time()
        with self._lock:
            record = self._messages.get(message_sid)
            if record is None:
                return
            record.status, record.error_code, record.date_updated = status, error_code, now
            if status == "sent":
                record.date_sent = now

    # Hosted media and the callback log

    def host_media(self, path: str, media: HostedMedia) -> None:
        """Serve `media` at `path` (under /twilio)."""
        with self._lock:
            self._media[path] = media

    def media(self, path: str) -> HostedMedia | None:
        """The media hosted at `path`, if any."""
        with self._lock:
            return self._media.get(path)

    def media_fetched(self, path: str) -> int:
        """An authenticated client asked for the media at `path`; the how-manyth request this is."""
        with self._lock:
            self._media_fetches[path] += 1
            return self._media_fetches[path]

    def hosted(self, message_sid: str | None = None) -> list[tuple[str, HostedMedia, int]]:
        """(path, media, authenticated fetches) of every hosted file, optionally of one message."""
        with self._lock:
            items = [(path, media, self._media_fetches[path]) for path, media in self._media.items()]
        return [item for item in items if message_sid is None or f"/Messages/{message_sid}/" in item[0]]

    def note_callback(self, record: dict[str, Any]) -> None:
        """Remember one webhook delivery (status callback or inbound), newest last, bounded."""
        with self._lock:
            self._callbacks.append(record)

    def callbacks(self, message_sid: str | None = None) -> list[dict[str, Any]]:
        """Deliveries made, oldest first, optionally for one message."""
        with self._lock:
            records = list(self._callbacks)
        return [r for r in records if message_sid is None or r["message_sid"] == message_sid]

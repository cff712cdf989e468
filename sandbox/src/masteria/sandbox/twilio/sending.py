"""The Messages API's decisions about one send: what it asks for, whether it is allowed, its record."""

import re
import time
from dataclasses import dataclass

from starlette.datastructures import FormData

from masteria.sandbox.twilio import errors
from masteria.sandbox.twilio.ids import sid
from masteria.sandbox.twilio.ledger import LedgerEntry
from masteria.sandbox.twilio.schemas import E164
from masteria.sandbox.twilio.segments import count_segments
from masteria.sandbox.twilio.state import Account, MessageRecord, Outcome, SimulatedNumber, TwilioRegistry

MAX_BODY_CHARS = 1600
_URL = re.compile(r"^https?://[^\s/]+")


@dataclass(frozen=True, slots=True)
class SendRequest:
    """A well-formed send from one of the account's numbers."""

    sender: SimulatedNumber
    to: str
    body: str
    media_urls: tuple[str, ...]
    status_callback: str | None
    messaging_service_sid: str | None

    @property
    def num_segments(self) -> int:
        """Segments billed: an MMS counts as one, a text as its GSM-7 or UCS-2 segments."""
        return 1 if self.media_urls else count_segments(self.body).segments


def parse_send(registry: TwilioRegistry, account: Account, form: FormData) -> SendRequest:
    """Read a `Messages.json` form as Twilio does, refusing it with Twilio's error codes."""
    to = _field(form, "To")
    if not to:
        raise errors.missing_to()
    if not re.match(E164, to):
        raise errors.invalid_to(to)
    service_sid = _field(form, "MessagingServiceSid") or None
    sender = _sender(registry, account, _field(form, "From"), service_sid)
    body = _field(form, "Body")
    media_urls = tuple(str(url) for url in form.getlist("MediaUrl") if str(url))
    if not body and not media_urls:
        raise errors.missing_body()
    if len(body) > MAX_BODY_CHARS:
        raise errors.body_too_long()
    if any(not _URL.match(url) for url in media_urls):
        raise errors.TwilioError(400, 21620, "Invalid media URL(s).")
    callback = _field(form, "StatusCallback") or None
    if callback is not None and not _URL.match(callback):
        raise errors.TwilioError(400, 21609, "Invalid StatusCallback url.")
    return SendRequest(sender, to, body, media_urls, callback, service_sid)


def accept_send(registry: TwilioRegistry, account: Account, send: SendRequest) -> tuple[MessageRecord, Outcome]:
    """Refuse a send to an opted-out recipient (21610) or beyond the MPS limit (20429); else record it
    with the way it will end."""
    number, segments = send.sender.phone_number, send.num_segments
    if registry.is_opted_out(send.sender.opt_out_scope, send.to):
        raise errors.unsubscribed()
    # One clock reading for the limit and the ledger, so the ledger's busiest second matches the limit's.
    now = time.monotonic()
    if not registry.admit(number, segments, now):
        raise errors.too_many_requests()
    outcome = registry.roll_outcome(number, send.to)
    entry = LedgerEntry(
        monotonic=now,
        wall_time=time.time(),
        account_sid=account.sid,
        sid=sid("MM" if send.media_urls else "SM"),
        sender=number,
        to=send.to,
        body=send.body,
        num_segments=segments,
        media_urls=send.media_urls,
        status_callback=send.status_callback,
        messaging_service_sid=send.messaging_service_sid,
        fails_with=outcome.error_code,
    )
    return registry.record_send(entry), outcome


def _sender(registry: TwilioRegistry, account: Account, sender: str, service_sid: str | None) -> SimulatedNumber:
    if sender:
        number = registry.number(sender)
        if number is None or number.account_sid != account.sid:
            raise errors.invalid_from(sender)
        return number
    if service_sid is None:
        raise errors.missing_from()
    pooled = registry.number_of_service(account.sid, service_sid)
    if pooled is None:
        raise errors.unknown_service(service_sid)
    return pooled


def _field(form: FormData, name: str) -> str:
    value = form.get(name)
    return value if isinstance(value, str) else ""

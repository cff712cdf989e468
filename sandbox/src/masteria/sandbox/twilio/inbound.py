"""A customer's SMS as Twilio forwards it, and Twilio's own handling of STOP, START and HELP."""

from dataclasses import dataclass
from typing import Literal

from masteria.sandbox.twilio.resources import API_VERSION
from masteria.sandbox.twilio.segments import count_segments
from masteria.sandbox.twilio.state import Account, SimulatedNumber, TwilioRegistry

OptOutType = Literal["STOP", "START", "HELP"]

# Twilio's default keywords; a message counts only when its whole body is the keyword (any case).
STOP_WORDS = frozenset({"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT"})
START_WORDS = frozenset({"START", "YES", "UNSTOP"})
HELP_WORDS = frozenset({"HELP", "INFO"})

# Twilio's default confirmations, sent to the customer by Twilio itself (not through the API).
AUTO_REPLIES: dict[OptOutType, str] = {
    "STOP": (
        "You have successfully been unsubscribed. You will not receive any more messages from this number. "
        "Reply START to resubscribe."
    ),
    "START": (
        "You have successfully been re-subscribed to messages from this number. Reply HELP for help. "
        "Reply STOP to unsubscribe. Msg&Data Rates May Apply."
    ),
    "HELP": "Reply STOP to unsubscribe. Msg&Data Rates May Apply.",
}

_COUNTRIES = (("+55", "BR"), ("+1", "US"), ("+351", "PT"), ("+44", "GB"), ("+34", "ES"), ("+54", "AR"))


@dataclass(frozen=True, slots=True)
class InboundSms:
    """One message a customer sent to a number."""

    message_sid: str
    sender: str
    body: str
    media: tuple[tuple[str, str], ...]  # (content type, URL)


def opt_out_type(body: str) -> OptOutType | None:
    """Which keyword family the body is, if it is exactly one of Twilio's keywords."""
    word = body.strip().upper()
    if word in STOP_WORDS:
        return "STOP"
    if word in START_WORDS:
        return "START"
    if word in HELP_WORDS:
        return "HELP"
    return None


def apply_keyword(registry: TwilioRegistry, number: SimulatedNumber, customer: str, body: str) -> OptOutType | None:
    """Update the opt-out list as Twilio does for this body; the keyword family, if any."""
    kind = opt_out_type(body)
    if kind == "STOP":
        registry.opt_out(number.opt_out_scope, customer)
    elif kind == "START":
        registry.opt_in(number.opt_out_scope, customer)
    return kind


def inbound_fields(
    account: Account, number: SimulatedNumber, sms: InboundSms, kind: OptOutType | None
) -> list[tuple[str, str]]:
    """The form fields of Twilio's incoming-message webhook."""
    fields: dict[str, str] = {
        "ToCountry": country(number.phone_number),
        "ToState": "",
        "SmsMessageSid": sms.message_sid,
        "NumMedia": str(len(sms.media)),
        "ToCity": "",
        "FromZip": "",
        "SmsSid": sms.message_sid,
        "FromState": "",
        "SmsStatus": "received",
        "FromCity": "",
        "Body": sms.body,
        "FromCountry": country(sms.sender),
        "To": number.phone_number,
        "ToZip": "",
        "NumSegments": str(count_segments(sms.body).segments),
        "ReferralNumMedia": "0",
        "MessageSid": sms.message_sid,
        "AccountSid": account.sid,
        "From": sms.sender,
        "ApiVersion": API_VERSION,
    }
    if number.messaging_service_sid is not None:
        fields["MessagingServiceSid"] = number.messaging_service_sid
    if kind is not None:
        fields["OptOutType"] = kind
    for index, (content_type, url) in enumerate(sms.media):
        fields[f"MediaContentType{index}"] = content_type
        fields[f"MediaUrl{index}"] = url
    return list(fields.items())


def country(phone_number: str) -> str:
    """ISO country of a number, for the few prefixes tests use; a short code counts as US."""
    if not phone_number.startswith("+"):
        return "US"
    return next((iso for prefix, iso in _COUNTRIES if phone_number.startswith(prefix)), "")

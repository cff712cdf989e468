"""Twilio's error codes, classified so that callers decide on retries without knowing Twilio.

Codes come from the Messages API answer (``code``) and from status callbacks (``ErrorCode``).
Permanent: retrying the same message to the same number cannot succeed. Transient: the same
message may go through later (throttling, queues, carrier hiccups).
"""

from __future__ import annotations

from masteria.contracts.messages import DeliveryError, ErrorClassification

P, T = ErrorClassification.PERMANENT, ErrorClassification.TRANSIENT

# code -> (classification, title)
TWILIO_ERRORS: dict[str, tuple[ErrorClassification, str]] = {
    "20003": (P, "Twilio refused the sender's credentials"),
    "20404": (P, "Twilio does not know this resource"),
    "20429": (T, "Too many requests: Twilio is throttling this sender"),
    "14107": (T, "Reply rate limit exceeded between these two numbers"),
    "21211": (P, "Invalid 'To' phone number"),
    "21408": (P, "Sending to this region is not enabled on the Twilio account"),
    "21602": (P, "Message body is required"),
    "21606": (P, "The 'From' number cannot send SMS"),
    "21608": (P, "Trial accounts can only send to verified numbers"),
    "21610": (P, "The recipient replied STOP to this sender and is unsubscribed"),
    "21611": (T, "The sender's queue at Twilio is full"),
    "21612": (P, "Twilio cannot route a message between these two numbers"),
    "21614": (P, "'To' is not a mobile number that can receive SMS"),
    "21617": (P, "The message body exceeds 1,600 characters"),
    "21620": (P, "Invalid media URL"),
    "21660": (P, "The 'From' number does not belong to this Twilio account"),
    "30001": (T, "Twilio's queue overflowed: the message waited too long"),
    "30002": (P, "The Twilio account is suspended"),
    "30003": (P, "Unreachable destination handset"),
    "30004": (P, "Message blocked by the recipient or the carrier"),
    "30005": (P, "Unknown destination handset"),
    "30006": (P, "Landline or unreachable carrier"),
    "30007": (P, "Filtered by the carrier as spam or a policy violation"),
    "30008": (T, "Unknown error from the carrier"),
    "30009": (T, "A segment of the message was lost"),
    "30010": (P, "The message price exceeds the configured maximum"),
    "30022": (T, "The sender's 10DLC throughput limit was exceeded"),
    "30023": (T, "The sender's daily message cap was reached"),
    "30027": (T, "The carrier's daily limit for this sender was reached"),
    "30032": (P, "The toll-free number is not verified"),
    "30034": (P, "The sender is not registered for A2P 10DLC"),
}


def classify(code: str | None, http_status: int | None = None) -> ErrorClassification:
    """Known codes by table; otherwise throttling and server errors are transient, other 4xx permanent."""
    if code and code in TWILIO_ERRORS:
        return TWILIO_ERRORS[code][0]
    if http_status is not None:
        if http_status == 429 or http_status >= 500:
            return T
        if 400 <= http_status < 500:
            return P
    return ErrorClassification.UNKNOWN


def delivery_error(code: str | None, detail: str | None = None, http_status: int | None = None) -> DeliveryError:
    """A classified error for a status event; ``code`` falls back to the HTTP status."""
    known = TWILIO_ERRORS.get(code or "")
    key = code or (f"http_{http_status}" if http_status else "unknown")
    return DeliveryError(
        code=key,
        title=known[1] if known else f"Twilio error {key}",
        classification=classify(code, http_status),
        provider_detail=detail,
    )


# Failures decided here, before or instead of a Twilio call.
OPTED_OUT = DeliveryError(
    code="opted_out",
    title="The recipient replied STOP to this sender: SMS to them is refused until they reply START",
    classification=P,
)
UNSUPPORTED_CONTENT = DeliveryError(
    code="unsupported_content",
    title="Unsupported content for SMS: only text and media with a public URL can be sent",
    classification=P,
)
BODY_TOO_LONG = DeliveryError(code="21617", title="The message body exceeds 1,600 characters", classification=P)
NO_SENDER = DeliveryError(
    code="no_sender",
    title="No SMS sender is registered for this tenant (or the one named is gone)",
    classification=P,
)
UNKNOWN_OUTCOME = DeliveryError(
    code="unknown_outcome",
    title="The service stopped while Twilio was being called: the message may or may not have been sent",
    classification=ErrorClassification.UNKNOWN,
)


def timeout_error(detail: str) -> DeliveryError:
    """Twilio did not answer in time (retried like a 5xx)."""
    return DeliveryError(
        code="timeout", title="Twilio did not answer in time", classification=T, provider_detail=detail
    )


def network_error(detail: str) -> DeliveryError:
    """Twilio could not be reached."""
    return DeliveryError(code="network", title="Twilio could not be reached", classification=T, provider_detail=detail)

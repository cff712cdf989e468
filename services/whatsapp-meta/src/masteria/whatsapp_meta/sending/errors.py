"""Meta's error codes classified once, for sends and for failed statuses (PROVIDERS.md, Meta's error docs).

Permanent: retrying the same request cannot help (the customer, the template, the content, the
window, the token or the account is the problem). Transient: a limit or an outage that passes, so
the same request is retried with backoff. An unknown code falls back to the HTTP status: 429 and
5xx are transient, another 4xx is permanent (a request Graph refused once it refuses again).
"""

from __future__ import annotations

from masteria.contracts.messages import DeliveryError, ErrorClassification
from masteria.whatsapp_meta.graph import GraphError, GraphUnavailable

PERMANENT = ErrorClassification.PERMANENT
TRANSIENT = ErrorClassification.TRANSIENT

# code -> (classification, title shown to the agent)
META_ERRORS: dict[int, tuple[ErrorClassification, str]] = {
    131026: (PERMANENT, "Message undeliverable: the number is not on WhatsApp or cannot receive it"),
    131047: (PERMANENT, "More than 24 hours since the customer last wrote: only a template can be sent"),
    131049: (PERMANENT, "Meta chose not to deliver this marketing message to keep engagement healthy"),
    131050: (PERMANENT, "The customer stopped marketing messages from this business"),
    131051: (PERMANENT, "Unsupported message type"),
    131052: (PERMANENT, "Meta could not download the media sent by the customer"),
    131053: (PERMANENT, "Meta could not use the uploaded media (type or size not supported)"),
    132000: (PERMANENT, "Template parameters do not match the number of placeholders"),
    132001: (PERMANENT, "No approved template with this name in this language"),
    132005: (PERMANENT, "Template text too long once the parameters are filled in"),
    132007: (PERMANENT, "Template parameters break Meta's formatting policy"),
    132012: (PERMANENT, "Template parameter format does not match the template"),
    132015: (PERMANENT, "The template is paused for low quality"),
    132016: (PERMANENT, "The template is disabled for low quality"),
    133010: (PERMANENT, "The phone number is not registered on the Cloud API"),
    368: (PERMANENT, "The account is temporarily blocked for policy violations"),
    470: (PERMANENT, "More than 24 hours since the customer last wrote (re-engagement message)"),
    100: (PERMANENT, "Meta refused a parameter of the request"),
    190: (PERMANENT, "The access token expired or was revoked: reconnect the number"),
    10: (PERMANENT, "The app lacks the permission for this number"),
    200: (PERMANENT, "The app lacks the permission for this number"),
    130429: (TRANSIENT, "The number's throughput limit was reached"),
    131056: (TRANSIENT, "Too many messages to this customer in a short time (pair rate limit)"),
    # Meta's "spam rate limit": what it answers when the number may send to no more customers now, its
    # messaging limit reached (the sandbox answers it so) or too many of its messages blocked. It
    # passes, but in hours: see LONG_WAIT.
    131048: (
        TRANSIENT,
        "Meta refused: the number reached its limit of new customers per 24 hours, or too many of its "
        "messages were blocked or reported (spam rate limit); try again later",
    ),
    80007: (TRANSIENT, "The WhatsApp Business account's rate limit was reached"),
    4: (TRANSIENT, "The app's request limit was reached"),
    429: (TRANSIENT, "Too many requests"),
    1: (TRANSIENT, "Meta had an unknown error"),
    2: (TRANSIENT, "Meta's service is temporarily unavailable"),
    131000: (TRANSIENT, "Something went wrong at Meta"),
    131016: (TRANSIENT, "Meta's service is temporarily overloaded"),
}

# Errors that mean "slow down": the number's pace is halved for a while.
SLOWDOWN_CODES = frozenset({130429})
# Transient errors that last hours, not seconds: the send fails at once, classified transient, and
# the campaign (which owns schedules and pauses) decides when to try again, as for our own tier
# budget; retrying within our backoff (seconds to a minute) would only spend Graph calls.
LONG_WAIT = frozenset({"131048"})

WINDOW_CLOSED = DeliveryError(
    code="window_closed",
    classification=PERMANENT,
    title="Outside the 24-hour customer service window: only an approved template can be sent",
)


def classify_meta(code: int | None, http_status: int | None, detail: str | None = None) -> DeliveryError:
    """A Meta error (from a Graph answer or a failed status) as a classified DeliveryError."""
    known = META_ERRORS.get(code) if code is not None else None
    if known is not None:
        classification, title = known
    else:
        classification = _by_http_status(http_status)
        title = f"Meta error {code}" if code is not None else f"Graph answered HTTP {http_status}"
    return DeliveryError(
        code=str(code if code is not None else http_status or "unknown"),
        title=title,
        classification=classification,
        provider_detail=detail,
    )


def retried_here(error: DeliveryError) -> bool:
    """Whether the adapter retries this failure itself (transient, and over within its backoff)."""
    return error.classification is TRANSIENT and error.code not in LONG_WAIT


def classify_graph_error(error: GraphError) -> DeliveryError:
    """A refusal of a Graph call."""
    detail = f"{error.message} ({error.details})" if error.details else error.message
    return classify_meta(error.code, error.status, detail[:1000])


def classify_unavailable(error: GraphUnavailable) -> DeliveryError:
    """No answer: timeouts and refused connections pass, so they are retried."""
    title = "Meta did not answer in time" if error.kind == "timeout" else "Meta could not be reached"
    return DeliveryError(
        code="timeout" if error.kind == "timeout" else "connection_error",
        title=title,
        classification=TRANSIENT,
        provider_detail=error.detail[:1000],
    )


def classify_exception(error: Exception) -> DeliveryError:
    """Whatever a Graph call raised."""
    if isinstance(error, GraphError):
        return classify_graph_error(error)
    if isinstance(error, GraphUnavailable):
        return classify_unavailable(error)
    raise error


def slows_number(error: Exception) -> bool:
    """True for the answers that say the number goes too fast (130429, or HTTP 429)."""
    return isinstance(error, GraphError) and (error.code in SLOWDOWN_CODES or error.status == 429)


def _by_http_status(status: int | None) -> ErrorClassification:
    if status is None:
        return ErrorClassification.UNKNOWN
    if status == 429 or status >= 500:
        return TRANSIENT
    return PERMANENT

"""Graph API error answers, in the shape Meta's clients parse."""

from typing import Any

from fastapi.responses import JSONResponse

from masteria.sandbox.meta.ids import fbtrace_id

_AUTH_CHALLENGE = 'OAuth "Facebook Platform" "invalid_token"'


class GraphError(Exception):
    """A request Graph refuses; `response()` renders it as Meta does."""

    def __init__(
        self,
        status_code: int,
        message: str,
        code: int,
        error_data: dict[str, Any] | None = None,
        error_subcode: int | None = None,
        *,
        is_transient: bool | None = None,
    ) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.message = message
        self.code = code
        self.error_data = error_data
        self.error_subcode = error_subcode
        self.is_transient = is_transient

    def response(self) -> JSONResponse:
        """The error as Graph's JSON body and status."""
        error: dict[str, Any] = {"message": self.message, "type": "OAuthException", "code": self.code}
        if self.error_data is not None:
            error["error_data"] = self.error_data
        if self.error_subcode is not None:
            error["error_subcode"] = self.error_subcode
        if self.is_transient is not None:
            error["is_transient"] = self.is_transient
        error["fbtrace_id"] = fbtrace_id()
        headers = {"WWW-Authenticate": _AUTH_CHALLENGE} if self.code == 190 else {}
        return JSONResponse({"error": error}, status_code=self.status_code, headers=headers)


def invalid_token() -> GraphError:
    """Code 190: the token is missing, malformed or not valid for this number."""
    return GraphError(401, "Invalid OAuth access token - Cannot parse access token", 190)


def invalid_parameter(details: str) -> GraphError:
    """Code 100: the request body breaks the Cloud API's rules."""
    return GraphError(
        400,
        "(#100) Invalid parameter",
        100,
        error_data={"messaging_product": "whatsapp", "details": details},
    )


def unknown_path(version: str) -> GraphError:
    """Code 2500: the path is not a Graph endpoint (for example a malformed version)."""
    return GraphError(400, f"Unknown path components: /{version}", 2500)


def unsupported_get(object_id: str) -> GraphError:
    """Code 100/33: the object does not exist or this token may not see it (Graph does not say which)."""
    return GraphError(
        400,
        f"Unsupported get request. Object with ID '{object_id}' does not exist, cannot be loaded due to "
        "missing permissions, or does not support this operation. Please read the Graph API documentation "
        "at https://developers.facebook.com/docs/graph-api",
        100,
        error_subcode=33,
    )


def cloud_api_error(status_code: int, code: int, title: str, details: str) -> GraphError:
    """A WhatsApp Cloud API error: `(#code) title` with the details in `error_data`."""
    return GraphError(
        status_code,
        f"(#{code}) {title}",
        code,
        error_data={"messaging_product": "whatsapp", "details": details},
    )


def throughput_reached() -> GraphError:
    """130429: the number's messages-per-second limit is reached; nothing was sent."""
    return cloud_api_error(400, 130429, "Rate limit hit", "Cloud API message throughput has been reached.")


def pair_rate_hit() -> GraphError:
    """131056: too many messages to the same recipient in a short time; nothing was sent."""
    return cloud_api_error(
        400,
        131056,
        "(Business Account, Consumer Account) pair rate limit hit",
        "Message failed to send because there were too many messages sent from this phone number to the "
        "same phone number in a short period of time.",
    )


def too_many_calls() -> GraphError:
    """An injected HTTP 429: the app's call budget, as Graph words it."""
    return GraphError(429, "(#4) Application request limit reached", 4, is_transient=True)


def server_error() -> GraphError:
    """An injected HTTP 500: Meta's generic "something went wrong", worth a retry."""
    error = cloud_api_error(500, 131000, "Something went wrong", "Something went wrong")
    error.is_transient = True
    return error


def service_unavailable() -> GraphError:
    """An HTTP 503 after a held request: Graph's temporary unavailability."""
    return GraphError(503, "Service temporarily unavailable", 2, is_transient=True)


# Failures Meta reports in a `failed` status webhook (and, for 131047 and 131048, optionally at once):
# title, details.
STATUS_FAILURES: dict[int, tuple[str, str]] = {
    131026: ("Message undeliverable", "Message Undeliverable."),
    # What the sandbox answers beyond the messaging limit (see README "Messaging limit" for why this code).
    131048: (
        "Spam rate limit hit",
        "Message failed to send because there are restrictions on how many messages can be sent from this "
        "phone number.",
    ),
    131047: (
        "Re-engagement message",
        "Message failed to send because more than 24 hours have passed since the customer last replied to this number.",
    ),
}
ERROR_CODES_HREF = "https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/"


def status_error(code: int) -> dict[str, Any]:
    """The `errors[]` item of a failed status, as Meta sends it."""
    title, details = STATUS_FAILURES[code]
    return {
        "code": code,
        "title": title,
        "message": title,
        "error_data": {"details": details},
        "href": ERROR_CODES_HREF,
    }


def window_closed() -> GraphError:
    """131047 answered at once (the `window_error: sync` behaviour)."""
    title, details = STATUS_FAILURES[131047]
    return cloud_api_error(400, 131047, title, details)


def messaging_limit_reached() -> GraphError:
    """131048 answered at once (the `tier_error: sync` behaviour)."""
    title, details = STATUS_FAILURES[131048]
    return cloud_api_error(400, 131048, title, details)


def template_not_found(name: str, language: str) -> GraphError:
    """132001: no approved template of that name in that language."""
    return cloud_api_error(
        404,
        132001,
        "Template name does not exist in the translation",
        f"template name ({name}) does not exist in {language}",
    )


def parameter_count_mismatch(details: str) -> GraphError:
    """132000: a component got more or fewer parameters than the template has placeholders."""
    return cloud_api_error(400, 132000, "Number of parameters does not match the expected number of params", details)


def parameter_format_mismatch(details: str) -> GraphError:
    """132012: a parameter's type is not the one the template declares (e.g. text for an IMAGE header)."""
    return cloud_api_error(400, 132012, "Parameter format does not match format in the created template", details)


def template_paused(name: str) -> GraphError:
    """132015: the template was paused for low quality."""
    return cloud_api_error(400, 132015, "Template is Paused", f"Template {name} is paused due to low quality")


def template_disabled(name: str) -> GraphError:
    """132016: the template was disabled for low quality."""
    return cloud_api_error(400, 132016, "Template is Disabled", f"Template {name} is disabled due to low quality")

"""Twilio REST API errors in Twilio's JSON shape, and the route class that renders them."""

from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Request, Response
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute

_MORE_INFO = "https://www.twilio.com/docs/errors/{code}"


class TwilioError(Exception):
    """A request the REST API refuses; `response()` renders it as Twilio does."""

    def __init__(self, status: int, code: int, message: str, *, detail: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.detail = detail

    def response(self) -> JSONResponse:
        """`{code, message, more_info, status}` (plus `detail` where Twilio gives one)."""
        body: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.detail is not None:
            body["detail"] = self.detail
        body.update(more_info=_MORE_INFO.format(code=self.code), status=self.status)
        headers = {"WWW-Authenticate": 'Basic realm="Twilio API"'} if self.status == 401 else {}
        return JSONResponse(body, status_code=self.status, headers=headers)


class TwilioRoute(APIRoute):
    """Renders a TwilioError raised by the route itself, so the app needs no exception handler for it."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        """Wrap FastAPI's handler with Twilio's error rendering."""
        handler = super().get_route_handler()

        async def handle(request: Request) -> Response:
            try:
                return await handler(request)
            except TwilioError as exc:
                return exc.response()

        return handle


def authenticate() -> TwilioError:
    """20003: missing or wrong HTTP Basic credentials, or an account the credentials do not own."""
    return TwilioError(401, 20003, "Authenticate", detail="Your AccountSid or AuthToken was incorrect.")


def not_found(path: str) -> TwilioError:
    """20404: no such resource."""
    return TwilioError(404, 20404, f"The requested resource {path} was not found")


def too_many_requests() -> TwilioError:
    """20429: the sender's messages-per-second limit, or an injected 429."""
    return TwilioError(429, 20429, "Too Many Requests")


def internal_error() -> TwilioError:
    """20500: an injected server fault."""
    return TwilioError(500, 20500, "An internal server error has occurred")


def service_unavailable() -> TwilioError:
    """20503: the answer after an injected timeout."""
    return TwilioError(503, 20503, "Service Unavailable")


def missing_to() -> TwilioError:
    """21604: no `To`."""
    return TwilioError(400, 21604, "A 'To' phone number is required.")


def missing_from() -> TwilioError:
    """21603: neither `From` nor `MessagingServiceSid`."""
    return TwilioError(400, 21603, "A 'From' phone number is required.")


def invalid_to(to: str) -> TwilioError:
    """21211: `To` is not an E.164 number."""
    return TwilioError(400, 21211, f"The 'To' number {to} is not a valid phone number.")


def invalid_from(sender: str) -> TwilioError:
    """21606: `From` is not a number of this account."""
    return TwilioError(
        400,
        21606,
        f"The 'From' phone number provided ({sender}) is not a valid message-capable Twilio phone number "
        "for this destination.",
    )


def unknown_service(service_sid: str) -> TwilioError:
    """21701: no Messaging Service with this sid in the account (or it has no sender)."""
    return TwilioError(400, 21701, f"The Messaging Service Sid {service_sid} is invalid.")


def missing_body() -> TwilioError:
    """21602: neither `Body` nor `MediaUrl`."""
    return TwilioError(400, 21602, "Message body is required.")


def body_too_long() -> TwilioError:
    """21617: more than 1,600 characters."""
    return TwilioError(400, 21617, "The concatenated message body exceeds the 1600 character limit.")


def unsubscribed() -> TwilioError:
    """21610: the recipient replied STOP to this sender."""
    return TwilioError(400, 21610, "Attempt to send to unsubscribed recipient")

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
    ) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.message = message
        self.code = code
        self.error_data = error_data
        self.error_subcode = error_subcode

    def response(self) -> JSONResponse:
        """The error as Graph's JSON body and status."""
        error: dict[str, Any] = {"message": self.message, "type": "OAuthException", "code": self.code}
        if self.error_data is not None:
            error["error_data"] = self.error_data
        if self.error_subcode is not None:
            error["error_subcode"] = self.error_subcode
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

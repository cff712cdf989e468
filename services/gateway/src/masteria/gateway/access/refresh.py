"""Re-issue the session cookies when a sliding session moved its expiry forward.

A middleware, because the proxy answers with streaming responses that dependencies cannot decorate.
"""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from masteria.gateway.identity.cookies import set_session_cookies
from masteria.gateway.settings import GatewaySettings


class SessionCookieRefresh:
    """Appends fresh ``Set-Cookie`` headers when ``request.state.refresh_session`` is set."""

    def __init__(self, app: ASGIApp, settings: GatewaySettings) -> None:
        self.app, self.settings = app, settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        state = scope.setdefault("state", {})

        async def send_with_cookies(message: Message) -> None:
            refresh = state.get("refresh_session")
            if message["type"] == "http.response.start" and refresh:
                headers = MutableHeaders(scope=message)
                for value in self._cookie_headers(*refresh):
                    headers.append("set-cookie", value)
            await send(message)

        await self.app(scope, receive, send_with_cookies)

    def _cookie_headers(self, token: str, csrf_token: str) -> list[str]:
        carrier = Response()
        set_session_cookies(
            carrier, self.settings, token=token, csrf_token=csrf_token, max_age=self.settings.session_ttl_s
        )
        return [v.decode("latin-1") for k, v in carrier.raw_headers if k == b"set-cookie"]

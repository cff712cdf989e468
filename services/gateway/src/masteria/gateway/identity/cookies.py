"""The session and CSRF cookies: HttpOnly for the session, readable for the CSRF double-submit."""

from __future__ import annotations

from starlette.responses import Response

from masteria.gateway.settings import GatewaySettings


def set_session_cookies(
    response: Response, settings: GatewaySettings, *, token: str, csrf_token: str, max_age: int
) -> None:
    """Give the browser its session and the CSRF token the dashboard echoes in ``X-CSRF-Token``."""
    secure = settings.secure_cookies
    response.set_cookie(
        settings.session_cookie, token, max_age=max_age, path="/", httponly=True, secure=secure, samesite="lax"
    )
    response.set_cookie(
        settings.csrf_cookie, csrf_token, max_age=max_age, path="/", httponly=False, secure=secure, samesite="lax"
    )


def clear_session_cookies(response: Response, settings: GatewaySettings) -> None:
    """Forget the session in the browser."""
    secure = settings.secure_cookies
    for name, httponly in ((settings.session_cookie, True), (settings.csrf_cookie, False)):
        response.delete_cookie(name, path="/", httponly=httponly, secure=secure, samesite="lax")

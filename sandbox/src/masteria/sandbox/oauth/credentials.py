"""Reading client credentials and bearer tokens the ways OAuth clients send them."""

import base64
import binascii
from urllib.parse import unquote_plus

from fastapi import Request

from masteria.sandbox.oauth.store import OAuthError, OAuthStore
from masteria.sandbox.settings import OAuthClientConfig, Provider


def authenticate_client(
    store: OAuthStore, provider: Provider, form: dict[str, str], authorization: str | None
) -> OAuthClientConfig:
    """The client behind HTTP Basic credentials or `client_id`/`client_secret` form fields."""
    # authlib sends client_secret_basic or client_secret_post depending on its configuration.
    basic = _basic_credentials(authorization)
    if basic is not None:
        return _authenticate_basic(store, provider, *basic)
    if form.get("client_id") and form.get("client_secret"):
        return store.authenticate_client(provider, form["client_id"], form["client_secret"])
    raise OAuthError("invalid_client", "client credentials are missing", 401)


def bearer_token(request: Request) -> str | None:
    """The access token from `Authorization: Bearer`, else from the `access_token` query parameter."""
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    # Google and Facebook (Graph) both accept the token as a query parameter too.
    return request.query_params.get("access_token")


def _authenticate_basic(
    store: OAuthStore, provider: Provider, client_id: str, secret: str
) -> OAuthClientConfig:
    # RFC 6749 says to form-encode both parts before base64; many clients (authlib included) do not.
    try:
        return store.authenticate_client(provider, client_id, secret)
    except OAuthError:
        return store.authenticate_client(provider, unquote_plus(client_id), unquote_plus(secret))


def _basic_credentials(authorization: str | None) -> tuple[str, str] | None:
    scheme, _, value = (authorization or "").partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        raise OAuthError("invalid_client", "malformed Basic credentials", 401) from None
    client_id, sep, secret = decoded.partition(":")
    if not sep:
        raise OAuthError("invalid_client", "malformed Basic credentials", 401)
    return client_id, secret

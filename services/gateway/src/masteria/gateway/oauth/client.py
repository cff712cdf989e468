"""The OAuth 2.0 code flow against a provider, through authlib's httpx client."""

from __future__ import annotations

import warnings

from authlib.deprecate import AuthlibDeprecationWarning
from authlib.oauth2.rfc6749.parameters import prepare_grant_uri

from masteria.gateway.oauth.providers import PROFILE_READERS, ExternalProfile
from masteria.gateway.settings import OAuthProviderConfig

with warnings.catch_warnings():
    # Recent authlib prefers its httpx2 fork and warns on plain httpx, which it still fully supports;
    # the workspace standardises on httpx.
    warnings.simplefilter("ignore", AuthlibDeprecationWarning)
    from authlib.integrations.httpx_client import AsyncOAuth2Client


def authorization_url(config: OAuthProviderConfig, redirect_uri: str, state: str) -> str:
    """Where to send the browser to ask the provider for consent."""
    url: str = prepare_grant_uri(
        config.authorize_url,
        client_id=config.client_id,
        response_type="code",
        redirect_uri=redirect_uri,
        scope=config.scope,
        state=state,
    )
    return url


async def fetch_profile(
    config: OAuthProviderConfig, code: str, redirect_uri: str, *, timeout_s: float
) -> ExternalProfile:
    """Trade the code for a token, then read the user's profile."""
    async with AsyncOAuth2Client(
        client_id=config.client_id,
        client_secret=config.client_secret,
        # client_secret_post works with Google, Facebook (which needs it) and the sandbox alike.
        token_endpoint_auth_method="client_secret_post",  # noqa: S106 - a method name
        redirect_uri=redirect_uri,
        timeout=timeout_s,
    ) as client:
        await client.fetch_token(config.token_url, code=code, grant_type="authorization_code")
        response = await client.get(config.userinfo_url)
        response.raise_for_status()
        return PROFILE_READERS[config.name](response.json())

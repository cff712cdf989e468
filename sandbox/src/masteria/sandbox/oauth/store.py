"""Clients, current users, authorization codes and access tokens of the OAuth stand-in."""

import base64
import hashlib
import hmac
import secrets
import threading
import time
from dataclasses import dataclass, replace
from typing import Any

from masteria.sandbox.settings import OAuthClientConfig, Provider

CODE_TTL_S = 600.0
TOKEN_TTL_S = 3600


class OAuthError(Exception):
    """An RFC 6749 error answer (`{"error": ..., "error_description": ...}`)."""

    def __init__(self, error: str, description: str, status_code: int = 400) -> None:
        super().__init__(f"{error}: {description}")
        self.error = error
        self.description = description
        self.status_code = status_code


@dataclass(frozen=True, slots=True)
class OAuthUser:
    """The person who logs in at the provider."""

    id: str
    email: str
    name: str
    picture: str | None = None
    email_verified: bool = True

    def to_json(self) -> dict[str, Any]:
        """The user as the control API shows it."""
        return {
            "id": self.id,
            "email": self.email,
            "name": self.name,
            "picture": self.picture,
            "email_verified": self.email_verified,
        }


DEFAULT_USERS: dict[Provider, OAuthUser] = {
    "google": OAuthUser("sandbox-google-1", "maria@example.com", "Maria Sandbox"),
    "facebook": OAuthUser("sandbox-fb-1", "maria@example.com", "Maria Sandbox"),
}


@dataclass(frozen=True, slots=True)
class Grant:
    """What a code stands for: who consented, to which client, for which redirect and scope."""

    provider: Provider
    client_id: str
    redirect_uri: str
    scope: str
    user: OAuthUser
    nonce: str | None = None
    code_challenge: str | None = None
    code_challenge_method: str | None = None


@dataclass(frozen=True, slots=True)
class AccessToken:
    """An issued bearer token."""

    token: str
    grant: Grant
    expires_at: float


@dataclass(frozen=True, slots=True)
class _PendingCode:
    grant: Grant
    expires_at: float


class OAuthStore:
    """Every piece of OAuth state; a lock makes it safe from any thread, and no method awaits."""

    def __init__(self, clients: list[OAuthClientConfig] | None = None) -> None:
        self._lock = threading.Lock()
        # Keyed by provider too: one app commonly uses the same client id at Google and at Facebook.
        self._clients: dict[tuple[Provider, str], OAuthClientConfig] = {
            (c.provider, c.client_id): c for c in clients or []
        }
        self._users: dict[Provider, OAuthUser] = dict(DEFAULT_USERS)
        self._codes: dict[str, _PendingCode] = {}
        # Redeemed codes remember their tokens: replaying a code revokes them (RFC 6749 section 4.1.2).
        self._redeemed: dict[str, list[str]] = {}
        self._tokens: dict[str, AccessToken] = {}

    def register_client(self, client: OAuthClientConfig) -> None:
        """Add or replace a client."""
        with self._lock:
            self._clients[client.provider, client.client_id] = client

    def clients(self) -> list[OAuthClientConfig]:
        """Every registered client."""
        with self._lock:
            return list(self._clients.values())

    def client(self, provider: Provider, client_id: str | None) -> OAuthClientConfig | None:
        """The client with this id at `provider`, if registered."""
        with self._lock:
            return self._clients.get((provider, client_id or ""))

    def authenticate_client(self, provider: Provider, client_id: str, secret: str) -> OAuthClientConfig:
        """The client whose credentials these are, or `invalid_client`."""
        client = self.client(provider, client_id)
        if client is None or not hmac.compare_digest(secret.encode(), client.client_secret.encode()):
            raise OAuthError("invalid_client", "client authentication failed", 401)
        return client

    def set_user(self, provider: Provider, user: OAuthUser) -> None:
        """Choose who is logged in at the provider from now on."""
        with self._lock:
            self._users[provider] = user

    def current_user(self, provider: Provider) -> OAuthUser:
        """Who is logged in at the provider."""
        with self._lock:
            return self._users[provider]

    def issue_code(self, grant: Grant) -> str:
        """A single-use authorization code for `grant`."""
        code = secrets.token_urlsafe(24)
        with self._lock:
            self._codes[code] = _PendingCode(grant, time.monotonic() + CODE_TTL_S)
        return code

    def redeem(
        self, code: str, client_id: str, redirect_uri: str | None, verifier: str | None
    ) -> AccessToken:
        """Exchange a code for a token, once; anything amiss is `invalid_grant`."""
        with self._lock:
            pending = self._codes.pop(code, None)
            if pending is None:
                self._revoke_replayed(code)
                raise OAuthError("invalid_grant", "the code is unknown, expired or already used")
            self._check_grant(pending, client_id, redirect_uri, verifier)
            token = AccessToken(secrets.token_urlsafe(32), pending.grant, time.monotonic() + TOKEN_TTL_S)
            self._tokens[token.token] = token
            self._redeemed[code] = [token.token]
            return token

    def token(self, provider: Provider, value: str | None) -> AccessToken | None:
        """The live token with this value, if it was issued by `provider`."""
        with self._lock:
            token = self._tokens.get(value or "")
        if token is None or token.grant.provider != provider or token.expires_at < time.monotonic():
            return None
        return token

    def _revoke_replayed(self, code: str) -> None:
        for value in self._redeemed.pop(code, []):
            self._tokens.pop(value, None)

    @staticmethod
    def _check_grant(
        pending: _PendingCode, client_id: str, redirect_uri: str | None, verifier: str | None
    ) -> None:
        grant = pending.grant
        if pending.expires_at < time.monotonic():
            raise OAuthError("invalid_grant", "the code has expired")
        if grant.client_id != client_id:
            raise OAuthError("invalid_grant", "the code was issued to another client")
        if redirect_uri != grant.redirect_uri:
            raise OAuthError("invalid_grant", "redirect_uri does not match the authorization request")
        if grant.code_challenge is not None and not _pkce_matches(grant, verifier):
            raise OAuthError("invalid_grant", "code_verifier does not match the code_challenge")


def _pkce_matches(grant: Grant, verifier: str | None) -> bool:
    if verifier is None or grant.code_challenge is None:
        return False
    if grant.code_challenge_method == "S256":
        digest = hashlib.sha256(verifier.encode("ascii", "replace")).digest()
        expected = base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")
    else:
        expected = verifier
    return hmac.compare_digest(expected.encode(), grant.code_challenge.encode())


def with_picture(user: OAuthUser, picture: str) -> OAuthUser:
    """The user with a picture URL filled in when none was set."""
    return user if user.picture else replace(user, picture=picture)

"""OpenID Connect for the Google stand-in: discovery document, signing keys and ID tokens."""

import secrets
import threading
import time
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from masteria.sandbox.oauth.store import TOKEN_TTL_S, AccessToken


class OidcIssuer:
    """Signs ID tokens with a key made when first needed (RSA generation costs ~0.1 s)."""

    def __init__(self, issuer: str) -> None:
        self.issuer = issuer
        self._lock = threading.Lock()
        self._key: rsa.RSAPrivateKey | None = None
        self._kid = secrets.token_hex(8)

    def discovery(self) -> dict[str, Any]:
        """The `.well-known/openid-configuration` document, as authlib's `server_metadata_url` reads it."""
        return {
            "issuer": self.issuer,
            "authorization_endpoint": f"{self.issuer}/authorize",
            "token_endpoint": f"{self.issuer}/token",
            "userinfo_endpoint": f"{self.issuer}/userinfo",
            "jwks_uri": f"{self.issuer}/jwks",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "scopes_supported": ["openid", "email", "profile"],
            "token_endpoint_auth_methods_supported": ["client_secret_post", "client_secret_basic"],
            "grant_types_supported": ["authorization_code"],
            "code_challenge_methods_supported": ["plain", "S256"],
            "claims_supported": [
                "aud", "email", "email_verified", "exp", "iat", "iss", "name", "picture", "sub"
            ],
        }

    def jwks(self) -> dict[str, Any]:
        """The public signing key as a JWK set."""
        jwk = RSAAlgorithm.to_jwk(self._private_key().public_key(), as_dict=True)
        return {"keys": [{**jwk, "kid": self._kid, "use": "sig", "alg": "RS256"}]}

    def id_token(self, token: AccessToken, picture: str | None) -> str:
        """An RS256 ID token for the user behind `token`, addressed to its client."""
        grant, now = token.grant, int(time.time())
        claims: dict[str, Any] = {
            "iss": self.issuer,
            "aud": grant.client_id,
            "azp": grant.client_id,
            "sub": grant.user.id,
            "email": grant.user.email,
            "email_verified": grant.user.email_verified,
            "name": grant.user.name,
            "picture": picture,
            "iat": now,
            "exp": now + TOKEN_TTL_S,
        }
        if grant.nonce is not None:
            claims["nonce"] = grant.nonce
        return jwt.encode(claims, self._private_key(), algorithm="RS256", headers={"kid": self._kid})

    def _private_key(self) -> rsa.RSAPrivateKey:
        with self._lock:
            if self._key is None:
                self._key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
            return self._key

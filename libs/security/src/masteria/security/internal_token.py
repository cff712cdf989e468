"""Short-lived Ed25519-signed tokens the gateway gives each request it forwards.

Services hold only the public key: a compromised service cannot mint tokens for other tenants.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

ISSUER = "masteria-gateway"
ROLES = ("owner", "admin", "agent", "viewer")


class InvalidInternalToken(Exception):  # noqa: N818 - reads as a sentence at the raise site
    """The token is missing, expired, forged or meant for another audience."""


@dataclass(frozen=True)
class Identity:
    """Who is asking, on behalf of which tenant, with which roles and scopes."""

    tenant_id: uuid.UUID
    user_id: uuid.UUID | None
    roles: tuple[str, ...]
    scopes: tuple[str, ...] = field(default_factory=tuple)
    api_key_id: uuid.UUID | None = None

    def has_role(self, *roles: str) -> bool:
        """True when the identity holds any of ``roles``."""
        return any(role in self.roles for role in roles)


def generate_keypair() -> tuple[str, str]:
    """A new (private PEM, public PEM) pair for the gateway and the services."""
    key = Ed25519PrivateKey.generate()
    private = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    public = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode()
    return private, public


@dataclass(frozen=True)
class InternalTokenIssuer:
    """Mints tokens; lives in the gateway only."""

    private_key_pem: str
    ttl_seconds: int = 60

    def issue(self, identity: Identity, *, audience: str) -> str:
        """A token for one hop to ``audience`` (a service name)."""
        now = int(time.time())
        claims: dict[str, object] = {
            "iss": ISSUER,
            "aud": audience,
            "iat": now,
            "exp": now + self.ttl_seconds,
            "tid": str(identity.tenant_id),
            "sub": str(identity.user_id) if identity.user_id else None,
            "roles": list(identity.roles),
            "scp": list(identity.scopes),
            "akid": str(identity.api_key_id) if identity.api_key_id else None,
        }
        return jwt.encode(claims, self.private_key_pem, algorithm="EdDSA")


@dataclass(frozen=True)
class InternalTokenVerifier:
    """Checks tokens; every service has one with the gateway's public key."""

    public_key_pem: str
    audience: str
    leeway_seconds: int = 5

    def verify(self, token: str) -> Identity:
        """Decode and validate, or raise :class:`InvalidInternalToken`."""
        try:
            claims = jwt.decode(
                token,
                self.public_key_pem,
                algorithms=["EdDSA"],
                audience=self.audience,
                issuer=ISSUER,
                leeway=self.leeway_seconds,
                options={"require": ["exp", "iat", "aud", "iss", "tid"]},
            )
            return Identity(
                tenant_id=uuid.UUID(claims["tid"]),
                user_id=uuid.UUID(claims["sub"]) if claims.get("sub") else None,
                roles=tuple(r for r in claims.get("roles", []) if r in ROLES),
                scopes=tuple(claims.get("scp", [])),
                api_key_id=uuid.UUID(claims["akid"]) if claims.get("akid") else None,
            )
        except (jwt.PyJWTError, ValueError, KeyError) as exc:
            raise InvalidInternalToken(str(exc)) from exc

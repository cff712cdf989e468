"""Development secrets, generated once per state directory and never committed."""

from __future__ import annotations

import base64
import json
import os
import secrets
from dataclasses import asdict, dataclass
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from .paths import var_dir


@dataclass(frozen=True)
class DevSecrets:
    """The keyring that seals secrets at rest and the gateway's token key pair."""

    secret_keys: str
    internal_token_private_key: str
    internal_token_public_key: str
    oauth_client_secret: str

    @classmethod
    def generate(cls) -> DevSecrets:
        """Fresh secrets (tests use these, never the developer's)."""
        key = Ed25519PrivateKey.generate()
        private = key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        ).decode()
        public = key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        ).decode()
        aes = base64.b64encode(os.urandom(32)).decode()
        return cls(f"dev1:{aes}", private, public, secrets.token_urlsafe(24))

    @classmethod
    def load_or_create(cls, path: Path | None = None) -> DevSecrets:
        """The state directory's secrets, created on first use with owner-only permissions."""
        path = path or var_dir() / "secrets.json"
        if path.exists():
            return cls(**json.loads(path.read_text()))
        made = cls.generate()
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch(mode=0o600)
        path.write_text(json.dumps(asdict(made), indent=2))
        return made

"""Development secrets, generated once per state directory and never committed."""

from __future__ import annotations

import json
import secrets
from dataclasses import asdict, dataclass
from pathlib import Path

from masteria.security.internal_token import generate_keypair
from masteria.security.secretbox import generate_key

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
        private, public = generate_keypair()
        return cls(f"dev1:{generate_key()}", private, public, secrets.token_urlsafe(24))

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

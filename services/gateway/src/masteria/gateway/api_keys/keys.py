"""The API key format, pure: ``mia_<prefix>_<secret>``.

The prefix (public, shown in lists) finds the row; the secret carries 256 random bits, so a plain
sha256 of the whole key is a safe verifier (no slow hash needed: there is nothing to brute-force).
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass

from masteria.gateway.identity.tokens import digest

SCHEME = "mia"
_PREFIX_BYTES = 6  # 12 hex characters: collisions are retried, enumeration is pointless
_KEY = re.compile(r"^mia_(?P<prefix>[0-9a-f]{12})_(?P<secret>[A-Za-z0-9_-]{43})$")


@dataclass(frozen=True)
class NewKey:
    """A freshly minted key; ``plaintext`` is shown to the user once and never stored."""

    prefix: str
    plaintext: str
    key_hash: str


def mint() -> NewKey:
    """A new random key."""
    prefix = secrets.token_hex(_PREFIX_BYTES)
    plaintext = f"{SCHEME}_{prefix}_{secrets.token_urlsafe(32)}"
    return NewKey(prefix, plaintext, digest(plaintext))


def prefix_of(key: str) -> str | None:
    """The prefix of a well-formed key, or None."""
    match = _KEY.match(key)
    return match["prefix"] if match else None


def looks_like_key(token: str) -> bool:
    """True for anything in our key namespace (well-formed or not)."""
    return token.startswith(f"{SCHEME}_")

"""Content-addressed keys that name their tenant: ``<tenant uuid>/<sha256[:2]>/<sha256>``.

The tenant comes first so a reader can check ownership from the key alone (``tenant_of``) and a
bucket or directory can be listed, copied or erased per tenant. The two-character fan-out keeps
any one directory small. Keys are parsed strictly (canonical lowercase UUID and hex) because
they become file paths and object names: a key that parses can never climb out of its root.
"""

from __future__ import annotations

import hashlib
import re
from typing import NamedTuple
from uuid import UUID

from .errors import InvalidMediaKeyError

_SHA256_HEX = re.compile(r"[0-9a-f]{64}")


class MediaKey(NamedTuple):
    """A parsed key."""

    tenant: UUID
    sha256: str

    def __str__(self) -> str:
        return f"{self.tenant}/{self.sha256[:2]}/{self.sha256}"


def sha256_hex(data: bytes) -> str:
    """The lowercase hex SHA-256 of the bytes (the content address)."""
    return hashlib.sha256(data).hexdigest()


def media_key(tenant: UUID, sha256: str) -> str:
    """The key of a tenant's file with this SHA-256."""
    if not _SHA256_HEX.fullmatch(sha256):
        raise ValueError(f"not a lowercase hex SHA-256: {sha256!r}")
    return str(MediaKey(tenant, sha256))


def parse_key(key: str) -> MediaKey:
    """Split a key into tenant and SHA-256; InvalidMediaKeyError (a ValueError) when malformed."""
    parts = key.split("/")
    if len(parts) != 3:
        raise InvalidMediaKeyError(key, "expected <tenant>/<sha256[:2]>/<sha256>")
    tenant_text, fan_out, digest = parts
    try:
        tenant = UUID(tenant_text)
    except ValueError:
        raise InvalidMediaKeyError(key, "the first segment is not a tenant id") from None
    # One spelling per tenant, or two keys could name the same file and a prefix check could be fooled.
    if str(tenant) != tenant_text:
        raise InvalidMediaKeyError(key, "the tenant id is not in canonical lowercase form")
    if not _SHA256_HEX.fullmatch(digest):
        raise InvalidMediaKeyError(key, "the last segment is not a lowercase hex SHA-256")
    if fan_out != digest[:2]:
        raise InvalidMediaKeyError(key, "the middle segment is not the first two characters of the SHA-256")
    return MediaKey(tenant, digest)


def tenant_of(key: str) -> UUID:
    """The tenant a key belongs to; ValueError on a malformed key."""
    return parse_key(key).tenant


def belongs_to(key: str, tenant: UUID) -> bool:
    """Whether the key is well formed and names this tenant (the check before serving a file)."""
    try:
        return parse_key(key).tenant == tenant
    except InvalidMediaKeyError:
        return False

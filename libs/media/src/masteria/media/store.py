"""The store interface every backend implements, and the checks they share before writing."""

from __future__ import annotations

import asyncio
import unicodedata
from dataclasses import dataclass, field
from pathlib import PureWindowsPath
from typing import Protocol, runtime_checkable
from uuid import UUID

from .content_types import DEFAULT_CONTENT_TYPE, normalize_content_type
from .errors import EmptyMediaError, MediaTooLargeError
from .keys import media_key, sha256_hex

# 100 MiB: WhatsApp's largest attachment (documents) is 100 MB, so no channel's file is refused here.
DEFAULT_MAX_BYTES = 100 * 1024 * 1024
# File systems cap a name at 255 bytes; S3 caps all user metadata at 2 KB (the name is sent percent-encoded).
_MAX_FILENAME_BYTES = 255
# SHA-256 runs at roughly 0.5-2 GB/s: below this a thread hop costs more than the hash holds the loop.
_HASH_INLINE_BELOW = 256 * 1024


@dataclass(frozen=True, slots=True)
class StoredMedia:
    """What ``put`` stored: the key to put in events, and the file's facts as the store keeps them."""

    key: str
    sha256: str
    size_bytes: int
    content_type: str
    filename: str | None


@dataclass(frozen=True, slots=True)
class MediaObject:
    """A file read back from the store."""

    key: str
    data: bytes = field(repr=False)
    content_type: str
    filename: str | None

    @property
    def size_bytes(self) -> int:
        """The file's length."""
        return len(self.data)


@runtime_checkable
class MediaStore(Protocol):
    """Content-addressed file storage shared by every service that handles media.

    The same bytes put twice by one tenant give the same key and are stored once; the first
    put's content type and filename are the ones kept (and returned by later puts), so ``get``
    always agrees with what ``put`` reported.
    """

    max_bytes: int

    async def put(self, tenant: UUID, data: bytes, *, content_type: str, filename: str | None) -> StoredMedia:
        """Store a tenant's file; MediaTooLargeError above ``max_bytes``, EmptyMediaError for no bytes."""
        ...

    async def get(self, key: str) -> MediaObject:
        """The file under the key; MediaNotFoundError when there is none, InvalidMediaKeyError when malformed."""
        ...

    async def exists(self, key: str) -> bool:
        """Whether a file is stored under the key; InvalidMediaKeyError when malformed."""
        ...

    async def aclose(self) -> None:
        """Release connections; the store cannot be used afterwards."""
        ...


def check_size(size_bytes: int, max_bytes: int) -> None:
    """Refuse an empty file or one above the limit (call it early, e.g. on Content-Length)."""
    if size_bytes <= 0:
        raise EmptyMediaError()
    if size_bytes > max_bytes:
        raise MediaTooLargeError(size_bytes, max_bytes)


def clean_filename(filename: str | None) -> str | None:
    """The name worth keeping: no directories, no control characters, at most 255 UTF-8 bytes.

    Browsers on Windows send ``C:\\fakepath\\x.pdf`` and providers send whatever the sender's
    phone called the file; only the last segment is meaningful and it is shown back to users.
    """
    if filename is None:
        return None
    name = PureWindowsPath(filename).name  # splits on both "/" and "\"
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip()
    if name in {"", ".", ".."}:
        return None
    encoded = unicodedata.normalize("NFC", name).encode()
    if len(encoded) > _MAX_FILENAME_BYTES:
        encoded = encoded[:_MAX_FILENAME_BYTES]
    return encoded.decode(errors="ignore")


async def describe_put_off_loop(
    tenant: UUID, data: bytes, content_type: str | None, filename: str | None, max_bytes: int
) -> StoredMedia:
    """``describe_put`` with the hashing of a large file in a worker thread (hashlib releases the GIL)."""
    check_size(len(data), max_bytes)
    if len(data) < _HASH_INLINE_BELOW:
        return describe_put(tenant, data, content_type, filename, max_bytes)
    return await asyncio.to_thread(describe_put, tenant, data, content_type, filename, max_bytes)


def describe_put(
    tenant: UUID, data: bytes, content_type: str | None, filename: str | None, max_bytes: int
) -> StoredMedia:
    """Check a put and compute what it stores: key, digest, normalised type and name (shared by backends)."""
    check_size(len(data), max_bytes)
    digest = sha256_hex(data)
    blank = content_type is None or not content_type.strip()
    return StoredMedia(
        key=media_key(tenant, digest),
        sha256=digest,
        size_bytes=len(data),
        content_type=DEFAULT_CONTENT_TYPE if blank else normalize_content_type(content_type or ""),
        filename=clean_filename(filename),
    )

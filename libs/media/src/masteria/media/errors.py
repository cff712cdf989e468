"""What the media store raises; each error is also the builtin a caller would naturally catch."""

from __future__ import annotations


class MediaError(Exception):
    """Base of every media store error."""


class InvalidMediaKeyError(MediaError, ValueError):
    """A key that is not ``<tenant uuid>/<sha256[:2]>/<sha256>``; never reaches the disk or the bucket."""

    def __init__(self, key: str, reason: str) -> None:
        super().__init__(f"malformed media key {key!r}: {reason}")
        self.key = key
        self.reason = reason


class MediaNotFoundError(MediaError, LookupError):
    """No object is stored under the key."""

    def __init__(self, key: str) -> None:
        super().__init__(f"no media stored under {key!r}")
        self.key = key


class MediaTooLargeError(MediaError, ValueError):
    """The file is above the configured limit (MEDIA_MAX_BYTES)."""

    def __init__(self, size_bytes: int, max_bytes: int) -> None:
        super().__init__(
            f"the file has {size_bytes} bytes, above the media limit of {max_bytes} bytes (MEDIA_MAX_BYTES)"
        )
        self.size_bytes = size_bytes
        self.max_bytes = max_bytes


class EmptyMediaError(MediaError, ValueError):
    """A zero-byte file: always a failed upload or download, never media worth keeping."""

    def __init__(self) -> None:
        super().__init__("the file is empty (0 bytes)")


class UnsupportedMediaTypeError(MediaError, ValueError):
    """The content type is malformed, not allowed, or contradicted by the file's own bytes."""


class MediaStoreConfigError(MediaError, ValueError):
    """The store URL or its options cannot name a store (unknown scheme, missing bucket, relative path)."""


class MediaStoreClosedError(MediaError, RuntimeError):
    """The store was closed with ``aclose()`` and cannot be used again."""

    def __init__(self) -> None:
        super().__init__("the media store is closed")

"""Media on a local (or mounted network) disk: the default, needs nothing running.

Layout under the root: ``<tenant>/<sha256[:2]>/<sha256>`` holds the bytes and a sidecar
``<sha256>.json`` beside it holds ``{"content_type", "filename"}``. Every file appears whole or
not at all: it is written to a temporary name in the same directory, flushed, then hard-linked
into place, and a link never replaces an existing name, so a stored file is never overwritten
(concurrent puts of the same bytes race harmlessly: the first link wins). The sidecar is
published before the bytes, so a visible file always has its metadata.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import tempfile
from dataclasses import replace
from pathlib import Path
from uuid import UUID

from .content_types import DEFAULT_CONTENT_TYPE
from .errors import MediaNotFoundError, MediaStoreClosedError, MediaStoreConfigError
from .keys import parse_key
from .store import DEFAULT_MAX_BYTES, MediaObject, StoredMedia, check_size, describe_put

# Group-readable so services sharing a volume through a common group (Kubernetes fsGroup) can read each other's files.
_FILE_MODE = 0o640


class LocalMediaStore:
    """A MediaStore in a directory; disk I/O runs in worker threads, off the event loop."""

    def __init__(self, root: Path, *, max_bytes: int = DEFAULT_MAX_BYTES) -> None:
        if not root.is_absolute():
            raise MediaStoreConfigError(f"the media directory must be an absolute path, got {str(root)!r}")
        self.root = root
        self.max_bytes = max_bytes
        self._closed = False

    def __repr__(self) -> str:
        return f"LocalMediaStore({str(self.root)!r})"

    async def put(self, tenant: UUID, data: bytes, *, content_type: str, filename: str | None) -> StoredMedia:
        """Store the bytes unless this tenant already has them; the stored type and name win."""
        self._check_open()
        check_size(len(data), self.max_bytes)  # refuse before a thread hop
        return await asyncio.to_thread(self._put, tenant, data, content_type, filename)

    async def get(self, key: str) -> MediaObject:
        """The bytes and metadata under the key."""
        self._check_open()
        path = self._path(key)
        return await asyncio.to_thread(self._get, key, path)

    async def exists(self, key: str) -> bool:
        """Whether the key's file is on disk."""
        self._check_open()
        path = self._path(key)
        return await asyncio.to_thread(path.is_file)

    async def aclose(self) -> None:
        """Nothing to release; later calls are refused like on any closed store."""
        self._closed = True

    def path_of(self, key: str) -> Path:
        """Where the key's bytes live (for tests and operators)."""
        return self._path(key)

    def _check_open(self) -> None:
        if self._closed:
            raise MediaStoreClosedError()

    def _path(self, key: str) -> Path:
        # parse_key refuses anything but uuid/hex/hex, so the path cannot leave the root.
        return self.root / str(parse_key(key))

    def _put(self, tenant: UUID, data: bytes, content_type: str, filename: str | None) -> StoredMedia:
        # Hashing a large file is CPU work that would hold the event loop: it runs here, in the thread.
        intended = describe_put(tenant, data, content_type, filename, self.max_bytes)
        path = self._path(intended.key)
        if not path.is_file():
            path.parent.mkdir(parents=True, exist_ok=True)
            sidecar = {"content_type": intended.content_type, "filename": intended.filename}
            _publish(_sidecar_of(path), json.dumps(sidecar, ensure_ascii=False).encode())
            _publish(path, data)
        content_type, filename = _read_sidecar(path)
        return replace(intended, content_type=content_type, filename=filename)

    def _get(self, key: str, path: Path) -> MediaObject:
        try:
            data = path.read_bytes()
        except (FileNotFoundError, NotADirectoryError):
            raise MediaNotFoundError(key) from None
        content_type, filename = _read_sidecar(path)
        return MediaObject(key=key, data=data, content_type=content_type, filename=filename)


def _sidecar_of(path: Path) -> Path:
    return path.with_name(f"{path.name}.json")


def _read_sidecar(path: Path) -> tuple[str, str | None]:
    try:
        meta = json.loads(_sidecar_of(path).read_bytes())
    except (FileNotFoundError, ValueError):
        # Only a hand-copied file lacks a readable sidecar; serve its bytes as untyped rather than lose them.
        return DEFAULT_CONTENT_TYPE, None
    filename = meta.get("filename")
    return str(meta.get("content_type") or DEFAULT_CONTENT_TYPE), filename if isinstance(filename, str) else None


def _publish(target: Path, payload: bytes) -> None:
    """Make ``target`` hold ``payload`` atomically, leaving an existing ``target`` untouched."""
    # The temporary name starts with a dot, which no key segment can, so it never collides with a key.
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, _FILE_MODE)
        try:
            os.link(tmp, target)
        except FileExistsError:
            pass  # same key, same bytes: the earlier file stays
        except OSError:
            # A file system without hard links: rename is still atomic; only a concurrent twin may replace it.
            if not target.exists():
                os.replace(tmp, target)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)

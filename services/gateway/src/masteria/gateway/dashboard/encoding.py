"""Compressed bodies for the dashboard's text files: a precompressed sibling if the build has one
(``app.js.br``, ``app.js.gz``), else gzip made once per file version, off the event loop, and kept.

Hashed assets never change, so the work is done once per release rather than once per visitor,
which is why this is not Starlette's GZipMiddleware (per response, on the event loop).
"""

from __future__ import annotations

import asyncio
import gzip
import os
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

# Below this a compressed body saves less than the header costs; images and fonts are compressed already.
MIN_SIZE = 1024
COMPRESSIBLE_TYPES = frozenset(
    {"application/json", "application/manifest+json", "image/svg+xml", "application/wasm", "application/xml"}
)
PRECOMPRESSED = (("br", ".br"), ("gzip", ".gz"))  # in order of preference
GZIP_LEVEL = 6  # zlib's default: most of level 9's ratio at a fraction of its time


def compressible(content_type: str, size: int) -> bool:
    """Worth compressing: a text-like type and a body of at least :data:`MIN_SIZE` bytes."""
    return size >= MIN_SIZE and (content_type.startswith("text/") or content_type in COMPRESSIBLE_TYPES)


def accepted_codings(accept_encoding: str) -> frozenset[str]:
    """The content codings an ``Accept-Encoding`` header allows (``q=0`` refuses one; ``*`` is ignored)."""
    codings = set()
    for item in accept_encoding.lower().split(","):
        name, _, params = item.partition(";")
        key, _, value = params.strip().partition("=")
        try:
            weight = float(value) if key.strip() == "q" else 1.0
        except ValueError:
            continue
        if name.strip() and weight > 0:
            codings.add(name.strip())
    return frozenset(codings)


def precompressed(path: Path, codings: frozenset[str]) -> tuple[str, Path, os.stat_result] | None:
    """(coding, file, stat) of the best precompressed sibling the client accepts (blocking)."""
    for coding, suffix in PRECOMPRESSED:
        if coding in codings:
            sibling = path.with_name(path.name + suffix)
            try:
                stat = sibling.stat()
            except OSError:
                continue
            return coding, sibling, stat
    return None


@dataclass(frozen=True)
class _Key:
    path: str
    mtime_ns: int
    size: int


class GzipCache:
    """Gzip bodies by file version, least recently used dropped first beyond ``max_bytes``."""

    def __init__(self, max_bytes: int = 32 * 1024 * 1024) -> None:
        self.max_bytes = max_bytes
        self._bodies: OrderedDict[_Key, bytes] = OrderedDict()
        self._size = 0

    async def body(self, path: Path, stat: os.stat_result) -> bytes:
        """The gzip of ``path`` as it is at ``stat`` (a rebuilt file is a new key)."""
        key = _Key(str(path), stat.st_mtime_ns, stat.st_size)
        cached = self._bodies.get(key)
        if cached is not None:
            self._bodies.move_to_end(key)
            return cached
        # Two first visitors may both compress: harmless, and cheaper than a lock per file.
        body = await asyncio.to_thread(_gzip_file, path)
        self._remember(key, body)
        return body

    def _remember(self, key: _Key, body: bytes) -> None:
        if len(body) > self.max_bytes:
            return
        if key not in self._bodies:
            self._size += len(body)
        self._bodies[key] = body
        while self._size > self.max_bytes:
            _, dropped = self._bodies.popitem(last=False)
            self._size -= len(dropped)


def _gzip_file(path: Path) -> bytes:
    # mtime=0: the same file always compresses to the same bytes, so the ETag stays honest.
    return gzip.compress(path.read_bytes(), compresslevel=GZIP_LEVEL, mtime=0)

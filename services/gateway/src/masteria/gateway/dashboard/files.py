"""Which file a URL path names inside the build folder, and how it may be cached; never a path outside it."""

from __future__ import annotations

import mimetypes
import os
import stat
from dataclasses import dataclass
from pathlib import Path

INDEX = "index.html"
ASSETS = "assets"
# Paths the dashboard never owns: a miss there is the API's 404 (problem+json), not the SPA's page.
RESERVED = frozenset({"api", "auth", "webhooks", "health", "ready", "metrics"})

# Vite names everything under assets/ by content hash: a changed file is a new URL. Everything else
# (index.html, sw.js, manifest.webmanifest, icons) keeps its name, so the browser revalidates it by
# ETag every time: a stale index.html or sw.js would pin users to an old release.
IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"

# Explicit where Python's table is wrong or missing (3.11 says application/javascript for .js and
# knows no .webmanifest); RFC 9239 makes text/javascript the JavaScript type.
CONTENT_TYPES = {
    ".js": "text/javascript",
    ".mjs": "text/javascript",
    ".css": "text/css",
    ".html": "text/html",
    ".json": "application/json",
    ".map": "application/json",
    ".webmanifest": "application/manifest+json",
    ".svg": "image/svg+xml",
    ".ico": "image/x-icon",
    ".png": "image/png",
    ".webp": "image/webp",
    ".woff2": "font/woff2",
    ".woff": "font/woff",
    ".wasm": "application/wasm",
    ".txt": "text/plain",
}
_ALLOWED_DOT_DIR = ".well-known"


@dataclass(frozen=True)
class Found:
    """A file that may be served, with its path relative to the build folder."""

    path: Path
    relative: str
    stat: os.stat_result

    @property
    def cache_control(self) -> str:
        """Immutable for hashed assets, revalidate for the rest."""
        return IMMUTABLE if self.relative.startswith(f"{ASSETS}/") else REVALIDATE

    @property
    def content_type(self) -> str:
        """The media type by extension."""
        suffix = self.path.suffix.lower()
        return CONTENT_TYPES.get(suffix) or mimetypes.guess_type(self.path.name)[0] or "application/octet-stream"


def first_segment(url_path: str) -> str:
    """``api`` for ``/api/v1/x``; empty for ``/``."""
    return url_path.lstrip("/").split("/", 1)[0]


def is_reserved(url_path: str) -> bool:
    """True for paths under a prefix the gateway's other routes own."""
    return first_segment(url_path) in RESERVED


def is_asset(url_path: str) -> bool:
    """True under ``/assets``, where a miss is a 404 rather than the SPA page."""
    return first_segment(url_path) == ASSETS


def _safe_parts(relative: str) -> list[str] | None:
    """The path's segments, or None when one could climb out or reach a hidden file."""
    if not relative or "\x00" in relative or "\\" in relative:
        return None
    parts = relative.split("/")
    for part in parts:
        if part in ("", ".", "..") or (part.startswith(".") and part != _ALLOWED_DOT_DIR):
            return None
    return parts


def lookup(dist: Path, url_path: str) -> Found | None:
    """The regular file ``url_path`` names inside ``dist``, or None (blocking: run it in a thread)."""
    parts = _safe_parts(url_path.lstrip("/"))
    if parts is None:
        return None
    root = dist.resolve()
    # resolve() follows symlinks, so a link pointing out of the folder is refused here too.
    candidate = root.joinpath(*parts).resolve()
    if not candidate.is_relative_to(root):
        return None
    try:
        found = candidate.stat()
    except OSError:
        return None
    return Found(candidate, "/".join(parts), found) if stat.S_ISREG(found.st_mode) else None


def index_of(dist: Path) -> Found | None:
    """The build's index.html, or None when the dashboard has not been built."""
    return lookup(dist, INDEX)

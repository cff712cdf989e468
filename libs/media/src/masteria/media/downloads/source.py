"""What a channel tells the download worker: where its files are and how its provider refuses them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from masteria.contracts.content import MediaContent


@dataclass(frozen=True, slots=True)
class FetchedMedia:
    """A file's bytes and the content type to store them under (None when nobody said)."""

    data: bytes
    content_type: str | None


class MediaSource(Protocol):
    """One channel's way to its providers' files.

    ``name`` labels the metrics and the worker's task; ``locator`` is the table column that names
    the file in the logs; ``fallback`` says what the message keeps when its file is given up;
    ``failures`` are the provider's refusals, retried or given up as ``permanent`` says (anything
    else a fetch raises is logged as a crash and retried).
    """

    name: str
    locator: str
    fallback: str
    failures: tuple[type[Exception], ...]

    async def fetch(self, row: Any, media: MediaContent, max_bytes: int) -> FetchedMedia:
        """The file of a claimed row, at most ``max_bytes``; LookupError when its owner is gone."""
        ...

    def permanent(self, error: Exception) -> bool:
        """Whether one of ``failures`` says that trying again cannot help."""
        ...

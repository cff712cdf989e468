"""Where a WhatsApp file is: a Meta media id, resolved through Graph to a short-lived URL and fetched
with the receiving number's access token. A file given up goes out with its Meta media id only."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from masteria.contracts.content import MediaContent
from masteria.contracts.messages import ErrorClassification
from masteria.media.downloads import FetchedMedia
from masteria.whatsapp_meta.graph import GraphClient, GraphError, GraphUnavailable
from masteria.whatsapp_meta.sending.errors import classify_exception
from masteria.whatsapp_meta.sending.numbers import SendingNumbers


@dataclass
class GraphMedia:
    """The whatsapp-meta service's MediaSource."""

    graph: GraphClient
    numbers: SendingNumbers
    name = "whatsapp-meta-media"
    locator = "media_id"
    fallback = "the Meta media id"
    failures: tuple[type[Exception], ...] = (GraphError, GraphUnavailable)

    async def fetch(self, row: Any, media: MediaContent, max_bytes: int) -> FetchedMedia:
        """The file behind the row's media id, with its number's token."""
        number = await self.numbers.by_phone_number_id(row.phone_number_id)
        if number is None:
            raise LookupError(f"phone_number_id {row.phone_number_id} is no longer registered")
        info = await self.graph.media_info(row.media_id, number.access_token)
        got = await self.graph.download(info.url, number.access_token, max_bytes=max_bytes)
        return FetchedMedia(got.data, info.mime_type or media.mime_type or got.content_type)

    def permanent(self, error: Exception) -> bool:
        """Meta refused the file for good, as its error codes classify."""
        return classify_exception(error).classification is ErrorClassification.PERMANENT

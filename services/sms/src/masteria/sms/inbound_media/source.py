"""Where an MMS file is: Twilio's media URL, fetched with the sender's account SID and auth token
(HTTP Basic, which Twilio requires on media). A file given up goes out with Twilio's URL only."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from masteria.contracts.content import MediaContent
from masteria.media.downloads import FetchedMedia
from masteria.sms.senders.directory import SenderDirectory
from masteria.sms.twilio_api import MediaDownloadError, TwilioClient


@dataclass
class TwilioMedia:
    """The sms service's MediaSource."""

    twilio: TwilioClient
    directory: SenderDirectory
    name = "sms-media"
    locator = "media_url"
    fallback = "Twilio's URL"
    failures: tuple[type[Exception], ...] = (MediaDownloadError,)

    async def fetch(self, row: Any, media: MediaContent, max_bytes: int) -> FetchedMedia:
        """The file at the row's media URL, with its sender's credentials."""
        sender = await self.directory.for_send(row.tenant_id, row.sender_id)
        if sender is None:
            raise LookupError(f"sender {row.sender_id} is no longer registered")
        got = await self.twilio.download_media(
            row.media_url, sender.account_sid, sender.auth_token, max_bytes=max_bytes
        )
        # Twilio's MediaContentType is what the customer's phone declared; the file server's type
        # only fills in when the webhook gave none.
        return FetchedMedia(got.data, media.mime_type or got.content_type)

    def permanent(self, error: Exception) -> bool:
        """Twilio refused the file for good (gone, forbidden, too large)."""
        return isinstance(error, MediaDownloadError) and error.permanent

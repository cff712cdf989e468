"""What crm keeps beside the shared service shell: its settings, the media store and the import runner."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, cast

from fastapi import Request

from masteria.crm.settings import CrmSettings
from masteria.media import InvalidMediaKeyError, MediaSettings, MediaStore, open_media_store_from_settings
from masteria.runtime.service import Service

if TYPE_CHECKING:
    from masteria.crm.imports.runner import ImportRunner


@dataclass
class Crm:
    """Opened with the service (``start``) and closed with it (``stop``)."""

    settings: CrmSettings
    media_settings: MediaSettings = field(default_factory=MediaSettings)
    _media: MediaStore | None = None
    _imports: ImportRunner | None = None

    async def start(self, service: Service) -> None:
        """Open the media store and resume imports another process left unfinished."""
        from masteria.crm.imports.runner import ImportRunner

        self._media = open_media_store_from_settings(self.media_settings)
        self._imports = ImportRunner(service, self.settings)
        await self._imports.start()

    async def stop(self, service: Service) -> None:
        """Hand running imports back (a restart resumes them) and close the store."""
        if self._imports is not None:
            await self._imports.stop()
        if self._media is not None:
            await self._media.aclose()

    @property
    def media(self) -> MediaStore:
        """The media store (open while the service runs)."""
        if self._media is None:
            raise RuntimeError("the media store opens when the service starts")
        return self._media

    @property
    def imports(self) -> ImportRunner:
        """The background import runner."""
        if self._imports is None:
            raise RuntimeError("the import runner starts with the service")
        return self._imports

    async def media_exists(self, key: str) -> bool:
        """Whether the store holds ``key``; a malformed key holds nothing."""
        try:
            return await self.media.exists(key)
        except InvalidMediaKeyError:
            return False


def crm_of(request: Request) -> Crm:
    """The crm state behind a request."""
    return cast(Crm, request.app.state.crm)

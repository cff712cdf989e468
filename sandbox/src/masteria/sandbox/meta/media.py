"""Media hosted by the Meta stand-in: what businesses upload and what simulated customers send."""

import base64
import hashlib
import hmac
import secrets
import threading
import time
from dataclasses import dataclass, field

# Meta's download URLs stop working after 5 minutes; clients must look the media up again.
URL_TTL_S = 300
MAX_MEDIA_BYTES = 100 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class HostedMedia:
    """One media object: its bytes and the WABA whose tokens may read it."""

    media_id: str
    phone_number_id: str
    waba_id: str
    data: bytes
    mime_type: str
    filename: str | None
    sha256_hex: str

    @property
    def sha256_b64(self) -> str:
        """The digest as Meta puts it in `messages` webhooks (base64, unlike the hex of a media lookup)."""
        return base64.b64encode(bytes.fromhex(self.sha256_hex)).decode("ascii")


@dataclass
class MediaStore:
    """Media by id, in memory; download URLs carry an expiry and an HMAC so they can't be forged."""

    _media: dict[str, HostedMedia] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _url_key: bytes = field(default_factory=lambda: secrets.token_bytes(32))

    def put(
        self, *, phone_number_id: str, waba_id: str, data: bytes, mime_type: str, filename: str | None
    ) -> HostedMedia:
        """Host bytes under a new numeric id, as Graph's media ids look."""
        media_id = str(10**15 + secrets.randbelow(9 * 10**15))
        digest = hashlib.sha256(data).hexdigest()
        media = HostedMedia(media_id, phone_number_id, waba_id, data, mime_type, filename, digest)
        with self._lock:
            self._media[media_id] = media
        return media

    def get(self, media_id: str) -> HostedMedia | None:
        """The media with this id, if hosted."""
        with self._lock:
            return self._media.get(media_id)

    def delete(self, media_id: str) -> bool:
        """Stop hosting; False when the id was unknown."""
        with self._lock:
            return self._media.pop(media_id, None) is not None

    def url_query(self, media: HostedMedia, now: float | None = None) -> dict[str, str]:
        """Query parameters of a download URL valid for `URL_TTL_S` (Meta's `mid`, `ext`, `hash`)."""
        expires = int((now if now is not None else time.time()) + URL_TTL_S)
        return {"mid": media.media_id, "ext": str(expires), "hash": self._mac(media.media_id, expires)}

    def check_url(self, mid: str, ext: str, given_hash: str, now: float | None = None) -> HostedMedia | None:
        """The media a download URL names, when the URL is genuine and not expired."""
        try:
            expires = int(ext)
        except ValueError:
            return None
        if expires < (now if now is not None else time.time()):
            return None
        if not hmac.compare_digest(self._mac(mid, expires).encode(), given_hash.encode()):
            return None
        return self.get(mid)

    def _mac(self, media_id: str, expires: int) -> str:
        return hmac.new(self._url_key, f"{media_id}:{expires}".encode(), hashlib.sha256).hexdigest()[:32]

"""Settings of the sms service (env prefix ``SMS_``).

The media store inbound MMS files go to is configured by ``masteria.media.MediaSettings``
(``MEDIA_STORE_URL`` and the ``MEDIA_S3_*`` variables), shared with every service that handles media.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from masteria.runtime.settings import ServiceSettings


class SmsSettings(ServiceSettings):
    """Where Twilio is, where Twilio reaches us, and how sends are paced and retried."""

    model_config = SettingsConfigDict(env_prefix="SMS_", extra="ignore")

    port: int = 8103
    # https://api.twilio.com in production; the sandbox serves the same paths under /twilio locally.
    twilio_api_url: str = "https://api.twilio.com"
    twilio_timeout_s: float = Field(15.0, gt=0)
    # Ask Twilio at registration whether the credentials work and the number is in the account.
    verify_sender_on_register: bool = True
    # The public base Twilio posts to (the gateway). Empty: MASTERIA_PUBLIC_URL. Signatures are
    # computed by Twilio over this URL, not over the host this service sees behind the gateway.
    webhook_public_url: str = ""
    sender_cache_ttl_s: float = Field(30.0, ge=0)
    # Language of the STOP / START / HELP confirmations the adapter sends back.
    reply_language: Literal["pt", "en"] = "pt"
    # Words besides Twilio's own that also opt a customer out (whole message, any case).
    extra_opt_out_keywords: str = "PARAR,SAIR,CANCELAR,DESCADASTRAR"
    extra_opt_in_keywords: str = ""
    # Who confirms a keyword. Twilio itself answers its default keywords (STOP, START, HELP...) and
    # refuses API sends to a number that just sent STOP (21610), so "auto" confirms only the words
    # Twilio does not know (the extra ones); "always" suits accounts whose Twilio keyword handling
    # is off; "never" leaves confirmations to Twilio alone.
    keyword_replies: Literal["auto", "always", "never"] = "auto"
    # Transient failures: at most this many provider attempts per command, spaced by exponential
    # backoff with full jitter (a uniform wait between 0 and min(max, base * 2**(n-1))). The count
    # lives in the database, so a restart continues it rather than starting over.
    max_attempts: int = Field(8, ge=1)
    retry_base_s: float = Field(0.5, gt=0)
    retry_max_s: float = Field(30.0, gt=0)
    # Pace a little under the sender's MPS so network jitter never squeezes one window over it.
    rate_headroom: float = Field(0.05, ge=0, le=1)
    # Messages handled at once per lane (each waits for its sender's turn, so this bounds memory).
    # 500 is the lanes' max_ack_pending: JetStream hands out no more than that anyway.
    send_concurrency: int = Field(500, ge=1)

    # --- inbound media (MMS) ---------------------------------------------------------------
    # Download each attachment into the media store before its message is published (the event then
    # carries storage_key/size/mime). Off: the event carries Twilio's URL, which needs the account's
    # credentials to open.
    media_download: bool = True
    media_download_concurrency: int = Field(8, ge=1)
    media_max_attempts: int = Field(6, ge=1)  # then the message goes out with Twilio's URL only
    media_backoff_base_s: float = Field(1.0, gt=0)
    media_backoff_cap_s: float = Field(60.0, gt=0)
    media_poll_s: float = Field(1.0, gt=0)  # how often other replicas' and retried downloads are looked for

    @property
    def webhook_base_url(self) -> str:
        """Base of the webhook URLs Twilio calls, without a trailing slash."""
        return (self.webhook_public_url or self.public_base_url).rstrip("/")

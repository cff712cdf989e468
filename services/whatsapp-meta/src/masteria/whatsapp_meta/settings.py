"""Settings of the WhatsApp Cloud API adapter (env prefix ``WHATSAPP_META_``).

The media store is configured by ``masteria.media.MediaSettings`` (``MEDIA_STORE_URL`` and the
``MEDIA_S3_*`` variables), shared with every service that handles media.
"""

from __future__ import annotations

from pydantic import Field, model_validator
from pydantic_settings import SettingsConfigDict

from masteria.runtime.settings import ServiceSettings


class WhatsAppMetaSettings(ServiceSettings):
    """Where the Graph API is, how sends are paced and retried, and how inbound media is fetched."""

    model_config = SettingsConfigDict(env_prefix="WHATSAPP_META_", extra="ignore")

    port: int = 8101
    # Both lanes, the webhook and the background workers each keep transactions going at once.
    database_pool_size: int = Field(20, validation_alias="DATABASE_POOL_SIZE")
    graph_url: str = "https://graph.facebook.com"  # the sandbox's /graph in development and tests
    graph_version: str = "v21.0"
    verify_number_on_register: bool = True  # ask Graph whether the token really serves the number
    number_cache_ttl_s: float = 30.0
    # One Graph call, whole (connect, pool wait, answer); beyond it the attempt is a transient "timeout".
    graph_timeout_s: float = Field(15.0, gt=0)
    graph_max_connections: int = Field(32, ge=1)  # keep-alive connections (requests in flight) per lane

    # --- sending ---------------------------------------------------------------------------
    default_messages_per_second: int = Field(80, ge=1, le=1000)
    send_max_attempts: int = Field(10, ge=1, le=100)  # per message, counted across restarts
    send_backoff_base_s: float = Field(1.0, gt=0)
    send_backoff_cap_s: float = Field(60.0, gt=0)
    # A row still "sending" this long after the call began belongs to a dead process: outcome unknown.
    sending_lease_s: float = Field(90.0, gt=0)
    outbound_concurrency: int = Field(128, ge=1)  # interactive sends in flight per process
    dispatch_concurrency: int = Field(512, ge=1)  # bulk sends in flight per process
    # Sends are spaced (1 s + margin) / limit apart, so a stall of about half the margin (a garbage
    # collection here or at Meta, a process waiting for a CPU, network jitter) cannot put limit + 1
    # sends into one second. The pace is 1 / (1 + margin) of the limit: 87% with 150 ms.
    rate_margin_ms: float = Field(150.0, ge=0)
    # How far ahead a send may book its slot; bounds how long a bulk send can delay an interactive one.
    rate_horizon_ms: float = Field(100.0, gt=0)
    # Bulk sends one number may hold in memory, in seconds of its rate (at least 50); beyond that they
    # wait in the database, so a slow number's campaign cannot fill the lane every number shares.
    dispatch_queue_s: float = Field(10.0, gt=0)
    # Meta's pair rate: `pair_burst` messages to one customer, then one per `pair_period_s`.
    pair_burst: int = Field(45, ge=1)
    pair_period_s: float = Field(6.0, gt=0)
    pair_max_wait_s: float = Field(10.0, ge=0)  # longer waits leave memory and come back from the database
    # 130429 / HTTP 429 halve the number's rate (at most once per cooldown, down to the floor) for a while.
    slowdown_s: float = Field(30.0, gt=0)
    slowdown_cooldown_s: float = Field(1.0, ge=0)
    slowdown_min_factor: float = Field(0.125, gt=0, le=1)
    enforce_tier_budget: bool = True
    # Connections of the send path to Redis; more sends than this wait for one instead of failing.
    retry_poll_s: float = Field(0.25, gt=0)
    reaper_interval_s: float = Field(5.0, gt=0)  # how often leftovers of dead processes are settled
    # Statuses for a wamid we have not recorded yet wait this long for the send to record it.
    orphan_status_ttl_s: float = Field(300.0, gt=0)

    # --- inbound media ---------------------------------------------------------------------
    media_download_concurrency: int = Field(8, ge=1)
    media_max_attempts: int = Field(6, ge=1)
    media_backoff_base_s: float = Field(1.0, gt=0)
    media_backoff_cap_s: float = Field(60.0, gt=0)
    media_upload_cache_s: float = Field(20 * 24 * 3600, gt=0)  # Meta keeps uploaded media 30 days

    @model_validator(mode="after")
    def _cap_not_below_base(self) -> WhatsAppMetaSettings:
        if self.send_backoff_cap_s < self.send_backoff_base_s:
            raise ValueError("WHATSAPP_META_SEND_BACKOFF_CAP_S must be at least WHATSAPP_META_SEND_BACKOFF_BASE_S")
        return self

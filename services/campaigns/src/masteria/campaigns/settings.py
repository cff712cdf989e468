"""Settings of the campaigns service (env prefix ``CAMPAIGNS_``)."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from masteria.runtime.settings import ServiceSettings


class CampaignsSettings(ServiceSettings):
    """Dispatcher pacing, retries, attribution, schedules, SMS cost estimates."""

    model_config = SettingsConfigDict(env_prefix="CAMPAIGNS_", extra="ignore")

    port: int = 8104
    # The dispatcher's loop period; each tick sends what the campaign's token bucket allows.
    tick_s: float = Field(0.1, gt=0, le=5)
    # The in-flight window (dispatched, no status yet; >= inflight_min) adapts so that a dispatch gets its first
    # status within inflight_s: a pause then leaves less than that much of sends behind it (sends reach the
    # provider before their status comes back), however slow the channel.
    inflight_s: float = Field(0.8, gt=0)
    inflight_min: int = Field(20, ge=1)
    # Recipients taken per campaign and tick at most (one transaction each). A pause waits for the tick holding
    # the campaign's row, so this bounds how long a pause takes on a busy machine; 200 per 0.1 s tick is still
    # twice 1,000/s.
    dispatch_batch_max: int = Field(200, ge=1, le=10_000)
    # A cancelled campaign's pending recipients are marked cancelled in chunks of this size per tick.
    sweep_chunk: int = Field(20_000, ge=100)
    # Retries of transient failures: full-jitter exponential backoff between base and cap.
    retry_base_s: float = Field(30.0, ge=0)
    retry_cap_s: float = Field(900.0, ge=0)
    # A reply within this long of a campaign message is attributed to it.
    attribution_window_s: int = Field(259_200, ge=0)
    default_timezone: str = "America/Sao_Paulo"
    # campaign.progressed about this often while a campaign runs, and for this long after it finishes.
    progress_interval_s: float = Field(1.0, gt=0)
    progress_tail_s: float = Field(30.0, ge=0)
    # How often idle snapshot workers look for launched campaigns left by a crashed process.
    snapshot_poll_s: float = Field(2.0, gt=0)
    sms_cost_per_segment: float = Field(0.0079, ge=0)
    sms_cost_currency: str = "USD"
    max_messages_per_second: float = Field(10_000.0, gt=0)

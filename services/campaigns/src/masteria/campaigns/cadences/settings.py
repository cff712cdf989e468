"""Settings of cadences (env prefix ``CAMPAIGNS_CADENCE_``), kept apart from the campaigns settings they sit beside."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class CadenceSettings(BaseSettings):
    """The timer worker's pace, the retries of transient failures, and what tests may shorten."""

    model_config = SettingsConfigDict(env_prefix="CAMPAIGNS_CADENCE_", extra="ignore")

    # How often the worker looks for due steps; a full batch is followed at once by the next.
    tick_s: float = Field(1.0, gt=0)
    # Due enrolments taken per transaction (one queue_dispatches call per tenant inside it).
    batch: int = Field(500, ge=1, le=10_000)
    # Delays in seconds, for end-to-end tests only: real cadences wait minutes to days. A time-scale factor
    # would also squeeze business hours and days, so the arithmetic under test would not be the real one.
    allow_seconds: bool = False
    # A step due just before closing time whose tick lands just after it still goes (ticks are ~1 s apart).
    grace_s: float = Field(60.0, ge=0)
    # Retries of a send that failed transiently (as campaigns do): the attempts a send gets in all, and the
    # full-jitter exponential backoff between them, from base to cap.
    max_attempts: int = Field(3, ge=1, le=10)
    retry_base_s: float = Field(30.0, ge=0)
    retry_cap_s: float = Field(900.0, ge=0)

"""Settings of the CRM service (env prefix ``CRM_``); the media store reads the shared ``MEDIA_*`` variables."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from masteria.runtime.settings import ServiceSettings


class CrmSettings(ServiceSettings):
    """Consumer batch sizing, the default region for numbers written without a country code, imports."""

    model_config = SettingsConfigDict(env_prefix="CRM_", extra="ignore")

    port: int = 8107
    default_region: str = "BR"
    inbound_batch_size: int = 200
    inbound_batch_timeout_s: float = 0.02
    # Contact imports: rows per transaction (each commits contacts, errors, progress and events together).
    import_batch_rows: int = Field(5000, ge=100, le=50_000)
    import_max_bytes: int = Field(50 * 1024 * 1024, ge=1024)
    import_max_rows: int = Field(1_000_000, ge=1)
    # contact.created / contact.updated for every imported row (campaigns and partner webhooks follow contacts by
    # them). They roughly double an import's CPU (measured: 100k rows); the progress events are published anyway.
    import_contact_events: bool = True
    # A worker renews its lease every batch; an import whose lease lapsed (its worker died) is taken over.
    import_lease_s: float = Field(60.0, gt=0)
    import_sweep_interval_s: float = Field(15.0, gt=0)
    # An import interrupted this many times (a file that crashes the worker) is failed rather than retried.
    import_max_attempts: int = Field(3, ge=1)
    # Export reads this many contacts per query (and transaction) while streaming.
    export_page_rows: int = Field(5000, ge=100)

"""Settings of the CRM service (env prefix ``CRM_``)."""

from __future__ import annotations

from pydantic_settings import SettingsConfigDict

from masteria.runtime.settings import ServiceSettings


class CrmSettings(ServiceSettings):
    """Consumer batch sizing and the default region for numbers written without a country code."""

    model_config = SettingsConfigDict(env_prefix="CRM_", extra="ignore")

    port: int = 8107
    default_region: str = "BR"
    inbound_batch_size: int = 200
    inbound_batch_timeout_s: float = 0.02

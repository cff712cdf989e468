"""Settings of the campaigns service (env prefix ``CAMPAIGNS_``)."""

from __future__ import annotations

from pydantic_settings import SettingsConfigDict

from masteria.runtime.settings import ServiceSettings


class CampaignsSettings(ServiceSettings):
    """The shared settings; this service's own come with its features."""

    model_config = SettingsConfigDict(env_prefix="CAMPAIGNS_", extra="ignore")

    port: int = 8104

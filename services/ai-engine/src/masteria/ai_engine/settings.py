"""Settings of the ai-engine service (env prefix ``AI_ENGINE_``)."""

from __future__ import annotations

from pydantic_settings import SettingsConfigDict

from masteria.runtime.settings import ServiceSettings


class AiEngineSettings(ServiceSettings):
    """The shared settings; this service's own come with its features."""

    model_config = SettingsConfigDict(env_prefix="AI_ENGINE_", extra="ignore")

    port: int = 8105

"""Settings of the voice service (env prefix ``VOICE_``)."""

from __future__ import annotations

from pydantic_settings import SettingsConfigDict

from masteria.runtime.settings import ServiceSettings


class VoiceSettings(ServiceSettings):
    """The shared settings; this service's own come with its features."""

    model_config = SettingsConfigDict(env_prefix="VOICE_", extra="ignore")

    port: int = 8106

"""Settings of the sms service (env prefix ``SMS_``)."""

from __future__ import annotations

from pydantic_settings import SettingsConfigDict

from masteria.runtime.settings import ServiceSettings


class SmsSettings(ServiceSettings):
    """The shared settings; this service's own come with its features."""

    model_config = SettingsConfigDict(env_prefix="SMS_", extra="ignore")

    port: int = 8103

"""Settings of the whatsapp-qr service (env prefix ``WHATSAPP_QR_``)."""

from __future__ import annotations

from pydantic_settings import SettingsConfigDict

from masteria.runtime.settings import ServiceSettings


class WhatsappQrSettings(ServiceSettings):
    """The shared settings; this service's own come with its features."""

    model_config = SettingsConfigDict(env_prefix="WHATSAPP_QR_", extra="ignore")

    port: int = 8102

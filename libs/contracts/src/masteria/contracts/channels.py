"""The messaging channels a tenant can reach customers on."""

from __future__ import annotations

from enum import StrEnum


class Channel(StrEnum):
    """A channel; its value is also the channel token of lane subjects."""

    WHATSAPP_META = "whatsapp_meta"
    WHATSAPP_QR = "whatsapp_qr"
    SMS = "sms"
    VOICE = "voice"

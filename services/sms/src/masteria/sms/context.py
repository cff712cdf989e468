"""What the adapter keeps beside the shared runtime: Twilio client, sender directory, committers."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from fastapi import Request

from masteria.persistence.group_commit import GroupCommitter
from masteria.runtime.problems import Problem
from masteria.runtime.service import Service, service_of
from masteria.security.secretbox import SecretBox
from masteria.sms.keywords import KeywordTable
from masteria.sms.senders.directory import SenderDirectory
from masteria.sms.sending.service import Sending
from masteria.sms.settings import SmsSettings
from masteria.sms.twilio_api import TwilioClient


@dataclass
class SmsContext:
    """Per-process collaborators, created at start-up."""

    settings: SmsSettings
    twilio: TwilioClient
    directory: SenderDirectory
    keywords: KeywordTable
    # Webhook work (inbound messages and status callbacks) shares transactions under load.
    committer: GroupCommitter[Any, Any]
    sending: Sending | None = None  # the send path, set once built
    wake_media: Callable[[], None] = lambda: None  # the media worker's, once started

    @property
    def verifier(self) -> TwilioClient | None:
        """The client registration checks senders with, or None when that check is off."""
        return self.twilio if self.settings.verify_sender_on_register else None


def sms_of(request: Request) -> SmsContext:
    """The adapter's context for a request."""
    context: SmsContext = request.app.state.sms
    return context


def box_of(service: Service) -> SecretBox:
    """The secret box, or a clear error when the keyring is not configured."""
    if service.secret_box is None:
        raise Problem(503, "Secrets not configured", "set MASTERIA_SECRET_KEYS for this service")
    return service.secret_box


__all__ = ["SmsContext", "box_of", "service_of", "sms_of"]

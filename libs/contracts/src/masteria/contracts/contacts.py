"""Contact events published by crm; they carry the contact's state so consumers need no callback."""

from __future__ import annotations

import uuid
from enum import StrEnum
from typing import ClassVar

from pydantic import AwareDatetime, Field

from masteria.contracts.addresses import E164
from masteria.contracts.channels import Channel
from masteria.contracts.envelope import Payload


class ContactSource(StrEnum):
    """How a contact came to exist."""

    INBOUND = "inbound"
    IMPORT = "import"
    API = "api"
    AGENT = "agent"


class ContactState(Payload):
    """The contact as it stands after the change (event-carried state)."""

    contact_id: uuid.UUID
    phone: E164
    name: str | None = None
    email: str | None = None
    tags: list[str] = Field(default_factory=list)
    custom_fields: dict[str, str] = Field(default_factory=dict)


class ContactCreated(ContactState):
    """A contact was created."""

    event_type: ClassVar[str] = "contact.created"
    schema_version: ClassVar[int] = 1

    source: ContactSource
    created_at: AwareDatetime


class ContactUpdated(ContactState):
    """A contact's details changed; ``changed`` names the fields that did."""

    event_type: ClassVar[str] = "contact.updated"
    schema_version: ClassVar[int] = 1

    changed: list[str] = Field(default_factory=list)
    updated_at: AwareDatetime


class OptOutReason(StrEnum):
    """Why consent changed."""

    KEYWORD = "keyword"
    REQUEST = "request"
    PROVIDER = "provider"
    COMPLAINT = "complaint"


class ContactConsentChanged(Payload):
    """Shared shape of opt-out and opt-in."""

    contact_id: uuid.UUID
    phone: E164
    channel: Channel | None = Field(description="The channel concerned; None means every channel.")
    reason: OptOutReason
    keyword: str | None = Field(default=None, description="The word the customer sent, e.g. STOP.")
    occurred_at: AwareDatetime


class ContactOptedOut(ContactConsentChanged):
    """The contact must no longer be messaged on ``channel`` (or on any, when None)."""

    event_type: ClassVar[str] = "contact.opted_out"
    schema_version: ClassVar[int] = 1


class ContactOptedIn(ContactConsentChanged):
    """The contact may be messaged again, e.g. after START or UNSTOP."""

    event_type: ClassVar[str] = "contact.opted_in"
    schema_version: ClassVar[int] = 1


class ImportState(StrEnum):
    """Where a contact import stands."""

    RUNNING = "running"
    COMPLETED = "completed"
    FAILED = "failed"


class ContactImportProgressed(Payload):
    """A CSV import advanced; published every few thousand rows and at the end, for progress bars."""

    event_type: ClassVar[str] = "contact.import_progressed"
    schema_version: ClassVar[int] = 1

    import_id: uuid.UUID
    state: ImportState
    total_rows: int = Field(ge=0)
    processed_rows: int = Field(ge=0)
    imported_rows: int = Field(ge=0, description="Rows that created or updated a contact.")
    failed_rows: int = Field(ge=0, description="Rows refused; the import's error report lists each with its reason.")
    occurred_at: AwareDatetime


class ContactsMerged(Payload):
    """Duplicates were merged into one contact; the others no longer exist."""

    event_type: ClassVar[str] = "contact.merged"
    schema_version: ClassVar[int] = 1

    contact_id: uuid.UUID = Field(description="The contact that remains.")
    merged_contact_ids: list[uuid.UUID] = Field(min_length=1)
    occurred_at: AwareDatetime


class ContactDeleted(Payload):
    """A contact was deleted; read models drop it and nothing is sent to it any more."""

    event_type: ClassVar[str] = "contact.deleted"
    schema_version: ClassVar[int] = 1

    contact_id: uuid.UUID
    phone: E164
    occurred_at: AwareDatetime

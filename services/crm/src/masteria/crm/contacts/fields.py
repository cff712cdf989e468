"""Contact fields as the CRM keeps them, shared by the API and the CSV import so both refuse the same things."""

from __future__ import annotations

import re
from collections.abc import Iterable

from masteria.crm.contacts.phones import InvalidPhoneNumber, to_e164

MAX_NAME = 200
MAX_EMAIL = 254
MAX_TAG = 64
MAX_TAGS = 50
MAX_FIELD_NAME = 64
MAX_FIELD_VALUE = 1000
MAX_FIELDS = 100
# Deliberately loose (one @, a dot in the domain, no spaces): the address is a contact detail, not a login.
_EMAIL = re.compile(r"[^@\s,;<>]+@[^@\s,;<>]+\.[^@\s,;<>.]+")
_FIELD_NAME = re.compile(r"\w[\w .-]*")
_REGION = re.compile(r"[A-Z]{2}")


class FieldError(ValueError):
    """A value refused for one field; ``field`` names it so the client can point at it."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field, self.message = field, message


def phone(raw: str | None, default_region: str, field: str = "phone") -> str:
    """E.164 or FieldError: missing, or not a number any country dials."""
    if raw is None or not raw.strip():
        raise FieldError(field, "missing phone number")
    try:
        return to_e164(raw.strip(), default_region)
    except InvalidPhoneNumber:
        raise FieldError(field, f"{raw.strip()!r} is not a valid phone number") from None


def region(raw: str, field: str = "default_country") -> str:
    """A two-letter country code (ISO 3166-1 alpha-2) in upper case."""
    value = raw.strip().upper()
    if not _REGION.fullmatch(value):
        raise FieldError(field, f"{raw!r} is not a two-letter country code such as BR or US")
    return value


def name(raw: str | None, field: str = "name") -> str | None:
    """A trimmed name; blank is no name."""
    value = (raw or "").strip()
    if len(value) > MAX_NAME:
        raise FieldError(field, f"longer than {MAX_NAME} characters")
    return value or None


def email(raw: str | None, field: str = "email") -> str | None:
    """A trimmed, lower-cased address; blank is none."""
    value = (raw or "").strip()
    if not value:
        return None
    if len(value) > MAX_EMAIL or not _EMAIL.fullmatch(value):
        raise FieldError(field, f"{value!r} is not an email address")
    return value.lower()


def tags(raw: Iterable[str], field: str = "tags") -> list[str]:
    """Trimmed, without blanks or repeats, in the order given."""
    seen: dict[str, None] = {}
    for tag in raw:
        value = tag.strip()
        if not value:
            continue
        if len(value) > MAX_TAG:
            raise FieldError(field, f"tag {value[:20]!r}... is longer than {MAX_TAG} characters")
        seen[value] = None
    if len(seen) > MAX_TAGS:
        raise FieldError(field, f"more than {MAX_TAGS} tags")
    return list(seen)


def split_tags(cell: str) -> list[str]:
    """Tags written in one CSV cell, separated by commas, semicolons or pipes."""
    return [t for t in re.split(r"[,;|]", cell) if t.strip()]


def field_name(raw: str, field: str = "custom_fields") -> str:
    """A custom field's name: letters, digits, spaces, ``_ . -``; at most 64 characters."""
    value = raw.strip()
    if not _FIELD_NAME.fullmatch(value) or len(value) > MAX_FIELD_NAME:
        raise FieldError(field, f"{raw!r} is not a field name (letters, digits, space, _ . -; up to 64)")
    return value


def custom_fields(raw: dict[str, str | None], field: str = "custom_fields") -> dict[str, str | None]:
    """Checked names and trimmed values; a None value (or blank) means "remove this field"."""
    if len(raw) > MAX_FIELDS:
        raise FieldError(field, f"more than {MAX_FIELDS} fields")
    cleaned: dict[str, str | None] = {}
    for key, value in raw.items():
        checked = field_name(key, field)
        text = value.strip() if value is not None else ""
        if len(text) > MAX_FIELD_VALUE:
            raise FieldError(f"{field}.{checked}", f"longer than {MAX_FIELD_VALUE} characters")
        cleaned[checked] = text or None
    return cleaned


def merge_fields(current: dict[str, str], changes: dict[str, str | None]) -> dict[str, str]:
    """``current`` with ``changes`` applied: set the given values, drop the None ones."""
    merged = dict(current)
    for key, value in changes.items():
        if value is None:
            merged.pop(key, None)
        else:
            merged[key] = value
    return merged

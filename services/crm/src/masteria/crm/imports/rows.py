"""Column mapping and the validation of each row: a good row becomes contact fields, a bad one a reason."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from masteria.crm.contacts import fields
from masteria.crm.contacts.fields import FieldError

TARGETS = ("phone", "name", "email", "tags")
CUSTOM = "custom:"
# Header names taken as a mapping when none is given (lower case, as written in pt-BR and English sheets).
_GUESSES = {
    "phone": "phone",
    "telefone": "phone",
    "celular": "phone",
    "whatsapp": "phone",
    "mobile": "phone",
    "numero": "phone",
    "número": "phone",
    "name": "name",
    "nome": "name",
    "email": "email",
    "e-mail": "email",
    "tags": "tags",
    "etiquetas": "tags",
}


@dataclass(frozen=True)
class ColumnMap:
    """Column indexes per target."""

    phone: int
    name: int | None
    email: int | None
    tags: tuple[int, ...]
    custom: tuple[tuple[int, str], ...]


@dataclass(frozen=True)
class GoodRow:
    """A row that makes or updates a contact."""

    number: int
    phone: str
    name: str | None
    email: str | None
    tags: list[str]
    custom_fields: dict[str, str]


@dataclass(frozen=True)
class BadRow:
    """A refused row and why."""

    number: int
    reason: str


def guess_mapping(header: list[str]) -> dict[str, str]:
    """A mapping from well-known column names (phone, telefone, nome, email, tags, custom:<field>...)."""
    mapping: dict[str, str] = {}
    for column in header:
        if column.startswith(CUSTOM) and len(column) > len(CUSTOM):  # what the export writes
            mapping[column] = column
            continue
        target = _GUESSES.get(column.strip().lower())
        if target and (target == "tags" or target not in mapping.values()):
            mapping[column] = target
    return mapping


def column_map(header: list[str], mapping: Mapping[str, str]) -> ColumnMap:
    """Resolve ``{csv column: target}`` against the header; FieldError("mapping") says what is wrong."""
    index = {name: i for i, name in enumerate(header)}
    by_target: dict[str, list[int]] = {t: [] for t in TARGETS}
    custom: list[tuple[int, str]] = []
    for column, target in mapping.items():
        if column.strip() not in index:
            raise FieldError("mapping", f"the file has no column {column!r} (columns: {', '.join(header)})")
        position = index[column.strip()]
        if target.startswith(CUSTOM):
            custom.append((position, fields.field_name(target[len(CUSTOM) :], "mapping")))
        elif target in by_target:
            by_target[target].append(position)
        else:
            raise FieldError("mapping", f"{target!r} is not phone, name, email, tags or custom:<field>")
    if len(by_target["phone"]) != 1:
        raise FieldError("mapping", "map exactly one column to phone")
    for single in ("name", "email"):
        if len(by_target[single]) > 1:
            raise FieldError("mapping", f"map at most one column to {single}")
    if len({name for _, name in custom}) != len(custom):
        raise FieldError("mapping", "two columns map to the same custom field")
    return ColumnMap(
        phone=by_target["phone"][0],
        name=by_target["name"][0] if by_target["name"] else None,
        email=by_target["email"][0] if by_target["email"] else None,
        tags=tuple(by_target["tags"]),
        custom=tuple(custom),
    )


def _cell(cells: list[str], position: int | None) -> str:
    return cells[position].strip() if position is not None and position < len(cells) else ""


def check_row(cells: list[str], number: int, columns: ColumnMap, region: str, seen: dict[str, int]) -> GoodRow | BadRow:
    """Validate one record; ``seen`` (phone → first row) catches a number repeated inside the file."""
    try:
        phone = fields.phone(_cell(cells, columns.phone), region)
        if phone in seen:
            return BadRow(number, f"phone: {phone} repeats row {seen[phone]}")
        good = GoodRow(
            number=number,
            phone=phone,
            name=fields.name(_cell(cells, columns.name)),
            email=fields.email(_cell(cells, columns.email)),
            tags=fields.tags(t for p in columns.tags for t in fields.split_tags(_cell(cells, p))),
            custom_fields={k: v for k, v in _custom(cells, columns).items() if v is not None},
        )
    except FieldError as exc:
        return BadRow(number, str(exc))
    seen[phone] = number
    return good


def _custom(cells: list[str], columns: ColumnMap) -> dict[str, str | None]:
    values: dict[str, str | None] = {}
    for position, name in columns.custom:
        text = _cell(cells, position)
        if len(text) > fields.MAX_FIELD_VALUE:
            raise FieldError(f"custom:{name}", f"longer than {fields.MAX_FIELD_VALUE} characters")
        values[name] = text or None
    return values

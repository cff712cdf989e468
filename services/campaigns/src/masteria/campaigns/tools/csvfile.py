"""Reading an audience CSV: its encoding and separator, the phone column, each row's number in E.164.

Spreadsheets export ``;`` separated cp1252 as often as ``,`` separated UTF-8, so both are sniffed.
Rows are numbered as a spreadsheet shows them (the header is row 1), so a report points at the line
the user can find. A file of bare numbers with no header is accepted too: the common "paste a list".
"""

from __future__ import annotations

import csv
import io
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field

from masteria.campaigns.tools.phones import InvalidNumberError, to_e164

ENCODINGS = ("utf-8-sig", "cp1252", "latin-1")  # latin-1 never fails: the last resort
DELIMITERS = (",", ";", "\t", "|")
PHONE_ALIASES = ("phone", "telefone", "celular", "whatsapp", "mobile", "numero", "fone", "tel", "phonenumber", "cell")


class CsvFileError(ValueError):
    """The upload cannot be used; ``reason`` is machine-readable."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(detail)
        self.reason, self.detail = reason, detail


@dataclass(frozen=True)
class Rejected:
    """A row that selects no contact before the database is asked: no number, a bad one, or a repeat."""

    row: int
    phone: str
    reason: str  # missing_phone | invalid_number | duplicate
    detail: str | None = None


@dataclass
class ParsedAudience:
    """Every data row, split into usable numbers (unique, with their row) and rejected rows."""

    phone_column: str | None  # None for a headerless list of numbers
    rows: int = 0
    phones: list[str] = field(default_factory=list)
    phone_rows: list[int] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)


def _decode(data: bytes) -> str:
    for encoding in ENCODINGS:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise CsvFileError("not_text", "the file is not text in UTF-8 or Windows-1252")  # pragma: no cover


def _fold(name: str) -> str:
    # "Número de Telefone" and "numero_de_telefone" name the same column.
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return "".join(ch for ch in plain.lower() if ch.isalnum())


def _delimiter(first_line: str) -> str:
    counts = {d: first_line.count(d) for d in DELIMITERS}
    best = max(DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] > 0 else ","


def _phone_index(header: list[str], phone_column: str | None) -> int | None:
    folded = [_fold(h) for h in header]
    if phone_column is not None:
        wanted = _fold(phone_column)
        return folded.index(wanted) if wanted in folded else None
    # An exact name first ("celular" beats "telefone_residencial"), then a name that starts like one.
    for matches in (str.__eq__, str.startswith):
        for alias in PHONE_ALIASES:
            for index, name in enumerate(folded):
                if matches(name, alias):
                    return index
    return None


def _looks_like_number(cell: str, region: str) -> bool:
    try:
        to_e164(cell, region)
    except InvalidNumberError:
        return False
    return True


def _records(reader: Iterator[list[str]], first_row: int) -> Iterator[tuple[int, list[str]]]:
    for index, cells in enumerate(reader):
        if any(c.strip() for c in cells):
            yield index + first_row, cells


def parse(data: bytes, *, phone_column: str | None, default_region: str, max_rows: int) -> ParsedAudience:
    """Read ``data``; CsvFileError when it has no usable phone column or more than ``max_rows`` rows."""
    text = _decode(data)
    if not text.strip():
        raise CsvFileError("empty_file", "the file is empty")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text.split("\n", 1)[0]))
    try:
        header = next(reader)
        index = _phone_index(header, phone_column)
        headerless = (
            index is None and phone_column is None and bool(header) and _looks_like_number(header[0], default_region)
        )
        if index is None and not headerless:
            wanted = f"no column named {phone_column!r}" if phone_column else "no phone column"
            names = ", ".join(h.strip() for h in header if h.strip())
            raise CsvFileError("phone_column_missing", f"{wanted}; the header has: {names}")
        if headerless:
            text_rows = csv.reader(io.StringIO(text, newline=""), delimiter=",")
            return _collect(_records(text_rows, 1), 0, None, default_region, max_rows)
        assert index is not None
        return _collect(_records(reader, 2), index, header[index].strip(), default_region, max_rows)
    except csv.Error as exc:
        raise CsvFileError("not_csv", f"the file is not a valid CSV: {exc}") from exc


def _collect(
    records: Iterator[tuple[int, list[str]]], index: int, column: str | None, region: str, max_rows: int
) -> ParsedAudience:
    parsed = ParsedAudience(phone_column=column)
    first_row_of: dict[str, int] = {}
    for row, cells in records:
        parsed.rows += 1
        if parsed.rows > max_rows:
            raise CsvFileError("too_many_rows", f"an audience file takes at most {max_rows} rows")
        raw = cells[index].strip() if index < len(cells) else ""
        if not raw:
            parsed.rejected.append(Rejected(row, raw, "missing_phone"))
            continue
        try:
            phone = to_e164(raw, region)
        except InvalidNumberError as exc:
            parsed.rejected.append(Rejected(row, raw, "invalid_number", str(exc)))
            continue
        if phone in first_row_of:
            parsed.rejected.append(Rejected(row, phone, "duplicate", f"same number as row {first_row_of[phone]}"))
            continue
        first_row_of[phone] = row
        parsed.phones.append(phone)
        parsed.phone_rows.append(row)
    return parsed

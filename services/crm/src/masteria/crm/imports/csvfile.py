"""Reading an uploaded CSV: its encoding and delimiter (spreadsheets export ``;`` and cp1252), header, records."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass

# UTF-8 (with Excel's BOM or without) first; cp1252 is what Excel on Windows writes in Brazil; latin-1 never fails.
ENCODINGS = ("utf-8-sig", "cp1252", "latin-1")
DELIMITERS = (",", ";", "\t", "|")
FIRST_DATA_ROW = 2  # the header is row 1, as a spreadsheet numbers them


class CsvFileError(ValueError):
    """The upload cannot be read as a CSV with a header row."""


@dataclass(frozen=True)
class CsvLayout:
    """How to read the file, and what it holds."""

    encoding: str
    delimiter: str
    header: list[str]
    total_rows: int


def decode(data: bytes, encoding: str | None = None) -> tuple[str, str]:
    """The text and the encoding that read it."""
    for candidate in (encoding,) if encoding else ENCODINGS:
        try:
            return data.decode(candidate), candidate
        except UnicodeDecodeError:
            continue
    raise CsvFileError("the file is not text in UTF-8 or Windows-1252")


def _delimiter(first_line: str) -> str:
    # The header names the columns, so the separator is the character it uses most (ties go to the comma).
    counts = {d: first_line.count(d) for d in DELIMITERS}
    best = max(DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] > 0 else ","


def inspect(data: bytes) -> CsvLayout:
    """Encoding, delimiter, header and the number of non-blank records; CsvFileError when unreadable."""
    text, encoding = decode(data)
    first_line = text.split("\n", 1)[0]
    delimiter = _delimiter(first_line)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = [h.strip() for h in next(reader)]
        total = sum(1 for cells in reader if any(c.strip() for c in cells))
    except StopIteration:
        raise CsvFileError("the file is empty: it needs a header row") from None
    except csv.Error as exc:
        raise CsvFileError(f"the file is not a valid CSV: {exc}") from exc
    if not any(header):
        raise CsvFileError("the first row must name the columns")
    return CsvLayout(encoding, delimiter, header, total)


def records(data: bytes, encoding: str, delimiter: str) -> Iterator[tuple[int, list[str]]]:
    """``(row number, cells)`` for every non-blank record after the header."""
    text, _ = decode(data, encoding)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    next(reader, None)
    for index, cells in enumerate(reader):
        if any(c.strip() for c in cells):
            yield index + FIRST_DATA_ROW, cells

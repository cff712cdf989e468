"""Reading audience CSVs as people export them: separators, encodings, phone columns, rows they can find."""

from __future__ import annotations

import pytest

from masteria.campaigns.tools.csvfile import CsvFileError, ParsedAudience, parse
from masteria.campaigns.tools.phones import is_region, to_e164


def _parse(
    text: str | bytes, phone_column: str | None = None, region: str = "BR", max_rows: int = 1000
) -> ParsedAudience:
    data = text.encode() if isinstance(text, str) else text
    return parse(data, phone_column=phone_column, default_region=region, max_rows=max_rows)


def test_numbers_become_e164_with_the_default_country_for_those_without_plus() -> None:
    parsed = _parse("name,phone\nMaria,(11) 99999-0001\nJohn,+1 415 555 0100\nAna,5511999990002\n")
    assert parsed.phone_column == "phone"
    assert parsed.rows == 3
    assert parsed.phones == ["+5511999990001", "+14155550100", "+5511999990002"]
    assert parsed.phone_rows == [2, 3, 4]  # the header is row 1, as a spreadsheet shows it
    assert parsed.rejected == []


def test_the_default_country_decides_how_a_national_number_is_read() -> None:
    assert _parse("phone\n4155550100\n", region="US").phones == ["+14155550100"]
    assert to_e164("011 55 11 99999 0001", "US") == "+5511999990001"
    assert is_region("br")
    assert not is_region("XX")


def test_missing_invalid_and_repeated_numbers_are_reported_with_their_row_and_reason() -> None:
    parsed = _parse("phone,name\n+5511999990001,a\n,b\nabc,c\n11 99999-0001,d\n123,e\n\n+5511999990003,f\n")
    assert parsed.rows == 6  # the blank line is not a row
    assert parsed.phones == ["+5511999990001", "+5511999990003"]
    assert parsed.phone_rows == [2, 8]
    assert [(r.row, r.phone, r.reason) for r in parsed.rejected] == [
        (3, "", "missing_phone"),
        (4, "abc", "invalid_number"),
        (5, "+5511999990001", "duplicate"),
        (6, "123", "invalid_number"),
    ]
    assert parsed.rejected[2].detail == "same number as row 2"


def test_semicolons_and_windows_1252_as_excel_writes_them_in_brazil() -> None:
    data = "Nome;Número de Telefone;Cidade\r\nJoão;11 99999-0001;São Paulo\r\n".encode("cp1252")
    parsed = _parse(data)
    assert parsed.phone_column == "Número de Telefone"
    assert parsed.phones == ["+5511999990001"]


def test_a_named_phone_column_is_used_and_a_missing_one_is_refused_with_the_header() -> None:
    text = "phone,celular_2\n+5511999990001,+5511999990009\n"
    assert _parse(text, phone_column="Celular 2").phones == ["+5511999990009"]
    with pytest.raises(CsvFileError) as caught:
        _parse(text, phone_column="mobile")
    assert caught.value.reason == "phone_column_missing"
    assert "phone, celular_2" in caught.value.detail


def test_an_exact_phone_column_name_wins_over_one_that_only_starts_like_one() -> None:
    parsed = _parse("telefone_residencial,celular\n11 3333-0000,11 99999-0001\n")
    assert parsed.phone_column == "celular"
    assert parsed.phones == ["+5511999990001"]


def test_a_header_without_any_phone_column_is_refused() -> None:
    with pytest.raises(CsvFileError) as caught:
        _parse("name,email\nMaria,m@example.com\n")
    assert caught.value.reason == "phone_column_missing"


def test_a_bare_list_of_numbers_has_no_header() -> None:
    parsed = _parse("+5511999990001\n11 99999-0002\nnot a number\n")
    assert parsed.phone_column is None
    assert parsed.phones == ["+5511999990001", "+5511999990002"]
    assert [(r.row, r.reason) for r in parsed.rejected] == [(3, "invalid_number")]


def test_quoted_cells_with_separators_inside_them() -> None:
    parsed = _parse('name,phone\n"Silva, Maria","+55 (11) 99999-0001"\n')
    assert parsed.phones == ["+5511999990001"]


def test_an_empty_file_and_a_file_too_long_are_refused() -> None:
    with pytest.raises(CsvFileError) as empty:
        _parse(" \n")
    assert empty.value.reason == "empty_file"
    with pytest.raises(CsvFileError) as long:
        _parse("phone\n" + "".join(f"+55119999900{i:02d}\n" for i in range(11)), max_rows=10)
    assert long.value.reason == "too_many_rows"

"""CSV reading and row validation: every bad row gets a reason a person can act on."""

from __future__ import annotations

import pytest

from masteria.crm.contacts.fields import FieldError
from masteria.crm.imports.csvfile import CsvFileError, inspect, records
from masteria.crm.imports.rows import BadRow, GoodRow, check_row, column_map, guess_mapping

HEADER = ["Telefone", "Nome", "E-mail", "Tags", "Cidade"]
MAPPING = {"Telefone": "phone", "Nome": "name", "E-mail": "email", "Tags": "tags", "Cidade": "custom:cidade"}


def test_excel_exports_in_cp1252_with_semicolons_are_read() -> None:
    data = "Telefone;Nome\r\n11 99999-0001;João\r\n\r\n11 99999-0002;Zé\r\n".encode("cp1252")
    layout = inspect(data)
    assert (layout.encoding, layout.delimiter, layout.header, layout.total_rows) == (
        "cp1252",
        ";",
        ["Telefone", "Nome"],
        2,
    )
    assert list(records(data, layout.encoding, layout.delimiter)) == [
        (2, ["11 99999-0001", "João"]),
        (4, ["11 99999-0002", "Zé"]),
    ]


def test_a_utf8_bom_does_not_end_up_in_the_first_column_name() -> None:
    assert inspect("\ufeffphone,name\n+5511999990001,Ana\n".encode()).header == ["phone", "name"]


@pytest.mark.parametrize("data", [b"", b"\n\n"])
def test_a_file_without_a_header_is_refused(data: bytes) -> None:
    with pytest.raises(CsvFileError):
        inspect(data)


def test_rows_are_checked_field_by_field_and_repeats_point_at_the_first_row() -> None:
    columns = column_map(HEADER, MAPPING)
    seen: dict[str, int] = {}
    good = check_row(["(11) 99999-0001", " Ana ", "ANA@X.COM", "vip; sp", "Recife"], 2, columns, "BR", seen)
    assert good == GoodRow(2, "+5511999990001", "Ana", "ana@x.com", ["vip", "sp"], {"cidade": "Recife"})
    assert check_row(["+55 11 99999-0001"], 3, columns, "BR", seen) == BadRow(3, "phone: +5511999990001 repeats row 2")
    assert check_row(["", "Sem número"], 4, columns, "BR", seen) == BadRow(4, "phone: missing phone number")
    assert check_row(["11 99999-0003", "", "a@b"], 5, columns, "BR", seen).reason.startswith("email:")  # type: ignore[union-attr]
    short = check_row(["11 99999-0004"], 6, columns, "BR", seen)
    assert isinstance(short, GoodRow)
    assert short.custom_fields == {}


@pytest.mark.parametrize(
    "mapping",
    [
        {"Celular": "phone"},
        {"Nome": "name"},
        {"Telefone": "phone", "Nome": "idade"},
        {"Telefone": "phone", "Nome": "custom:x", "Cidade": "custom:x"},
    ],
)
def test_a_mapping_that_cannot_work_names_the_mapping(mapping: dict[str, str]) -> None:
    with pytest.raises(FieldError) as raised:
        column_map(HEADER, mapping)
    assert raised.value.field == "mapping"


def test_common_column_names_and_exported_custom_columns_map_themselves() -> None:
    header = ["id", "Telefone", "Nome", "email", "tags", "custom:plano", "created_at"]
    assert guess_mapping(header) == {
        "Telefone": "phone",
        "Nome": "name",
        "email": "email",
        "tags": "tags",
        "custom:plano": "custom:plano",
    }

"""Contact fields are refused by name, so the client can point at the one to fix."""

from __future__ import annotations

import pytest

from masteria.crm.contacts import fields
from masteria.crm.contacts.fields import FieldError


def test_tags_are_trimmed_deduplicated_and_kept_in_order() -> None:
    assert fields.tags([" vip", "sp", "vip ", "", "rj"]) == ["vip", "sp", "rj"]
    assert fields.split_tags("a, b;c|d") == ["a", " b", "c", "d"]


def test_custom_fields_merge_and_a_none_removes() -> None:
    changes = fields.custom_fields({"plano": " ouro ", "cidade": None, "vazio": "  "})
    assert changes == {"plano": "ouro", "cidade": None, "vazio": None}
    assert fields.merge_fields({"cidade": "Rio", "vazio": "x", "outro": "y"}, changes) == {
        "plano": "ouro",
        "outro": "y",
    }


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda: fields.email("sem-arroba"), "email"),
        (lambda: fields.phone("12", "BR"), "phone"),
        (lambda: fields.phone(None, "BR"), "phone"),
        (lambda: fields.region("Brasil"), "default_country"),
        (lambda: fields.field_name("a/b"), "custom_fields"),
        (lambda: fields.tags(["x" * 65]), "tags"),
        (lambda: fields.name("x" * 201), "name"),
    ],
)
def test_refusals_name_their_field(call: object, field: str) -> None:
    with pytest.raises(FieldError) as raised:
        call()  # type: ignore[operator]
    assert raised.value.field == field

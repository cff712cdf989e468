"""breaking_changes: additive evolution passes, anything a reader of the old schema would refuse fails."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from masteria.contracts.schema_diff import breaking_changes
from masteria.contracts.schemas import generate

BASE: dict[str, Any] = {
    "$defs": {
        "Channel": {"enum": ["sms", "whatsapp_meta"], "type": "string"},
        "Sender": {
            "additionalProperties": False,
            "properties": {
                "address": {"pattern": r"^\+[1-9]\d{6,14}$", "type": "string"},
                "display_name": {"anyOf": [{"type": "string"}, {"type": "null"}], "default": None},
            },
            "required": ["address"],
            "type": "object",
        },
        "Text": {
            "additionalProperties": False,
            "properties": {"kind": {"const": "text", "type": "string"}, "body": {"minLength": 1, "type": "string"}},
            "required": ["body"],
            "type": "object",
        },
        "Media": {
            "additionalProperties": False,
            "properties": {"kind": {"enum": ["image", "audio"], "type": "string"}},
            "required": ["kind"],
            "type": "object",
        },
    },
    "additionalProperties": False,
    "properties": {
        "channel": {"$ref": "#/$defs/Channel"},
        "sender": {"$ref": "#/$defs/Sender"},
        "content": {
            "discriminator": {"propertyName": "kind"},
            "oneOf": [{"$ref": "#/$defs/Text"}, {"$ref": "#/$defs/Media"}],
        },
        "attempt": {"minimum": 1, "type": "integer"},
        "tags": {"items": {"type": "string"}, "type": "array"},
        "variables": {"additionalProperties": {"type": "string"}, "type": "object"},
        "note": {"anyOf": [{"type": "string"}, {"type": "null"}], "default": None},
        "metadata": {"type": "object"},
        "anything": {},
    },
    "required": ["channel", "sender", "content"],
    "title": "Sample",
    "type": "object",
}


def _changed(edit: Any) -> dict[str, Any]:
    new = copy.deepcopy(BASE)
    edit(new)
    return new


def _add_variant(s: dict[str, Any]) -> None:
    s["$defs"]["Location"] = {"type": "object"}
    s["properties"]["content"]["oneOf"].append({"$ref": "#/$defs/Location"})


def _add_required(s: dict[str, Any]) -> None:
    s["properties"]["priority"] = {"type": "string"}
    s["required"].append("priority")


def _remove_media(s: dict[str, Any]) -> None:
    del s["$defs"]["Media"]
    s["properties"]["content"]["oneOf"].pop()


def test_identical_schemas_have_no_breaking_change() -> None:
    assert breaking_changes(BASE, copy.deepcopy(BASE)) == []


@pytest.mark.parametrize("schema", list(generate().values()), ids=list(generate()))
def test_every_real_schema_is_compatible_with_itself(schema: dict[str, Any]) -> None:
    assert breaking_changes(schema, schema) == []


ADDITIVE = {
    "new optional property": lambda s: s["properties"].update(priority={"type": "string", "default": "normal"}),
    "new optional nested property": lambda s: s["$defs"]["Sender"]["properties"].update(wa_id={"type": "string"}),
    "new definition": lambda s: s["$defs"].update(Location={"type": "object"}),
    "new enum value": lambda s: s["$defs"]["Channel"]["enum"].append("voice"),
    "new union variant": _add_variant,
    "property made optional": lambda s: s["required"].remove("sender"),
    "type made nullable": lambda s: s["properties"].update(
        attempt={"anyOf": [{"minimum": 1, "type": "integer"}, {"type": "null"}]}
    ),
    "integer widened to number": lambda s: s["properties"]["attempt"].update(type="number"),
    "const widened to enum": lambda s: s["$defs"]["Text"]["properties"].update(
        kind={"enum": ["text", "plain"], "type": "string"}
    ),
    "bound relaxed": lambda s: s["properties"]["attempt"].update(minimum=0),
    "bound removed": lambda s: s["$defs"]["Text"]["properties"]["body"].pop("minLength"),
    "pattern removed": lambda s: s["$defs"]["Sender"]["properties"]["address"].pop("pattern"),
    "additionalProperties loosened": lambda s: s.pop("additionalProperties"),
    "description and title edited": lambda s: s.update(title="Renamed", description="docs"),
    "default changed": lambda s: s["properties"]["note"].update(default="n/a"),
    "description added to a definition": lambda s: s["$defs"]["Channel"].update(description="a channel"),
}


@pytest.mark.parametrize("edit", ADDITIVE.values(), ids=ADDITIVE.keys())
def test_additive_changes_pass(edit: Any) -> None:
    assert breaking_changes(BASE, _changed(edit)) == []


BREAKING = {
    "property removed": (lambda s: s["properties"].pop("note"), "#: property 'note' removed"),
    "nested property removed": (
        lambda s: s["$defs"]["Sender"]["properties"].pop("display_name"),
        "#/$defs/Sender: property 'display_name' removed",
    ),
    "property newly required": (
        lambda s: s["required"].append("note"),
        "#: property 'note' is newly required",
    ),
    "new required property": (_add_required, "#: property 'priority' is newly required"),
    "type changed": (
        lambda s: s["properties"]["attempt"].update(type="string"),
        "#/properties/attempt: type changed/narrowed: integer is no longer accepted (now string)",
    ),
    "nullable made required-non-null": (
        lambda s: s["properties"].update(note={"type": "string"}),
        "#/properties/note: type changed/narrowed: null is no longer accepted (now string)",
    ),
    "enum value removed": (
        lambda s: s["$defs"]["Channel"]["enum"].remove("sms"),
        "#/$defs/Channel: enum value(s) removed: ['sms']",
    ),
    "const changed": (
        lambda s: s["$defs"]["Text"]["properties"]["kind"].update(const="plain"),
        "#/$defs/Text/properties/kind: enum value(s) removed: ['text']",
    ),
    "free string narrowed to enum": (
        lambda s: s["$defs"]["Sender"]["properties"]["address"].update(enum=["+5511987654321"]),
        "#/$defs/Sender/properties/address: type narrowed to the values ['+5511987654321']",
    ),
    "definition removed": (_remove_media, "#/$defs/Media: definition removed"),
    "union variant removed": (
        lambda s: s["properties"]["content"]["oneOf"].pop(),
        "#/properties/content: type changed/narrowed: reference to Media is no longer accepted",
    ),
    "reference retargeted": (
        lambda s: s["properties"].update(sender={"$ref": "#/$defs/Text"}),
        "#/properties/sender: type changed/narrowed: reference to Sender is no longer accepted",
    ),
    "additionalProperties tightened": (
        lambda s: s["properties"]["metadata"].update(additionalProperties=False),
        "#/properties/metadata: additionalProperties tightened: extra properties are no longer allowed",
    ),
    "additionalProperties given a schema": (
        lambda s: s["properties"]["metadata"].update(additionalProperties={"type": "string"}),
        "#/properties/metadata: additionalProperties tightened: extra properties now need a schema",
    ),
    "map value type changed": (
        lambda s: s["properties"]["variables"].update(additionalProperties={"type": "integer"}),
        "#/properties/variables/additionalProperties: type changed/narrowed: string is no longer accepted",
    ),
    "array item type changed": (
        lambda s: s["properties"]["tags"].update(items={"type": "integer"}),
        "#/properties/tags/items: type changed/narrowed: string is no longer accepted",
    ),
    "minimum raised": (
        lambda s: s["properties"]["attempt"].update(minimum=2),
        "#/properties/attempt: minimum tightened from 1 to 2",
    ),
    "maxLength added": (
        lambda s: s["$defs"]["Text"]["properties"]["body"].update(maxLength=10),
        "#/$defs/Text/properties/body: maxLength tightened from None to 10",
    ),
    "minItems added": (
        lambda s: s["properties"]["tags"].update(minItems=1),
        "#/properties/tags: minItems tightened from None to 1",
    ),
    "pattern changed": (
        lambda s: s["$defs"]["Sender"]["properties"]["address"].update(pattern="^\\+55"),
        "#/$defs/Sender/properties/address: pattern changed",
    ),
    "format added": (
        lambda s: s["properties"]["tags"]["items"].update(format="uuid"),
        "#/properties/tags/items: format changed from None to 'uuid'",
    ),
    "anything narrowed": (
        lambda s: s["properties"].update(anything={"type": "string"}),
        "#/properties/anything: type changed/narrowed: any value is no longer accepted",
    ),
}


@pytest.mark.parametrize(("edit", "expected"), BREAKING.values(), ids=BREAKING.keys())
def test_breaking_changes_are_named(edit: Any, expected: str) -> None:
    problems = breaking_changes(BASE, _changed(edit))
    assert any(p.startswith(expected) for p in problems), problems


def test_number_narrowed_to_integer_is_breaking() -> None:
    old = {"properties": {"score": {"type": "number"}}, "type": "object"}
    new = {"properties": {"score": {"type": "integer"}}, "type": "object"}
    assert breaking_changes(old, new) == [
        "#/properties/score: type changed/narrowed: number is no longer accepted (now integer)"
    ]


def test_every_problem_is_reported_not_only_the_first() -> None:
    def edit(s: dict[str, Any]) -> None:
        s["properties"].pop("note")
        s["$defs"]["Channel"]["enum"].remove("sms")
        s["required"].append("tags")

    problems = breaking_changes(BASE, _changed(edit))
    assert len(problems) == 3


def test_type_lists_are_read_as_unions() -> None:
    old = {"properties": {"x": {"type": ["string", "null"]}}}
    assert breaking_changes(old, {"properties": {"x": {"anyOf": [{"type": "string"}, {"type": "null"}]}}}) == []
    assert breaking_changes(old, {"properties": {"x": {"type": "string"}}}) != []


def test_boolean_schemas() -> None:
    assert breaking_changes({"properties": {"x": True}}, {"properties": {"x": {}}}) == []
    assert breaking_changes({"properties": {"x": {}}}, {"properties": {"x": False}}) != []

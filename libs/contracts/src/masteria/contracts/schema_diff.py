"""Which differences between two JSON Schemas break a reader of the old one (pure, no I/O).

Additive: new optional properties, new definitions, new enum values, widened types or bounds.
Breaking: a property removed or newly required, a type changed or narrowed, an enum value removed,
a definition removed, additionalProperties tightened, a bound, pattern or format tightened.
"""

from __future__ import annotations

from typing import Any

Schema = dict[str, Any]

# Keywords that document a schema without constraining which documents it accepts.
_ANNOTATIONS = frozenset(
    {
        "title",
        "description",
        "default",
        "examples",
        "$comment",
        "discriminator",
        "deprecated",
        "readOnly",
        "writeOnly",
        "$schema",
        "$id",
        "$defs",
    }
)
_LOWER_BOUNDS = ("minLength", "minimum", "exclusiveMinimum", "minItems", "minProperties")
_UPPER_BOUNDS = ("maxLength", "maximum", "exclusiveMaximum", "maxItems", "maxProperties")
_EXACT = ("pattern", "format", "multipleOf")


def breaking_changes(old: Schema, new: Schema) -> list[str]:
    """Every change from ``old`` to ``new`` that a reader of ``old`` would not accept, as messages."""
    problems: list[str] = []
    _compare_defs(old.get("$defs", {}), new.get("$defs", {}), problems)
    _compare(old, new, "#", problems)
    return problems


def _compare_defs(old_defs: dict[str, Schema], new_defs: dict[str, Schema], out: list[str]) -> None:
    for name, old_def in old_defs.items():
        path = f"#/$defs/{name}"
        if name not in new_defs:
            out.append(f"{path}: definition removed")
        else:
            _compare(old_def, new_defs[name], path, out)


# --- union handling: a schema is a set of variants; every old variant must survive -------------


def _compare(old: Any, new: Any, path: str, out: list[str]) -> None:
    old_variants, new_variants = _variants(old), _variants(new)
    if any(_accepts_anything(v) for v in new_variants):
        return
    for variant in old_variants:
        out.extend(_best_match(variant, new_variants, path))


def _best_match(old: Schema, new_variants: list[Schema], path: str) -> list[str]:
    candidates = _candidates(old, new_variants)
    if not candidates:
        now = ", ".join(_describe(v) for v in new_variants) or "nothing"
        return [f"{path}: type changed/narrowed: {_describe(old)} is no longer accepted (now {now})"]
    attempts = [_compare_variant(old, candidate, path) for candidate in candidates]
    return [] if any(not problems for problems in attempts) else attempts[0]


def _candidates(old: Schema, new_variants: list[Schema]) -> list[Schema]:
    signature = _signature(old)
    same = [v for v in new_variants if _signature(v) == signature]
    if not same and signature == "integer":
        # Every integer is a number, so integer -> number widens.
        same = [v for v in new_variants if _signature(v) == "number"]
    return same


def _variants(schema: Any) -> list[Schema]:  # noqa: PLR0911 - one return per schema shape
    if schema is True or schema is None:
        return [{}]
    if schema is False:
        return []
    for key in ("anyOf", "oneOf"):
        if key in schema:
            return [leaf for branch in schema[key] for leaf in _variants(branch)]
    if isinstance(schema.get("allOf"), list) and len(schema["allOf"]) == 1:
        return _variants(schema["allOf"][0])
    if isinstance(schema.get("type"), list):
        return [{**schema, "type": t} for t in schema["type"]]
    if "const" in schema:
        rest = {k: v for k, v in schema.items() if k != "const"}
        return [{**rest, "enum": [schema["const"]]}]
    return [schema]


def _signature(variant: Schema) -> str:
    if "$ref" in variant:
        return f"$ref {variant['$ref']}"
    if "type" in variant:
        return str(variant["type"])
    return "enum" if "enum" in variant else "any"


def _accepts_anything(variant: Schema) -> bool:
    return all(key in _ANNOTATIONS for key in variant)


def _describe(variant: Schema) -> str:
    if "$ref" in variant:
        return f"reference to {str(variant['$ref']).rsplit('/', 1)[-1]}"
    signature = _signature(variant)
    return "any value" if signature == "any" else signature


# --- one variant against its counterpart ------------------------------------------------------


def _compare_variant(old: Schema, new: Schema, path: str) -> list[str]:
    out: list[str] = []
    _compare_enum(old, new, path, out)
    _compare_bounds(old, new, path, out)
    _compare_properties(old, new, path, out)
    _compare_additional(old, new, path, out)
    if "items" in old or "items" in new:
        _compare(old.get("items", True), new.get("items", True), f"{path}/items", out)
    return out


def _compare_enum(old: Schema, new: Schema, path: str, out: list[str]) -> None:
    if "enum" not in new:
        return
    if "enum" not in old:
        out.append(f"{path}: type narrowed to the values {new['enum']!r}")
        return
    removed = [value for value in old["enum"] if value not in new["enum"]]
    if removed:
        out.append(f"{path}: enum value(s) removed: {removed!r}")


def _compare_bounds(old: Schema, new: Schema, path: str, out: list[str]) -> None:
    for key in _LOWER_BOUNDS:
        if key in new and (key not in old or new[key] > old[key]):
            out.append(f"{path}: {key} tightened from {old.get(key)!r} to {new[key]!r}")
    for key in _UPPER_BOUNDS:
        if key in new and (key not in old or new[key] < old[key]):
            out.append(f"{path}: {key} tightened from {old.get(key)!r} to {new[key]!r}")
    for key in _EXACT:
        if key in new and new[key] != old.get(key):
            out.append(f"{path}: {key} changed from {old.get(key)!r} to {new[key]!r}")


def _compare_properties(old: Schema, new: Schema, path: str, out: list[str]) -> None:
    old_props: dict[str, Any] = old.get("properties", {})
    new_props: dict[str, Any] = new.get("properties", {})
    for name, old_prop in old_props.items():
        if name not in new_props:
            out.append(f"{path}: property {name!r} removed")
        else:
            _compare(old_prop, new_props[name], f"{path}/properties/{name}", out)
    newly_required = set(new.get("required", [])) - set(old.get("required", []))
    out.extend(f"{path}: property {name!r} is newly required" for name in sorted(newly_required))


def _compare_additional(old: Schema, new: Schema, path: str, out: list[str]) -> None:
    old_extra, new_extra = old.get("additionalProperties", True), new.get("additionalProperties", True)
    if old_extra is False or new_extra is True or new_extra == {}:
        return
    if new_extra is False:
        out.append(f"{path}: additionalProperties tightened: extra properties are no longer allowed")
    elif old_extra is True or old_extra == {}:
        out.append(f"{path}: additionalProperties tightened: extra properties now need a schema")
    else:
        _compare(old_extra, new_extra, f"{path}/additionalProperties", out)

"""The placeholders of a template (``{{1}}`` or ``{{name}}``) and its text with values filled in.

Components are kept as Meta returns them (HEADER, BODY, FOOTER, BUTTONS). A variable is named
``<component>.<placeholder>`` (``header.1``, ``body.nome``, ``button.0.1`` for a URL button's
suffix, ``header.media`` for an image, video or document header): the same keys the dashboard's
template picker uses. A value may also be given by the bare placeholder name when that name is
used by one component only.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z0-9_]+)\s*\}\}")
MEDIA_FORMATS = {"IMAGE": "image", "VIDEO": "video", "DOCUMENT": "document"}
Part = Literal["header", "body", "button"]


@dataclass(frozen=True)
class Slot:
    """One value a send of the template needs."""

    key: str
    component: Part
    name: str
    kind: str  # text, image, video, document
    button_index: int | None = None
    example: str | None = None


class MissingVariables(ValueError):  # noqa: N818 - a condition the API reports
    """Values left empty, by variable key."""

    def __init__(self, keys: list[str]) -> None:
        super().__init__(f"missing template variables: {', '.join(keys)}")
        self.keys = keys


def placeholders(text: str | None) -> list[str]:
    """The placeholders of a text, each once, in order (positional ones by number)."""
    if not text:
        return []
    names = list(dict.fromkeys(m.group(1) for m in PLACEHOLDER.finditer(text)))
    return sorted(names, key=int) if all(n.isdigit() for n in names) else names


def is_named(components: list[dict[str, Any]]) -> bool:
    """True when the template uses named placeholders (Meta's parameter_format NAMED)."""
    return any(not s.name.isdigit() for s in slots(components) if s.kind == "text")


def slots(components: list[dict[str, Any]]) -> list[Slot]:
    """Every value the template needs: header, then body, then URL buttons."""
    out: list[Slot] = []
    header = _component(components, "HEADER")
    if header is not None:
        media = MEDIA_FORMATS.get(str(header.get("format") or "").upper())
        if media:
            out.append(Slot("header.media", "header", "media", media))
        else:
            out += [
                Slot(f"header.{n}", "header", n, "text", example=_example(header, "header", n, i))
                for i, n in enumerate(placeholders(header.get("text")))
            ]
    body = _component(components, "BODY")
    if body is not None:
        out += [
            Slot(f"body.{n}", "body", n, "text", example=_example(body, "body", n, i))
            for i, n in enumerate(placeholders(body.get("text")))
        ]
    for index, button in enumerate(_buttons(components)):
        if str(button.get("type") or "").upper() == "URL":
            example = button.get("example")
            first = example[0] if isinstance(example, list) and example else example
            out += [
                Slot(f"button.{index}.{n}", "button", n, "text", index, str(first) if first else None)
                for n in placeholders(button.get("url"))
            ]
    return out


def grouped(found: list[Slot]) -> list[dict[str, Any]]:
    """The slots per component, in the API's shape."""
    groups: dict[tuple[str, int | None], list[Slot]] = {}
    for slot in found:
        groups.setdefault((slot.component, slot.button_index), []).append(slot)
    return [
        {
            "component": component,
            "index": index,
            "variables": [{"key": s.key, "name": s.name, "kind": s.kind, "example": s.example} for s in group],
        }
        for (component, index), group in groups.items()
    ]


def render(components: list[dict[str, Any]], values: Mapping[str, str]) -> dict[str, Any]:
    """The template as the customer would see it; MissingVariables names every empty value."""
    found = slots(components)
    resolved = _resolve(found, values)
    missing = [s.key for s in found if not resolved.get(s.key, "").strip()]
    if missing:
        raise MissingVariables(missing)
    header = _component(components, "HEADER")
    body = _component(components, "BODY")
    footer = _component(components, "FOOTER")
    rendered_header = _render_header(header, found, resolved) if header is not None else None
    rendered_body = _fill(body.get("text"), found, resolved, "body") if body is not None else ""
    footer_text = str(footer.get("text")) if footer is not None and footer.get("text") else None
    buttons = [
        {
            "type": str(b.get("type") or "").upper(),
            "text": str(b.get("text") or ""),
            **({"url": _fill(b.get("url"), found, resolved, "button", i)} if b.get("url") else {}),
        }
        for i, b in enumerate(_buttons(components))
    ]
    parts = [rendered_header.get("text") if rendered_header else None, rendered_body, footer_text]
    return {
        "header": rendered_header,
        "body": rendered_body,
        "footer": footer_text,
        "buttons": buttons,
        "text": "\n\n".join(p for p in parts if p),
    }


def _resolve(found: list[Slot], values: Mapping[str, str]) -> dict[str, str]:
    counts: dict[str, int] = {}
    for slot in found:
        counts[slot.name] = counts.get(slot.name, 0) + 1
    out = {}
    for slot in found:
        value = values.get(slot.key)
        if value is None and counts[slot.name] == 1:
            value = values.get(slot.name)
        if value is not None:
            out[slot.key] = str(value)
    return out


def _render_header(header: dict[str, Any], found: list[Slot], values: dict[str, str]) -> dict[str, Any]:
    fmt = str(header.get("format") or "TEXT").upper()
    if fmt in MEDIA_FORMATS:
        return {"format": fmt, "media": values.get("header.media")}
    if fmt != "TEXT":
        return {"format": fmt}
    return {"format": "TEXT", "text": _fill(header.get("text"), found, values, "header")}


def _fill(text: Any, found: list[Slot], values: dict[str, str], part: Part, index: int | None = None) -> str:
    keys = {s.name: s.key for s in found if s.component == part and s.button_index == index}
    return PLACEHOLDER.sub(lambda m: values.get(keys.get(m.group(1), ""), m.group(0)), str(text or ""))


def _component(components: list[dict[str, Any]], kind: str) -> dict[str, Any] | None:
    return next((c for c in components if str(c.get("type") or "").upper() == kind), None)


def _buttons(components: list[dict[str, Any]]) -> list[dict[str, Any]]:
    block = _component(components, "BUTTONS")
    buttons = block.get("buttons") if block is not None else None
    return [b for b in buttons if isinstance(b, dict)] if isinstance(buttons, list) else []


def _example(component: dict[str, Any], part: str, name: str, position: int) -> str | None:
    example = component.get("example")
    if not isinstance(example, dict):
        return None
    for item in example.get(f"{part}_text_named_params") or []:
        if isinstance(item, dict) and item.get("param_name") == name and item.get("example"):
            return str(item["example"])
    positional = example.get(f"{part}_text")
    if part == "body" and isinstance(positional, list) and positional and isinstance(positional[0], list):
        positional = positional[0]
    if isinstance(positional, list) and position < len(positional):
        return str(positional[position])
    return None

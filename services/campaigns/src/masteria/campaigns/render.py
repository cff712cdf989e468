"""Message variables: ``{{name}}``, ``{{first_name|Cliente}}``, ``{{custom.plan}}``... filled from a contact.

A content spec is an ``OutboundContent`` as JSON whose strings may hold variables (a text body, a caption,
a template parameter's text). Rendering fills them from the contact; a variable with no value and no
fallback makes the message not sendable (``missing``), because "Olá , sua fatura" is worse than no message.
The duplicate-protection hash is taken over the spec before rendering: the same message sent to the same
number again is a duplicate, whoever it was addressed to by name.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from pydantic import TypeAdapter, ValidationError

from masteria.contracts.content import AnyContent
from masteria.contracts.messages import OutboundContent

VARIABLE = re.compile(r"\{\{\s*([a-z_]+(?:\.[A-Za-z0-9_\-]+)?)\s*(?:\|([^}]*))?\}\}")
SIMPLE = ("name", "first_name", "phone", "email", "stage")
# Keys that name structure, never text a person reads: left alone so a stray "{{" cannot corrupt them.
STRUCTURAL = frozenset({"kind", "type", "sub_type", "language", "parameter_name", "media_id", "sha256", "storage_key"})
_CONTENT: TypeAdapter[AnyContent] = TypeAdapter(OutboundContent)


@dataclass(frozen=True)
class Variable:
    """One ``{{...}}`` occurrence: the variable's name and its fallback (None: required)."""

    name: str
    fallback: str | None

    @property
    def known(self) -> bool:
        """Whether the name is one we can fill."""
        return self.name in SIMPLE or (self.name.startswith("custom.") and len(self.name) > len("custom."))


@dataclass(frozen=True)
class RenderResult:
    """The rendered content (None when not sendable), the values used, and the variables that had none."""

    content: AnyContent | None
    variables: dict[str, str] = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)
    error: str | None = None


def value_of(name: str, contact: Mapping[str, Any]) -> str | None:
    """The contact's value for a variable, or None when it has none (empty counts as none)."""
    raw: Any
    if name == "first_name":
        full = (contact.get("name") or "").strip()
        raw = full.split()[0] if full else None
    elif name == "stage":
        raw = contact.get("lead_stage_name")
    elif name.startswith("custom."):
        raw = (contact.get("custom_fields") or {}).get(name[len("custom.") :])
    else:
        raw = contact.get(name)
    text = str(raw).strip() if raw is not None else ""
    return text or None


def variables_in(spec: Any) -> list[Variable]:
    """Every variable the spec uses, in order of appearance (structural keys excluded)."""
    found: list[Variable] = []
    for text in _texts(spec):
        found.extend(Variable(m.group(1), m.group(2)) for m in VARIABLE.finditer(text))
    return found


def required_variables(spec: Any) -> set[str]:
    """Variables used somewhere without a fallback: a contact lacking one cannot be sent this spec."""
    return {v.name for v in variables_in(spec) if v.fallback is None}


def unknown_variables(spec: Any) -> list[str]:
    """Variable names we cannot fill, for a 422 at creation."""
    return sorted({v.name for v in variables_in(spec) if not v.known})


def check_spec(spec: Any) -> str | None:
    """None when the spec renders to sendable content for a contact with every field; else the reason."""
    unknown = unknown_variables(spec)
    if unknown:
        return f"unknown variables: {', '.join(unknown)} (use name, first_name, phone, email, stage, custom.<key>)"
    sample = {"name": "Ana Souza", "phone": "+5511999999999", "email": "ana@example.com", "lead_stage_name": "Lead"}
    sample_custom = {v.name[len("custom.") :]: "x" for v in variables_in(spec) if v.name.startswith("custom.")}
    result = render_content(spec, {**sample, "custom_fields": sample_custom})
    return result.error


def render_content(content_spec: Any, contact_row: Any) -> RenderResult:
    """Fill the spec's variables from a contact (a mapping or a SQL row) and validate the result."""
    return compile_spec(_freeze(content_spec)).render(contact_row)


def content_hash(content_spec: Any) -> str:
    """A stable hash of the spec before rendering (duplicate protection across campaigns and cadences)."""
    canonical = json.dumps(content_spec, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()[:32]


class CompiledSpec:
    """A spec prepared once: its variables listed, and validated once when it has none."""

    def __init__(self, spec: Any) -> None:
        self.spec = spec
        self.variables = variables_in(spec)
        self._static: RenderResult | None = _validate(spec, {}) if not self.variables else None
        # The fast path substitutes into the spec's JSON text (one regex pass, one parse) instead of walking it;
        # it is exact unless a structural key holds "{{", which the walk leaves alone.
        self._json = json.dumps(spec, ensure_ascii=False)
        self._walk = any("{{" in text for text in _structural_texts(spec))

    def render(self, contact_row: Any) -> RenderResult:
        """The content for one contact."""
        if self._static is not None:
            return self._static
        contact = _mapping(contact_row)
        values: dict[str, str] = {}
        missing: list[str] = []
        for variable in self.variables:
            value = value_of(variable.name, contact)
            if value is None:
                if variable.fallback is None:
                    if variable.name not in missing:
                        missing.append(variable.name)
                    continue
                value = variable.fallback.strip()
            values.setdefault(variable.name, value)
        if missing:
            return RenderResult(None, values, missing, f"missing variables: {', '.join(missing)}")
        if self._walk:
            return _validate(_fill(self.spec, contact), values)
        filled = VARIABLE.sub(lambda m: json.dumps(_replacement(m, contact), ensure_ascii=False)[1:-1], self._json)
        return _validate(json.loads(filled), values)


@lru_cache(maxsize=256)
def _compiled(frozen: str) -> CompiledSpec:
    return CompiledSpec(json.loads(frozen))


def compile_spec(spec: Any) -> CompiledSpec:
    """The compiled form of a spec (cached: a campaign renders the same few specs many times)."""
    return _compiled(spec if isinstance(spec, str) else _freeze(spec))


def _freeze(spec: Any) -> str:
    return spec if isinstance(spec, str) else json.dumps(spec, sort_keys=True)


def _validate(rendered: Any, values: dict[str, str]) -> RenderResult:
    try:
        return RenderResult(_CONTENT.validate_python(rendered), values)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ()))
        return RenderResult(None, values, [], f"invalid content at {where or 'content'}: {first.get('msg')}")


def _mapping(row: Any) -> Mapping[str, Any]:
    mapping = getattr(row, "_mapping", None)
    return mapping if mapping is not None else row  # type: ignore[no-any-return]


def _fill(node: Any, contact: Mapping[str, Any], key: str | None = None) -> Any:
    if isinstance(node, str):
        if key in STRUCTURAL or "{{" not in node:
            return node
        return VARIABLE.sub(lambda m: _replacement(m, contact), node)
    if isinstance(node, dict):
        return {k: _fill(v, contact, k) for k, v in node.items()}
    if isinstance(node, list):
        return [_fill(v, contact, key) for v in node]
    return node


def _replacement(match: re.Match[str], contact: Mapping[str, Any]) -> str:
    value = value_of(match.group(1), contact)
    if value is None:
        fallback = match.group(2)
        return fallback.strip() if fallback is not None else ""
    return value


def _structural_texts(node: Any, key: str | None = None) -> list[str]:
    if isinstance(node, str):
        return [node] if key in STRUCTURAL else []
    if isinstance(node, dict):
        return [t for k, v in node.items() for t in _structural_texts(v, k)]
    if isinstance(node, list):
        return [t for v in node for t in _structural_texts(v, key)]
    return []


def _texts(node: Any, key: str | None = None) -> list[str]:
    if isinstance(node, str):
        return [] if key in STRUCTURAL else [node]
    if isinstance(node, dict):
        return [t for k, v in node.items() for t in _texts(v, k)]
    if isinstance(node, list):
        return [t for v in node for t in _texts(v, key)]
    return []

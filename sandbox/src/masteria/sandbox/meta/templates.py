"""Message templates per WhatsApp Business account, seeded on first use, with what a send must supply."""

import copy
import hashlib
import re
import threading
from dataclasses import dataclass, field
from typing import Any

from masteria.sandbox.meta.template_seeds import SEED_TEMPLATES

_PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z0-9_]+)\s*\}\}")


@dataclass(frozen=True, slots=True)
class ButtonParameter:
    """A button whose send needs one parameter (a URL suffix, a coupon or OTP code)."""

    index: int
    sub_type: str  # "url" or "copy_code", as the send's component names it


@dataclass(frozen=True, slots=True)
class TemplateSpec:
    """The parameters a send of a template must supply, read once from its components."""

    named: bool
    header_format: str | None
    header_params: tuple[str, ...]
    body_params: tuple[str, ...]
    buttons: tuple[ButtonParameter, ...]


@dataclass(frozen=True, slots=True)
class Template:
    """A template as Graph lists it (`wire`) and what sending it requires (`spec`)."""

    waba_id: str
    wire: dict[str, Any]
    spec: TemplateSpec

    @property
    def id(self) -> str:
        """Graph's template id."""
        return str(self.wire["id"])

    @property
    def name(self) -> str:
        """The template's name."""
        return str(self.wire["name"])

    @property
    def language(self) -> str:
        """Its language code, e.g. pt_BR."""
        return str(self.wire["language"])

    @property
    def status(self) -> str:
        """APPROVED, PENDING, REJECTED, PAUSED, DISABLED, ..."""
        return str(self.wire["status"])

    @property
    def category(self) -> str:
        """MARKETING, UTILITY or AUTHENTICATION."""
        return str(self.wire["category"])


def placeholders(text: str | None) -> tuple[str, ...]:
    """The distinct placeholders of a text in order of first appearance (`1`, `2` or names)."""
    seen: dict[str, None] = {}
    for match in _PLACEHOLDER.finditer(text or ""):
        seen.setdefault(match.group(1), None)
    return tuple(seen)


def spec_of(wire: dict[str, Any]) -> TemplateSpec:
    """What a send must supply for a template's components."""
    header_format: str | None = None
    header_params: tuple[str, ...] = ()
    body_params: tuple[str, ...] = ()
    buttons: list[ButtonParameter] = []
    for component in wire.get("components", []):
        kind = str(component.get("type", "")).upper()
        if kind == "HEADER":
            header_format = str(component.get("format", "TEXT")).upper()
            header_params = placeholders(component.get("text")) if header_format == "TEXT" else ()
        elif kind == "BODY":
            body_params = placeholders(component.get("text"))
        elif kind == "BUTTONS":
            for index, button in enumerate(component.get("buttons", [])):
                button_type = str(button.get("type", "")).upper()
                if button_type == "URL" and placeholders(button.get("url")):
                    buttons.append(ButtonParameter(index, "url"))
                elif button_type == "COPY_CODE":
                    buttons.append(ButtonParameter(index, "copy_code"))
    named = str(wire.get("parameter_format", "POSITIONAL")).upper() == "NAMED"
    return TemplateSpec(named, header_format, header_params, body_params, tuple(buttons))


def template_id(waba_id: str, ordinal: int) -> str:
    """The numeric id of a WABA's `ordinal`-th template: stable across restarts, increasing with creation
    (so sorting by id, by name or by creation lists the seeds in the same order)."""
    digest = hashlib.sha256(waba_id.encode()).digest()
    return str(10**15 + int.from_bytes(digest[:8], "big") % (8 * 10**15) + ordinal)


@dataclass
class TemplateStore:
    """Every WABA's templates in creation order; a WABA gets the seed templates when first seen."""

    _by_waba: dict[str, list[Template]] = field(default_factory=dict)
    _created: dict[str, int] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def ensure_seeded(self, waba_id: str) -> None:
        """Give a WABA its starting templates, once."""
        with self._lock:
            if waba_id in self._by_waba:
                return
            self._by_waba[waba_id] = [self._build(waba_id, copy.deepcopy(seed)) for seed in SEED_TEMPLATES]

    def of(self, waba_id: str) -> list[Template]:
        """The WABA's templates, oldest first."""
        self.ensure_seeded(waba_id)
        with self._lock:
            return list(self._by_waba[waba_id])

    def find(self, waba_id: str, name: str, language: str) -> Template | None:
        """The template with this name in this language, if any."""
        for template in self.of(waba_id):
            if template.name == name and template.language == language:
                return template
        return None

    def upsert(self, waba_id: str, wire: dict[str, Any]) -> Template:
        """Add a template, or replace the one with the same name and language in place."""
        self.ensure_seeded(waba_id)
        with self._lock:
            templates = self._by_waba[waba_id]
            for i, existing in enumerate(templates):
                if (existing.name, existing.language) == (wire["name"], wire["language"]):
                    # An edit keeps the template's id, as at Meta.
                    wire.setdefault("id", existing.id)
                    templates[i] = template = self._build(waba_id, wire)
                    return template
            template = self._build(waba_id, wire)
            templates.append(template)
        return template

    def set_status(self, waba_id: str, template_id_: str, status: str, rejected_reason: str | None) -> Template | None:
        """Move a template to `status` (Meta's review or quality system did); None when it is unknown."""
        self.ensure_seeded(waba_id)
        with self._lock:
            templates = self._by_waba[waba_id]
            for i, existing in enumerate(templates):
                if existing.id == template_id_:
                    wire = {**existing.wire, "status": status}
                    wire.pop("rejected_reason", None)
                    if rejected_reason is not None:
                        wire["rejected_reason"] = rejected_reason
                    templates[i] = template = Template(waba_id, wire, existing.spec)
                    return template
        return None

    def delete(self, waba_id: str, template_id_: str) -> bool:
        """Remove a template by id; False when the WABA has no such template."""
        self.ensure_seeded(waba_id)
        with self._lock:
            templates = self._by_waba[waba_id]
            kept = [t for t in templates if t.id != template_id_]
            self._by_waba[waba_id] = kept
            return len(kept) != len(templates)

    def _build(self, waba_id: str, wire: dict[str, Any]) -> Template:
        # Called with the lock held.
        ordinal = self._created.get(waba_id, 0)
        self._created[waba_id] = ordinal + 1
        wire.setdefault("id", template_id(waba_id, ordinal))
        wire.setdefault("parameter_format", "POSITIONAL")
        return Template(waba_id, wire, spec_of(wire))

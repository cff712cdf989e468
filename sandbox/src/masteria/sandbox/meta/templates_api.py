"""Templates over Graph (`GET /{version}/{waba_id}/message_templates`, Meta's paging) and the control API."""

import base64
from typing import Any, Literal

from fastapi import APIRouter, HTTPException, Query, Request, Response, status
from pydantic import BaseModel, Field, field_validator

from masteria.sandbox.context import Context
from masteria.sandbox.meta.auth import TokenNumbers, check_version, serves_waba
from masteria.sandbox.meta.errors import unsupported_get
from masteria.sandbox.meta.templates import Template, placeholders

DEFAULT_LIMIT = 25
MAX_LIMIT = 100
TemplateStatus = Literal[
    "APPROVED", "PENDING", "REJECTED", "PAUSED", "DISABLED", "IN_APPEAL", "PENDING_DELETION", "DELETED",
    "LIMIT_EXCEEDED",
]  # fmt: skip
_COMPONENT_TYPES = frozenset({"HEADER", "BODY", "FOOTER", "BUTTONS"})

graph_router = APIRouter()
control_router = APIRouter(tags=["sandbox: meta"])


class TemplateIn(BaseModel):
    """A template as a WABA would hold it after Meta's review; `status` says how the review went."""

    waba_id: str = Field(min_length=1)
    name: str = Field(pattern=r"^[a-z0-9_]{1,512}$")
    language: str = Field(default="pt_BR", pattern=r"^[a-z]{2,3}(_[A-Z]{2})?$")
    category: Literal["MARKETING", "UTILITY", "AUTHENTICATION"] = "UTILITY"
    status: TemplateStatus = "APPROVED"
    # None: NAMED when the body's placeholders are names, POSITIONAL when they are numbers.
    parameter_format: Literal["POSITIONAL", "NAMED"] | None = None
    components: list[dict[str, Any]] = Field(min_length=1)
    rejected_reason: str | None = None
    id: str | None = Field(default=None, pattern=r"^\d+$")

    @field_validator("components")
    @classmethod
    def _known_components(cls, components: list[dict[str, Any]]) -> list[dict[str, Any]]:
        kinds = [str(c.get("type", "")).upper() for c in components]
        if any(kind not in _COMPONENT_TYPES for kind in kinds):
            raise ValueError("each component's type must be HEADER, BODY, FOOTER or BUTTONS")
        if kinds.count("BODY") != 1:
            raise ValueError("a template has exactly one BODY component")
        return components

    def wire(self) -> dict[str, Any]:
        """The template as Graph lists it."""
        body = next(c for c in self.components if str(c.get("type", "")).upper() == "BODY")
        named = any(not p.isdigit() for p in placeholders(body.get("text")))
        wire: dict[str, Any] = {
            "name": self.name,
            "parameter_format": self.parameter_format or ("NAMED" if named else "POSITIONAL"),
            "components": self.components,
            "language": self.language,
            "status": self.status,
            "category": self.category,
        }
        if self.rejected_reason is not None:
            wire["rejected_reason"] = self.rejected_reason
        if self.id is not None:
            wire["id"] = self.id
        return wire


def _cursor(template: Template) -> str:
    return base64.urlsafe_b64encode(f"tpl:{template.id}".encode()).decode().rstrip("=")


def _position(templates: list[Template], cursor: str) -> int | None:
    try:
        decoded = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except ValueError:
        return None
    ids = [t.id for t in templates]
    key = decoded.removeprefix("tpl:")
    return ids.index(key) if key in ids else None


def _shown(template: Template, fields: list[str] | None) -> dict[str, Any]:
    if fields is None:
        return template.wire
    return {key: template.wire[key] for key in ["id", *fields] if key in template.wire}


@graph_router.get("/{version}/{waba_id}/message_templates")
async def list_templates(
    version: str,
    waba_id: str,
    numbers: TokenNumbers,
    request: Request,
    ctx: Context,
    limit: int = Query(DEFAULT_LIMIT, ge=1),
    after: str | None = None,
    before: str | None = None,
    fields: str | None = None,
    status: str | None = None,
    name: str | None = None,
    language: str | None = None,
    category: str | None = None,
) -> dict[str, Any]:
    """A WABA's templates, filtered and paged as Graph pages (`data`, `paging.cursors`, `next`)."""
    check_version(version)
    if not serves_waba(numbers, waba_id):
        raise unsupported_get(waba_id)
    templates = ctx.meta.templates.of(waba_id)
    statuses = {s.strip().upper() for s in status.split(",")} if status else None
    templates = [
        t
        for t in templates
        if (statuses is None or t.status in statuses)
        and (name is None or name.lower() in t.name.lower())
        and (language is None or t.language == language)
        and (category is None or t.category == category.upper())
    ]
    limit = min(limit, MAX_LIMIT)
    start = 0
    if after is not None and (position := _position(templates, after)) is not None:
        start = position + 1
    elif before is not None and (position := _position(templates, before)) is not None:
        start = max(0, position - limit)
    page = templates[start : start + limit]
    wanted = [f.strip() for f in fields.split(",") if f.strip()] if fields else None
    answer: dict[str, Any] = {"data": [_shown(t, wanted) for t in page]}
    if not page:
        return answer
    paging: dict[str, Any] = {"cursors": {"before": _cursor(page[0]), "after": _cursor(page[-1])}}
    url = request.url.remove_query_params(["after", "before"])
    if start + limit < len(templates):
        paging["next"] = str(url.include_query_params(limit=limit, after=_cursor(page[-1])))
    if start > 0:
        paging["previous"] = str(url.include_query_params(limit=limit, before=_cursor(page[0])))
    answer["paging"] = paging
    return answer


@control_router.post("/templates", status_code=status.HTTP_201_CREATED)
async def put_template(body: TemplateIn, ctx: Context) -> dict[str, Any]:
    """Add a template to a WABA (or replace the one with the same name and language, keeping its id)."""
    return ctx.meta.templates.upsert(body.waba_id, body.wire()).wire


@control_router.get("/templates")
async def read_templates(ctx: Context, waba_id: str) -> list[dict[str, Any]]:
    """A WABA's templates (seeded on first use), oldest first."""
    return [t.wire for t in ctx.meta.templates.of(waba_id)]


@control_router.delete("/templates/{template_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_template(template_id: str, waba_id: str, ctx: Context) -> Response:
    """Remove a template from a WABA."""
    if not ctx.meta.templates.delete(waba_id, template_id):
        raise HTTPException(404, f"unknown template {template_id!r} in WABA {waba_id!r}")
    return Response(status_code=status.HTTP_204_NO_CONTENT)

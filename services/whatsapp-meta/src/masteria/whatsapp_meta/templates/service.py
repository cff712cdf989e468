"""Syncing templates from Graph (network first, then one short transaction) and rendering previews."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from masteria.persistence.tenancy import tenant_session
from masteria.runtime.problems import Problem
from masteria.security.secretbox import SecretBox
from masteria.whatsapp_meta.graph import GraphClient, GraphError, GraphUnavailable
from masteria.whatsapp_meta.numbers import repository as numbers
from masteria.whatsapp_meta.tables import PhoneNumber, Template
from masteria.whatsapp_meta.templates import repository
from masteria.whatsapp_meta.templates import variables as tv
from masteria.whatsapp_meta.templates.schemas import (
    ComponentVariables,
    PreviewOut,
    SyncResult,
    TemplateOut,
    WabaSync,
)
from masteria.whatsapp_meta.webhooks.routing import sealing_context


@dataclass(frozen=True)
class Account:
    """A WhatsApp Business account and a token that reads it."""

    waba_id: str
    token: str


async def find_number(session: AsyncSession, reference: str) -> PhoneNumber | None:
    """The tenant's number by our id or by Meta's phone_number_id."""
    try:
        return await numbers.get(session, uuid.UUID(reference))
    except ValueError:
        return await numbers.by_phone_number_id(session, reference)


async def accounts(session: AsyncSession, box: SecretBox, reference: str | None) -> list[Account]:
    """The accounts to sync: the named number's, or every one the tenant connected."""
    if reference is not None:
        number = await find_number(session, reference)
        if number is None:
            raise Problem(404, "Not found", f"no phone number {reference} in this tenant")
        rows = [number]
    else:
        rows = await numbers.list_for_tenant(session)
    found: dict[str, Account] = {}
    for row in rows:
        token = box.open_text(row.access_token_sealed, context=sealing_context(row.phone_number_id, "token"))
        found.setdefault(row.waba_id, Account(row.waba_id, token))
    return list(found.values())


async def sync(
    sessions: async_sessionmaker[AsyncSession], tenant_id: uuid.UUID, targets: list[Account], graph: GraphClient
) -> SyncResult:
    """Fetch every page of every account, then store them; templates Meta dropped are removed."""
    fetched = {account.waba_id: await _fetch(graph, account) for account in targets}
    reports = []
    async with tenant_session(sessions, tenant_id) as session:
        for waba_id, rows in fetched.items():
            created = await repository.upsert(session, tenant_id, waba_id, rows)
            removed = await repository.remove_others(session, waba_id, [(r["name"], r["language"]) for r in rows])
            reports.append(
                WabaSync(
                    waba_id=waba_id, synced=len(rows), created=created, updated=len(rows) - created, removed=removed
                )
            )
    return SyncResult(
        synced=sum(r.synced for r in reports),
        created=sum(r.created for r in reports),
        updated=sum(r.updated for r in reports),
        removed=sum(r.removed for r in reports),
        accounts=reports,
    )


async def _fetch(graph: GraphClient, account: Account) -> list[dict[str, Any]]:
    rows: dict[tuple[str, str], dict[str, Any]] = {}
    now = datetime.now(UTC)
    try:
        async for page in graph.message_templates(account.waba_id, account.token):
            for item in page:
                row = _row(item, now)
                if row is not None:
                    rows[(row["name"], row["language"])] = row
    except GraphError as exc:
        raise Problem(502, "Meta refused the template list", f"Graph answered {exc.status}: {exc}") from exc
    except GraphUnavailable as exc:
        raise Problem(502, "Meta unreachable", f"could not read the templates: {exc}") from exc
    return list(rows.values())


def _row(item: dict[str, Any], now: datetime) -> dict[str, Any] | None:
    name, language = item.get("name"), item.get("language")
    if not isinstance(name, str) or not isinstance(language, str):
        return None
    components = [c for c in item.get("components") or [] if isinstance(c, dict)]
    declared = str(item.get("parameter_format") or "").upper()
    quality = item.get("quality_score")
    return {
        "meta_id": str(item["id"]) if item.get("id") is not None else None,
        "name": name[:512],
        "language": language[:16],
        "category": str(item.get("category"))[:32] if item.get("category") else None,
        "status": str(item.get("status") or "UNKNOWN")[:32],
        "status_reason": _reason(item.get("rejected_reason")),
        "parameter_format": declared
        if declared in ("NAMED", "POSITIONAL")
        else ("NAMED" if tv.is_named(components) else "POSITIONAL"),
        "components": components,
        "quality_score": str(quality.get("score") if isinstance(quality, dict) else quality or "")[:16] or None,
        "synced_at": now,
    }


def _reason(value: Any) -> str | None:
    # Meta lists rejected_reason "NONE" on templates that were never rejected.
    text = str(value or "").strip()
    return text[:1000] if text and text.upper() != "NONE" else None


def to_out(template: Template) -> TemplateOut:
    """The API view with its variables per component."""
    return TemplateOut(
        id=template.id,
        waba_id=template.waba_id,
        meta_id=template.meta_id,
        name=template.name,
        language=template.language,
        category=template.category,
        status=template.status,
        parameter_format=template.parameter_format,
        quality_score=template.quality_score,
        components=template.components,
        variables=[ComponentVariables.model_validate(g) for g in tv.grouped(tv.slots(template.components))],
        synced_at=template.synced_at,
    )


def preview(template: Template, values: dict[str, str]) -> PreviewOut:
    """The rendered template, or 422 naming each missing variable."""
    try:
        rendered = tv.render(template.components, values)
    except tv.MissingVariables as exc:
        raise Problem(
            422,
            "Missing template variables",
            f"no value for {', '.join(exc.keys)}",
            reason="missing_variables",
            missing=exc.keys,
            errors=[{"field": f"variables.{key}", "message": f"a value for {key} is required"} for key in exc.keys],
        ) from exc
    return PreviewOut.model_validate(rendered)

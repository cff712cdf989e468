"""What the tools' integration tests share (no tests here): an API client, seeding the contacts view, reading NATS."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Callable, Iterable
from typing import Any

import httpx
import nats
from sqlalchemy import text

from masteria.contracts.ids import uuid7
from masteria.devstack.harness import RunningService
from masteria.devstack.infra import ensure_infra
from masteria.persistence.tenancy import tenant_session

from .conftest import bearer
from .helpers import Api


class ToolsApi(Api):
    """The campaigns API for one tenant's user; a request's own headers (a Content-Type) join the token."""

    async def call(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        headers = {**bearer(self.issuer, self.tenant, self.role), **kwargs.pop("headers", {})}
        return await self.service.client.request(method, path, headers=headers, **kwargs)

    def as_role(self, role: str) -> ToolsApi:
        """The same tenant with another role."""
        return ToolsApi(self.service, self.issuer, self.tenant, role)


async def seed_contacts(
    service: RunningService, tenant: uuid.UUID, contacts: Iterable[dict[str, Any]]
) -> list[uuid.UUID]:
    """Rows of the audience view as crm's events would leave them (written directly: the tools read the view)."""
    ids = []
    async with tenant_session(service.service.sessions, tenant) as session:
        for contact in contacts:
            contact_id = contact.get("contact_id") or uuid7()
            ids.append(contact_id)
            await session.execute(
                text("""INSERT INTO campaigns.contacts
                          (contact_id, tenant_id, phone, name, email, tags, custom_fields, opted_out,
                           lead_stage_id, lead_stage_name, deleted)
                        VALUES (:id, :tenant, :phone, :name, :email, :tags, CAST(:custom AS jsonb), :opted_out,
                                :stage_id, :stage, :deleted)"""),
                {
                    "id": contact_id,
                    "tenant": tenant,
                    "phone": contact.get("phone"),
                    "name": contact.get("name"),
                    "email": contact.get("email"),
                    "tags": list(contact.get("tags", [])),
                    "custom": json.dumps(contact.get("custom", {})),
                    "opted_out": list(contact.get("opted_out", [])),
                    "stage_id": contact.get("stage_id"),
                    "stage": contact.get("stage"),
                    "deleted": contact.get("deleted", False),
                },
            )
    return ids


async def execute(service: RunningService, tenant: uuid.UUID, sql: str, **params: Any) -> None:
    """Run a statement as the tenant (RLS applies)."""
    async with tenant_session(service.service.sessions, tenant) as session:
        await session.execute(text(sql), params)


async def collect(
    subject: str, until: Callable[[list[dict[str, Any]]], bool], *, within: float = 10.0
) -> list[dict[str, Any]]:
    """Envelopes stored on ``subject`` (from the start of its stream) until ``until(seen)`` holds."""
    nc = await nats.connect(ensure_infra().nats_url)
    seen: list[dict[str, Any]] = []
    try:
        sub = await nc.jetstream().subscribe(subject, ordered_consumer=True)
        deadline = asyncio.get_running_loop().time() + within
        while not until(seen):
            remaining = deadline - asyncio.get_running_loop().time()
            if remaining <= 0:
                raise TimeoutError(f"{subject}: condition not met; saw {len(seen)} messages")
            try:
                msg = await sub.next_msg(timeout=min(remaining, 1.0))
            except nats.errors.TimeoutError:
                continue
            seen.append(json.loads(msg.data))
    finally:
        await nc.close()
    return seen

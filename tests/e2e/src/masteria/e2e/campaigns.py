"""Campaign journeys as an operator drives them: contacts, a campaign, its control and its numbers."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from typing import Any

from masteria.devstack.harness import wait_for
from masteria.e2e.clients import Operator, Sandbox, SandboxNumber


# The sandbox's approved template with one body variable: the usual way to reach customers outside the window.
def template_with(text: str) -> dict[str, Any]:
    """``boas_vindas`` with its one body parameter set to ``text`` (which may hold {{variables}})."""
    return {
        "kind": "template",
        "name": "boas_vindas",
        "language": "pt_BR",
        "components": [{"type": "body", "parameters": [{"type": "text", "text": text}]}],
    }


async def add_contact(operator: Operator, phone: str, name: str, tags: list[str]) -> dict[str, Any]:
    """A contact created in the CRM (campaigns learns of it through contact.created)."""
    response = await operator.post("/api/v1/contacts", {"phone": phone, "name": name, "tags": tags})
    assert response.status_code == 201, response.text
    contact: dict[str, Any] = response.json()
    return contact


async def opt_out(operator: Operator, contact_id: str, channel: str = "whatsapp_meta") -> None:
    """The contact asked to stop on ``channel``."""
    response = await operator.put(f"/api/v1/contacts/{contact_id}/consent/{channel}", {"allowed": False})
    assert response.status_code == 200, response.text


async def audience_counted(
    operator: Operator, channel: str, audience: dict[str, Any], *, total: int, opted_out: int = 0
) -> dict[str, Any]:
    """Wait until campaigns' live count of the audience shows what the CRM holds."""

    async def counted() -> dict[str, Any] | None:
        response = await operator.post("/api/v1/campaigns/audience/count", {"channel": channel, "audience": audience})
        if response.status_code != 200:
            return None
        body: dict[str, Any] = response.json()
        return body if body["total"] == total and body["opted_out"] == opted_out else None

    result: dict[str, Any] = await wait_for(counted, within=30, interval=0.2)
    return result


async def create_campaign(operator: Operator, **fields: Any) -> dict[str, Any]:
    """A draft campaign."""
    response = await operator.post("/api/v1/campaigns", fields)
    assert response.status_code == 201, response.text
    campaign: dict[str, Any] = response.json()
    return campaign


async def control(operator: Operator, campaign_id: str, action: str, status: int = 200) -> dict[str, Any]:
    """Launch (202), pause, resume or cancel (200 once committed)."""
    response = await operator.post(f"/api/v1/campaigns/{campaign_id}/{action}")
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    return body


async def campaign(operator: Operator, campaign_id: str) -> dict[str, Any]:
    """The campaign as it stands."""
    response = await operator.get(f"/api/v1/campaigns/{campaign_id}")
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def stats(operator: Operator, campaign_id: str) -> dict[str, Any]:
    """The live statistics."""
    response = await operator.get(f"/api/v1/campaigns/{campaign_id}/stats")
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def reaches(operator: Operator, campaign_id: str, state: str, *, within: float = 60) -> dict[str, Any]:
    """Wait until the campaign is in ``state``."""

    async def reached() -> dict[str, Any] | None:
        now = await campaign(operator, campaign_id)
        return now if now["state"] == state else None

    result: dict[str, Any] = await wait_for(reached, within=within, interval=0.2)
    return result


async def settled(operator: Operator, campaign_id: str, *, within: float = 60) -> dict[str, Any]:
    """Wait until no recipient of the campaign is pending or in flight."""

    async def quiet() -> dict[str, Any] | None:
        now = await campaign(operator, campaign_id)
        counts = now["counts"]
        return now if counts["pending"] == 0 and counts["queued"] == 0 else None

    result: dict[str, Any] = await wait_for(quiet, within=within, interval=0.2)
    return result


async def template_texts(sandbox: Sandbox, number: SandboxNumber) -> dict[str, list[str]]:
    """What Meta received from ``number``: per recipient (E.164), the body parameter of each template sent."""
    sent: dict[str, list[str]] = {}
    for entry in await sandbox.meta_ledger(number):
        if entry["type"] != "template":
            continue
        components = entry["body"]["template"].get("components", [])
        texts = [p.get("text", "") for c in components if c["type"] == "body" for p in c.get("parameters", [])]
        sent.setdefault(f"+{entry['to'].lstrip('+')}", []).append(" ".join(texts))
    return sent


# --- audiences in bulk: a CSV imported through crm, as an operator does it -------------------------

MAPPING = {"phone": "phone", "name": "name", "tags": "tags"}


def sheet(rows: Iterable[tuple[str, str, str]]) -> bytes:
    """A CSV of (phone, name, tags separated by ';')."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(list(MAPPING))
    writer.writerows(rows)
    return buffer.getvalue().encode()


def numbered(count: int, *, area: str, tag: str, start: int = 0) -> list[tuple[str, str, str]]:
    """``count`` Brazilian mobiles in one area code, named ``Cliente <i>``, all tagged ``tag``."""
    return [(f"+55{area}9{70_000_000 + start + i}", f"Cliente {start + i}", tag) for i in range(count)]


async def import_contacts(operator: Operator, rows: list[tuple[str, str, str]], *, within: float = 300) -> None:
    """Upload the CSV and wait for crm to finish the import."""
    response = await operator.post(
        "/api/v1/contacts/imports", files={"file": ("contatos.csv", sheet(rows), "text/csv")},
        data={"mapping": json.dumps(MAPPING), "default_country": "BR"})
    assert response.status_code == 202, response.text
    import_id = response.json()["id"]

    async def finished() -> dict[str, object] | None:
        job: dict[str, object] = (await operator.get(f"/api/v1/contacts/imports/{import_id}")).json()
        return job if job["state"] != "running" else None

    job = await wait_for(finished, within=within, interval=0.2)
    assert job["state"] == "completed", job
    assert job["failed_rows"] == 0, job


async def wait_audience(operator: Operator, channel: str, audience: dict[str, object], count: int,
                        *, within: float = 300) -> None:
    """Wait until campaigns' audience view (fed by crm's contact events) counts ``count`` contacts."""

    async def counted() -> bool:
        response = await operator.post("/api/v1/campaigns/audience/count", {"channel": channel, "audience": audience})
        return response.status_code == 200 and int(response.json()["total"]) >= count

    await wait_for(counted, within=within, interval=0.25)

"""What an agent may send: the reason comes back when it may not."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any

import pytest

from masteria.contracts.content import AnyContent, MediaContent, TemplateContent, TextContent
from masteria.crm.errors import RefusedError
from masteria.crm.sending.rules import check_sendable

NOW = datetime(2026, 11, 27, 12, tzinfo=UTC)
TENANT = uuid.uuid4()
TEXT = TextContent(body="oi")
TEMPLATE = TemplateContent(name="retomada", language="pt_BR")


def thread(channel: str = "whatsapp_meta", last: timedelta | None = timedelta(hours=1), **consent: Any) -> Any:
    windows = {channel: (NOW - last).isoformat()} if last is not None else {}
    return SimpleNamespace(channel=channel, contact_last_inbound_at=windows, contact_consent=consent)


async def stored(_key: str) -> bool:
    return True


async def reason(row: Any, content: AnyContent) -> str | None:
    try:
        await check_sendable(row, content, TENANT, stored, now=NOW)
    except RefusedError as exc:
        return exc.reason
    return None


@pytest.mark.parametrize(
    ("last", "content", "expected"),
    [
        (timedelta(hours=23, minutes=59), TEXT, None),
        (timedelta(hours=24), TEXT, "window_closed"),
        (None, TEXT, "window_closed"),
        (timedelta(days=3), TEMPLATE, None),
    ],
)
async def test_the_whatsapp_window_lets_only_templates_through_once_closed(
    last: timedelta | None, content: AnyContent, expected: str | None
) -> None:
    assert await reason(thread(last=last), content) == expected


async def test_sms_has_no_window_but_carries_no_templates() -> None:
    assert await reason(thread("sms", last=None), TEXT) is None
    assert await reason(thread("sms"), TEMPLATE) == "invalid_content"


async def test_an_opt_out_on_the_channel_refuses_even_a_template() -> None:
    opted = {"allowed": False, "changed_at": NOW.isoformat(), "reason": "keyword"}
    assert await reason(thread(whatsapp_meta=opted), TEMPLATE) == "opted_out"
    assert await reason(thread("sms", sms=opted), TEXT) == "opted_out"
    assert await reason(thread(sms=opted), TEXT) is None  # opted out of SMS, not of WhatsApp


async def test_an_attachment_must_be_this_tenants_and_stored() -> None:
    mine = MediaContent(kind="image", storage_key=f"{TENANT}/ab/{'ab' * 32}")
    theirs = MediaContent(kind="image", storage_key=f"{uuid.uuid4()}/ab/{'ab' * 32}")
    assert await reason(thread(), mine) is None
    assert await reason(thread(), theirs) == "invalid_content"

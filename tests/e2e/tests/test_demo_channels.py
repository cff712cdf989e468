"""`make up`'s demo seeding against the real stack: channels connected once, customers write once."""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path

from masteria.devstack.demo_channels import ensure_demo_channels
from masteria.e2e.clients import Operator
from masteria.e2e.stack import RunningStack


async def test_the_demo_tenant_gets_a_number_a_sender_and_conversations_and_a_rerun_adds_nothing(
    stack: RunningStack, tmp_path: Path
) -> None:
    operator = Operator(stack.config.gateway_url)
    email = f"demo-{uuid.uuid4().hex[:8]}@example.com"
    await operator.signup(email=email)
    credentials = tmp_path / "demo-channels.json"

    def seed() -> object:
        return ensure_demo_channels(stack.config.gateway_url, stack.config.url("sandbox"), email=email,
                                    password="correct-horse-battery", credentials_file=credentials)

    try:
        first = await asyncio.to_thread(seed)
        inventory = await _inventory(operator)
        assert inventory["numbers"] == inventory["senders"] == 1, inventory
        assert inventory["channels"] == {"whatsapp_meta", "sms"}, inventory
        assert inventory["conversations"] >= 5, inventory

        await asyncio.to_thread(seed)  # `make up` run again (the sandbox side is set up again)
        assert await _inventory(operator) == inventory
        assert credentials.is_file()
        assert first is not None
    finally:
        await operator.close()


async def _inventory(operator: Operator) -> dict[str, object]:
    numbers = (await operator.get("/api/v1/whatsapp/phone-numbers")).json()
    senders = (await operator.get("/api/v1/sms/senders")).json()
    conversations = (await operator.get("/api/v1/conversations", limit=100)).json()["items"]
    return {
        "numbers": len(numbers["items"] if isinstance(numbers, dict) else numbers),
        "senders": len(senders["items"] if isinstance(senders, dict) else senders),
        "conversations": len(conversations),
        "channels": {c["channel"] for c in conversations},
    }

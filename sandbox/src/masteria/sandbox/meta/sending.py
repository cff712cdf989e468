"""The send path: validate, inject faults, check templates, window and limits, record, schedule statuses.

The messaging limit (unique customers reached outside their window per 24 h, `tiers`) is checked
after the window and before the per-second limits; a customer is counted only once the send is
accepted, so a send refused with 130429 or 131056 and tried again is counted once.

Kept cheap on purpose (the benchmark pushes 1,000 sends/s through one number while the sandbox shares
two cores with the stack): a few dict lookups, one random draw, one heap push; no I/O before the answer.
"""

import asyncio
import time
from typing import Any

from masteria.sandbox.meta.behaviour import Behaviour, NumberRuntime
from masteria.sandbox.meta.errors import (
    invalid_parameter,
    messaging_limit_reached,
    pair_rate_hit,
    server_error,
    service_unavailable,
    throughput_reached,
    too_many_calls,
    window_closed,
)
from masteria.sandbox.meta.ids import outbound_wamid
from masteria.sandbox.meta.state import LedgerEntry, MetaRegistry, SimulatedNumber
from masteria.sandbox.meta.statuses import StatusDispatcher
from masteria.sandbox.meta.template_check import check_template_send
from masteria.sandbox.meta.tiers import tier_limit
from masteria.sandbox.meta.validation import validate_send

MAX_CALLBACK_DATA = 512


async def send_message(
    registry: MetaRegistry, statuses: StatusDispatcher, number: SimulatedNumber, payload: Any
) -> dict[str, Any]:
    """Accept (or refuse, as Meta would) one send; the answer is Graph's."""
    send = validate_send(payload)
    callback_data = _callback_data(payload)
    runtime = registry.behaviours.runtime(number.phone_number_id)
    await _maybe_fault(runtime)
    category = "service"
    if send.type == "template":
        category = check_template_send(registry.templates, number.waba_id, payload["template"]).category.lower()
    behaviour = runtime.behaviour
    wall = time.time()
    fails_with: int | None = None
    if (
        behaviour.enforce_window
        and send.type != "template"
        and not registry.windows.is_open(number.phone_number_id, send.wa_id, wall)
    ):
        if behaviour.window_error == "sync":
            raise window_closed()
        fails_with = 131047
    reaches = fails_with is None and _business_initiated(registry, number, behaviour, send.wa_id, wall)
    if reaches and registry.reach.refuses(number.phone_number_id, send.wa_id, _limit(number), wall):
        if behaviour.tier_error == "sync":
            raise messaging_limit_reached()
        fails_with, reaches = 131048, False
    now = time.monotonic()
    refusal = runtime.admit(now, send.wa_id)
    if refusal == "throughput":
        raise throughput_reached()
    if refusal == "pair":
        raise pair_rate_hit()
    if reaches:
        registry.reach.record(number.phone_number_id, send.wa_id, wall)
    if fails_with is None and runtime.draw_permanent_failure():
        fails_with = 131026
    wamid = outbound_wamid(send.wa_id)
    entry = LedgerEntry(
        now, wall, number.phone_number_id, send.to, send.type, payload, wamid, send.wa_id, callback_data, fails_with
    )
    registry.record(entry)
    statuses.schedule(entry, category, behaviour)
    message: dict[str, str] = {"id": wamid}
    if send.type == "template":
        # Meta adds the pacing verdict to template sends only.
        message["message_status"] = "accepted"
    return {
        "messaging_product": "whatsapp",
        "contacts": [{"input": send.to, "wa_id": send.wa_id}],
        "messages": [message],
    }


def _limit(number: SimulatedNumber) -> int:
    limit = tier_limit(number.messaging_limit_tier)
    assert limit is not None  # only called for a limited tier
    return limit


def _business_initiated(
    registry: MetaRegistry, number: SimulatedNumber, behaviour: Behaviour, wa_id: str, wall: float
) -> bool:
    """Whether the send counts against a limited tier: the customer's window is closed (or never opened).

    Unlimited numbers skip the window lookup: the benchmark's hot path stays as cheap as before. With
    `enforce_window` off every window counts as open, so nothing is counted either.
    """
    if not behaviour.enforce_window or tier_limit(number.messaging_limit_tier) is None:
        return False
    return not registry.windows.is_open(number.phone_number_id, wa_id, wall)


def _callback_data(payload: dict[str, Any]) -> str | None:
    data = payload.get("biz_opaque_callback_data")
    if data is None:
        return None
    if not isinstance(data, str) or len(data) > MAX_CALLBACK_DATA:
        raise invalid_parameter(
            f"Param biz_opaque_callback_data must be a string of at most {MAX_CALLBACK_DATA} characters"
        )
    return data


async def _maybe_fault(runtime: NumberRuntime) -> None:
    # A faulted request never reaches the ledger and gets no status: to the client it simply failed.
    fault = runtime.draw_fault()
    if fault is None:
        return
    if fault == "429":
        raise too_many_calls()
    if fault == "5xx":
        raise server_error()
    await asyncio.sleep(runtime.behaviour.timeout_s)
    raise service_unavailable()

"""Statuses fold into a message forward only, whatever their order, and a new send attempt starts afresh."""

from __future__ import annotations

import itertools
import uuid
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any

import pytest

from masteria.contracts.channels import Channel
from masteria.contracts.messages import DeliveryError, ErrorClassification, MessageStatus, MessageStatusChanged
from masteria.crm.delivery.service import _advance, _initial

T0 = datetime(2026, 11, 27, tzinfo=UTC)
FAILURE = DeliveryError(code="131026", title="undeliverable", classification=ErrorClassification.PERMANENT)


def row(status: str = "queued", attempt: int | None = None) -> Any:
    return SimpleNamespace(
        id=uuid.uuid4(), status=status, status_attempt=attempt, external_id=None, status_at=None, error=None
    )


def status(value: MessageStatus, attempt: int = 1, seconds: int = 0) -> MessageStatusChanged:
    return MessageStatusChanged(
        channel=Channel.WHATSAPP_META,
        message_id=uuid.uuid4(),
        external_id="wamid.1",
        status=value,
        occurred_at=T0 + timedelta(seconds=seconds),
        recipient="+5511999990001",
        attempt=attempt,
        error=FAILURE if value is MessageStatus.FAILED else None,
    )


DELIVERED = [MessageStatus.ACCEPTED, MessageStatus.SENT, MessageStatus.DELIVERED, MessageStatus.READ]


@pytest.mark.parametrize("order", list(itertools.permutations(DELIVERED)))
def test_any_order_of_a_delivered_message_ends_read(order: tuple[MessageStatus, ...]) -> None:
    state = _initial(row())
    moves = [s for s in (*order, *order) if _advance(state, status(s))]
    assert state.status is MessageStatus.READ
    assert state.external_id == "wamid.1"
    assert len(moves) == len(set(moves))


@pytest.mark.parametrize("order", list(itertools.permutations([MessageStatus.ACCEPTED, MessageStatus.FAILED])))
def test_a_failure_sticks_and_keeps_its_reason(order: tuple[MessageStatus, ...]) -> None:
    state = _initial(row())
    for s in order:
        _advance(state, status(s))
    assert state.status is MessageStatus.FAILED
    assert state.error is not None
    assert state.error["code"] == "131026"


def test_a_late_failure_cannot_undo_a_delivery() -> None:
    state = _initial(row("delivered", attempt=1))
    assert not _advance(state, status(MessageStatus.FAILED))
    assert state.status is MessageStatus.DELIVERED


def test_a_retry_supersedes_the_failed_attempt_and_old_news_is_ignored() -> None:
    state = _initial(row("failed", attempt=1))
    assert _advance(state, status(MessageStatus.ACCEPTED, attempt=2))
    assert not _advance(state, status(MessageStatus.SENT, attempt=1))
    assert _advance(state, status(MessageStatus.DELIVERED, attempt=2))
    assert (state.status, state.attempt, state.error) == (MessageStatus.DELIVERED, 2, None)

"""Whether a cadence step goes, and how a cadence is described to the API."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pydantic import ValidationError

from masteria.campaigns.cadences.conditions import Condition, Facts, ReplySince, StepRule, holds
from masteria.campaigns.cadences.schemas import BusinessHoursIn, CadenceIn, EnrolIn

ENROLLED = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)
STAGE = uuid.uuid4()


def facts(**overrides: Any) -> Facts:
    values: dict[str, Any] = {
        "enrolled_at": ENROLLED,
        "last_reply_at": None,
        "previous_sent_at": ENROLLED + timedelta(minutes=1),
        "previous_state": "delivered",
        "lead_stage_id": None,
    }
    return Facts(**(values | overrides))


def test_always_goes() -> None:
    assert holds(StepRule(Condition.ALWAYS), facts(last_reply_at=ENROLLED + timedelta(hours=1)))


def test_no_reply_since_enrolment() -> None:
    rule = StepRule(Condition.NO_REPLY)
    assert holds(rule, facts())
    assert holds(rule, facts(last_reply_at=ENROLLED - timedelta(days=1)))  # an old conversation is no reply
    assert not holds(rule, facts(last_reply_at=ENROLLED + timedelta(seconds=5)))


def test_no_reply_since_the_previous_step() -> None:
    rule = StepRule(Condition.NO_REPLY, since=ReplySince.PREVIOUS_STEP)
    between = ENROLLED + timedelta(seconds=30)  # after enrolling, before the previous step went
    assert holds(rule, facts(last_reply_at=between))
    assert not holds(StepRule(Condition.NO_REPLY), facts(last_reply_at=between))
    assert not holds(rule, facts(last_reply_at=ENROLLED + timedelta(minutes=2)))
    # Nothing sent yet: the reference is the enrolment.
    assert not holds(rule, facts(previous_sent_at=None, previous_state=None, last_reply_at=between))


@pytest.mark.parametrize(("previous", "goes"), [("read", False), ("delivered", True), ("sent", True),
                                                 ("failed", True), ("queued", True), (None, True)])
def test_not_read_looks_at_the_last_message_sent(previous: str | None, goes: bool) -> None:
    assert holds(StepRule(Condition.NOT_READ), facts(previous_state=previous)) is goes


def test_stage_is_compares_the_lead_stage() -> None:
    rule = StepRule(Condition.STAGE_IS, stage_id=STAGE)
    assert holds(rule, facts(lead_stage_id=STAGE))
    assert not holds(rule, facts(lead_stage_id=uuid.uuid4()))
    assert not holds(rule, facts(lead_stage_id=None))


def step(**overrides: Any) -> dict[str, Any]:
    return {"channel": "whatsapp_meta", "content": {"kind": "text", "body": "Oi {{first_name|cliente}}"}} | overrides


def test_a_cadence_describes_its_steps() -> None:
    cadence = CadenceIn.model_validate({"name": "Follow-up", "steps": [
        step(),
        step(channel="sms", delay={"value": 2, "unit": "days"}, condition="no_reply"),
        step(condition="stage_is", stage_id=str(STAGE)),
    ], "business_hours": {"timezone": "America/Sao_Paulo", "days": [4, 0, 1], "start": "08:30", "end": "17:00"}})
    assert [s.condition for s in cadence.steps] == [Condition.ALWAYS, Condition.NO_REPLY, Condition.STAGE_IS]
    assert cadence.business_hours is not None
    assert cadence.business_hours.days == [0, 1, 4]
    assert cadence.stop_on_reply is True


@pytest.mark.parametrize(("bad", "says"), [
    (step(condition="stage_is"), "stage_is needs stage_id"),
    (step(stage_id=str(STAGE)), "stage_id belongs"),
    (step(channel="sms", content={"kind": "template", "name": "x", "language": "pt_BR"}), "SMS step sends text"),
    (step(delay={"value": 400, "unit": "days"}), "at most 365 days"),
    (step(delay={"value": -1, "unit": "hours"}), "greater than or equal"),
    (step(condition="sometimes"), "condition"),
    (step(channel="voice"), "channel"),
])
def test_a_bad_step_is_refused_with_the_reason(bad: dict[str, Any], says: str) -> None:
    with pytest.raises(ValidationError, match=says):
        CadenceIn.model_validate({"name": "x", "steps": [bad]})


@pytest.mark.parametrize(("hours", "says"), [
    ({"timezone": "Mars/Olympus"}, "unknown timezone"),
    ({"start": "18:00", "end": "09:00"}, "start must come before end"),
    ({"days": [7]}, "0 \\(Monday\\) to 6"),
    ({"days": []}, "at least 1"),
    ({"start": "9h"}, "HH:MM"),
])
def test_bad_business_hours_are_refused(hours: dict[str, Any], says: str) -> None:
    with pytest.raises(ValidationError, match=says):
        BusinessHoursIn.model_validate(hours)


def test_enrolment_takes_exactly_one_audience() -> None:
    assert EnrolIn.model_validate({"contact_ids": [str(uuid.uuid4())]}).contact_ids
    for bad in ({}, {"contact_ids": [str(uuid.uuid4())], "segment_id": str(uuid.uuid4())}):
        with pytest.raises(ValidationError, match="exactly one"):
            EnrolIn.model_validate(bad)

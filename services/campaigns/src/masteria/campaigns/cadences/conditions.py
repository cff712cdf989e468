"""Whether a step goes: its condition against what is known of the enrolment when the step falls due.

A step whose condition is false is skipped (counted as ``skipped_condition``) and the cadence goes on to the
next step, whose delay then counts from the skip.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class Condition(StrEnum):
    """When a step goes."""

    ALWAYS = "always"
    NO_REPLY = "no_reply"  # the contact has not written since the reference moment (see ReplySince)
    NOT_READ = "not_read"  # the last message the cadence sent to the contact was not read
    STAGE_IS = "stage_is"  # the contact's lead is in the step's stage


class ReplySince(StrEnum):
    """From when ``no_reply`` looks for a reply."""

    ENROLMENT = "enrolment"
    PREVIOUS_STEP = "previous_step"


@dataclass(frozen=True)
class StepRule:
    """A step's condition with its parameters."""

    condition: Condition
    stage_id: uuid.UUID | None = None
    since: ReplySince = ReplySince.ENROLMENT


@dataclass(frozen=True)
class Facts:
    """What the worker knows about an enrolment when its step falls due.

    ``previous_sent_at`` and ``previous_state`` describe the last message this enrolment actually sent
    (skipped steps sent nothing); ``last_reply_at`` is the contact's latest inbound message on any channel.
    """

    enrolled_at: datetime
    last_reply_at: datetime | None
    previous_sent_at: datetime | None
    previous_state: str | None
    lead_stage_id: uuid.UUID | None


def replied_since(facts: Facts, since: ReplySince) -> bool:
    """Whether the contact wrote after the reference moment."""
    reference = facts.enrolled_at
    if since is ReplySince.PREVIOUS_STEP and facts.previous_sent_at is not None:
        reference = facts.previous_sent_at
    return facts.last_reply_at is not None and facts.last_reply_at >= reference


def holds(rule: StepRule, facts: Facts) -> bool:
    """Whether the step goes."""
    if rule.condition is Condition.NO_REPLY:
        return not replied_since(facts, rule.since)
    if rule.condition is Condition.NOT_READ:
        # Nothing sent yet (or it failed) means nothing was read.
        return facts.previous_state != "read"
    if rule.condition is Condition.STAGE_IS:
        return rule.stage_id is not None and facts.lead_stage_id == rule.stage_id
    return True

"""The live event stream's pure rules: SSE framing, where a stream starts, which subjects a tenant sees, who may."""

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any, cast

import nats.errors
import pytest
from nats.js.api import DeliverPolicy

from masteria.contracts import subjects
from masteria.contracts.channels import Channel
from masteria.contracts.streams import DOMAIN_EVENTS
from masteria.gateway.access.authorize import event_reader_problem
from masteria.gateway.access.principal import Principal
from masteria.gateway.events import sse
from masteria.gateway.events.feed import FeedClosedError, FeedEvent, TenantFeed, start_config, tenant_filter
from masteria.gateway.events.stream import Pace, frames

A, B = uuid.uuid4(), uuid.uuid4()


def test_event_frame_carries_id_type_and_data() -> None:
    frame = sse.event(42, "message.stored", b'{"type":"message.stored"}')
    assert frame == b'id: 42\nevent: message.stored\ndata: {"type":"message.stored"}\n\n'


def test_multiline_data_stays_one_event() -> None:
    # Every line needs its own data: field, or a newline in the payload would end the event early.
    assert sse.event(1, "x.y", b"one\ntwo\r\nthree") == b"id: 1\nevent: x.y\ndata: one\ndata: two\ndata: three\n\n"


def test_event_type_cannot_inject_fields() -> None:
    with pytest.raises(ValueError, match="break the frame"):
        sse.event(1, "x.y\ndata: forged", b"{}")


def test_retry_and_ping() -> None:
    assert sse.retry(2000) == b"retry: 2000\n\n"
    assert sse.PING == b": ping\n\n"


def test_last_event_id_header_wins_over_the_query() -> None:
    # EventSource updates the header on every event; the URL keeps what the page first asked for.
    assert sse.start_after(header=9, query=3) == 9
    assert sse.start_after(header=None, query=3) == 3
    assert sse.start_after(header=None, query=None) is None


def test_no_last_id_delivers_only_new_events() -> None:
    assert start_config(None, last_sequence=100).deliver_policy == DeliverPolicy.NEW


@pytest.mark.parametrize("after", [0, 57, 100])
def test_resume_starts_right_after_the_last_seen_id(after: int) -> None:
    config = start_config(after, last_sequence=100)
    assert config.deliver_policy == DeliverPolicy.BY_START_SEQUENCE
    assert config.opt_start_seq == after + 1


def test_an_id_beyond_the_stream_end_falls_back_to_new() -> None:
    # From an earlier incarnation of the stream: waiting for sequence 5001 would deliver nothing for long.
    assert start_config(5000, last_sequence=3).deliver_policy == DeliverPolicy.NEW


def test_tenant_filter_covers_every_domain_event_of_the_tenant_and_nothing_else() -> None:
    mine, theirs = tenant_filter(A), tenant_filter(B)
    for pattern in DOMAIN_EVENTS.subjects:
        aggregate, event, _ = pattern.split(".")
        own = f"{aggregate}.{'some_event' if event == '*' else event}.{A}"
        assert DOMAIN_EVENTS.captures(own)
        assert subjects.matches(mine, own)
        assert not subjects.matches(theirs, own)
    assert subjects.matches(mine, subjects.event_subject("contact.created", A))
    # Lanes are four tokens: even if a stream held them, the filter could not match them.
    assert not subjects.matches(mine, subjects.inbound(Channel.SMS, A))


def _key(*scopes: str) -> Principal:
    return Principal(kind="api_key", user_id=None, tenant_id=A, role="agent", scopes=scopes)


def test_every_role_may_follow_events() -> None:
    for role in ("owner", "admin", "agent", "viewer"):
        assert event_reader_problem(Principal(kind="session", user_id=A, tenant_id=A, role=role)) is None


def test_a_person_without_a_tenant_may_not() -> None:
    problem = event_reader_problem(Principal(kind="session", user_id=A, tenant_id=None, role=None))
    assert problem is not None
    assert problem.status == 403


@pytest.mark.parametrize("scopes", [("*",), ("events:read",), ("campaigns:read",), ("contacts:write",)])
def test_an_api_key_with_any_read_scope_may(scopes: tuple[str, ...]) -> None:
    assert event_reader_problem(_key(*scopes)) is None


def test_an_api_key_without_a_read_scope_may_not() -> None:
    problem = event_reader_problem(_key())
    assert problem is not None
    assert (problem.status, problem.extra["missing_scope"]) == (403, "events:read")


@dataclass
class _Msg:
    subject: str
    data: bytes
    seq: int

    @property
    def metadata(self) -> SimpleNamespace:
        return SimpleNamespace(sequence=SimpleNamespace(stream=self.seq))


class _Subscription:
    """Just what TenantFeed reads of a nats-py push subscription."""

    def __init__(self, *messages: _Msg) -> None:
        self.messages = list(messages)

    async def next_msg(self, timeout: float) -> _Msg:  # noqa: ASYNC109 - nats-py's signature
        if not self.messages:
            raise nats.errors.TimeoutError
        return self.messages.pop(0)


async def test_feed_drops_what_the_filter_should_have_kept_out() -> None:
    subscription = _Subscription(
        _Msg(f"contact.created.{B}", b"theirs", 1),
        _Msg("contact.created.not-a-uuid", b"malformed", 2),
        _Msg(f"message.stored.{A}", b"mine", 3),
    )
    feed = TenantFeed(cast(Any, None), cast(Any, subscription), A)
    assert await feed.next(timeout=0.1) == FeedEvent(3, "message.stored", b"mine")
    assert await feed.next(timeout=0.1) is None


class _Feed:
    """A feed that yields the given events, then stays quiet (or, with ``closes``, goes away)."""

    def __init__(self, *events: FeedEvent, closes: bool = False) -> None:
        self.events, self.closes = list(events), closes

    async def next(self, timeout: float) -> FeedEvent | None:  # noqa: ASYNC109 - TenantFeed's signature
        if self.events:
            return self.events.pop(0)
        if self.closes:
            raise FeedClosedError("gone")
        await asyncio.sleep(timeout)
        return None


async def _collect(feed: _Feed, admitted: Callable[[], Awaitable[bool]], limit: int = 10) -> list[bytes]:
    stream = frames(cast(Any, feed), admitted, Pace(heartbeat_s=0.01, recheck_s=0.05))
    out: list[bytes] = []
    async for frame in stream:
        out.append(frame)
        if len(out) == limit:
            await stream.aclose()
    return out


async def _yes() -> bool:
    return True


async def test_frames_start_with_retry_then_events_then_pings_when_idle() -> None:
    out = await _collect(_Feed(FeedEvent(7, "contact.created", b"{}")), _yes, limit=4)
    assert out[0] == b"retry: 2000\n\n"
    assert out[1] == b"id: 7\nevent: contact.created\ndata: {}\n\n"
    assert out[2:] == [sse.PING, sse.PING]


async def test_frames_end_when_access_lapses_or_cannot_be_checked() -> None:
    async def no() -> bool:
        return False

    async def broken() -> bool:
        raise ConnectionError("database down")

    for check in (no, broken):
        out = await _collect(_Feed(), check, limit=1000)  # ends by itself
        assert out[0] == b"retry: 2000\n\n"
        assert set(out[1:]) <= {sse.PING}


async def test_frames_end_when_the_bus_goes_away() -> None:
    assert await _collect(_Feed(closes=True), _yes) == [b"retry: 2000\n\n"]

"""The Server-Sent Events wire format (WHATWG HTML, "server-sent events"), pure."""

from __future__ import annotations

PING = b": ping\n\n"


def retry(milliseconds: int) -> bytes:
    """Tell ``EventSource`` how long to wait before reconnecting."""
    return f"retry: {milliseconds}\n\n".encode()


def event(event_id: int, event_type: str, data: bytes) -> bytes:
    """One event; every line of ``data`` gets its own ``data:`` field, which the client joins with newlines."""
    if "\n" in event_type or "\r" in event_type:
        raise ValueError(f"event type {event_type!r} would break the frame")
    lines = data.splitlines() or [b""]
    head = f"id: {event_id}\nevent: {event_type}\n".encode()
    return head + b"".join(b"data: " + line + b"\n" for line in lines) + b"\n"


def start_after(header: int | None, query: int | None) -> int | None:
    """The last sequence the client has seen: the header wins, because ``EventSource`` updates it on
    every event while a ``?last_event_id=`` in the URL stays as it was when the page opened the stream."""
    return header if header is not None else query

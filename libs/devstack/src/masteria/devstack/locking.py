"""An inter-process lock so two `ensure_infra()` callers never start the same engine twice."""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .errors import InfraError

_POLL = 0.05


@contextmanager
def file_lock(path: Path, timeout: float = 180.0) -> Iterator[None]:
    """Hold an exclusive flock on `path`; the kernel drops it if the holder dies, so it never goes stale."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        _acquire(fd, path, timeout)
        # The pid is only informative, for the timeout message of the next waiter.
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        yield
    finally:
        os.close(fd)


def _acquire(fd: int, path: Path, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            if time.monotonic() > deadline:
                holder = os.pread(fd, 32, 0).decode(errors="replace").strip() or "?"
                raise InfraError(f"{path} is held by pid {holder} for more than {timeout:.0f}s") from None
            time.sleep(_POLL)

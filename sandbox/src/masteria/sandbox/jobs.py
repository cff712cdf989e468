"""Background jobs (bursts of simulated traffic) and what they record per message."""

import asyncio
import contextlib
import secrets
import threading
import time
from dataclasses import dataclass
from typing import Any


@dataclass(slots=True)
class MessageRecord:
    """One message of a job: its identity and when it was first sent and acknowledged (monotonic)."""

    wamid: str
    text: str
    sender: str
    sender_name: str = ""
    first_sent_mono: float | None = None
    acked_mono: float | None = None
    attempts: int = 0


class Job:
    """Progress of one background job; safe to read from any thread while it runs."""

    def __init__(self, kind: str, records: list[MessageRecord]) -> None:
        self.job_id = f"job_{secrets.token_hex(8)}"
        self.kind = kind
        self.records = records
        self.task: asyncio.Task[None] | None = None
        # Times are taken on the monotonic clock and shown as unix times through one fixed offset, so
        # latencies stay exact even if the wall clock jumps, yet compare with a receiver's time.time().
        self._mono_origin = time.monotonic()
        self._wall_origin = time.time()
        self._lock = threading.Lock()
        self._sent = self._acknowledged = self._attempts = self._failed_attempts = 0
        self._finished_mono: float | None = None
        self._cancelled = False
        self._error: str | None = None

    @property
    def started_mono(self) -> float:
        """When the job began, on the monotonic clock; schedules count from here."""
        with self._lock:
            return self._mono_origin

    def begin(self) -> None:
        """Start the job's clock now (planning a large job can take a while after its creation)."""
        with self._lock:
            self._mono_origin = time.monotonic()
            self._wall_origin = time.time()

    def note_attempt(self, index: int) -> None:
        """A delivery of message `index` is about to be sent."""
        now = time.monotonic()
        with self._lock:
            record = self.records[index]
            record.attempts += 1
            self._attempts += 1
            if record.first_sent_mono is None:
                record.first_sent_mono = now
                self._sent += 1

    def note_failure(self) -> None:
        """A delivery attempt got no 2xx answer."""
        with self._lock:
            self._failed_attempts += 1

    def note_ack(self, index: int) -> None:
        """Message `index` was answered with a 2xx."""
        now = time.monotonic()
        with self._lock:
            record = self.records[index]
            if record.acked_mono is None:
                record.acked_mono = now
                self._acknowledged += 1

    def finish(self, *, cancelled: bool = False, error: str | None = None) -> None:
        """Mark the job as over, once."""
        with self._lock:
            if self._finished_mono is None:
                self._finished_mono = time.monotonic()
                self._cancelled = cancelled
                self._error = error

    def status(self) -> dict[str, Any]:
        """Counters and timing, as `GET /_sandbox/jobs/{id}` answers."""
        with self._lock:
            end = self._finished_mono if self._finished_mono is not None else time.monotonic()
            elapsed = end - self._mono_origin
            return {
                "job_id": self.job_id,
                "kind": self.kind,
                "count": len(self.records),
                "sent": self._sent,
                "acknowledged": self._acknowledged,
                "attempts": self._attempts,
                "failed_attempts": self._failed_attempts,
                "done": self._finished_mono is not None,
                "cancelled": self._cancelled,
                "error": self._error,
                "started_at": self._wall_origin,
                "finished_at": self._unix(self._finished_mono),
                "elapsed_s": elapsed,
                "ack_rate_per_s": self._acknowledged / elapsed if elapsed > 0 else 0.0,
            }

    def messages(self, offset: int = 0, limit: int | None = None) -> list[dict[str, Any]]:
        """Per-message timing, for end-to-end latency measurements."""
        end = None if limit is None else offset + limit
        with self._lock:
            return [
                {
                    "wamid": r.wamid,
                    "text": r.text,
                    "from": r.sender,
                    "first_sent_at": self._unix(r.first_sent_mono),
                    "acked_at": self._unix(r.acked_mono),
                    "attempts": r.attempts,
                }
                for r in self.records[offset:end]
            ]

    def _unix(self, mono: float | None) -> float | None:
        return None if mono is None else self._wall_origin + (mono - self._mono_origin)


class JobRegistry:
    """Every job started since the sandbox came up."""

    def __init__(self) -> None:
        self._jobs: dict[str, Job] = {}
        self._lock = threading.Lock()

    def add(self, job: Job) -> None:
        """Keep a job so that its progress can be read."""
        with self._lock:
            self._jobs[job.job_id] = job

    def get(self, job_id: str) -> Job | None:
        """The job with this id, if any."""
        with self._lock:
            return self._jobs.get(job_id)

    def all(self) -> list[Job]:
        """Every job, oldest first."""
        with self._lock:
            return list(self._jobs.values())

    async def cancel(self, job: Job, timeout_s: float = 5.0) -> None:
        """Stop a job and wait (briefly) until its task has wound down."""
        task = job.task
        if task is None or task.done():
            job.finish(cancelled=True)
            return
        task.cancel()
        await asyncio.wait({task}, timeout=timeout_s)
        job.finish(cancelled=True)

    async def shutdown(self) -> None:
        """Cancel every running job; used when the app stops."""
        for job in self.all():
            with contextlib.suppress(Exception):
                await self.cancel(job)

"""A small asyncio process supervisor: start, merge prefixed output, wait until ready, kill, restart, stop."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import itertools
import os
import shlex
import shutil
import signal
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TextIO

from .liveness import group_alive, wait_until

if TYPE_CHECKING:
    import httpx

_COLORS = ("36", "33", "32", "35", "34", "96", "93", "92", "95", "94", "91")
_READ_CHUNK = 65536
_KILL_TIMEOUT = 10.0


class SupervisorError(RuntimeError):
    """A supervised process could not be started or did not become ready."""


@dataclass(frozen=True)
class ProcessSpec:
    """How to run one process; `env` is added to the supervisor's environment."""

    name: str
    argv: Sequence[str]
    env: Mapping[str, str] = field(default_factory=dict)
    cwd: str | None = None
    ready_url: str | None = None

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ProcessSpec:
        """Build a spec from one entry of a JSON procfile."""
        return cls(
            name=str(data["name"]),
            argv=[str(arg) for arg in data["argv"]],
            env={str(key): str(value) for key, value in (data.get("env") or {}).items()},
            cwd=data.get("cwd"),
            ready_url=data.get("ready_url"),
        )

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON procfile entry for this spec."""
        return {"name": self.name, "argv": list(self.argv), "env": dict(self.env), "cwd": self.cwd,
                "ready_url": self.ready_url}


class LineSink:
    """Writes name-prefixed lines to streams, with ANSI colors only on streams that are terminals."""

    def __init__(self, streams: Sequence[TextIO]) -> None:
        self._streams = [(stream, _is_tty(stream)) for stream in streams]

    def write(self, name: str, width: int, color: str, text: str) -> None:
        """Write one line of `name`'s output."""
        for stream, tty in self._streams:
            prefix = f"\x1b[{color}m{name:<{width}} |\x1b[0m" if tty else f"{name:<{width}} |"
            stream.write(f"{prefix} {text}\n")
            stream.flush()


def _is_tty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


@dataclass
class _Child:
    process: asyncio.subprocess.Process
    pump: asyncio.Task[None]
    exited: asyncio.Task[int]


class Supervisor:
    """Runs named processes, each in its own process group, merging their output into one sink."""

    def __init__(self, specs: Iterable[ProcessSpec] = (), *, sinks: Sequence[TextIO] | None = None,
                 grace: float = 10.0) -> None:
        self._specs: dict[str, ProcessSpec] = {}
        self._children: dict[str, _Child] = {}
        self._colors = itertools.cycle(_COLORS)
        self._color_of: dict[str, str] = {}
        self._sink = LineSink(sinks if sinks is not None else [sys.stdout])
        self.grace = grace
        for spec in specs:
            self.add(spec)

    async def __aenter__(self) -> Supervisor:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop_all()

    def add(self, spec: ProcessSpec) -> None:
        """Register (or replace) a spec; it starts on start()."""
        self._specs[spec.name] = spec
        self._color_of.setdefault(spec.name, next(self._colors))

    @property
    def names(self) -> list[str]:
        """Return the registered process names, in registration order."""
        return list(self._specs)

    def pid(self, name: str) -> int | None:
        """Return the pid of the process if it runs."""
        return self._children[name].process.pid if self.is_running(name) else None

    def is_running(self, name: str) -> bool:
        """Return whether the process was started and has not exited."""
        child = self._children.get(name)
        return child is not None and child.process.returncode is None

    def returncode(self, name: str) -> int | None:
        """Return the exit code of the last run (negative: killed by that signal), None while running."""
        child = self._children.get(name)
        return None if child is None else child.process.returncode

    def log(self, name: str, text: str) -> None:
        """Write a line in the name's column, as the supervisor's own remark."""
        width = max((len(known) for known in self._specs), default=len(name))
        self._sink.write(name, max(width, len(name)), self._color_of.get(name, "0"), text)

    async def start_all(self) -> None:
        """Start every registered process that is not running."""
        for name in self._specs:
            if not self.is_running(name):
                await self.start(name)

    async def start(self, name: str) -> int:
        """Start one process (again, after it exited) and return its pid."""
        if self.is_running(name):
            raise SupervisorError(f"{name} is already running (pid {self.pid(name)})")
        spec = self._specs[name]
        env = {**os.environ, "PYTHONUNBUFFERED": "1", **spec.env}
        executable = _resolve(spec, env)
        try:
            process = await asyncio.create_subprocess_exec(
                *_die_with_parent(), executable, *spec.argv[1:], stdin=asyncio.subprocess.DEVNULL,
                stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT, env=env, cwd=spec.cwd,
                start_new_session=True)
        except OSError as exc:
            raise SupervisorError(f"{name}: cannot run {spec.argv[0]}: {exc}") from exc
        assert process.stdout is not None
        pump = asyncio.create_task(self._pump(name, process.stdout), name=f"pump-{name}")
        exited = asyncio.create_task(self._watch(name, process, pump), name=f"watch-{name}")
        self._children[name] = _Child(process, pump, exited)
        self.log(name, f"started pid {process.pid}: {_command_line(spec.argv)}")
        return process.pid

    async def _pump(self, name: str, stream: asyncio.StreamReader) -> None:
        # Chunks rather than readline(): a line longer than the reader's limit must not kill the pump.
        pending = b""
        while chunk := await stream.read(_READ_CHUNK):
            *lines, pending = (pending + chunk).split(b"\n")
            for line in lines:
                self.log(name, line.decode(errors="replace").rstrip("\r"))
        if pending:
            self.log(name, pending.decode(errors="replace"))

    async def _watch(self, name: str, process: asyncio.subprocess.Process, pump: asyncio.Task[None]) -> int:
        code = await process.wait()
        # Let the last lines out first, but a grandchild holding the pipe open must not delay the report.
        await asyncio.wait({pump}, timeout=1.0)
        self.log(name, _describe_exit(code))
        return code

    async def wait_exit(self, name: str) -> int:
        """Wait for the process to exit and return its exit code (bound it with asyncio.timeout)."""
        # Shielded: a caller's timeout must not cancel the task that reports the exit.
        return await asyncio.shield(self._children[name].exited)

    async def kill(self, name: str, sig: int = signal.SIGKILL, *, wait: bool = True) -> int | None:
        """Send `sig` to the process's group; with `wait`, return the exit code once the leader exits."""
        child = self._children.get(name)
        if child is None:
            return None
        with contextlib.suppress(ProcessLookupError):
            os.killpg(child.process.pid, sig)
        return await self.wait_exit(name) if wait else None

    async def stop(self, name: str) -> int | None:
        """SIGTERM the group, SIGKILL it after the grace period, and return once no member is left."""
        child = self._children.get(name)
        if child is None:
            return None
        pgid = child.process.pid
        if child.process.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(pgid, signal.SIGTERM)
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self.grace):
                    await self.wait_exit(name)
        # Also reaches grandchildren that outlived the leader.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pgid, signal.SIGKILL)
        async with asyncio.timeout(_KILL_TIMEOUT):
            code = await self.wait_exit(name)
        # Scanning /proc is blocking I/O, hence a thread.
        await asyncio.to_thread(wait_until, lambda: not group_alive(pgid), _KILL_TIMEOUT,
                                f"process group {pgid} ({name}) to exit after SIGKILL")
        child.pump.cancel()
        return code

    async def stop_all(self) -> None:
        """Stop every started process concurrently."""
        await asyncio.gather(*(self.stop(name) for name in list(self._children)))

    # A timeout parameter rather than the caller's asyncio.timeout: the error has to name who is not ready.
    async def wait_ready(self, names: Iterable[str] | None = None, timeout: float = 60.0) -> None:  # noqa: ASYNC109
        """Poll each process's ready_url until it answers 200; fail early if one exits first."""
        import httpx

        specs = [self._specs[name] for name in (names or self._specs)]
        waiting = {spec.name: spec.ready_url for spec in specs if spec.ready_url}
        try:
            async with asyncio.timeout(timeout), httpx.AsyncClient(timeout=1.0) as client:
                while waiting:
                    self._fail_if_exited(waiting)
                    waiting = await _still_waiting(client, waiting)
                    if waiting:
                        await asyncio.sleep(0.1)
        except TimeoutError:
            raise SupervisorError(f"not ready after {timeout:.0f}s: {', '.join(sorted(waiting))}") from None

    def _fail_if_exited(self, names: Iterable[str]) -> None:
        for name in names:
            if name not in self._children:
                raise SupervisorError(f"{name} was never started")
            code = self.returncode(name)
            if code is not None:
                raise SupervisorError(f"{name} {_describe_exit(code)} before it was ready")


async def _still_waiting(client: httpx.AsyncClient, waiting: dict[str, str]) -> dict[str, str]:
    answers = await asyncio.gather(*(_answers_200(client, url) for url in waiting.values()))
    return {name: url for (name, url), ok in zip(waiting.items(), answers, strict=True) if not ok}


async def _answers_200(client: httpx.AsyncClient, url: str) -> bool:
    import httpx

    try:
        response = await client.get(url)
    except httpx.HTTPError:
        return False
    return response.status_code == 200


def _command_line(argv: Sequence[str], limit: int = 200) -> str:
    # One line however the argv looks (inline scripts carry newlines).
    text = shlex.join(argv).replace("\n", "\\n")
    return text if len(text) <= limit else f"{text[:limit]}..."


def _describe_exit(code: int) -> str:
    if code < 0:
        return f"killed by {signal.Signals(-code).name}"
    return f"exited with code {code}"


def _resolve(spec: ProcessSpec, env: Mapping[str, str]) -> str:
    """Find the executable now, so a typo fails start() instead of surfacing as exit code 127."""
    program = spec.argv[0]
    if "/" in program:
        found = os.path.join(spec.cwd or ".", program)
        if os.access(found, os.X_OK) and os.path.isfile(found):
            return found
        raise SupervisorError(f"{spec.name}: cannot run {program}: not an executable file")
    located = shutil.which(program, path=env.get("PATH"))
    if located is None:
        raise SupervisorError(f"{spec.name}: cannot run {program}: not found on PATH")
    return located


@functools.cache
def _die_with_parent() -> tuple[str, ...]:
    """Return an argv prefix that makes the child get SIGTERM if the supervisor dies, even by SIGKILL."""
    # setpriv sets PR_SET_PDEATHSIG and execs the program: the same effect as a preexec_fn hook, without
    # running Python between fork and exec (unsafe once threads exist, and asyncio has them).
    setpriv = shutil.which("setpriv") if sys.platform.startswith("linux") else None
    return (setpriv, "--pdeathsig", "TERM", "--") if setpriv else ()

"""The supervisor: merged prefixed output, readiness, kill -9 and restart, nothing left behind."""

from __future__ import annotations

import io
import signal
import sys
from pathlib import Path

import pytest

from masteria.devstack.liveness import group_alive, pid_alive
from masteria.devstack.procs import ProcessSpec, Supervisor, SupervisorError
from masteria.devstack.testing import eventually, free_port

# Prints a greeting, then an incrementing counter on request: long-running like a service.
TALKER = "import sys, time\nprint('hello from', sys.argv[1])\nwhile True:\n    time.sleep(0.05)\n"


def talker(name: str) -> ProcessSpec:
    return ProcessSpec(name=name, argv=[sys.executable, "-c", TALKER, name])


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


async def test_two_processes_output_is_merged_and_prefixed() -> None:
    sink = io.StringIO()
    async with Supervisor([talker("api"), talker("worker-long")], sinks=[sink]) as supervisor:
        await supervisor.start_all()
        await eventually(lambda: sink.getvalue().count("| hello from") == 2, "both greetings")
    lines = sink.getvalue().splitlines()
    assert "api         | hello from api" in lines
    assert "worker-long | hello from worker-long" in lines
    assert "\x1b[" not in sink.getvalue()


async def test_colors_only_on_a_terminal() -> None:
    terminal, log = FakeTerminal(), io.StringIO()
    async with Supervisor([talker("api")], sinks=[terminal, log]) as supervisor:
        await supervisor.start("api")
        await eventually(lambda: "| hello from api" in log.getvalue(), "the greeting")
    assert "\x1b[36mapi |\x1b[0m hello from api" in terminal.getvalue()
    assert "api | hello from api" in log.getvalue()


async def test_kill_9_then_start_again() -> None:
    sink = io.StringIO()
    async with Supervisor([talker("api"), talker("worker")], sinks=[sink]) as supervisor:
        await supervisor.start_all()
        await eventually(lambda: "api    | hello from api" in sink.getvalue(), "the first greeting")
        first = supervisor.pid("api")
        assert first is not None

        code = await supervisor.kill("api", signal.SIGKILL)

        assert code == -signal.SIGKILL
        assert not supervisor.is_running("api")
        assert supervisor.is_running("worker")
        await eventually(lambda: "api    | killed by SIGKILL" in sink.getvalue(), "the exit report")
        second = await supervisor.start("api")
        assert second != first
        await eventually(lambda: sink.getvalue().count("| hello from api") == 2, "the second greeting")


async def test_stop_all_leaves_no_child_behind(tmp_path: Path) -> None:
    # A leader that ignores SIGTERM and has a grandchild: the worst case for a clean stop.
    pid_file = tmp_path / "grandchild.pid"
    script = (
        "import signal, subprocess, sys, time\n"
        "signal.signal(signal.SIGTERM, signal.SIG_IGN)\n"
        f"child = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(600)'])\n"
        f"open({str(pid_file)!r}, 'w').write(str(child.pid))\n"
        "print('spawned', flush=True)\n"
        "time.sleep(600)\n"
    )
    sink = io.StringIO()
    supervisor = Supervisor([ProcessSpec("stubborn", [sys.executable, "-c", script]), talker("api")],
                            sinks=[sink], grace=0.5)
    await supervisor.start_all()
    await eventually(lambda: "spawned" in sink.getvalue() and pid_file.exists(), "the grandchild")
    leader, api = supervisor.pid("stubborn"), supervisor.pid("api")
    assert leader is not None
    assert api is not None
    grandchild = int(pid_file.read_text())

    await supervisor.stop_all()

    assert not any(pid_alive(pid) for pid in (leader, api, grandchild))
    assert not group_alive(leader)
    assert not group_alive(api)
    assert supervisor.returncode("stubborn") == -signal.SIGKILL
    assert supervisor.returncode("api") == -signal.SIGTERM


async def test_wait_ready_polls_the_ready_url() -> None:
    port = free_port()
    server = ProcessSpec("web", [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1"],
                         ready_url=f"http://127.0.0.1:{port}/")
    async with Supervisor([server, talker("api")], sinks=[io.StringIO()]) as supervisor:
        await supervisor.start_all()
        await supervisor.wait_ready(timeout=20)


async def test_wait_ready_fails_fast_when_a_process_exits() -> None:
    crash = ProcessSpec("crash", [sys.executable, "-c", "raise SystemExit(3)"], ready_url="http://127.0.0.1:9/")
    async with Supervisor([crash], sinks=[io.StringIO()]) as supervisor:
        await supervisor.start_all()
        with pytest.raises(SupervisorError, match="crash exited with code 3 before it was ready"):
            await supervisor.wait_ready(timeout=20)


async def test_wait_ready_times_out_naming_the_laggard() -> None:
    spec = ProcessSpec("mute", [sys.executable, "-c", "import time; time.sleep(600)"],
                       ready_url=f"http://127.0.0.1:{free_port()}/")
    async with Supervisor([spec], sinks=[io.StringIO()]) as supervisor:
        await supervisor.start_all()
        with pytest.raises(SupervisorError, match="not ready after 1s: mute"):
            await supervisor.wait_ready(timeout=1)


async def test_unknown_executable_is_reported() -> None:
    async with Supervisor([ProcessSpec("ghost", ["/nonexistent/bin/ghost"])], sinks=[io.StringIO()]) as sup:
        with pytest.raises(SupervisorError, match="ghost: cannot run /nonexistent/bin/ghost: not an executable"):
            await sup.start("ghost")


async def test_env_and_cwd_reach_the_child(tmp_path: Path) -> None:
    sink = io.StringIO()
    script = "import os; print(os.environ['GREETING'], os.getcwd())"
    spec = ProcessSpec("env", [sys.executable, "-c", script], env={"GREETING": "hola"}, cwd=str(tmp_path))
    async with Supervisor([spec], sinks=[sink]) as supervisor:
        await supervisor.start("env")
        assert await supervisor.wait_exit("env") == 0
    assert f"env | hola {tmp_path}" in sink.getvalue()


async def test_long_lines_and_a_missing_final_newline_survive() -> None:
    sink = io.StringIO()
    script = "import sys; sys.stdout.write('x' * 200000 + '\\n' + 'tail')"
    async with Supervisor([ProcessSpec("long", [sys.executable, "-c", script])], sinks=[sink]) as supervisor:
        await supervisor.start("long")
        await supervisor.wait_exit("long")
        await eventually(lambda: "exited with code 0" in sink.getvalue(), "the exit report")
    lines = sink.getvalue().splitlines()
    assert "long | " + "x" * 200000 in lines
    assert "long | tail" in lines

"""Command line: `python -m masteria.devstack infra up|down|status|env`, `supervise`, `stop-supervisor`."""

from __future__ import annotations

import argparse
import shlex
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from .engine import EngineStatus, State
from .errors import InfraError

# `infra status` exits with 3 when something is down, as `systemctl is-active` does, so scripts can test it.
EXIT_NOT_RUNNING = 3


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line and return the exit status."""
    args = _parser().parse_args(argv)
    try:
        status: int = args.handler(args)
    except InfraError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return status


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m masteria.devstack", description=__doc__)
    commands = parser.add_subparsers(required=True, metavar="COMMAND")
    infra = commands.add_parser("infra", help="local PostgreSQL (pgvector), NATS JetStream and Redis")
    infra.add_argument("action", choices=["up", "down", "status", "env"])
    infra.set_defaults(handler=_infra)
    supervise = commands.add_parser("supervise", help="run a JSON procfile's processes until SIGTERM")
    supervise.add_argument("--procfile", type=Path, required=True, help="JSON list of process specs")
    supervise.add_argument("--log", type=Path, help="merged, prefixed output (default: stdout)")
    supervise.add_argument("--pidfile", type=Path, help="where to write the supervisor's pid")
    supervise.add_argument("--ready-file", type=Path, help="written once every ready_url answers 200")
    supervise.add_argument("--grace", type=float, default=10.0, help="seconds between SIGTERM and SIGKILL")
    supervise.add_argument("--ready-timeout", type=float, default=120.0, help="seconds to wait for readiness")
    supervise.set_defaults(handler=_supervise)
    stack = commands.add_parser("stack", help="the whole platform: infrastructure, migrations, services, demo")
    stack.add_argument("action", choices=["up", "down"])
    stack.add_argument("--base-port", type=int, default=8000, help="gateway port; services sit at +101..+107")
    stack.set_defaults(handler=_stack)
    stop = commands.add_parser("stop-supervisor", help="SIGTERM a supervise daemon and wait for it")
    stop.add_argument("--pidfile", type=Path, required=True)
    stop.add_argument("--timeout", type=float, default=60.0)
    stop.set_defaults(handler=_stop_supervisor)
    return parser


def _infra(args: argparse.Namespace) -> int:
    from . import infra

    if args.action == "up":
        started = time.perf_counter()
        infra.ensure_infra()
        _print_table(infra.infra_status())
        print(f"infrastructure ready in {time.perf_counter() - started:.2f}s")
    elif args.action == "down":
        infra.stop_infra()
        _print_table(infra.infra_status())
    elif args.action == "env":
        for key, value in infra.urls().as_env().items():
            print(f"export {key}={shlex.quote(value)}")
    else:
        rows = infra.infra_status()
        _print_table(rows)
        if any(row.state not in {State.RUNNING, State.EXTERNAL} for row in rows):
            return EXIT_NOT_RUNNING
    return 0


def _print_table(rows: list[EngineStatus]) -> None:
    table = [("ENGINE", "STATE", "PID", "URL")]
    table += [(row.engine, str(row.state), str(row.pid or "-"), _mask_password(row.url)) for row in rows]
    widths = [max(len(line[column]) for line in table) for column in range(3)]
    for *cells, url in table:
        print("  ".join(cell.ljust(width) for cell, width in zip(cells, widths, strict=True)), url, sep="  ")


def _mask_password(url: str) -> str:
    # External URLs can carry real credentials; `infra env` is the place that prints them.
    parts = urlsplit(url)
    if not parts.password:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return urlunsplit(parts._replace(netloc=netloc))


def _stack(args: argparse.Namespace) -> int:
    from . import stack_cli

    return stack_cli.up(args.base_port) if args.action == "up" else stack_cli.down()


def _supervise(args: argparse.Namespace) -> int:
    from .daemon import run_daemon

    return run_daemon(args.procfile, log=args.log, pidfile=args.pidfile, ready_file=args.ready_file,
                      grace=args.grace, ready_timeout=args.ready_timeout)


def _stop_supervisor(args: argparse.Namespace) -> int:
    from .daemon import stop_daemon

    if not stop_daemon(args.pidfile, timeout=args.timeout):
        print(f"no supervisor running ({args.pidfile})")
    return 0

"""Export the payload JSON Schemas into the repository and check them.

Usage: ``python -m masteria.contracts.schemas export|check [--dir DIR]``.

``export`` writes ``schemas/<event_type>.v<N>.json`` for every registered payload, plus the envelope.
``check`` fails when a committed file is stale or when it changed in a breaking way against any
earlier version of it in git history. The only module of the package that does I/O.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from masteria.contracts.envelope import Envelope, Payload
from masteria.contracts.registry import PAYLOAD_CLASSES
from masteria.contracts.schema_diff import breaking_changes

__all__ = ["breaking_changes", "check", "export", "generate", "main"]

SCHEMA_DIR = Path(__file__).resolve().parents[3] / "schemas"
ENVELOPE_SCHEMA_VERSION = 1
JSON_SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
EXPORT_HINT = "run `make schemas` (python -m masteria.contracts.schemas export)"
VERSION_HINT = (
    "a breaking change needs a new version: add a payload class with schema_version = N + 1 in a new "
    "module (e.g. messages_v2.py) beside the old one, list both in registry.PAYLOAD_CLASSES, and keep "
    "the old one until no producer sends it."
)

Schema = dict[str, Any]


# --- generation (pure) ----------------------------------------------------------------------


def schema_filename(event_type: str, version: int) -> str:
    """``<event_type>.v<N>.json``."""
    return f"{event_type}.v{version}.json"


def payload_schema(cls: type[Payload]) -> Schema:
    """The JSON Schema of one payload version, with its dataschema as ``$id``."""
    body = cls.model_json_schema()
    return {"$schema": JSON_SCHEMA_DIALECT, "$id": cls.dataschema(), **body}


def envelope_schema() -> Schema:
    """The envelope's JSON Schema; ``data`` is any object, described by the file ``dataschema`` names."""
    body = Envelope[Payload].model_json_schema()
    body.get("$defs", {}).pop("Payload", None)
    if not body.get("$defs"):
        body.pop("$defs", None)
    body["title"] = "Envelope"
    body["properties"]["data"] = {
        "type": "object",
        "title": "Data",
        "description": "The payload; its schema is the file that 'dataschema' names.",
    }
    return {"$schema": JSON_SCHEMA_DIALECT, "$id": f"masteria:envelope/v{ENVELOPE_SCHEMA_VERSION}", **body}


def generate() -> dict[str, Schema]:
    """Every schema file the code defines, by file name."""
    files = {schema_filename("envelope", ENVELOPE_SCHEMA_VERSION): envelope_schema()}
    for cls in PAYLOAD_CLASSES:
        files[schema_filename(cls.event_type, cls.schema_version)] = payload_schema(cls)
    return files


def render(schema: Schema) -> str:
    """The exact text committed for a schema, so that a byte comparison detects staleness."""
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"


# --- export ---------------------------------------------------------------------------------


def export(directory: Path = SCHEMA_DIR) -> list[str]:
    """Write every schema and delete files no payload generates; returns the names that changed."""
    directory.mkdir(parents=True, exist_ok=True)
    generated = generate()
    changed: list[str] = []
    for name, schema in generated.items():
        path, text = directory / name, render(schema)
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
            changed.append(name)
    for path in _schema_files(directory):
        if path.name not in generated:
            path.unlink()
            changed.append(path.name)
    return changed


def _schema_files(directory: Path) -> list[Path]:
    return sorted(directory.glob("*.v*.json"))


# --- check ----------------------------------------------------------------------------------


def check(directory: Path = SCHEMA_DIR) -> tuple[list[str], list[str]]:
    """Problems (the check fails) and notes (it does not) for the committed schema files."""
    problems = stale_problems(directory)
    history, notes = history_problems(directory)
    return problems + history, notes


def stale_problems(directory: Path) -> list[str]:
    """A message for every schema file that is missing, outdated or no longer generated."""
    generated = generate()
    problems: list[str] = []
    for name, schema in generated.items():
        path = directory / name
        if not path.exists():
            problems.append(f"{path}: missing; stale: {EXPORT_HINT}")
        elif (committed := path.read_text(encoding="utf-8")) != render(schema):
            gist = _gist(committed, schema)
            problems.append(f"{path}: stale: differs from the generated schema{gist}; {EXPORT_HINT}")
    problems.extend(
        f"{path}: stale: no registered payload generates it; {EXPORT_HINT} to delete it"
        for path in _schema_files(directory)
        if path.name not in generated
    )
    return problems


def _gist(committed: str, generated: Schema) -> str:
    try:
        changes = breaking_changes(json.loads(committed), generated)
    except json.JSONDecodeError:
        return " (the committed file is not valid JSON)"
    if not changes:
        return " (additive)"
    return " and the change is BREAKING: " + "; ".join(changes) + f" ({VERSION_HINT})"


def history_problems(directory: Path) -> tuple[list[str], list[str]]:
    """Breaking changes of each schema file against every earlier version of it in git history."""
    top = _git(["rev-parse", "--show-toplevel"], directory)
    if top is None:
        return [], ["history check skipped: git is unavailable or this is not a git work tree"]
    root = Path(top.strip())
    if _git(["rev-parse", "--verify", "--quiet", "HEAD"], root) is None:
        return [], ["history check skipped: the repository has no commits yet"]
    problems: list[str] = []
    notes: list[str] = []
    for path in _schema_files(directory):
        rel = path.resolve().relative_to(root.resolve()).as_posix()
        try:
            current = json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError:
            continue  # reported as stale already
        found, note = _file_history_problems(root, rel, current)
        problems.extend(found)
        notes.extend(note)
    return problems, notes


def _file_history_problems(root: Path, rel: str, current: Schema) -> tuple[list[str], list[str]]:
    log = _git(["log", "--format=%H", "--", rel], root)
    if log is None:
        return [], [f"{rel}: history check skipped: git log failed (no commits yet?)"]
    seen: set[str] = set()
    problems: list[str] = []
    for sha in log.split():
        old_text = _git(["show", f"{sha}:{rel}"], root)
        # None: the commit deleted the file. Identical texts need comparing only once.
        if old_text is None or old_text in seen:
            continue
        seen.add(old_text)
        for change in _safe_breaking_changes(old_text, current):
            problems.append(f"{rel}: breaking change against commit {sha[:10]}: {change}")
    if problems:
        problems.append(f"{rel}: {VERSION_HINT}")
    return problems, []


def _safe_breaking_changes(old_text: str, current: Schema) -> list[str]:
    try:
        old = json.loads(old_text)
    except json.JSONDecodeError:
        return []
    return breaking_changes(old, current) if isinstance(old, dict) else []


def _git(args: Sequence[str], cwd: Path) -> str | None:
    try:
        result = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=False, timeout=60)
    except (OSError, subprocess.SubprocessError):
        return None
    return result.stdout if result.returncode == 0 else None


# --- command line ---------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    """``export`` or ``check`` the schema files; exit status 1 when the check fails."""
    parser = argparse.ArgumentParser(prog="python -m masteria.contracts.schemas", description=__doc__)
    parser.add_argument("command", choices=("export", "check"))
    parser.add_argument("--dir", type=Path, default=SCHEMA_DIR, help="default: %(default)s")
    args = parser.parse_args(argv)
    if args.command == "export":
        return _run_export(args.dir)
    return _run_check(args.dir)


def _run_export(directory: Path) -> int:
    changed = export(directory)
    print(f"{len(changed)} schema file(s) written or removed in {directory}: {', '.join(changed) or 'none'}")
    return 0


def _run_check(directory: Path) -> int:
    problems, notes = check(directory)
    for note in notes:
        print(f"note: {note}", file=sys.stderr)
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        return 1
    history = "skipped" if notes else "no breaking change against any earlier version"
    print(f"schemas ok: {len(generate())} file(s) in {directory} are current; history: {history}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

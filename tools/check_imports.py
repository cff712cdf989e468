#!/usr/bin/env python3
"""Fail when a service imports another service, or a library or the sandbox imports any service.

Services talk through NATS and HTTP only; importing another service's code couples their
deployments and their schemas. Usage: ``python tools/check_imports.py [REPO_ROOT]``.
"""

from __future__ import annotations

import ast
import os
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

SERVICES = frozenset({"gateway", "whatsapp_meta", "whatsapp_qr", "sms", "campaigns", "ai_engine", "voice", "crm"})
# Trees that may import no service at all.
SERVICE_FREE_ROOTS = ("libs", "sandbox")
_SKIPPED_DIRS = frozenset({"node_modules", "__pycache__", "dist", "build", "var"})
_DYNAMIC_IMPORTERS = frozenset({"import_module", "__import__"})


@dataclass(frozen=True, slots=True, order=True)
class Violation:
    """One forbidden import, located for an editor jump."""

    path: Path
    line: int
    imported: str
    reason: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: imports {self.imported}: {self.reason}"


def service_of(module: str) -> str | None:
    """The service a dotted module belongs to (``masteria.crm.x`` -> ``crm``), else None."""
    parts = module.split(".")
    if len(parts) >= 2 and parts[0] == "masteria" and parts[1] in SERVICES:
        return parts[1]
    return None


def imported_modules(tree: ast.AST) -> Iterator[tuple[int, str]]:
    """Every absolute module an AST imports, with its line; relative imports stay inside a package."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from ((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.lineno, node.module
            # ``from masteria import crm`` names the service in the imported names.
            yield from ((node.lineno, f"{node.module}.{alias.name}") for alias in node.names)
        elif isinstance(node, ast.Call) and (target := _dynamic_import_target(node)) is not None:
            yield node.lineno, target


def _dynamic_import_target(node: ast.Call) -> str | None:
    # importlib.import_module("masteria.crm") hides from the import statements; catch literal names.
    func = node.func
    name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else None
    first = node.args[0] if node.args else None
    if name in _DYNAMIC_IMPORTERS and isinstance(first, ast.Constant) and isinstance(first.value, str):
        return first.value
    return None


def owner_of(path: Path, root: Path) -> tuple[str, str | None] | None:
    """Which rule applies to a file: ("service", its module) or ("service-free", None); None if neither."""
    parts = path.relative_to(root).parts
    if len(parts) >= 2 and parts[0] == "services":
        return "service", parts[1].replace("-", "_")
    if parts and parts[0] in SERVICE_FREE_ROOTS:
        return "service-free", None
    return None


def check_file(path: Path, root: Path) -> list[Violation]:
    """The forbidden imports of one file."""
    owner = owner_of(path, root)
    if owner is None:
        return []
    rel = path.relative_to(root)
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    except (SyntaxError, UnicodeDecodeError) as error:
        return [Violation(rel, getattr(error, "lineno", 0) or 0, "?", f"cannot parse: {error}")]
    kind, own = owner
    found: set[Violation] = set()
    for line, module in imported_modules(tree):
        target = service_of(module)
        if target is None or target == own:
            continue
        reason = (
            f"service {own} must not import service {target}; talk over NATS or HTTP"
            if kind == "service"
            else f"{rel.parts[0]} must not import a service ({target})"
        )
        found.add(Violation(rel, line, f"masteria.{target}", reason))
    return sorted(found)


def python_files(root: Path) -> Iterator[Path]:
    """Every Python file under services/, libs/ and sandbox/, skipping virtualenvs and build output."""
    for top in ("services", *SERVICE_FREE_ROOTS):
        base = root / top
        if not base.is_dir():
            continue
        for directory, dirs, files in os.walk(base):
            dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in _SKIPPED_DIRS)
            yield from (Path(directory) / f for f in sorted(files) if f.endswith(".py"))


def find_violations(root: Path) -> list[Violation]:
    """Every forbidden import in the repository at ``root``."""
    return [v for path in python_files(root) for v in check_file(path, root)]


def main(argv: Sequence[str] | None = None) -> int:
    """Print violations as file:line and return 1 if there are any."""
    args = list(sys.argv[1:] if argv is None else argv)
    root = Path(args[0]).resolve() if args else Path(__file__).resolve().parent.parent
    violations = find_violations(root)
    for violation in violations:
        print(violation, file=sys.stderr)
    if violations:
        print(f"{len(violations)} forbidden import(s): services depend on libs, never on each other", file=sys.stderr)
        return 1
    print(f"imports ok: {sum(1 for _ in python_files(root))} files checked")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""check_imports finds cross-service imports in temporary trees and stays quiet on legal ones."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest


def _load_tool() -> ModuleType:
    # tools/ is a directory of scripts, not a package: load the script by path.
    path = Path(__file__).resolve().parents[1] / "check_imports.py"
    spec = importlib.util.spec_from_file_location("check_imports_under_test", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses resolve annotations through sys.modules
    spec.loader.exec_module(module)
    return module


tool = _load_tool()


def _tree(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def _found(root: Path) -> list[str]:
    return [f"{v.path.as_posix()}:{v.line}:{v.imported}" for v in tool.find_violations(root)]


CRM = "services/crm/src/masteria/crm"


def test_a_clean_tree_passes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _tree(
        tmp_path,
        {
            f"{CRM}/inbox/service.py": (
                "from masteria.contracts.messages import InboundMessage\n"
                "from masteria.crm.inbox import repository\n"
                "import masteria.crm.contacts\n"
                "from . import handlers\n"
                "from .repository import x\n"
            ),
            "services/crm/tests/unit/test_x.py": "from masteria.crm.inbox.service import y\n",
            "libs/messaging/src/masteria/messaging/outbox.py": "from masteria.contracts.envelope import Envelope\n",
            "sandbox/src/masteria/sandbox/meta.py": "import httpx\nfrom masteria.security import signatures\n",
        },
    )
    assert _found(tmp_path) == []
    assert tool.main([str(tmp_path)]) == 0
    assert "imports ok: 4 files checked" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("source", "line", "imported"),
    [
        ("from masteria.gateway.auth import tokens\n", 1, "masteria.gateway"),
        ("import os\nimport masteria.whatsapp_meta.client\n", 2, "masteria.whatsapp_meta"),
        ("import masteria.sms as sms\n", 1, "masteria.sms"),
        ("from masteria import campaigns\n", 1, "masteria.campaigns"),
        ("def f():\n    from masteria.ai_engine import personas\n", 2, "masteria.ai_engine"),
        ("import importlib\nimportlib.import_module('masteria.voice.calls')\n", 2, "masteria.voice"),
        ("if True:\n    pass\nelse:\n    from masteria.whatsapp_qr.x import y\n", 4, "masteria.whatsapp_qr"),
    ],
)
def test_a_service_importing_another_service_is_reported(tmp_path: Path, source: str, line: int, imported: str) -> None:
    _tree(tmp_path, {f"{CRM}/inbox/service.py": source})
    assert _found(tmp_path) == [f"{CRM}/inbox/service.py:{line}:{imported}"]


def test_hyphenated_service_directories_own_their_underscored_module(tmp_path: Path) -> None:
    _tree(
        tmp_path,
        {
            "services/whatsapp-meta/src/masteria/whatsapp_meta/send.py": "from masteria.whatsapp_meta import x\n",
            "services/ai-engine/src/masteria/ai_engine/reply.py": "import masteria.ai_engine.personas\n",
            "services/ai-engine/tests/test_reply.py": "from masteria.crm.inbox import service\n",
        },
    )
    assert _found(tmp_path) == ["services/ai-engine/tests/test_reply.py:1:masteria.crm"]


@pytest.mark.parametrize("top", ["libs/messaging/src/masteria/messaging", "sandbox/src/masteria/sandbox"])
def test_libraries_and_the_sandbox_import_no_service_at_all(tmp_path: Path, top: str) -> None:
    _tree(tmp_path, {f"{top}/x.py": "import json\nfrom masteria.crm.models import Contact\n"})
    violations = tool.find_violations(tmp_path)
    assert [(v.line, v.imported) for v in violations] == [(2, "masteria.crm")]
    assert "must not import a service (crm)" in violations[0].reason


def test_names_that_merely_start_like_a_service_are_fine(tmp_path: Path) -> None:
    _tree(
        tmp_path,
        {
            f"{CRM}/a.py": "import masteria.smsutils\nimport gateway\nfrom masteriax.crm import y\nimport sms\n",
            "libs/runtime/src/masteria/runtime/b.py": "'''masteria.crm in a docstring'''\n",
        },
    )
    assert _found(tmp_path) == []


def test_virtualenvs_and_build_output_are_skipped(tmp_path: Path) -> None:
    _tree(
        tmp_path,
        {
            "services/gateway/.venv/lib/x.py": "import masteria.crm\n",
            "services/gateway/web/node_modules/y.py": "import masteria.crm\n",
            "libs/messaging/build/z.py": "import masteria.crm\n",
        },
    )
    assert _found(tmp_path) == []


def test_files_outside_the_checked_trees_are_ignored(tmp_path: Path) -> None:
    _tree(
        tmp_path,
        {"tests/e2e/src/masteria/e2e/journey.py": "import masteria.crm\n", "tools/x.py": "import masteria.sms\n"},
    )
    assert _found(tmp_path) == []


def test_an_unparsable_file_is_reported(tmp_path: Path) -> None:
    _tree(tmp_path, {f"{CRM}/broken.py": "def (:\n"})
    violations = tool.find_violations(tmp_path)
    assert len(violations) == 1
    assert violations[0].reason.startswith("cannot parse")


def test_main_lists_file_and_line_and_fails(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _tree(
        tmp_path,
        {
            f"{CRM}/a.py": "from masteria.sms import client\nfrom masteria.gateway import auth\n",
            "services/sms/src/masteria/sms/b.py": "import masteria.crm\n",
        },
    )
    assert tool.main([str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert f"{CRM}/a.py:1: imports masteria.sms: service crm must not import service sms" in err
    assert f"{CRM}/a.py:2: imports masteria.gateway" in err
    assert "services/sms/src/masteria/sms/b.py:1: imports masteria.crm" in err
    assert "3 forbidden import(s)" in err


def test_the_real_repository_is_clean() -> None:
    root = Path(__file__).resolve().parents[2]
    assert [str(v) for v in tool.find_violations(root)] == []

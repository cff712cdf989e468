"""The committed schema files are current, and the check catches staleness and breaking history."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from masteria.contracts import schemas
from masteria.contracts.registry import PAYLOAD_CLASSES

needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


def test_the_committed_schemas_are_current() -> None:
    assert schemas.stale_problems(schemas.SCHEMA_DIR) == []


def test_there_is_one_file_per_payload_version_plus_the_envelope() -> None:
    names = set(schemas.generate())
    assert "envelope.v1.json" in names
    assert {f"{c.event_type}.v{c.schema_version}.json" for c in PAYLOAD_CLASSES} <= names
    assert len(names) == len(PAYLOAD_CLASSES) + 1


def test_a_payload_schema_names_its_dataschema() -> None:
    schema = schemas.generate()["message.inbound.v1.json"]
    assert schema["$id"] == "masteria:message.inbound/v1"
    assert schema["additionalProperties"] is False
    assert "content" in schema["required"]


def test_the_envelope_schema_leaves_data_to_the_payload_schema() -> None:
    schema = schemas.generate()["envelope.v1.json"]
    assert schema["properties"]["data"]["type"] == "object"
    assert "Payload" not in schema.get("$defs", {})
    assert {"id", "source", "type", "dataschema", "time", "tenant"} <= set(schema["properties"])


# --- export and the stale check -------------------------------------------------------------


def test_export_then_check_passes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert schemas.main(["export", "--dir", str(tmp_path)]) == 0
    assert schemas.main(["check", "--dir", str(tmp_path)]) == 0
    assert "schemas ok" in capsys.readouterr().out
    assert schemas.export(tmp_path) == []


def test_a_missing_file_is_stale(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    schemas.export(tmp_path)
    (tmp_path / "message.status.v1.json").unlink()
    assert schemas.main(["check", "--dir", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert "message.status.v1.json: missing; stale: run `make schemas`" in err


def test_an_edited_file_is_stale_and_the_message_says_whether_it_breaks(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    schemas.export(tmp_path)
    path = tmp_path / "message.outbound.v1.json"
    committed = json.loads(path.read_text())
    committed["properties"]["legacy_field"] = {"type": "string"}
    path.write_text(json.dumps(committed))
    assert schemas.main(["check", "--dir", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert "message.outbound.v1.json: stale: differs from the generated schema" in err
    assert "BREAKING: #: property 'legacy_field' removed" in err
    assert "schema_version = N + 1" in err


def test_a_file_no_payload_generates_is_stale_and_export_deletes_it(tmp_path: Path) -> None:
    schemas.export(tmp_path)
    orphan = tmp_path / "message.teleported.v1.json"
    orphan.write_text("{}\n")
    problems = schemas.stale_problems(tmp_path)
    assert any("message.teleported.v1.json: stale: no registered payload" in p for p in problems)
    assert schemas.export(tmp_path) == ["message.teleported.v1.json"]
    assert not orphan.exists()


def test_check_without_git_skips_history(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    schemas.export(tmp_path)
    monkeypatch.setenv("PATH", "")
    problems, notes = schemas.check(tmp_path)
    assert problems == []
    assert notes == ["history check skipped: git is unavailable or this is not a git work tree"]


# --- the history check ----------------------------------------------------------------------


def _git(repo: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "commit.gpgsign=false", *args],
        cwd=repo,
        check=True,
        capture_output=True,
    )


def _write(path: Path, schema: dict[str, Any]) -> None:
    path.write_text(json.dumps(schema, indent=2) + "\n")


SCHEMA_V1: dict[str, Any] = {
    "properties": {"body": {"type": "string"}, "note": {"type": "string"}},
    "required": ["body"],
    "type": "object",
}


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A git repository whose schemas/ directory has one committed file."""
    _git(tmp_path, "init", "-q")
    (tmp_path / "schemas").mkdir()
    _write(tmp_path / "schemas" / "thing.created.v1.json", SCHEMA_V1)
    _git(tmp_path, "add", ".")
    _git(tmp_path, "commit", "-q", "-m", "v1")
    return tmp_path


@needs_git
def test_history_accepts_additive_changes(repo: Path) -> None:
    grown = json.loads(json.dumps(SCHEMA_V1))
    grown["properties"]["extra"] = {"type": "integer"}
    _write(repo / "schemas" / "thing.created.v1.json", grown)
    assert schemas.history_problems(repo / "schemas") == ([], [])


@needs_git
def test_history_refuses_a_breaking_change_against_the_last_commit(repo: Path) -> None:
    broken = json.loads(json.dumps(SCHEMA_V1))
    del broken["properties"]["note"]
    _write(repo / "schemas" / "thing.created.v1.json", broken)
    problems, _ = schemas.history_problems(repo / "schemas")
    assert problems[0].startswith("schemas/thing.created.v1.json: breaking change against commit ")
    assert problems[0].endswith("#: property 'note' removed")
    assert "new version" in problems[-1]


@needs_git
def test_history_compares_with_every_earlier_version_not_only_the_last(repo: Path) -> None:
    path = repo / "schemas" / "thing.created.v1.json"
    shrunk = json.loads(json.dumps(SCHEMA_V1))
    del shrunk["properties"]["note"]
    _write(path, shrunk)
    _git(repo, "commit", "-q", "-am", "drop note (sneaked past review)")
    problems, _ = schemas.history_problems(repo / "schemas")
    assert any("property 'note' removed" in p for p in problems)


@needs_git
def test_history_ignores_new_files(repo: Path) -> None:
    _write(repo / "schemas" / "thing.created.v2.json", {"type": "object"})
    assert schemas.history_problems(repo / "schemas") == ([], [])


@needs_git
def test_history_is_skipped_in_a_repository_without_commits(tmp_path: Path) -> None:
    _git(tmp_path, "init", "-q")
    (tmp_path / "schemas").mkdir()
    _write(tmp_path / "schemas" / "thing.created.v1.json", SCHEMA_V1)
    assert schemas.history_problems(tmp_path / "schemas") == (
        [],
        ["history check skipped: the repository has no commits yet"],
    )

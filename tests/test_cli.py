"""``lash-spec verify``: counts, exit status, report, and bad input."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest

from lash_spec.cli import main
from lash_spec.conformance import check_case

PASS = {
    "call": "ProcessCommand::effect_id",
    "args": [{"op": "await", "process_id": "p"}],
    "ok": "process:await:p",
}
FAIL = {"call": "stable_json", "args": [1e16], "ok": "1e16"}  # ryu's text, not serde 1.0.149's
SKIP = {"call": "NoSuch::op", "args": [], "ok": None}


def write(tmp: Path, name: str, doc: Any) -> Path:
    path = tmp / name
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def test_counts_exit_status_and_report(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(
        tmp_path,
        "a.json",
        {"id": "a", "cases": [{"id": "1", "body": PASS}, {"id": "2", "body": SKIP}]},
    )
    write(tmp_path, "b.json", [FAIL])
    report = tmp_path / "out" / "report.json"
    report.parent.mkdir()
    code = main(["verify", str(tmp_path), "--report", str(report), "-q"])
    out = capsys.readouterr().out
    assert code == 1
    assert out.splitlines()[-1] == "1 passed, 1 failed, 1 skipped"
    assert "FAILED b/0" in out and "1e+16" in out
    doc = json.loads(report.read_text())
    assert doc["summary"] == {"passed": 1, "failed": 1, "skipped": 1}
    failed = [c for c in doc["cases"] if c["status"] == "failed"]
    assert failed[0]["path"] == "$"


def test_all_passing_exits_zero(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, "ok.json", {"id": "x", "body": PASS})
    assert main(["verify", str(path), "-q"]) == 0
    assert capsys.readouterr().out.strip().endswith("1 passed, 0 failed, 0 skipped")


@pytest.mark.parametrize("content", ["{not json", "[NaN]"])
def test_unreadable_fixture_is_a_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str
) -> None:
    (tmp_path / "bad.json").write_text(content, encoding="utf-8")
    assert main(["verify", str(tmp_path), "-q"]) == 2
    assert "bad.json" in capsys.readouterr().err


def test_missing_path(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["verify", str(tmp_path / "nope.json"), "-q"]) == 2
    assert "no such file" in capsys.readouterr().err


@pytest.mark.parametrize(
    "body",
    [
        None,
        [],
        {"call": 3, "args": [], "ok": 1},
        {"call": "stable_json", "args": "x", "ok": "1"},
        {"call": "stable_json", "args": [1], "ok": "1", "err": {"code": "x"}},
        {"call": "RuntimeScope::new", "args": [7], "ok": {}},
        {"call": "RuntimeScope::new", "args": [], "ok": {}},
        {"config": {}, "steps": "nope"},
    ],
)
def test_malformed_bodies_never_crash(body: Any) -> None:
    result = check_case(body)
    assert result.status in {"failed", "skipped"}
    assert result.detail


def test_first_difference_path_in_detail() -> None:
    body = {"call": "RuntimeScope::new", "args": ["s"], "ok": {"session_id": "t"}}
    result = check_case(body)
    assert result.status == "failed"
    assert result.path == "$.session_id"


def test_a_reader_that_stops_early_ends_the_command_quietly() -> None:
    """``lash-spec explain X | head``: the closed pipe is no traceback."""
    import subprocess

    proc = subprocess.Popen(
        [sys.executable, "-c", "from lash_spec.cli import run; run()", "explain", "TurnCheckpoint"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()  # before the command writes: its first write finds no reader
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=120) == 141
    assert "Traceback" not in err and "BrokenPipe" not in err, err

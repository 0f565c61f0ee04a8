"""The runner against adapters that misbehave (tests/adapters/*.py).

Each run must end in bounded time, give every case the right outcome (the
case being handled when the adapter misbehaved is ``errored`` with the
reason; the others still pass, on a restarted adapter) and never lose an
outcome it already had.
"""

from __future__ import annotations

import json
import shlex
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from lash_spec import stable_hash, stable_json
from lash_spec.cli import main
from lash_spec.harness.cases import HarnessCase, collect
from lash_spec.harness.runner import RunOptions, RunResult, run_adapter

ADAPTERS = Path(__file__).parent / "adapters"
TRIGGER = "hostile!"  # tests/adapters/_mini.py misbehaves on this argument
VALUES: list[Any] = ["a", 1, {"b": [1.5, None]}, TRIGGER, "c", [True, "é"], "d", {"e": -0.0}]


def hostile(script: str, *args: str) -> list[str]:
    return [sys.executable, str(ADAPTERS / script), *args]


def case_body(value: Any, op: str = "stable_hash") -> dict[str, Any]:
    fn = stable_hash if op == "stable_hash" else stable_json
    return {"call": op, "args": [value], "ok": fn(value)}


@pytest.fixture
def corpus(tmp_path: Path) -> list[HarnessCase]:
    doc = {
        "format": "lash-spec-corpus/1",
        "id": "000-hostile",
        "seed": "000",
        "concept": "stable_identity",
        "cases": [{"id": f"v{i}", "body": case_body(v)} for i, v in enumerate(VALUES)]
        + [{"id": "json", "body": case_body({"z": 1, "a": 1e16}, "stable_json")}],
    }
    path = tmp_path / "000-hostile.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    return collect([path])


TRIGGER_ID = f"000-hostile/v{VALUES.index(TRIGGER)}"


def statuses(result: RunResult) -> dict[str, str]:
    return {o.id: o.status for o in result.outcomes}


def detail(result: RunResult, case_id: str) -> str:
    return next(o.detail for o in result.outcomes if o.id == case_id)


def timed(cmd: list[str], cases: list[HarnessCase], **options: Any) -> tuple[RunResult, float]:
    began = time.monotonic()
    result = run_adapter(cmd, cases, RunOptions(**{**_fast(), **options}))
    return result, time.monotonic() - began


def _fast() -> dict[str, Any]:
    return {"timeout": 2.0, "start_timeout": 5.0, "give_up_after": 2}


def only_trigger_errored(result: RunResult) -> None:
    got = statuses(result)
    assert got[TRIGGER_ID] == "errored"
    assert {s for cid, s in got.items() if cid != TRIGGER_ID} == {"passed"}
    assert len(got) == len(VALUES) + 1


# ---------------------------------------------------------------------------


def test_the_well_behaved_base_passes_everything(corpus: list[HarnessCase]) -> None:
    """The hostile adapters share _mini.py; on its own it passes every case."""
    result, _ = timed([sys.executable, "-c", _SERVE_MINI], corpus)
    assert set(statuses(result).values()) == {"passed"}
    assert result.events == []


_SERVE_MINI = f"import sys; sys.path.insert(0, {str(ADAPTERS)!r}); import _mini; _mini.serve()"


@pytest.mark.parametrize("pipeline", [1, 16])
def test_hangs_on_one_case(corpus: list[HarnessCase], pipeline: int) -> None:
    result, seconds = timed(hostile("hang.py", "trigger"), corpus, timeout=1.0, pipeline=pipeline)
    only_trigger_errored(result)
    assert "no reply within 1 s" in detail(result, TRIGGER_ID)
    assert [e.case for e in result.events] == [TRIGGER_ID]
    assert seconds < 8


@pytest.mark.parametrize("jobs", [1, 3])
def test_hangs_at_start(corpus: list[HarnessCase], jobs: int) -> None:
    """A command that never completes a handshake is broken, not flaky: one try
    (per instance, side by side), however high --give-up-after is."""
    result, seconds = timed(
        hostile("hang.py", "start"), corpus, start_timeout=1.0, give_up_after=5, jobs=jobs
    )
    assert set(statuses(result).values()) == {"errored"}
    text = detail(result, "000-hostile/v0")
    assert text.startswith("not run: the adapter never completed its handshake")
    assert "no reply to the handshake within 1 s" in text
    assert len(result.events) == jobs
    assert result.adapter_cases == 0
    assert seconds < 4


def test_dies_at_start(corpus: list[HarnessCase]) -> None:
    result, seconds = timed(hostile("die_at_start.py"), corpus, give_up_after=5)
    assert set(statuses(result).values()) == {"errored"}
    text = detail(result, "000-hostile/v0")
    assert "exited during the handshake" in text
    assert "(exit status 3)" in text
    assert "boom: cannot initialise" in text  # stderr is captured
    assert [e.exit_status for e in result.events] == [3]
    assert seconds < 8


def test_a_start_up_failure_after_a_good_start_is_retried(
    corpus: list[HarnessCase], tmp_path: Path
) -> None:
    """Once the command has handshaken, a failed restart counts towards the
    give-up count like any other failure (it may be transient)."""
    flag = tmp_path / "died"
    result, _ = timed(hostile("die_mid_run.py", str(flag)), corpus, pipeline=1, give_up_after=3)
    assert [e.reason.startswith("adapter start-up failed") for e in result.events] == [
        False,
        True,
        True,
    ]
    assert "failed 3 time(s) in a row" in detail(result, "000-hostile/v7")


@pytest.mark.parametrize("pipeline", [1, 16])
def test_dies_mid_run(corpus: list[HarnessCase], pipeline: int) -> None:
    result, seconds = timed(hostile("die_mid_run.py"), corpus, pipeline=pipeline)
    only_trigger_errored(result)
    text = detail(result, TRIGGER_ID)
    assert "the adapter exited (exit status 7)" in text
    assert "panic: the trigger case" in text
    assert seconds < 8


def test_dies_for_good_and_keeps_the_outcomes_it_has(
    corpus: list[HarnessCase], tmp_path: Path
) -> None:
    flag = tmp_path / "died"
    result, seconds = timed(hostile("die_mid_run.py", str(flag)), corpus, pipeline=1)
    got = statuses(result)
    index = VALUES.index(TRIGGER)
    ids = list(got)
    assert [got[i] for i in ids[:index]] == ["passed"] * index  # kept
    assert got[TRIGGER_ID] == "errored"
    for later in ids[index + 1 :]:
        assert got[later] == "errored"
        assert detail(result, later).startswith("not run: the adapter failed 2 time(s) in a row")
        assert "still broken" in detail(result, later)
    assert seconds < 8


@pytest.mark.parametrize(
    ("mode", "expected"),
    [
        ("text", "reply is not JSON"),
        ("binary", "reply is not JSON"),
        ("array", "reply is not a JSON object"),
    ],
)
def test_prints_garbage(corpus: list[HarnessCase], mode: str, expected: str) -> None:
    result, _ = timed(hostile("garbage.py", mode), corpus)
    only_trigger_errored(result)
    text = detail(result, TRIGGER_ID)
    assert expected in text
    if mode == "text":
        assert "DEBUG: computing the hash now {" in text  # an excerpt of the reply
    assert len(result.events) == 1


def test_malformed_outcome_errors_the_case_without_a_restart(corpus: list[HarnessCase]) -> None:
    result, _ = timed(hostile("garbage.py", "outcome"), corpus)
    only_trigger_errored(result)
    assert "exactly one of ok/err/skipped/errored" in detail(result, TRIGGER_ID)
    assert result.events == []


def test_wrong_sequence_number_on_one_case(corpus: list[HarnessCase]) -> None:
    result, _ = timed(hostile("wrong_seq.py", "trigger"), corpus, pipeline=4)
    only_trigger_errored(result)
    assert "out of order" in detail(result, TRIGGER_ID)


def test_wrong_sequence_numbers_always(corpus: list[HarnessCase]) -> None:
    result, seconds = timed(hostile("wrong_seq.py", "always"), corpus, pipeline=4)
    got = statuses(result)
    assert set(got.values()) == {"errored"}
    assert "expected seq" in detail(result, "000-hostile/v0")
    assert detail(result, "000-hostile/v2").startswith("not run:")
    assert seconds < 8


@pytest.mark.parametrize("pipeline", [1, 16])
def test_huge_line(corpus: list[HarnessCase], pipeline: int) -> None:
    result, seconds = timed(
        hostile("huge_line.py"), corpus, max_reply_bytes=1 << 20, pipeline=pipeline
    )
    only_trigger_errored(result)
    text = detail(result, TRIGGER_ID)
    assert "exceeds the limit of 1048576 bytes" in text
    assert '{"seq":' in text
    assert seconds < 8


def test_a_command_that_does_not_exist(corpus: list[HarnessCase]) -> None:
    result, seconds = timed(["/nonexistent/adapter"], corpus)
    assert set(statuses(result).values()) == {"errored"}
    assert "cannot start" in detail(result, "000-hostile/v0")
    assert len(result.events) == 1  # not retried
    assert seconds < 2


def test_speaks_another_protocol(corpus: list[HarnessCase]) -> None:
    script = (
        "import sys, json; line = sys.stdin.readline(); "
        "print(json.dumps({'seq': 0, 'errored': {'message': 'I speak lash-spec-adapter/2'}}), "
        "flush=True); sys.stdin.read()"
    )
    result, seconds = timed([sys.executable, "-c", script], corpus)
    assert set(statuses(result).values()) == {"errored"}
    assert "the start request was answered errored: I speak lash-spec-adapter/2" in detail(
        result, "000-hostile/v0"
    )
    assert len(result.events) == 1  # a refusal is not retried
    assert seconds < 5


def test_cli_reports_a_hostile_run(
    corpus: list[HarnessCase], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    report, junit = tmp_path / "r.json", tmp_path / "j.xml"
    cmd = shlex.join([sys.executable, str(ADAPTERS / "die_mid_run.py")])
    code = main(
        [
            *("run", "--adapter", cmd, corpus[0].file, "-q", "--timeout", "2"),
            *("--report", str(report), "--junit", str(junit)),
        ]
    )
    out = capsys.readouterr().out
    assert code == 1
    assert f"ERRORED {TRIGGER_ID}" in out
    assert f"adapter event [{TRIGGER_ID}]: the adapter exited" in out
    doc = json.loads(report.read_text())
    assert doc["summary"] == {
        "passed": len(VALUES),
        "failed": 0,
        "skipped": 0,
        "errored": 1,
        "total": len(VALUES) + 1,
    }
    (event,) = doc["adapter_events"]
    assert event["exit_status"] == 7
    assert "panic: the trigger case" in event["stderr"]
    xml = junit.read_text()
    assert xml.count("<error ") == 1
    assert 'errors="1"' in xml

"""``lash-spec fuzz`` against the reference adapter and deliberately wrong ones.

Each mutant in tests/adapters/mutants/ is the reference adapter with one bug.
The fuzzer must catch every one within a small budget, shrink it to a small
case, and write a corpus file that reproduces the failure through the
runner (and passes against the model itself).
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from lash_spec.cli import main
from lash_spec.conformance.check import check_case
from lash_spec.harness.cases import collect
from lash_spec.harness.fuzz import (
    FuzzOptions,
    FuzzResult,
    case_size,
    fixture_text,
    fuzz,
    select_ops,
)
from lash_spec.harness.runner import run_adapter

HERE = Path(__file__).parent
MUTANTS = HERE / "adapters" / "mutants"
REFERENCE = [sys.executable, "-m", "lash_spec.harness.adapter"]

# mutant script → the ops to fuzz (a user would pick a concept; kept narrow for speed)
CASES: dict[str, list[str]] = {
    "float_exponent": ["stable_json"],
    "hash_python_json": ["stable_hash"],
    "skip_none_as_null": ["decode:RuntimeScope", "decode:RuntimeInvocation"],
    "text_last_duplicate_wins": ["decode_text:RuntimeScope"],
    "turn_index_off_by_one": ["RuntimeScope::for_turn"],
    "signal_effect_id": ["ProcessCommand::effect_id"],
    "wrong_err_code": ["RuntimeEffectEnvelope::try_new"],
    # stateful kinds: plans from lash_spec.generators (host moves, restores at drawn points)
    "restore_drops_pending": ["turn_trace"],
    "stale_not_ignored": ["turn_trace"],
    "context_threshold_90": ["turn_trace"],
    "effect_id_off_by_one": ["turn_trace"],
    "duplicate_checked_first": ["run_admission"],
}
OPTIONS = FuzzOptions(max_examples=500, derandomize=True)


def mutant(name: str) -> list[str]:
    return [sys.executable, str(MUTANTS / f"{name}.py")]


@pytest.fixture(scope="module")
def mutant_runs() -> dict[str, tuple[FuzzResult, float]]:
    out = {}
    for name, ops in CASES.items():
        began = time.monotonic()
        result = fuzz(mutant(name), ops, OPTIONS)
        out[name] = (result, time.monotonic() - began)
    return out


def test_the_reference_adapter_does_not_diverge() -> None:
    ops = [
        "stable_json",
        "stable_hash",
        "decode:RuntimeScope",
        "decode_text:RuntimeSubject",
        "ProcessCommand::effect_id",
        "turn_trace",
        "run_admission",
    ]
    result = fuzz(REFERENCE, ops, FuzzOptions(max_examples=40, seed=7))
    assert result.unusable is None
    assert result.divergences == []
    assert result.exit_status == 0
    assert [o.status for o in result.ops] == ["passed"] * len(ops)
    assert result.examples >= 4 * 20


def test_every_op_agrees_with_the_reference_adapter() -> None:
    """Fresh cases of every op through the reference adapter (the model behind the
    adapter protocol): any difference is a bug in the protocol, the runner or the
    samplers' canonical values, not in an implementation."""
    ops = select_ops([], [])
    result = fuzz(REFERENCE, ops, FuzzOptions(max_examples=20, seed=11, jobs=2))
    assert result.unusable is None and result.divergences == []
    statuses = {o.op: (o.status, o.reason) for o in result.ops}
    assert set(statuses) == set(ops)
    skipped = {op for op, (status, _) in statuses.items() if status == "skipped"}
    assert skipped == {"policy_denial_message"}  # no argument of it can be generated
    assert all(status == "passed" for op, (status, _) in statuses.items() if op not in skipped)
    assert all(o.examples >= 20 for o in result.ops if o.status == "passed")


@pytest.mark.parametrize("name", sorted(CASES))
def test_each_mutant_is_caught_and_shrunk(
    name: str, mutant_runs: dict[str, tuple[FuzzResult, float]], tmp_path: Path
) -> None:
    result, _seconds = mutant_runs[name]
    assert result.exit_status == 1, [(o.op, o.status, o.reason) for o in result.ops]
    divergence = result.divergences[0]
    if "steps" in divergence.body:  # a stateful body: a short run, its first difference named
        assert len(divergence.body["steps"]) <= 30, divergence.body
        assert divergence.path is not None and divergence.path.startswith("$.steps[")
    else:
        assert divergence.size <= 300, divergence.body
    # The written file is a corpus file: the runner reproduces the failure …
    fixture = tmp_path / "found.json"
    fixture.write_text(fixture_text(result, "found"), encoding="utf-8")
    cases = collect([fixture])
    assert [c.id for c in cases] == [f"found/{d.case_id}" for d in result.divergences]
    assert all(c.eras for c in cases)  # each names the eras where the model holds it
    again = run_adapter(mutant(name), cases)
    assert [o.status for o in again.outcomes] == ["failed"] * len(cases)
    assert again.outcomes[0].path == divergence.path
    # … and the model itself passes it (the expectation is the model's).
    assert all(check_case(c.body).status == "passed" for c in cases)


def test_catch_rate_and_shrunk_size(mutant_runs: dict[str, tuple[FuzzResult, float]]) -> None:
    caught = [n for n, (r, _) in mutant_runs.items() if r.divergences]
    rate = len(caught) / len(mutant_runs)
    found = [r.divergences[0].body for r, _ in mutant_runs.values() if r.divergences]
    call_sizes = [case_size(b) for b in found if "args" in b]
    trace_steps = [len(b["steps"]) for b in found if "steps" in b]
    print(
        f"\nfuzz mutants: catch rate {rate:.0%} ({len(caught)}/{len(mutant_runs)}); median "
        f"shrunk call case {statistics.median(call_sizes)} bytes of arguments, median "
        f"shrunk turn trace {statistics.median(trace_steps)} steps; slowest mutant "
        f"{max(seconds for _, seconds in mutant_runs.values()):.1f} s (a benchmark figure, "
        "not asserted: timed unit tests only measure the machine's load)"
    )
    assert rate == 1.0
    assert statistics.median(call_sizes) <= 100
    assert statistics.median(trace_steps) <= 20


def test_hand_derived_shrink_results(mutant_runs: dict[str, tuple[FuzzResult, float]]) -> None:
    """The shrunk cases are the minimal ones a person would write."""
    (float_case,) = mutant_runs["float_exponent"][0].divergences
    value = float_case.body["args"][0]
    assert value == 1e16  # the smallest float serde_json writes with an exponent
    assert float_case.body["ok"] == json.dumps(value)
    assert float_case.path == "$"
    (null_case, *_) = mutant_runs["skip_none_as_null"][0].divergences
    assert null_case.body == {
        "call": "decode:RuntimeScope",
        "args": [{"session_id": ""}],
        "ok": {"session_id": ""},
    }
    assert null_case.path == "$.turn_index"
    (signal_case,) = mutant_runs["signal_effect_id"][0].divergences
    assert signal_case.body["args"][0]["op"] == "signal"
    assert signal_case.body["ok"] == "process:signal::signal.:"
    # a reader that keeps the last repeated key: the smallest RuntimeScope text repeating one
    (text_case,) = mutant_runs["text_last_duplicate_wins"][0].divergences
    assert text_case.body["args"] == ['{"session_id":"","session_id":""}']
    # Turn traces shrink to the one move that shows the bug, after the first drain
    # (start_llm_request, llm_call) and before the tail (drain, checkpoint, done).
    def responses(name: str) -> list[dict[str, Any]]:
        (case,) = mutant_runs[name][0].divergences
        return [s["respond"] for s in case.body["steps"] if "respond" in s]

    (answer,) = responses("context_threshold_90")  # an answer the 90 % mutant misreads
    ok = answer["LlmComplete"]["result"]["Ok"]
    assert ok["terminal_reason"] == "output_limit" and ok["usage"]["output_tokens"] == 0
    assert 90 <= ok["usage"]["input_tokens"] < 95
    (stale,) = responses("stale_not_ignored")  # one answer under the wrong id
    assert stale["LlmComplete"]["id"] != 1
    (restored,) = mutant_runs["restore_drops_pending"][0].divergences
    steps = [next(iter(s)) for s in restored.body["steps"]]
    assert steps[steps.index("respond") + 1] == "restore"  # restored with effects pending
    # The duplicate check is the ladder's last rung: the smallest counterexample
    # admits a run, then reuses its id with another agent (an earlier rung fails).
    (dup_case,) = mutant_runs["duplicate_checked_first"][0].divergences
    first, second = dup_case.body["steps"]
    assert first["ok"] == first["start_run"]["run_id"] == second["start_run"]["run_id"]
    assert second["start_run"]["agent_id"] != first["start_run"]["agent_id"]
    assert second["err"] == {"code": "invalid_package:host_configuration_needed"}
    assert dup_case.path == "$.steps[1].err.code"


def test_cli_exit_status_fixture_and_report(tmp_path: Path, capsys: Any) -> None:
    out, report = tmp_path / "div.json", tmp_path / "report.json"
    command = " ".join(mutant("hash_python_json"))
    code = main(
        [
            "fuzz",
            "--adapter",
            command,
            "--op",
            "stable_*",
            "--max-examples",
            "60",
            "--seed",
            "3",
            "--out",
            str(out),
            "--report",
            str(report),
            "-q",
        ]
    )
    assert code == 1
    text = capsys.readouterr().out
    assert "DIVERGED stable_hash" in text and "lash-spec run --adapter" in text
    doc = json.loads(report.read_text(encoding="utf-8"))
    assert doc["format"] == "lash-spec-fuzz/1" and doc["exit_status"] == 1
    assert [o["op"] for o in doc["ops"]] == ["stable_hash", "stable_json"]
    assert [d["op"] for d in doc["divergences"]] == ["stable_hash"]
    assert doc["divergences"][0]["size"] == case_size(doc["divergences"][0]["body"])
    assert doc["fixture"] == str(out)
    # `lash-spec run` on the written file reproduces it (exit 1); the model passes it.
    assert main(["run", "--adapter", command, "-q", str(out)]) == 1
    assert main(["verify", "-q", str(out)]) == 0


def test_cli_no_divergence_is_exit_0(tmp_path: Path) -> None:
    out = tmp_path / "none.json"
    command = " ".join(REFERENCE)
    code = main(
        [
            "fuzz",
            "--adapter",
            command,
            "--concept",
            "effect_id",
            "--max-examples",
            "20",
            "--derandomize",
            "--out",
            str(out),
            "-q",
        ]
    )
    assert code == 0
    assert not out.exists()


def test_unusable_adapter_is_exit_2(tmp_path: Path) -> None:
    command = f"{sys.executable} {HERE / 'adapters' / 'die_at_start.py'}"
    code = main(
        [
            "fuzz",
            "--adapter",
            command,
            "--op",
            "stable_json",
            "--out",
            str(tmp_path / "x.json"),
            "-q",
            "--start-timeout",
            "5",
        ]
    )
    assert code == 2
    assert main(["fuzz", "--adapter", command, "--op", "no-such-op", "-q"]) == 2


def test_an_adapter_given_up_mid_run_is_exit_2(monkeypatch: pytest.MonkeyPatch) -> None:
    """The runner gives up on an adapter after the first round trip: the op is
    reported unusable (not a crash), the run stops, and the exit status is 2."""
    from lash_spec.harness.runner import CaseOutcome, Runner, RunResult

    real_run, calls = Runner.run, []

    def flaky(self: Runner, cases: list[Any]) -> RunResult:
        calls.append(len(cases))
        if len(calls) == 1:
            return real_run(self, cases)
        gave_up = "not run: the adapter failed 5 time(s) in a row; last: exit status 7"
        outcomes = [CaseOutcome(case=c, status="errored", detail=gave_up) for c in cases]
        return RunResult(outcomes=outcomes, hello=self.hello, events=[], seconds=0.0)

    monkeypatch.setattr(Runner, "run", flaky)
    result = fuzz(REFERENCE, ["stable_json", "stable_hash"], FuzzOptions(max_examples=100, seed=1))
    assert result.exit_status == 2
    assert result.unusable is not None and "failed 5 time(s)" in result.unusable
    assert [(o.op, o.status) for o in result.ops] == [("stable_json", "unusable")]
    assert result.ops[0].examples == 64  # both round trips' cases were sent


def test_a_divergence_not_yet_shrunk_is_replayed_from_the_database(tmp_path: Path) -> None:
    """A worker that stored a divergence and died before Hypothesis shrank it leaves
    it under the key's secondary entries: the next run replays it from there (and
    shrinks it), before sampling anything."""
    from hypothesis.database import DirectoryBasedExampleDatabase

    from lash_spec.harness.fuzz import database_key

    folder = str(tmp_path / "db")
    hash_mutant = mutant("hash_python_json")
    first = fuzz(hash_mutant, ["stable_hash"], FuzzOptions(database=folder, seed=1))
    (found,) = first.divergences
    database, key = DirectoryBasedExampleDatabase(folder), database_key("stable_hash")
    stored = list(database.fetch(key))
    assert stored
    for entry in stored:  # as if never shrunk
        database.move(key, key + b".secondary", entry)
    assert not list(database.fetch(key))
    alone = FuzzOptions(max_examples=1, seed=2)
    assert fuzz(hash_mutant, ["stable_hash"], alone).divergences == []  # not found by sampling
    again = fuzz(hash_mutant, ["stable_hash"], FuzzOptions(max_examples=1, seed=2, database=folder))
    assert [d.body for d in again.divergences] == [found.body]
    assert again.examples <= 1


def test_budget_bounds_the_run() -> None:
    began = time.monotonic()
    result = fuzz(
        REFERENCE,
        ["stable_json", "stable_hash", "decode:RuntimeScope"],
        FuzzOptions(max_examples=10**6, budget=1.5),
    )
    assert time.monotonic() - began < 8
    assert result.exit_status == 0
    assert result.examples > 0


def test_op_selection_includes_the_stateful_kinds() -> None:
    assert select_ops(["turn_trace"], []) == ["turn_trace"]
    assert select_ops(["run_*"], []) == ["run_admission"]
    assert select_ops([], ["run_admission"]) == ["run_admission", "policy_denial_message"]
    assert select_ops([], ["turn_machine"])[0] == "turn_trace"
    everything = select_ops([], [])
    assert everything[:2] == ["turn_trace", "run_admission"]
    assert "stable_hash" in everything and len(everything) == len(set(everything))
    assert select_ops(["no-such-op"], []) == []


def test_without_hypothesis_fuzz_says_what_to_install(
    monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    monkeypatch.setitem(sys.modules, "hypothesis", None)  # as on a base install
    assert main(["fuzz", "--adapter", " ".join(REFERENCE), "--op", "stable_json", "-q"]) == 2
    assert "pip install -e '.[test]'" in capsys.readouterr().out

"""The cross-implementation harness, end to end.

The reference adapter (``lash-spec adapter``, the model over the protocol)
must give every case the outcome ``check_case`` gives it in-process — same
status, same JSON path — for call cases, turn traces and run-admission
scenarios, passing and failing alike. The Node.js example adapter must pass
its three ops and have every other case skipped. Protocol, reports,
baselines, the CLI and the pytest plugin are checked against hand-written
expectations.
"""

from __future__ import annotations

import copy
import json
import os
import shlex
import shutil
import subprocess
import sys
import tomllib
import xml.etree.ElementTree as ET
from collections.abc import Generator
from pathlib import Path
from typing import Any

import pytest

from lash_spec import stable_hash, stable_json
from lash_spec.cli import main
from lash_spec.conformance import check_case
from lash_spec.harness.adapter import ReferenceAdapter
from lash_spec.harness.baseline import check_baseline, read_baseline, render_baseline
from lash_spec.harness.cases import HarnessCase, collect
from lash_spec.harness.drivers import Verdict, driver_for
from lash_spec.harness.process import split_command
from lash_spec.harness.protocol import (
    PROTOCOL,
    ProtocolError,
    Reply,
    encode_request,
    parse_hello,
    parse_reply,
    render_schema,
    schemas,
)
from lash_spec.harness.runner import Runner, RunOptions, RunResult, run_adapter

ROOT = Path(__file__).resolve().parent.parent
RECORDED = ROOT / "tests" / "fixtures" / "recorded"
CORPUS = ROOT / "conformance"
NODE = shutil.which("node")
NODE_ADAPTER = ROOT / "examples" / "adapters" / "node" / "adapter.js"
NODE_TEXT_OPS = {"decode_text:RuntimeScope", "decode_text:RuntimeEffectKind"}
REFERENCE = [sys.executable, "-m", "lash_spec.harness.adapter"]
SLOW_START = RunOptions(start_timeout=60.0, timeout=30.0)


# ---------------------------------------------------------------------------
# Case material
# ---------------------------------------------------------------------------


def write_corpus(folder: Path, file_id: str, bodies: dict[str, Any], seed: str = "000") -> Path:
    doc = {
        "format": "lash-spec-corpus/1",
        "id": file_id,
        "seed": seed,
        "concept": file_id.split("-", 1)[-1],
        "cases": [{"id": cid, "body": body} for cid, body in bodies.items()],
    }
    path = folder / f"{file_id}.json"
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return path


def mutated(bodies: list[tuple[str, Any]]) -> dict[str, Any]:
    """Wrong expectations, each failing at a known place."""
    out: dict[str, Any] = {}
    for cid, body in bodies:
        if "call" in body and "ok" in body and isinstance(body["ok"], str):
            out[f"{cid}/wrong-text"] = {**body, "ok": body["ok"] + "x"}
        if "call" in body and "ok" in body and isinstance(body["ok"], dict) and body["ok"]:
            ok = copy.deepcopy(body["ok"])
            key = next(iter(ok))
            ok[key] = {"unexpected": [1.0]}
            out[f"{cid}/wrong-field"] = {**body, "ok": ok}
        if "call" in body and "ok" in body:
            out[f"{cid}/expects-err"] = {k: v for k, v in body.items() if k != "ok"} | {
                "err": {"code": "decode"}
            }
        if "call" in body and "err" in body:
            out[f"{cid}/expects-ok"] = {k: v for k, v in body.items() if k != "err"} | {"ok": 1}
        if "steps" in body:
            steps = copy.deepcopy(body["steps"])
            for step in steps:
                if "checkpoint" in step and isinstance(step["checkpoint"], dict):
                    step["checkpoint"]["protocol_iteration_extra"] = 1
                    break
            out[f"{cid}/wrong-checkpoint"] = {**body, "steps": steps}
            flipped = copy.deepcopy(body["steps"])
            for step in reversed(flipped):
                if "done" in step:
                    step["done"] = not step["done"]
                    break
            out[f"{cid}/wrong-done"] = {**body, "steps": flipped}
    return out


def recorded_bodies() -> list[tuple[str, Any]]:
    return [(c.id, c.body) for c in collect([RECORDED])]


def admission_bodies() -> dict[str, Any]:
    runtime = {
        "journal": True,
        "event_bus": True,
        "content": True,
        "policy": {
            "answer": {
                "ok": {
                    "decision": {
                        "Allow": {
                            "reason": {
                                "code": "policy.allow",
                                "redacted_summary": None,
                                "policy_refs": [],
                            }
                        }
                    },
                    "policy_refs": [],
                }
            }
        },
        "providers": ["route.a"],
        "packages": [
            {
                "package_id": "pkg.main",
                "agent_id": "agent.a",
                "provider_route": {"route_id": "route.a", "model_id": "model.a"},
                "fingerprint": "fp.main",
            }
        ],
        "default_package_id": "pkg.main",
    }
    request = {"run_id": "run.1", "agent_id": "agent.a", "source": {"kind": "cli"}}
    return {
        "admits": {
            "scenario": "run_admission",
            "runtime": runtime,
            "steps": [
                {"start_run": request, "ok": "run.1"},
                {"registered_run_count": None, "ok": 1},
                {"cancel_run": "run.1", "ok": None},
                {"cancel_run": "run.1", "ok": None},
            ],
        },
        "admits/wrong-count": {
            "scenario": "run_admission",
            "runtime": runtime,
            "steps": [
                {"start_run": request, "ok": "run.1"},
                {"registered_run_count": None, "ok": 2},
            ],
        },
        "default-runtime-refuses": {
            "scenario": "run_admission",
            "runtime": {},
            "steps": [
                {
                    "start_run": request,
                    "err": {"code": "host_configuration_needed:host_configuration_needed"},
                }
            ],
        },
        "unknown-run": {
            "scenario": "run_admission",
            "runtime": runtime,
            "steps": [{"run_snapshot": "run.9", "ok": None}],
        },
    }


@pytest.fixture(scope="module")
def parity_corpus(tmp_path_factory: pytest.TempPathFactory) -> list[HarnessCase]:
    folder = tmp_path_factory.mktemp("parity")
    recorded = recorded_bodies()
    write_corpus(folder, "000-recorded", dict(recorded))
    write_corpus(folder, "000-mutated", mutated(recorded))
    write_corpus(folder, "004-run-admission", admission_bodies(), seed="004")
    write_corpus(
        folder,
        "000-odd",
        {
            "unknown-op": {"call": "NoSuch::op", "args": [], "ok": None},
            "int-vs-float": {"call": "stable_hash", "args": [1], "ok": stable_hash(1.0)},
            "stable-json-float": {"call": "stable_json", "args": [1e16], "ok": "1e+16"},
            "stable-json-wrong": {"call": "stable_json", "args": [1e16], "ok": "1e16"},
        },
    )
    return collect([folder])


@pytest.fixture(scope="module")
def parity_run(parity_corpus: list[HarnessCase]) -> RunResult:
    return run_adapter(REFERENCE, parity_corpus, SLOW_START)


def expected_of(case: HarnessCase) -> tuple[str, str | None]:
    """The model's verdict at the era the runner sends the case at (its first)."""
    result = check_case(case.body, era=case.eras[0] if case.eras else None)
    return result.status, result.path


# ---------------------------------------------------------------------------
# The reference adapter agrees with check_case
# ---------------------------------------------------------------------------


def test_reference_adapter_matches_check_case(
    parity_corpus: list[HarnessCase], parity_run: RunResult
) -> None:
    assert [o.id for o in parity_run.outcomes] == [c.id for c in parity_corpus]
    mismatches = [
        (o.id, (o.status, o.path), expected_of(o.case), o.detail)
        for o in parity_run.outcomes
        if (o.status, o.path) != expected_of(o.case)
    ]
    assert mismatches == []
    assert parity_run.events == []
    assert parity_run.hello is not None and parity_run.hello.name == "lash-spec"


def test_parity_corpus_exercises_every_status_and_kind(parity_run: RunResult) -> None:
    seen = {(o.case.kind, o.status) for o in parity_run.outcomes}
    for kind in ("call", "turn_trace", "run_admission"):
        assert (kind, "passed") in seen
        assert (kind, "failed") in seen
    assert ("call", "skipped") in seen


def test_failures_name_the_first_difference(parity_run: RunResult) -> None:
    by_id = {o.id: o for o in parity_run.outcomes}
    strict = by_id["000-odd/int-vs-float"]
    assert (strict.status, strict.path) == ("failed", "$")
    wrong = by_id["000-odd/stable-json-wrong"]
    assert wrong.detail == "text differs: expected '1e16', actual '1e+16'"
    count = by_id["004-run-admission/admits/wrong-count"]
    assert count.path == "$.steps[1].ok"
    assert "expected 2, actual 1" in count.detail
    trace = next(o for o in parity_run.outcomes if o.id.endswith("/wrong-checkpoint"))
    assert trace.status == "failed"
    assert trace.path is not None and trace.path.endswith(".protocol_iteration_extra")


def test_interleaved_stateful_cases_in_lockstep_agree(parity_corpus: list[HarnessCase]) -> None:
    """Pipelining interleaves several traces on one adapter; lockstep does not."""
    stateful = [c for c in parity_corpus if c.kind != "call"]
    lockstep = run_adapter(REFERENCE, stateful, RunOptions(pipeline=1, start_timeout=60))
    piped = run_adapter(REFERENCE, stateful, RunOptions(pipeline=64, start_timeout=60))
    assert [(o.status, o.path) for o in lockstep.outcomes] == [
        (o.status, o.path) for o in piped.outcomes
    ]


@pytest.mark.skipif(not (CORPUS / "index.json").exists(), reason="no generated corpus")
def test_whole_corpus_through_the_reference_adapter() -> None:
    cases = collect([CORPUS])
    result = run_adapter(REFERENCE, cases, SLOW_START)
    assert [(o.status, o.path) for o in result.outcomes] == [expected_of(c) for c in cases]


def test_runner_reuses_the_adapter_across_runs(parity_corpus: list[HarnessCase]) -> None:
    with Runner(REFERENCE, SLOW_START) as runner:
        first = runner.run(parity_corpus[:5])
        second = runner.run(parity_corpus[5:10])
        assert runner.events == []
    assert [o.status for o in first.outcomes] == [expected_of(c)[0] for c in parity_corpus[:5]]
    assert [o.status for o in second.outcomes] == [expected_of(c)[0] for c in parity_corpus[5:10]]
    assert second.startup_seconds == 0.0  # no second start-up


def test_ensure_started_handshakes_once_or_says_why_not(
    parity_corpus: list[HarnessCase],
) -> None:
    with Runner(REFERENCE, SLOW_START) as runner:
        assert runner.ensure_started() is None
        assert runner.hello is not None and "turn_trace" in runner.hello.kinds
        startup = runner.startup_seconds
        assert runner.ensure_started() is None  # already up: no second handshake
        result = runner.run(parity_corpus[:3])
        assert result.startup_seconds == 0.0 and runner.startup_seconds == startup
    dead = [sys.executable, str(ROOT / "tests" / "adapters" / "die_at_start.py")]
    with Runner(dead, RunOptions(start_timeout=5.0)) as runner:
        reason = runner.ensure_started()
        assert reason is not None and "start-up failed" in reason
        assert runner.hello is None


def test_reference_adapter_in_process() -> None:
    adapter = ReferenceAdapter()
    hello = adapter.handle({"cmd": "start", "protocol": PROTOCOL})["ok"]
    assert parse_hello(hello).kinds == {"turn_trace", "run_admission"}
    assert "decode:TurnCheckpoint" in hello["ops"]
    assert adapter.handle({"cmd": "start", "protocol": "other/9"}).keys() == {"errored"}
    call = {"cmd": "call", "op": "ProcessCommand::effect_id"}
    assert adapter.handle({**call, "args": [{"op": "await", "process_id": "p"}]}) == {
        "ok": "process:await:p"
    }
    assert (
        adapter.handle({"cmd": "call", "op": "decode:RuntimeScope", "args": [1]})["err"]["code"]
        == "decode"
    )
    assert adapter.handle({"cmd": "call", "op": "nope", "args": []}).keys() == {"skipped"}
    assert adapter.handle({"cmd": "machine.poll", "machine": "unknown"}).keys() == {"errored"}
    assert adapter.handle({"cmd": "bogus"}).keys() == {"errored"}


def test_lash_spec_adapter_subcommand_speaks_the_protocol() -> None:
    requests = [
        {"seq": 0, "cmd": "start", "protocol": PROTOCOL},
        {"seq": 1, "cmd": "call", "op": "stable_json", "args": [{"b": 1e16, "a": "é"}]},
        {"seq": 2, "cmd": "call", "op": "stable_hash", "args": [[1, 1.0]]},
    ]
    proc = subprocess.run(
        [sys.executable, "-m", "lash_spec.cli", "adapter"],
        input=b"".join(encode_request(r) for r in requests),
        capture_output=True,
        timeout=60,
        check=True,
    )
    lines = proc.stdout.splitlines()
    assert len(lines) == 3
    assert parse_hello(parse_reply(lines[0], 0).value).language == "python"
    assert parse_reply(lines[1], 1) == Reply("ok", '{"a":"é","b":1e+16}')
    assert parse_reply(lines[2], 2) == Reply("ok", stable_hash([1, 1.0]))


def test_split_command_finds_lash_spec_without_path(monkeypatch: pytest.MonkeyPatch) -> None:
    assert split_command("node 'my adapter.js' --x") == ["node", "my adapter.js", "--x"]
    monkeypatch.setenv("PATH", "/nonexistent")
    assert split_command("lash-spec adapter") == [sys.executable, "-m", "lash_spec.cli", "adapter"]


# ---------------------------------------------------------------------------
# The Node.js example adapter
# ---------------------------------------------------------------------------

TRICKY: list[Any] = [
    0,
    1,
    1.0,
    -0.0,
    2**53 + 1,
    2**64 - 1,
    -(2**63),
    1e16,
    1e15,
    123456789012345.6,
    0.00001,
    0.000001,
    1e-7,
    5e-324,
    1.7976931348623157e308,
    -2.5e-10,
    'tab\tquote"back\\slash\u0001\u007f\u2028é😀',
    {"b": 1, "a": {"d": [], "c": {}}, "": None, "é": True, "😀": 1, "\uffff": 2},
    [[], {}, [None, False]],
]


def node_bodies() -> dict[str, Any]:
    bodies: dict[str, Any] = {}
    for i, value in enumerate(TRICKY):
        bodies[f"json/{i}"] = {"call": "stable_json", "args": [value], "ok": stable_json(value)}
        bodies[f"hash/{i}"] = {"call": "stable_hash", "args": [value], "ok": stable_hash(value)}
    commands = [
        {"op": "await", "process_id": "p1"},
        {"op": "cancel", "process_id": "p1", "reason": None},
        {"op": "delete_session", "session_id": "s"},
        {"op": "list", "session_scope": {"session_id": "s", "agent_frame_id": "f"}},
        {"op": "list", "session_scope": {"session_id": "s", "agent_frame_id": ""}, "mode": "all"},
        {
            "op": "transfer",
            "from_scope": {"session_id": "a"},
            "to_scope": {"session_id": "b", "agent_frame_id": "f"},
            "process_ids": ["p2", "p1", "p1"],
        },
    ]
    for i, command in enumerate(commands):
        body = {"call": "ProcessCommand::effect_id", "args": [command]}
        op = ReferenceAdapter().ops["ProcessCommand::effect_id"]
        body["ok"] = op.encode_result(op.fn(*op.decode_args([command])))
        bodies[f"effect_id/{i}"] = body
    bodies["other-op"] = {"call": "RuntimeEffectKind::as_str", "args": ["sleep"], "ok": "sleep"}
    bodies["wrong"] = {"call": "stable_json", "args": [1.0], "ok": "1"}
    return bodies


@pytest.mark.skipif(NODE is None, reason="node is not installed")
def test_node_adapter_passes_its_ops_and_skips_the_rest(tmp_path: Path) -> None:
    write_corpus(tmp_path, "000-node", node_bodies())
    cases = collect([tmp_path, RECORDED])
    result = run_adapter([str(NODE), str(NODE_ADAPTER)], cases)
    assert result.events == []
    assert result.hello is not None and result.hello.language == "javascript"
    node_ops = {"stable_json", "stable_hash", "ProcessCommand::effect_id"}
    # JSON.parse is not serde_json: it keeps a repeated key, reads 100.0 as 100
    # and accepts lone surrogates (examples/adapters/node/baseline.txt)
    json_parse_differs = {
        "examples/decode_text/RuntimeScope/dup/003",
        "examples/decode_text/RuntimeScope/number/009",
        "examples/decode_text/RuntimeScope/surrogate/008",
    }
    for outcome in result.outcomes:
        expected = check_case(outcome.case.body).status
        if outcome.id == "000-node/wrong":
            assert (outcome.status, outcome.path) == ("failed", "$")
        elif outcome.case.op in NODE_TEXT_OPS:
            want = "failed" if outcome.id in json_parse_differs else "passed"
            assert (outcome.id, outcome.status) == (outcome.id, want)
        elif outcome.case.op in node_ops:
            assert (outcome.id, outcome.status) == (outcome.id, expected)
        else:
            assert (outcome.id, outcome.status) == (outcome.id, "skipped")
            assert outcome.detail.startswith("the adapter does not")
    statuses = [o.status for o in result.outcomes]
    assert statuses.count("passed") >= 2 * len(TRICKY) + 6


@pytest.mark.skipif(NODE is None, reason="node is not installed")
@pytest.mark.skipif(not (CORPUS / "index.json").exists(), reason="no generated corpus")
def test_node_adapter_on_the_corpus() -> None:
    cases = collect([CORPUS])
    result = run_adapter([str(NODE), str(NODE_ADAPTER)], cases)
    node_ops = {"stable_json", "stable_hash", "ProcessCommand::effect_id", *NODE_TEXT_OPS}
    differs = read_baseline(NODE_ADAPTER.parent / "baseline.txt")
    for outcome in result.outcomes:
        want = "passed" if outcome.case.op in node_ops else "skipped"
        if outcome.id in differs:
            want = "failed"
        assert (outcome.id, outcome.status) == (outcome.id, want)


# ---------------------------------------------------------------------------
# Protocol
# ---------------------------------------------------------------------------


def test_parse_reply_accepts_each_outcome() -> None:
    assert parse_reply(b'{"seq":3,"ok":-0}', 3) == Reply("ok", -0.0)
    assert parse_reply(b'{"seq":3,"ok":18446744073709551616}', 3).value == 1.8446744073709552e19
    assert parse_reply(b'{"seq":3,"err":{"code":"decode"}}', 3) == Reply("err", {"code": "decode"})
    assert parse_reply(b'{"seq":3,"skipped":{"reason":"r"}}', 3) == Reply("skipped", "r")
    assert parse_reply(b'{"seq":3,"errored":{"message":"m"}}', 3) == Reply("errored", "m")


@pytest.mark.parametrize(
    ("line", "message", "fatal"),
    [
        (b"not json", "reply is not JSON", True),
        (b'{"seq":3,"ok":NaN}', "reply is not JSON", True),
        (b"[3]", "not a JSON object", True),
        (b'{"ok":1}', "no integer `seq`", True),
        (b'{"seq":true,"ok":1}', "no integer `seq`", True),
        (b'{"seq":4,"ok":1}', "out of order", True),
        (b'{"seq":2,"ok":1}', "stale or wrong", True),
        (b'{"seq":3}', "exactly one of", False),
        (b'{"seq":3,"ok":1,"errored":{"message":"m"}}', "exactly one of", False),
        (b'{"seq":3,"err":"decode"}', "string `code`", False),
    ],
)
def test_parse_reply_rejects(line: bytes, message: str, fatal: bool) -> None:
    with pytest.raises(ProtocolError, match=message) as info:
        parse_reply(line, 3)
    assert info.value.fatal is fatal


def test_hello_validation() -> None:
    good = {"name": "n", "version": "1", "language": "go", "protocol": PROTOCOL, "ops": ["a"]}
    assert parse_hello(good).kinds == frozenset()
    with pytest.raises(ProtocolError, match="speaks 'x/2'"):
        parse_hello({**good, "protocol": "x/2"})
    with pytest.raises(ProtocolError, match="`ops`"):
        parse_hello({**good, "ops": "a"})
    with pytest.raises(ProtocolError, match="`language`"):
        parse_hello({k: v for k, v in good.items() if k != "language"})


def test_requests_are_ascii_lines() -> None:
    line = encode_request({"seq": 1, "cmd": "call", "op": "x", "args": ["é😀\n", -0.0, 2**64 - 1]})
    assert line.endswith(b"\n") and line.count(b"\n") == 1
    assert line.isascii()
    assert json.loads(line)["args"] == ["é😀\n", -0.0, 2**64 - 1]
    with pytest.raises(ValueError):
        encode_request({"seq": 1, "args": [float("nan")]})


def test_schemas_in_docs_are_current() -> None:
    for name, doc in schemas().items():
        path = ROOT / "docs" / "schema" / name
        assert path.read_text(encoding="utf-8") == render_schema(doc), (
            f"{path} is stale: run python -m lash_spec.harness.protocol docs/schema"
        )


def test_schemas_describe_the_messages_exchanged() -> None:
    jsonschema = pytest.importorskip("jsonschema")
    validators = {name: jsonschema.Draft202012Validator(doc) for name, doc in schemas().items()}
    for doc in schemas().values():
        jsonschema.Draft202012Validator.check_schema(doc)
    request = validators["adapter-request.schema.json"]
    reply = validators["adapter-reply.schema.json"]
    hello = validators["adapter-hello.schema.json"]
    adapter = ReferenceAdapter()
    assert hello.is_valid(adapter.hello())
    trace = json.loads((RECORDED / "turn-trace-001-minimal-final-answer.json").read_text())
    case = HarnessCase(
        id="t", file="f", file_id="f", seed="-", concept="c", kind="turn_trace", body=trace["body"]
    )
    hello_value = parse_hello(adapter.hello())
    for body_case in [case, *collect([RECORDED])[:50]]:
        driver = driver_for(body_case, hello_value, "h1")
        for seq, message in enumerate(_drive_in_process(driver, adapter)):
            sent, answered = message
            assert request.is_valid({**sent, "seq": seq}), sent
            assert reply.is_valid({"seq": seq, **answered}), answered
    assert not reply.is_valid({"seq": 1, "ok": 1, "err": {"code": "x"}})
    assert not request.is_valid({"seq": 1, "cmd": "call", "op": "x"})


def _drive_in_process(
    driver: Generator[dict[str, Any], Reply, Verdict], adapter: ReferenceAdapter
) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    exchanged = []
    try:
        request = next(driver)
        while True:
            answer = adapter.handle(request)
            exchanged.append((request, answer))
            ((tag, value),) = answer.items()
            if tag == "skipped":
                value = value["reason"]
            elif tag == "errored":
                value = value["message"]
            request = driver.send(Reply(tag, value))
    except StopIteration:
        return exchanged


# ---------------------------------------------------------------------------
# Baselines, reports and the CLI
# ---------------------------------------------------------------------------


@pytest.fixture
def small(tmp_path: Path) -> Path:
    write_corpus(
        tmp_path,
        "000-small",
        {
            "pass": {"call": "stable_hash", "args": ["a"], "ok": stable_hash("a")},
            "fail": {"call": "stable_hash", "args": ["a"], "ok": "0" * 64},
            "skip": {"call": "NoSuch::op", "args": [], "ok": None},
        },
    )
    return tmp_path / "000-small.json"


def run_cli(*args: str) -> int:
    return main(["run", "--adapter", shlex.join(REFERENCE), "-q", "--start-timeout", "60", *args])


def test_cli_run_report_junit_and_table(
    small: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    report, junit = tmp_path / "r.json", tmp_path / "j.xml"
    code = run_cli(str(small), "--report", str(report), "--junit", str(junit), "--show-skipped")
    out = capsys.readouterr().out
    assert code == 1
    assert "FAILED 000-small/fail at $: $: different value" in out
    assert "skipped 000-small/skip: the adapter does not implement NoSuch::op" in out
    assert "seed  concept  passed  failed  skipped  errored\n" in out
    assert "\n000   small         1       1        1        0\n" in out
    assert "1 passed, 1 failed, 1 skipped, 0 errored" in out
    doc = json.loads(report.read_text())
    assert doc["format"] == "lash-spec-run/1"
    assert doc["summary"] == {"passed": 1, "failed": 1, "skipped": 1, "errored": 0, "total": 3}
    assert doc["adapter"]["name"] == "lash-spec"
    assert doc["by_concept"] == [
        {"seed": "000", "concept": "small", "passed": 1, "failed": 1, "skipped": 1, "errored": 0}
    ]
    failed = next(c for c in doc["cases"] if c["status"] == "failed")
    assert failed["id"] == "000-small/fail" and failed["path"] == "$"
    assert failed["op"] == "stable_hash" and failed["seed"] == "000"
    root = ET.fromstring(junit.read_text())
    assert root.tag == "testsuites"
    assert (root.get("tests"), root.get("failures"), root.get("skipped")) == ("3", "1", "1")
    (suite,) = root
    names = {case.get("name"): [child.tag for child in case] for case in suite}
    assert names == {
        "000-small/pass": [],
        "000-small/fail": ["failure"],
        "000-small/skip": ["skipped"],
    }


def test_cli_report_to_stdout(small: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run_cli(str(small), "--report", "-")
    captured = capsys.readouterr()
    assert json.loads(captured.out)["summary"]["total"] == 3
    assert "1 passed" in captured.err


def test_cli_baseline_new_stale_and_clean(
    small: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    baseline = tmp_path / "baseline.txt"
    assert run_cli(str(small), "--write-baseline", str(baseline)) == 1
    assert read_baseline(baseline) == {"000-small/fail"}
    capsys.readouterr()
    assert run_cli(str(small), "--baseline", str(baseline)) == 0
    assert "baseline: 1 expected failure(s), 0 new, 0 stale" in capsys.readouterr().out

    baseline.write_text("# known\n000-small/pass  # was broken\n000-small/gone\n")
    assert run_cli(str(small), "--baseline", str(baseline)) == 1
    out = capsys.readouterr().out
    assert "new failure (not in the baseline): 000-small/fail" in out
    assert "stale baseline entry (now passes): 000-small/pass" in out


def test_baseline_check_lists_every_category(parity_run: RunResult) -> None:
    failing = [o.id for o in parity_run.outcomes if o.status == "failed"]
    passing = [o.id for o in parity_run.outcomes if o.status == "passed"]
    skipped = [o.id for o in parity_run.outcomes if o.status == "skipped"]
    check = check_baseline(
        parity_run.outcomes, {failing[0], passing[0], skipped[0], "000-x/not-in-run"}
    )
    assert not check.ok
    assert check.stale == (passing[0],)
    assert check.expected == (failing[0],)
    assert [o.id for o in check.new_failures] == failing[1:]
    assert set(check.not_run) == {skipped[0], "000-x/not-in-run"}
    text = render_baseline(parity_run.outcomes, adapter="x")
    assert check_baseline(parity_run.outcomes, set(failing)).ok
    assert {line for line in text.splitlines() if not line.startswith("#")} == set(failing)


def test_cli_bad_input(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert run_cli(str(tmp_path / "missing.json")) == 2
    assert "no such file" in capsys.readouterr().err


# ---------------------------------------------------------------------------
# pytest plugin
# ---------------------------------------------------------------------------


def run_pytest(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"}
    return subprocess.run(
        [
            *(sys.executable, "-m", "pytest", "-p", "lash_spec.harness.pytest_plugin"),
            *("-p", "no:cacheprovider", "--rootdir", str(tmp_path), "-rA", *args),
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=120,
        check=False,
    )


def test_pytest_plugin_collects_cases_by_stable_id(small: Path, tmp_path: Path) -> None:
    adapter = shlex.join(REFERENCE)
    proc = run_pytest(tmp_path, "--lash-adapter", adapter, str(small))
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "1 failed, 1 passed, 1 skipped" in proc.stdout
    assert "PASSED 000-small.json::000-small/pass" in proc.stdout
    assert "FAILED 000-small.json::000-small/fail" in proc.stdout
    assert "failed at $: $: different value" in proc.stdout


def test_pytest_plugin_baseline_is_strict_xfail(small: Path, tmp_path: Path) -> None:
    adapter = shlex.join(REFERENCE)
    baseline = tmp_path / "known.txt"
    baseline.write_text("000-small/fail\n")
    proc = run_pytest(
        tmp_path,
        "--lash-adapter",
        adapter,
        "--lash-corpus",
        str(small),
        "--lash-baseline",
        str(baseline),
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "1 passed, 1 skipped, 1 xfailed" in proc.stdout
    baseline.write_text("000-small/pass\n000-small/fail\n")
    proc = run_pytest(
        tmp_path, "--lash-adapter", adapter, str(small), "--lash-baseline", str(baseline)
    )
    assert proc.returncode == 1
    assert "XPASS(strict)" in proc.stdout


def test_pytest_plugin_fixture(tmp_path: Path) -> None:
    (tmp_path / "test_mine.py").write_text(
        "def test_one(lash_adapter):\n"
        "    body = {'call': 'stable_json', 'args': [1.0], 'ok': '1.0'}\n"
        "    assert lash_adapter.check(body).status == 'passed'\n"
        "    assert lash_adapter.check({**body, 'ok': '1'}).path == '$'\n"
    )
    adapter = shlex.join(REFERENCE)
    assert run_pytest(tmp_path, "--lash-adapter", adapter, "test_mine.py").returncode == 0
    skipped = run_pytest(tmp_path, "test_mine.py")
    assert "1 skipped" in skipped.stdout


def test_pytest_plugin_is_inert_without_an_adapter(small: Path, tmp_path: Path) -> None:
    proc = run_pytest(tmp_path, str(small.parent))
    assert proc.returncode == 5  # nothing collected: JSON files are not tests
    assert "no tests ran" in proc.stdout


def test_pytest_plugin_entry_point_is_declared() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    entry = project["project"]["entry-points"]["pytest11"]
    assert entry == {"lash_spec": "lash_spec.harness.pytest_plugin"}

"""``lash-spec expect``: input-only bodies become a fixture file the harness runs.

The inputs (``tests/fixtures/expect/inputs.jsonl``) cover every body kind;
what the model fills in is checked against expectations derived by hand
from the seeds, not against the model's own output.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest

from lash_spec.cli import main
from lash_spec.conformance.check import check_case
from lash_spec.conformance.expect import ExpectError, expect_body, inputs_of

ROOT = Path(__file__).resolve().parent.parent
INPUTS = Path(__file__).resolve().parent / "fixtures" / "expect" / "inputs.jsonl"


def _lines() -> list[dict[str, Any]]:
    return [json.loads(line) for line in INPUTS.read_text(encoding="utf-8").splitlines()]


def _expect(tmp: Path, *args: str) -> tuple[int, Path]:
    out = tmp / "golden.json"
    return main(["expect", *args, "-o", str(out)]), out


@pytest.fixture(scope="module")
def golden(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    tmp = tmp_path_factory.mktemp("expect")
    code, out = _expect(tmp, str(INPUTS))
    assert code == 0
    doc: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    doc["path"] = str(out)
    return doc


def _bodies(doc: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [c["body"] for c in doc["cases"] if c["kind"] == kind]


def test_every_kind_is_filled_in_with_hand_derived_answers(golden: dict[str, Any]) -> None:
    kinds = [c["kind"] for c in golden["cases"]]
    assert kinds == [*["call"] * 4, "turn_trace", "run_admission", "run_admission"]
    calls = {b["call"]: b for b in _bodies(golden, "call")}
    assert calls["ProcessCommand::effect_id"]["ok"] == "process:await:p1"
    # a process subject with a sleep kind: the subject/kind rule of seed 000
    assert calls["RuntimeEffectEnvelope::try_new"]["err"] == {
        "code": "runtime_effect_invocation_subject"
    }
    # unknown key dropped, unset options skipped
    assert calls["decode:RuntimeScope"]["ok"] == {"session_id": "s", "turn_index": 3}
    text = '{"a":"é","b":[1e+16,0.00001]}'  # serde_json 1.0.149's text, written by hand
    assert calls["stable_hash"]["ok"] == hashlib.sha256(text.encode()).hexdigest()

    (trace,) = _bodies(golden, "turn_trace")
    labels = [
        (kind, next(iter(v)) if isinstance(v, dict) else v)
        for step in trace["steps"]
        for kind, v in step.items()
    ]
    assert labels == [
        ("poll", "Emit"),  # llm_request
        ("poll", "LlmCall"),
        ("checkpoint", "state"),
        ("respond", "LlmComplete"),
        ("restore", True),
        ("poll", "Emit"),
        ("poll", "Progress"),
        ("poll", "Emit"),
        ("poll", "Emit"),
        ("poll", "Done"),
        ("done", True),
    ]
    assert trace["steps"][1]["poll"]["LlmCall"]["id"] == 1
    assert trace["steps"][2]["checkpoint"]["state"]["WaitingLlm"]["effect_id"] == 1
    done = trace["steps"][9]["poll"]["Done"]
    assert [m["id"] for m in done["messages"]] == ["m0", "m1"]

    scenario, unbuildable = _bodies(golden, "run_admission")
    outcomes = [s.get("ok", s.get("err")) for s in scenario["steps"]]
    assert outcomes[0] == "run.1"
    assert outcomes[1] == {"code": "invalid_state_transition:not_retryable"}  # duplicate run id
    assert outcomes[2] is None
    assert outcomes[3]["status"] == "CancellationRequested"
    assert outcomes[3]["cancellation_requested"] is True
    assert outcomes[4] == 1
    # an empty provider route id: build() fails (seed 004), and the scenario has no steps
    assert unbuildable["build"] == {"err": {"code": "invalid_package:host_configuration_needed"}}
    assert unbuildable["steps"] == []


def test_the_file_is_a_corpus_file(golden: dict[str, Any]) -> None:
    from lash_spec.conformance.corpus import body_hash

    assert golden["format"] == "lash-spec-corpus/1"
    assert golden["id"] == "golden"
    assert (golden["seed"], golden["concept"]) == ("000", "mixed")
    for case in golden["cases"]:
        assert case["hash"] == body_hash(case["body"])
        assert case["id"].rsplit("/", 1)[1].startswith("in-")
        assert case["description"]
        assert check_case(case["body"]).passed


def test_the_shipped_schemas_accept_it(golden: dict[str, Any]) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    referencing = pytest.importorskip("referencing")
    resources = []
    for path in sorted((ROOT / "conformance" / "schema").glob("*.schema.json")):
        doc = json.loads(path.read_text(encoding="utf-8"))
        resources.append((doc["$id"], referencing.Resource.from_contents(doc)))
    schema = json.loads(
        (ROOT / "conformance" / "schema" / "corpus-file.schema.json").read_text(encoding="utf-8")
    )
    registry = referencing.Registry().with_resources(resources)
    file_doc = {k: v for k, v in golden.items() if k != "path"}
    jsonschema.Draft202012Validator(schema, registry=registry).validate(file_doc)


def test_the_reference_adapter_passes_it(
    golden: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["run", "--adapter", "lash-spec adapter", golden["path"]]) == 0
    assert "7 passed, 0 failed, 0 skipped, 0 errored" in capsys.readouterr().out


def test_check_names_the_case_and_path_of_a_wrong_expectation(
    golden: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = Path(golden["path"]).read_text(encoding="utf-8")
    out = tmp_path / "golden.json"
    out.write_text(good, encoding="utf-8")
    assert main(["expect", str(INPUTS), "-o", str(out), "--check"]) == 0
    assert main(["expect", "--check", "-o", str(out)]) == 0  # against its own inputs
    capsys.readouterr()
    out.write_text(good.replace('"ok": 1}', '"ok": 2}'), encoding="utf-8")
    for args in ([str(INPUTS), "-o", str(out)], ["-o", str(out)]):
        assert main(["expect", *args, "--check"]) == 1
        text = capsys.readouterr().out
        assert "case run_admission/in-" in text
        assert "$.steps[4].ok: different value: the file has 2, the model gives 1" in text
        assert "hand-edited" in text
    out.write_text(good.replace("process:await:p1", "process:await:p2"), encoding="utf-8")
    assert main(["expect", str(INPUTS), "-o", str(out), "--check"]) == 1
    assert "case ProcessCommand/effect_id/in-" in capsys.readouterr().out


def test_check_reports_missing_and_unexpected_cases(
    golden: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first = tmp_path / "first.jsonl"
    first.write_text(INPUTS.read_text(encoding="utf-8").splitlines()[0] + "\n", encoding="utf-8")
    assert main(["expect", str(first), "-o", golden["path"], "--check"]) == 1
    text = capsys.readouterr().out
    assert text.count("not produced from the inputs") == 6
    assert main(["expect", str(INPUTS), "-o", str(tmp_path / "none.json"), "--check"]) == 1
    assert "missing" in capsys.readouterr().out


def test_input_shapes_agree(golden: dict[str, Any], tmp_path: Path) -> None:
    """A JSON array, a corpus-like file and stdin give the same cases as JSON Lines."""
    bodies = _lines()
    array = tmp_path / "array.json"
    array.write_text(json.dumps(bodies), encoding="utf-8")
    corpus_like = tmp_path / "corpus.json"
    corpus_like.write_text(
        json.dumps({"id": "mine", "seed": "003", "cases": [{"body": b} for b in bodies]}),
        encoding="utf-8",
    )
    for path, file_id, seed in ((array, "golden", "000"), (corpus_like, "mine", "003")):
        code, out = _expect(tmp_path, str(path))
        assert code == 0
        doc = json.loads(out.read_text(encoding="utf-8"))
        assert (doc["id"], doc["seed"]) == (file_id, seed)
        assert doc["cases"] == golden["cases"]


def test_stdin_and_stdout(
    golden: dict[str, Any], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import io

    monkeypatch.setattr("sys.stdin", io.StringIO(INPUTS.read_text(encoding="utf-8")))
    assert main(["expect", "-", "-o", "-", "--id", "golden"]) == 0
    assert json.loads(capsys.readouterr().out)["cases"] == golden["cases"]


def test_given_ids_descriptions_and_header(tmp_path: Path) -> None:
    (body, *_) = _lines()
    src = tmp_path / "in.json"
    src.write_text(json.dumps([{"id": "mine/await", "description": "d", "body": body}]))
    code, out = _expect(tmp_path, str(src), "--concept", "effect_id", "--description", "x")
    assert code == 0
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert (doc["concept"], doc["description"]) == ("effect_id", "x")
    assert [(c["id"], c["description"]) for c in doc["cases"]] == [("mine/await", "d")]


def test_a_complete_body_is_an_input_whose_expectation_must_hold() -> None:
    full = {
        "call": "ProcessCommand::effect_id",
        "args": [{"op": "await", "process_id": "p1"}],
        "ok": "process:await:p1",
    }
    assert expect_body(full) == full
    with pytest.raises(ExpectError) as info:
        expect_body({**full, "ok": "process:await:p9"})
    assert "not what the model gives" in info.value.message


def test_filled_bodies_round_trip_through_inputs_of(golden: dict[str, Any]) -> None:
    for case in golden["cases"]:
        stripped = inputs_of(case["body"])
        assert "ok" not in json.dumps(stripped.get("steps", [])) or case["kind"] == "turn_trace"
        assert expect_body(stripped) == case["body"]
    (trace,) = _bodies(golden, "turn_trace")
    moves = inputs_of(trace)["steps"]
    assert moves[:3] == ["poll", "poll", "checkpoint"]


def test_stated_stateful_expectations_are_checked(golden: dict[str, Any]) -> None:
    (trace,) = _bodies(golden, "turn_trace")
    moves = inputs_of(trace)["steps"]
    wrong = [*moves[:-1], {"done": False}]
    with pytest.raises(ExpectError) as info:
        expect_body({**trace, "steps": wrong})
    assert info.value.path == "$.steps[10].done"
    scenario, _ = _bodies(golden, "run_admission")
    steps = inputs_of(scenario)["steps"]
    steps[1] = {**steps[1], "ok": "run.1"}
    with pytest.raises(ExpectError) as info:
        expect_body({**scenario, "steps": steps})
    assert info.value.path == "$.steps[1].ok"
    _, unbuildable = _bodies(golden, "run_admission")
    with pytest.raises(ExpectError) as info:
        expect_body({**unbuildable, "build": {"ok": None}})
    assert info.value.path == "$.runtime"
    assert expect_body({**inputs_of(unbuildable), "build": unbuildable["build"]}) == unbuildable


REJECTED = [
    ({"call": "NoSuch::op", "args": []}, "$.call", "unknown op"),
    ({"call": "ProcessCommand::effect_id", "args": [{"op": "nope"}]}, "$.args[0].op", "variant"),
    ({"call": "ProcessCommand::effect_id", "args": []}, "$.args", "takes 1 arguments"),
    ({"call": "stable_json", "args": [1], "extra": 1}, "$", "unknown key `extra`"),
    ({"nothing": 1}, "$", "unknown body kind"),
    ([1], "$", "a case body is a JSON object"),
    (
        {"scenario": "run_admission", "runtime": {"providers": [""]}, "steps": [{"events": None}]},
        "$.steps",
        "does not build",
    ),
    (
        {"scenario": "run_admission", "steps": [{"cancel_run": 7}]},
        "$.steps[0].cancel_run",
        "expected a string",
    ),
    ({"scenario": "run_admission", "steps": [{"jump": 1}]}, "$.steps[0]", "unknown key `jump`"),
]


@pytest.mark.parametrize(("body", "path", "message"), REJECTED)
def test_rejected_inputs_name_their_path(body: Any, path: str, message: str) -> None:
    with pytest.raises(ExpectError) as info:
        expect_body(body)
    assert info.value.path == path
    assert message in info.value.message


def test_impossible_traces_are_rejected(golden: dict[str, Any]) -> None:
    (trace,) = _bodies(golden, "turn_trace")
    moves = inputs_of(trace)["steps"]
    cases = [
        ([*moves[:3], {"respond": {"LlmComplete": {"id": "x"}}}], "$.steps[3].respond"),
        (["jump"], "$.steps[0]"),
        ([{"restore": False}], "$.steps[0].restore"),
        ([{"poll": None, "done": True}], "$.steps[0]"),
    ]
    for steps, path in cases:
        with pytest.raises(ExpectError) as info:
            expect_body({**trace, "steps": steps})
        assert info.value.path.startswith(path), (steps, info.value)
    with pytest.raises(ExpectError) as info:
        expect_body({**trace, "config": {**trace["config"], "max_turns": -1}})
    assert info.value.path == "$.config.max_turns"


def test_rejected_inputs_are_reported_and_left_out(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = INPUTS.read_text(encoding="utf-8").splitlines()
    bad = [json.dumps(REJECTED[0][0]), "{not json", json.dumps(REJECTED[1][0])]
    src = tmp_path / "in.jsonl"
    src.write_text("\n".join([lines[0], *bad, lines[0]]) + "\n", encoding="utf-8")
    code, out = _expect(tmp_path, str(src))
    assert code == 1
    err = capsys.readouterr().err
    assert f"{src}:2: $.call: unknown op 'NoSuch::op'" in err
    assert f"{src}:3: $: not JSON" in err
    assert f"{src}:4: $.args[0]" in err
    assert f"{src}:5: $: case id ProcessCommand/effect_id/in-" in err  # the same input twice
    assert "4 input(s) rejected" in err
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert len(doc["cases"]) == 1


def test_unreadable_input_and_usage_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _expect(tmp_path, str(tmp_path / "missing.jsonl"))[0] == 2
    assert "cannot read" in capsys.readouterr().err
    assert _expect(tmp_path)[0] == 2
    assert _expect(tmp_path, str(INPUTS), "--seed", "4")[0] == 2
    future = tmp_path / "future.json"
    future.write_text(json.dumps({"format": "lash-spec-corpus/9", "cases": []}))
    assert _expect(tmp_path, str(future))[0] == 2
    assert "unknown format 'lash-spec-corpus/9'" in capsys.readouterr().err


def test_the_pytest_plugin_runs_it(golden: dict[str, Any], tmp_path: Path) -> None:
    import os
    import shlex
    import subprocess
    import sys

    adapter = shlex.join([sys.executable, "-m", "lash_spec.harness.adapter"])
    argv = [sys.executable, "-m", "pytest", "-p", "lash_spec.harness.pytest_plugin", "-q"]
    argv += ["-p", "no:cacheprovider", "--rootdir", str(tmp_path)]
    env = {**os.environ, "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"}
    proc = subprocess.run(
        [*argv, "--lash-adapter", adapter, golden["path"]],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "7 passed" in proc.stdout


def test_the_committed_corpus_is_reproduced_from_its_inputs(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """``expect`` and ``fill`` fill in the same expectations, in the same layout:
    every corpus file, stripped to its inputs, comes back byte for byte."""
    files = sorted((ROOT / "conformance").glob("0*.json"))
    assert len(files) >= 10
    for path in files:
        assert main(["expect", "--check", "-o", str(path)]) == 0, capsys.readouterr().out


# Eras (docs/eras.md; wire-format §12): ceb460d4's ProcessProvenance has no
# `host_profile_id` (an unknown key there, which serde drops) and its
# ProcessRegistration requires `identity`; 74941d21 has the opposite.
PROVENANCE = {"originator": {"type": "host"}, "host_profile_id": "h"}
REGISTRATION = {
    "id": "p1",
    "input": {"type": "external", "metadata": None},
    "event_types": [],
    "provenance": PROVENANCE,
}


def test_expect_era_fills_every_input_there(tmp_path: Path) -> None:
    src = tmp_path / "in.jsonl"
    src.write_text(json.dumps({"call": "decode:ProcessProvenance", "args": [PROVENANCE]}) + "\n")
    answers = {}
    for era in ("74941d21", "ceb460d4", None):
        code, out = _expect(tmp_path, str(src), *(["--era", era] if era else []))
        assert code == 0
        (case,) = json.loads(out.read_text(encoding="utf-8"))["cases"]
        answers[era] = (case["body"]["ok"], case["eras"])
    assert answers["74941d21"] == (PROVENANCE, ["e2e0b409", "74941d21"])
    assert answers["ceb460d4"] == ({"originator": {"type": "host"}}, ["ceb460d4", "seed-004"])
    assert answers[None] == answers["74941d21"]  # a decode op's own era: 74941d21


def test_a_corpus_case_is_filled_at_its_first_era(tmp_path: Path) -> None:
    def case(eras: list[str] | None) -> dict[str, Any]:
        body = {"call": "decode:ProcessRegistration", "args": [REGISTRATION]}
        return {"body": body, **({"eras": eras} if eras is not None else {})}

    src = tmp_path / "in.json"
    cases = [case(["ceb460d4", "seed-004"]), case(None)]
    src.write_text(json.dumps({"cases": cases}))
    code, out = _expect(tmp_path, str(src))
    assert code == 1  # the same input twice: one id
    (filled,) = json.loads(out.read_text(encoding="utf-8"))["cases"]
    assert filled["body"]["err"] == {"code": "decode"}  # missing `identity` at ceb460d4
    assert filled["eras"] == ["ceb460d4", "seed-004"]
    src.write_text(json.dumps({"cases": cases[1:]}))
    code, out = _expect(tmp_path, str(src))
    assert code == 0
    assert json.loads(out.read_text(encoding="utf-8"))["cases"][0]["body"]["ok"] == REGISTRATION
    src.write_text(json.dumps({"cases": cases[:1]}))  # --era wins over a case's eras
    code, out = _expect(tmp_path, str(src), "--era", "74941d21")
    assert code == 0
    (filled,) = json.loads(out.read_text(encoding="utf-8"))["cases"]
    assert filled["body"]["ok"] == REGISTRATION
    assert filled["eras"] == ["e2e0b409", "74941d21"]


@pytest.mark.parametrize(
    ("body", "era", "path", "message"),
    [
        ({"call": "stable_hash", "args": [1]}, "nope", "$", "unknown era 'nope'"),
        (
            {"call": "stable_hash", "args": [1]},
            "ceb460d4",
            "$.call",
            "belongs to seed 000, declared at era 74941d21: it does not run at ceb460d4",
        ),
        (
            {"call": "decode:ToolCallEffectOutcome", "args": [{}]},
            "ceb460d4",
            "$.call",
            "the type does not exist at era ceb460d4",
        ),
        (
            {"scenario": "run_admission", "steps": []},
            "74941d21",
            "$",
            "run_admission belongs to seed 004, declared at era seed-004",
        ),
        (  # a stated expectation is checked at the era too
            {"call": "decode:ProcessProvenance", "args": [PROVENANCE], "ok": PROVENANCE},
            "ceb460d4",
            "$.host_profile_id",  # check_case's path, inside the result
            "the stated expectation is not what the model gives",
        ),
    ],
)
def test_inputs_the_era_rejects(body: Any, era: str, path: str, message: str) -> None:
    with pytest.raises(ExpectError) as info:
        expect_body(body, era)
    assert info.value.path == path
    assert message in info.value.message


def test_an_unknown_era_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _expect(tmp_path, str(INPUTS), "--era", "nope")[0] == 2
    assert "lash-spec expect: --era: unknown era 'nope' (known: e2e0b409," in (
        capsys.readouterr().err
    )
    src = tmp_path / "in.json"
    body = {"call": "stable_hash", "args": [1]}
    src.write_text(json.dumps([{"body": body, "eras": ["nope"]}, {"body": body, "eras": "x"}]))
    assert _expect(tmp_path, str(src))[0] == 1
    err = capsys.readouterr().err
    assert f"{src} item 0: $: unknown era 'nope'" in err
    assert f"{src} item 1: $: `eras` must be an array of era names" in err

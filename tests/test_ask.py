"""``lash-spec decode``, ``hash`` and ``call``: from stdin, files and JSON Lines.

Expected answers are written by hand (serde's canonical text of small
values, ``hashlib`` over that text, the seed's effect-id rule).
"""

from __future__ import annotations

import hashlib
import io
import json
from pathlib import Path

import pytest

from lash_spec.cli import main

Capture = pytest.CaptureFixture[str]


def _stdin(monkeypatch: pytest.MonkeyPatch, text: str) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(text))


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def test_decode_from_stdin_is_canonical(monkeypatch: pytest.MonkeyPatch, capsys: Capture) -> None:
    # unknown key dropped, unset options skipped, fields in Rust order
    _stdin(monkeypatch, '{"turn_index": 3, "x": [1], "session_id": "s", "turn_id": null}')
    assert main(["decode", "RuntimeScope"]) == 0
    assert capsys.readouterr().out == '{"session_id":"s","turn_index":3}\n'


def test_decode_a_file_of_json_lines(tmp_path: Path, capsys: Capture) -> None:
    src = tmp_path / "scopes.jsonl"
    src.write_text('{"session_id": "a"}\n\n{"session_id": "b", "turn_index": "1"}\n"x"\n')
    assert main(["decode", "RuntimeScope", str(src)]) == 1
    out, err = capsys.readouterr()
    assert out == '{"session_id":"a"}\n'
    lines = err.splitlines()
    assert lines[0] == (
        f"lash-spec decode: {src}:3: $.turn_index: invalid type: string '1', expected usize"
        " [decode]"
    )
    assert lines[1].startswith(f"lash-spec decode: {src}:4: $: invalid type: string")


def test_a_pretty_printed_document_is_one_document(tmp_path: Path, capsys: Capture) -> None:
    src = tmp_path / "scope.json"
    src.write_text(json.dumps({"session_id": "s", "turn_index": 2}, indent=2))
    assert main(["decode", "RuntimeScope", str(src)]) == 0
    assert capsys.readouterr().out == '{"session_id":"s","turn_index":2}\n'


def test_decode_text_reads_raw_text(monkeypatch: pytest.MonkeyPatch, capsys: Capture) -> None:
    _stdin(monkeypatch, '{"session_id": "s", "turn_index": 1e0}')
    assert main(["decode", "--text", "RuntimeScope", "-"]) == 1
    assert "$.turn_index: invalid type: floating point" in capsys.readouterr().err
    _stdin(monkeypatch, '{"session_id": "s",}')
    assert main(["decode", "--text", "RuntimeScope"]) == 1
    assert "stdin: $: trailing comma" in capsys.readouterr().err
    _stdin(monkeypatch, '{"session_id": "s", "session_id": "t"}')
    assert main(["decode", "--text", "RuntimeScope"]) == 1
    assert "stdin: $.session_id: duplicate field `session_id`" in capsys.readouterr().err
    _stdin(monkeypatch, '  {"session_id": "s"}  ')
    assert main(["decode", "--text", "RuntimeScope"]) == 0
    assert capsys.readouterr().out == '{"session_id":"s"}\n'


def test_unknown_type_names_the_closest(capsys: Capture) -> None:
    assert main(["decode", "RuntimeScop", "-"]) == 2
    assert "did you mean RuntimeScope" in capsys.readouterr().err


def test_missing_file(tmp_path: Path, capsys: Capture) -> None:
    assert main(["hash", "Value", str(tmp_path / "nope.json")]) == 2
    assert "cannot read" in capsys.readouterr().err


def test_hash_prints_the_hash_and_the_stable_json(
    monkeypatch: pytest.MonkeyPatch, capsys: Capture
) -> None:
    _stdin(monkeypatch, '{"b": [1e16, 0.00001], "a": "é"}\n{"z": null, "a": -0}\n')
    assert main(["hash", "Value"]) == 0
    first = '{"a":"é","b":[1e+16,0.00001]}'  # Value: keys sorted; serde's floats
    second = '{"a":-0.0,"z":null}'  # -0 is read as the float -0.0, as serde_json does
    assert capsys.readouterr().out == f"{_sha(first)}  {first}\n{_sha(second)}  {second}\n"


def test_hash_of_a_typed_value_follows_rust_field_order(tmp_path: Path, capsys: Capture) -> None:
    src = tmp_path / "scope.json"
    src.write_text('{"turn_index": 1, "session_id": "s"}')
    assert main(["hash", "RuntimeScope", str(src)]) == 0
    text = '{"session_id":"s","turn_index":1}'
    assert capsys.readouterr().out == f"{_sha(text)}  {text}\n"
    src.write_text('{"turn_index": 1}')
    assert main(["hash", "RuntimeScope", str(src)]) == 1
    assert "missing field `session_id`" in capsys.readouterr().err


AWAIT = '[{"op": "await", "process_id": "p1"}]'


def test_call_answers_as_a_case_body(capsys: Capture) -> None:
    assert main(["call", "ProcessCommand::effect_id", AWAIT]) == 0
    body = json.loads(capsys.readouterr().out)
    assert body == {
        "call": "ProcessCommand::effect_id",
        "args": [{"op": "await", "process_id": "p1"}],
        "ok": "process:await:p1",
    }


def test_call_answers_an_error_code(capsys: Capture) -> None:
    scope = {"session_id": "s", "turn_id": "t", "turn_index": 0, "protocol_iteration": 1}
    invocation = {"scope": scope, "subject": {"type": "process", "process_id": "p"}}
    args = json.dumps([invocation, {"type": "sleep", "duration_ms": 5}])
    assert main(["call", "RuntimeEffectEnvelope::try_new", args]) == 0
    assert json.loads(capsys.readouterr().out)["err"] == {
        "code": "runtime_effect_invocation_subject"
    }


def test_call_reads_json_lines_from_stdin_and_files(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: Capture
) -> None:
    lines = f'{AWAIT}\n[{{"op": "nope"}}]\n[{{"op": "cancel", "process_id": "p2"}}]\n'
    _stdin(monkeypatch, lines)
    assert main(["call", "ProcessCommand::effect_id", "-"]) == 1
    out, err = capsys.readouterr()
    assert [json.loads(line)["ok"] for line in out.splitlines()] == [
        "process:await:p1",
        "process:cancel:p2",
    ]
    assert "stdin:2: $.args[0].op: does not decode: unknown variant `nope`" in err
    src = tmp_path / "args.jsonl"
    src.write_text(lines)
    assert main(["call", "ProcessCommand::effect_id", str(src)]) == 1
    assert capsys.readouterr().out == out


def test_call_typed_errors(capsys: Capture) -> None:
    assert main(["call", "No::op", "[]"]) == 1
    assert "ARGS: $.call: unknown op 'No::op'" in capsys.readouterr().err
    assert main(["call", "ProcessCommand::effect_id", "[]"]) == 1
    assert "ARGS: $.args: does not decode: ProcessCommand::effect_id takes 1 arguments" in (
        capsys.readouterr().err
    )
    assert main(["call", "stable_json", "[1,"]) == 1
    assert "ARGS: $.args: not JSON" in capsys.readouterr().err


# Eras (docs/eras.md; wire-format §12): ceb460d4's ProcessRegistration requires
# `identity`, and its ProcessProvenance has no `host_profile_id` (an unknown
# key there, so serde drops it); 74941d21 has the opposite.
REGISTRATION = json.dumps(
    {
        "id": "p1",
        "input": {"type": "external", "metadata": None},
        "event_types": [],
        "provenance": {"originator": {"type": "host"}, "host_profile_id": "h"},
    }
)
PROVENANCE = '{"originator": {"type": "host"}, "host_profile_id": "h"}'


def test_decode_at_an_era(monkeypatch: pytest.MonkeyPatch, capsys: Capture) -> None:
    canonical = json.dumps(json.loads(REGISTRATION), separators=(",", ":")) + "\n"
    for argv in (["--era", "74941d21"], []):  # no --era: today's default era, 74941d21
        _stdin(monkeypatch, REGISTRATION)
        assert main(["decode", *argv, "ProcessRegistration"]) == 0
        assert capsys.readouterr().out == canonical
    for text in ([], ["--text"]):
        _stdin(monkeypatch, REGISTRATION)
        assert main(["decode", "--era", "ceb460d4", *text, "ProcessRegistration"]) == 1
        out, err = capsys.readouterr()
        assert out == ""
        assert err == "lash-spec decode: stdin: $: missing field `identity` [decode]\n"


def test_hash_at_an_era(monkeypatch: pytest.MonkeyPatch, capsys: Capture) -> None:
    _stdin(monkeypatch, PROVENANCE)
    assert main(["hash", "--era", "ceb460d4", "ProcessProvenance"]) == 0
    stable = '{"originator":{"type":"host"}}'
    assert capsys.readouterr().out == f"{_sha(stable)}  {stable}\n"
    _stdin(monkeypatch, PROVENANCE)
    assert main(["hash", "--era", "e2e0b409", "ProcessProvenance"]) == 0
    stable = '{"originator":{"type":"host"},"host_profile_id":"h"}'
    assert capsys.readouterr().out == f"{_sha(stable)}  {stable}\n"


def test_call_at_an_era(capsys: Capture) -> None:
    assert main(["call", "--era", "ceb460d4", "decode:ProcessProvenance", f"[{PROVENANCE}]"]) == 0
    body = json.loads(capsys.readouterr().out)
    assert body["ok"] == {"originator": {"type": "host"}}
    assert (
        main(["call", "--era", "ceb460d4", "decode:ProcessRegistration", f"[{REGISTRATION}]"]) == 0
    )
    assert json.loads(capsys.readouterr().out)["err"] == {"code": "decode"}
    # a seed's function runs at its seed's era only (stable_hash: seed 000, 74941d21)
    assert main(["call", "--era", "ceb460d4", "stable_hash", "[1]"]) == 1
    assert "$.call: stable_hash belongs to seed 000, declared at era 74941d21" in (
        capsys.readouterr().err
    )
    assert main(["call", "--era", "74941d21", "stable_hash", "[1]"]) == 0
    assert json.loads(capsys.readouterr().out)["ok"] == _sha("1")


def test_unknown_or_missing_era(monkeypatch: pytest.MonkeyPatch, capsys: Capture) -> None:
    for argv in (["decode", "Value"], ["hash", "Value"], ["call", "stable_hash", "[1]"]):
        _stdin(monkeypatch, "1")
        assert main([*argv, "--era", "nope"]) == 2
        err = capsys.readouterr().err
        assert f"lash-spec {argv[0]}: --era: unknown era 'nope'" in err
        assert "ceb460d4" in err  # the known eras are listed
    # ToolCallEffectOutcome exists only in the 74941d21 forms
    assert main(["decode", "--era", "ceb460d4", "ToolCallEffectOutcome"]) == 2
    assert "does not exist at era ceb460d4 (it does at e2e0b409, 74941d21)" in (
        capsys.readouterr().err
    )
    assert main(["call", "--era", "ceb460d4", "decode:ToolCallEffectOutcome", "[{}]"]) == 1
    assert "$.call: decode:ToolCallEffectOutcome: the type does not exist at era ceb460d4" in (
        capsys.readouterr().err
    )

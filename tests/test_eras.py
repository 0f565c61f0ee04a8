"""Eras: cases hold at upstream commits, and adapters declare theirs.

An adapter that declares one era gets the cases of the other eras reported as
skipped, with the reason, never as failed: in the runner's outcomes, the JSON
and JUnit reports, the pytest plugin, and the fuzzer's op selection.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from lash_spec.eras import ERAS, SEED_ERAS, era, era_names
from lash_spec.harness.cases import collect
from lash_spec.harness.fuzz import fuzz_era
from lash_spec.harness.protocol import ProtocolError, parse_hello
from lash_spec.harness.report import json_report, junit_xml
from lash_spec.harness.runner import RunOptions, run_adapter

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "conformance"


def adapter_at(*eras: str) -> list[str]:
    """The reference adapter declaring only ``eras``."""
    code = (
        "import sys; from lash_spec.harness.adapter import main; "
        f"sys.exit(main(frozenset({sorted(eras)!r})))"
    )
    return [sys.executable, "-c", code]


HELLO = {"name": "x", "version": "1", "language": "py", "protocol": "lash-spec-adapter/1"}


def test_the_registry_names_each_seed_once() -> None:
    assert SEED_ERAS == {
        "000": "74941d21",
        "001": "ceb460d4",
        "002": "ceb460d4",
        "003": "e2e0b409",
        "004": "seed-004",
    }
    assert era("ceb460d4").commit == "ceb460d4a03fad60fd8932d2c4deb6ede88c6ed9"
    assert [e.name for e in ERAS] == list(era_names())


def test_hello_eras_absent_means_all() -> None:
    hello = parse_hello({**HELLO, "ops": []})
    assert hello.eras is None
    assert hello.era_for(("74941d21",)) == "74941d21"
    assert hello.era_for(None) is None


def test_hello_eras_are_checked() -> None:
    with pytest.raises(ProtocolError, match="unknown era"):
        parse_hello({**HELLO, "ops": [], "eras": ["nope"]})
    with pytest.raises(ProtocolError, match="non-empty array"):
        parse_hello({**HELLO, "ops": [], "eras": []})
    hello = parse_hello({**HELLO, "ops": [], "eras": ["ceb460d4"]})
    assert hello.era_for(("74941d21", "ceb460d4")) == "ceb460d4"


def _files(tmp_path: Path) -> list[Path]:
    for name in ("000-effect-id.json", "001-eras.json"):
        shutil.copy(CORPUS / name, tmp_path / name)
    return [tmp_path / "000-effect-id.json", tmp_path / "001-eras.json"]


def test_an_adapter_of_one_era_skips_the_other_eras_cases(tmp_path: Path) -> None:
    cases = collect(_files(tmp_path))
    only_old = [c for c in cases if c.eras and "ceb460d4" not in c.eras]
    assert len(only_old) > 100  # seed 000's functions, and 74941d21 readings
    result = run_adapter(adapter_at("ceb460d4"), cases, RunOptions(start_timeout=60))
    statuses = {o.id: o.status for o in result.outcomes}
    assert "failed" not in statuses.values() and "errored" not in statuses.values()
    for case in only_old:
        assert statuses[case.id] == "skipped"
    skipped = next(o for o in result.outcomes if o.id == only_old[0].id)
    assert "the adapter declares ceb460d4" in skipped.detail
    assert statuses["001-eras/eras/registration-without-identity"] == "passed"
    assert statuses["001-eras/eras/tool-call-kind"] == "skipped"
    report = json_report(result, "adapter")
    assert report["adapter"]["eras"] == ["ceb460d4"]
    by_id = {c["id"]: c for c in report["cases"]}
    assert by_id[only_old[0].id]["status"] == "skipped"
    assert "declares ceb460d4" in junit_xml(result)


def test_the_same_cases_pass_for_an_adapter_of_every_era(tmp_path: Path) -> None:
    result = run_adapter(adapter_at(*era_names()), collect(_files(tmp_path)))
    assert {o.status for o in result.outcomes} == {"passed"}


def test_the_pytest_plugin_skips_other_eras(tmp_path: Path) -> None:
    files = _files(tmp_path)
    env = {**os.environ, "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"}
    proc = subprocess.run(
        [
            *(sys.executable, "-m", "pytest", "-p", "lash_spec.harness.pytest_plugin"),
            *("-p", "no:cacheprovider", "--rootdir", str(tmp_path), "-q"),
            *("--lash-adapter", " ".join(json.dumps(a) for a in adapter_at("74941d21"))),
            str(files[1]),
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    assert " skipped" in proc.stdout and "failed" not in proc.stdout


def test_fuzzing_picks_each_ops_era() -> None:
    old = parse_hello({**HELLO, "ops": [], "eras": ["74941d21"]})
    new = parse_hello({**HELLO, "ops": [], "eras": ["ceb460d4"]})
    assert fuzz_era("ProcessCommand::effect_id", old) == "74941d21"
    assert fuzz_era("ProcessCommand::effect_id", new) is None
    assert fuzz_era("decode:ProcessRegistration", new) == "ceb460d4"
    assert fuzz_era("decode:ProcessRegistration", None) == "74941d21"


def test_verify_era_filters(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    from lash_spec.cli import main

    files = _files(tmp_path)
    report = tmp_path / "r.json"
    code = main(["verify", "-q", "--era", "ceb460d4", "--report", str(report), str(files[0])])
    assert code == 0
    summary = json.loads(report.read_text())["summary"]
    assert summary["passed"] == 0 and summary["skipped"] > 0


def test_explain_shows_both_forms_side_by_side() -> None:
    from lash_spec.docsgen import explain

    text = explain("ProcessRegistration", CORPUS)
    assert text is not None
    assert "| member | e2e0b409, 74941d21 | ceb460d4, seed-004 |" in text
    assert "| `identity` | — | `ProcessIdentity` |" in text
    assert "added `identity`" in text
    unchanged = explain("RuntimeScope", CORPUS)
    assert unchanged is not None and "era-split" not in unchanged


def test_the_wire_type_reference_shows_era_split_types() -> None:
    page = (ROOT / "docs" / "reference" / "wire-types.md").read_text(encoding="utf-8")
    for name in ("ProcessRegistration", "RuntimeEffectKind", "ToolManifest", "PreparedToolCall"):
        section = page.split(f"\n## {name}\n", 1)[1].split("\n## ", 1)[0]
        assert "Era-split" in section and "Difference: at ceb460d4" in section, name


def test_a_tool_definition_reads_its_eras_manifest() -> None:
    """74941d21 has `lashlang_binding` and a lax id; ceb460d4 has `bindings`, a strict id."""
    from lash_spec import WireError, from_wire, to_wire
    from lash_spec.model.snapshot import ToolDefinition

    old = {"id": " ", "name": "x", "lashlang_binding": {"module_path": ["m"], "operation": "op"}}
    contract = {"input_schema": {"additionalProperties": True, "properties": {}, "type": "object"}}
    assert to_wire(from_wire(ToolDefinition, old, era="74941d21")) == {
        **old,
        **contract,
        "output_schema": None,
    }
    with pytest.raises(WireError):
        from_wire(ToolDefinition, old, era="ceb460d4")  # blank id
    new = {"id": "t", "name": "x", "bindings": {"b": 1}, "lashlang_binding": {"aliases": ["a"]}}
    assert to_wire(from_wire(ToolDefinition, new, era="ceb460d4")) == {
        "id": "t",
        "name": "x",
        "bindings": {"b": 1},
        **contract,
        "output_schema": None,
    }
    assert "bindings" not in to_wire(from_wire(ToolDefinition, new, era="74941d21"))

"""The generated reference pages, the hand-written docs' case ids, and ``explain``."""

from __future__ import annotations

import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from lash_spec import docsgen
from lash_spec.cli import main
from lash_spec.conformance.ops import registry
from lash_spec.turn_machine.states import StateKind

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
CORPUS = ROOT / "conformance"


@pytest.fixture(scope="module")
def pages() -> dict[str, str]:
    return docsgen.generate(CORPUS)


@pytest.fixture(scope="module")
def case_ids() -> set[str]:
    return {case["id"] for _, case in docsgen.corpus_cases(CORPUS)}


def test_committed_pages_are_current() -> None:
    # In a fresh interpreter, as CI's `lash-spec docs --check` runs: the wire-type
    # examples are drawn with Hypothesis, whose generation also depends on what
    # earlier tests in this process have warmed up.
    result = subprocess.run(
        [sys.executable, "-m", "lash_spec.cli", "docs", "--check"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_generation_is_deterministic_within_a_process(pages: dict[str, str]) -> None:
    assert docsgen.generate(CORPUS) == pages
    for rel, text in pages.items():  # also after other tests have drawn examples
        assert (DOCS / rel).read_text(encoding="utf-8") == text, rel


def test_check_reports_stale_and_missing(tmp_path: Path) -> None:
    assert len(docsgen.check_docs(tmp_path, CORPUS)) == len(docsgen.generate(CORPUS))
    docsgen.write_docs(tmp_path, CORPUS)
    assert docsgen.check_docs(tmp_path, CORPUS) == []
    page = tmp_path / "reference" / "ops.md"
    page.write_text(page.read_text(encoding="utf-8") + "edited\n", encoding="utf-8")
    assert docsgen.check_docs(tmp_path, CORPUS) == [f"{page}: stale (run `lash-spec docs`)"]
    assert main(["docs", "--root", str(tmp_path), "--corpus", str(CORPUS), "--check"]) == 1


def test_every_op_is_catalogued(pages: dict[str, str]) -> None:
    ops_page = pages["reference/ops.md"]
    for name in registry():
        assert f"| `{name}` |" in ops_page, name


def test_every_error_code_is_catalogued_with_a_meaning(pages: dict[str, str]) -> None:
    page = pages["reference/error-codes.md"]
    codes = {code for op in registry().values() for code in op.errors}
    codes |= set(docsgen.error_cases(CORPUS))
    # hand-derived: the stable codes of seeds 000-004 that cases expect
    assert {
        "decode",
        "runtime_effect_wrong_outcome",
        "runtime_effect_invocation_subject",
        "process_signal_wait_timeout",
        "durable_effect_live_plugin_input",
        "host_configuration_needed:host_configuration_needed",
    } <= codes
    for code in codes:
        assert f"## `{code}`" in page, code
        # run-admission codes are kind:retry; every other code needs its own meaning
        assert ":" in code or code in docsgen.ERROR_MEANINGS, code


def test_error_catalogue_names_demonstrating_cases(pages: dict[str, str]) -> None:
    section = pages["reference/error-codes.md"].split("## `runtime_effect_tool_call_pending`")[1]
    section = section.split("\n## ")[0]
    assert "RuntimeEffectOutcome::into_tool_call" in section
    assert re.search(r"Cases \(\d+\): `outcome/", section)


def test_every_wire_type_has_shape_and_example(pages: dict[str, str]) -> None:
    from lash_spec.conformance.ops import wire_types

    page = pages["reference/wire-types.md"]
    for name in wire_types():
        assert f"\n## {name}\n" in page, name
    scope = page.split("\n## RuntimeScope\n")[1].split("\n## ")[0]
    # hand-derived from envelope.rs: optional fields are skipped when None
    assert "| `session_id` | `string` | — |" in scope
    assert "| `turn_index` | `usize or null` | omitted when null" in scope
    assert '```json\n{"session_id":' in scope


def test_turn_machine_page_and_svg(pages: dict[str, str]) -> None:
    assert "| WaitingLlm | LlmComplete |" in pages["reference/turn-machine.md"]
    svg = pages["reference/turn-machine.svg"]
    root = ET.fromstring(svg)
    texts = {t.text for t in root.iter("{http://www.w3.org/2000/svg}text")}
    for state in StateKind:
        assert state.value in texts
    assert "StartCheckpoint" in texts
    assert "LlmComplete: ok_continue" in texts


def _svg_geometry(svg: str) -> tuple[list[list[tuple[float, float]]], list, list]:
    """Edges (sampled), label boxes and state boxes, read back from the SVG."""
    ns = "{http://www.w3.org/2000/svg}"
    root = ET.fromstring(svg)
    edges = []
    for path in root.iter(f"{ns}path"):
        m = re.fullmatch(
            r"M([\d.-]+),([\d.-]+) Q([\d.-]+),([\d.-]+) ([\d.-]+),([\d.-]+)", path.get("d", "")
        )
        if not m:
            continue  # the arrowhead marker
        x0, y0, cx, cy, x1, y1 = map(float, m.groups())
        pts = []
        for i in range(401):
            t = i / 400
            u = 1 - t
            pts.append(
                (u * u * x0 + 2 * u * t * cx + t * t * x1, u * u * y0 + 2 * u * t * cy + t * t * y1)
            )
        edges.append(pts)
    labels, states = [], []
    for rect in root.iter(f"{ns}rect"):
        if "x" not in rect.attrib:
            continue  # the background
        x, y, w, h = (float(rect.get(k, 0)) for k in ("x", "y", "width", "height"))
        (labels if rect.get("fill") == "#fffbe6" else states).append((x, y, x + w, y + h))
    for poly in root.iter(f"{ns}polygon"):  # the driver diamond
        xs, ys = zip(
            *(map(float, p.split(",")) for p in poly.get("points", "").split()), strict=True
        )
        cx, cy, r = (min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2, (max(xs) - min(xs)) / 4
        states.append((cx - r, cy - r, cx + r, cy + r))  # the square inside it
    return edges, labels, states


def test_state_diagram_labels_sit_clear_of_other_edges(pages: dict[str, str]) -> None:
    """Read back from the SVG, independently of how the generator placed them:
    a label covers at most its own edge (never a crossing, another edge or an
    arrowhead), no other label and no state; no edge runs through a state."""
    edges, labels, states = _svg_geometry(pages["reference/turn-machine.svg"])
    assert len(edges) >= 18 and len(labels) >= 18 and len(states) == 9

    def inside(box: tuple[float, ...], pt: tuple[float, float], pad: float = 0) -> bool:
        return box[0] - pad < pt[0] < box[2] + pad and box[1] - pad < pt[1] < box[3] + pad

    def overlap(a: tuple[float, ...], b: tuple[float, ...]) -> bool:
        return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]

    for n, box in enumerate(labels):
        covered = [i for i, pts in enumerate(edges) if any(inside(box, p) for p in pts)]
        assert len(covered) <= 1, f"label {n} at {box} covers edges {covered}"
        for i in covered:  # its own edge: not where the arrow ends
            assert not inside(box, edges[i][-1], pad=8), f"label {n} hides an arrowhead"
        assert not any(overlap(box, o) for o in labels[n + 1 :]), f"label {n} overlaps a label"
        assert not any(overlap(box, s) for s in states), f"label {n} overlaps a state"
    for i, pts in enumerate(edges):
        for box in states:
            inner = (box[0] + 3, box[1] + 3, box[2] - 3, box[3] - 3)
            assert not any(inside(inner, p) for p in pts), f"edge {i} runs through {box}"


def test_hand_written_pages_cite_existing_cases(case_ids: set[str]) -> None:
    cited: set[str] = set()
    pages = [DOCS / "design-review.md", DOCS / "using.md", *(DOCS / "concepts").glob("*.md")]
    for page in pages:
        for found in re.findall(r"case `([^`\s]+)`|`([a-z_A-Z]+/[^`\s]+)`", page.read_text()):
            cid = found[0] or found[1]
            if cid.startswith(("lash_spec/", "examples/", "reference/")) or cid.endswith(
                (".md", ".py", ".json")
            ):
                continue
            cited.add(cid)
            assert cid in case_ids, f"{page.name} cites unknown case {cid}"
    assert len(cited) > 40
    review = (DOCS / "design-review.md").read_text()
    rows = [ln for ln in review.splitlines() if ln.startswith("| ") and "`" in ln.split("|")[-2]]
    assert len(rows) >= 25  # every row names at least one case in its last column


def test_explain_topics() -> None:
    state = docsgen.explain("WaitingLlm", CORPUS)
    assert state is not None
    assert "WaitingLlm x LlmComplete [ok_continue]" in state
    assert "turn_trace/pair/WaitingLlm/" in state
    code = docsgen.explain("runtime_effect_wrong_outcome", CORPUS)
    assert code is not None
    assert "RuntimeEffectOutcome::into_llm_call" in code
    assert "outcome/into_llm_call/sleep" in code
    op = docsgen.explain("RuntimeEffectEnvelope::try_new", CORPUS)
    assert op is not None
    assert "runtime_effect_replay_required" in op
    assert "try_new/err/subject-process" in op
    effect = docsgen.explain("LlmCall", CORPUS)
    assert effect is not None
    assert "StartLlm" in effect
    response = docsgen.explain("Checkpoint", CORPUS)
    assert response is not None
    assert "WaitingCheckpoint x Checkpoint [empty_finish]" in response
    assert docsgen.explain("no-such-topic", CORPUS) is None


def test_explain_command(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["explain", "decode", "--corpus", str(CORPUS)]) == 0
    assert "error code decode" in capsys.readouterr().out
    assert main(["explain", "nothing", "--corpus", str(CORPUS)]) == 1
    assert "nothing known" in capsys.readouterr().out

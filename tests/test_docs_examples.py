"""Every JSON example in the contract and protocol pages is checked.

An example is a fenced ```json block whose label, an HTML comment on the
line before it, says what it is:

* ``<!-- check: body -->`` — a case body: ``check_case`` must pass it;
  ``body from=ID`` also requires it to be taken from corpus case ID (equal,
  except that a turn trace may leave steps out: its steps must be a
  subsequence of the case's — leaving out pure observations keeps it valid);
* ``<!-- check: wire TYPE -->`` — a value in serde form: it decodes as TYPE
  and encodes back to itself;
* ``<!-- check: request -->`` / ``reply`` / ``reply hello`` — an adapter
  protocol message, valid against ``docs/schema/adapter-*.schema.json``
  (``reply hello``: and its ``ok`` against the hello schema).

A ```json block without a label, or an indented code block that is valid
JSON, fails the test: an example cannot escape the check by its formatting.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import attrs
import jsonschema
import pytest

from lash_spec.conformance import check_case
from lash_spec.conformance.ops import registry
from lash_spec.model.sansio import Effect, TurnCheckpoint
from lash_spec.model.session import Message
from lash_spec.turn_machine.actions import DriverAction
from lash_spec.turn_machine.responses import Response
from lash_spec.wire.codec import from_wire, to_wire
from lash_spec.wire.reader import serde_number

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
PAGES = (
    "case-bodies.md",
    "adapter-protocol.md",
    "write-your-adapter.md",
    "reference/adapter-transcript.md",
)
WIRE_TYPES: dict[str, Any] = {
    "DriverAction": DriverAction,
    "Effect": Effect,
    "Message": Message,
    "Response": Response,
    "TurnCheckpoint": TurnCheckpoint,
}

_FENCE = re.compile(r"^```(\w*)[ \t]*$")
_LABEL = re.compile(r"^<!--\s*check:\s*(.*?)\s*-->$")


@attrs.frozen
class Example:
    page: str
    line: int  # 1-based line of the opening fence
    label: str | None
    text: str

    @property
    def where(self) -> str:
        return f"{self.page}:{self.line}"


def examples(page: str, text: str) -> Iterator[Example | str]:
    """The labelled JSON examples of a page, and a message per unchecked one."""
    lines = text.split("\n")
    index = 0
    while index < len(lines):
        fence = _FENCE.match(lines[index])
        if fence is None:
            index += 1
            continue
        end = next(
            (j for j in range(index + 1, len(lines)) if lines[j].startswith("```")), len(lines)
        )
        body = "\n".join(lines[index + 1 : end])
        if fence.group(1) == "json":
            previous = next((lines[j] for j in range(index - 1, -1, -1) if lines[j].strip()), "")
            label = _LABEL.match(previous.strip())
            if label is None:
                yield f"{page}:{index + 1}: a ```json example without a `<!-- check: … -->` label"
            else:
                yield Example(page, index + 1, label.group(1), body)
        index = end + 1
    yield from _indented_json(page, lines)


def _indented_json(page: str, lines: list[str]) -> Iterator[str]:
    """Indented code blocks (outside fences) that parse as JSON."""
    in_fence = False
    block: list[str] = []
    start = 0
    for number, line in enumerate([*lines, ""], 1):
        if line.startswith("```"):
            in_fence = not in_fence
        indented = not in_fence and line.startswith("    ") and not line.lstrip().startswith("-")
        if indented:
            if not block:
                start = number
            block.append(line[4:])
            continue
        if block:
            if any(_json_like(text) for text in ("\n".join(block), *block)):
                yield (
                    f"{page}:{start}: an indented JSON example: fence it as ```json with a "
                    "`<!-- check: … -->` label"
                )
            block = []


def _json_like(text: str) -> bool:
    """An object or array (a schematic ``{"ok": VALUE}`` is not JSON, so not one)."""
    try:
        return isinstance(json.loads(text), (dict, list))
    except ValueError:
        return False


def _loads(text: str) -> Any:
    return json.loads(text, parse_int=serde_number)


def _corpus() -> dict[str, Any]:
    bodies: dict[str, Any] = {}
    for path in sorted((ROOT / "conformance").glob("*.json")):
        doc = json.loads(path.read_text(encoding="utf-8"), parse_int=serde_number)
        for case in doc.get("cases", ()) if isinstance(doc, dict) else ():
            bodies[case["id"]] = case["body"]
    return bodies


def _is_subsequence(part: list[Any], whole: list[Any]) -> bool:
    it = iter(whole)
    return all(any(step == other for other in it) for step in part)


def _schemas() -> dict[str, Any]:
    return {
        name: json.loads((DOCS / "schema" / f"adapter-{name}.schema.json").read_text("utf-8"))
        for name in ("request", "reply", "hello")
    }


def check_example(example: Example, corpus: dict[str, Any], schemas: dict[str, Any]) -> str | None:
    """Why ``example`` is wrong, or ``None``."""
    try:
        value = _loads(example.text)
    except ValueError as err:
        return f"not JSON: {err}"
    words = (example.label or "").split()
    if not words:
        return "empty label"
    what, rest = words[0], words[1:]
    if what == "body":
        result = check_case(value)
        if result.status != "passed":
            return f"check_case: {result.status}: {result.detail} at {result.path}"
        for option in rest:
            if not option.startswith("from="):
                return f"unknown option {option!r}"
            case_id = option[len("from=") :]
            if case_id not in corpus:
                return f"no corpus case {case_id!r}"
            return _same_as(value, corpus[case_id], case_id)
        return None
    if what == "wire":
        if len(rest) != 1:
            return "`wire` takes one type name"
        name = rest[0]
        try:
            if name in WIRE_TYPES:
                back = to_wire(from_wire(WIRE_TYPES[name], value))
            else:
                op = registry().get(f"decode:{name}")
                if op is None:
                    return f"unknown wire type {name!r}"
                back = op.encode_result(op.fn(*op.decode_args([value])))
        except Exception as err:  # a WireError, mostly: the example does not decode
            return f"does not decode as {name}: {err}"
        if back != value:
            return f"not the serde form of {name}: re-encodes as {json.dumps(back)}"
        return None
    if what in ("request", "reply"):
        errors = [
            e.message for e in jsonschema.Draft202012Validator(schemas[what]).iter_errors(value)
        ]
        if rest == ["hello"]:
            hello = value.get("ok") if isinstance(value, dict) else None
            validator = jsonschema.Draft202012Validator(schemas["hello"])
            errors += [f"hello: {e.message}" for e in validator.iter_errors(hello)]
        elif rest:
            return f"unknown option {rest!r}"
        return f"not a valid {what}: {errors[0]}" if errors else None
    return f"unknown label {example.label!r}"


def _same_as(value: Any, original: Any, case_id: str) -> str | None:
    if value == original:
        return None
    if not (isinstance(value, dict) and "steps" in value and "steps" in original):
        return f"differs from corpus case {case_id}"
    heads = {k: v for k, v in value.items() if k != "steps"}
    if heads != {k: v for k, v in original.items() if k != "steps"}:
        return f"config/start/driver differ from corpus case {case_id}"
    if not _is_subsequence(value["steps"], original["steps"]):
        return f"steps are not a subsequence of corpus case {case_id}'s"
    return None


def problems(pages: dict[str, str]) -> list[str]:
    """Every unchecked or failing example of ``pages`` (name → Markdown)."""
    corpus, schemas = _corpus(), _schemas()
    out = []
    for page, text in pages.items():
        for item in examples(page, text):
            if isinstance(item, str):
                out.append(item)
                continue
            why = check_example(item, corpus, schemas)
            if why is not None:
                out.append(f"{item.where} ({item.label}): {why}")
    return out


# ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def pages() -> dict[str, str]:
    return {page: (DOCS / page).read_text(encoding="utf-8") for page in PAGES}


def test_every_example_in_the_contract_and_protocol_pages_holds(pages: dict[str, str]) -> None:
    assert problems(pages) == []


def test_the_pages_have_examples_of_every_label(pages: dict[str, str]) -> None:
    labels = [
        item.label.split()[0]
        for page, text in pages.items()
        for item in examples(page, text)
        if isinstance(item, Example) and item.label
    ]
    assert {"body", "wire", "request", "reply"} <= set(labels)
    contract = [i for i in examples("case-bodies.md", pages["case-bodies.md"])]
    wired = {e.label for e in contract if isinstance(e, Example)}
    # a Response and a DriverAction example for every variant
    response_variants = {"ExecutionSurfaceSynced", "LlmComplete", "ToolResults", "ExecResult"}
    shown = pages["case-bodies.md"]
    assert "wire Response" in wired and "wire DriverAction" in wired
    for variant in (*response_variants, "Checkpoint", "StartLlmProjected", "StartExec"):
        assert f'{{"{variant}"' in shown, variant


_GOOD_BODY = '{"call": "stable_json", "args": [1.0], "ok": "1.0"}'


@pytest.mark.parametrize(
    ("markdown", "expected"),
    [
        # a body whose expectation is wrong
        (
            '<!-- check: body -->\n```json\n{"call": "stable_json", "args": [1.0], "ok": "1"}\n```',
            "check_case: failed",
        ),
        # a body said to come from the corpus that does not
        (
            "<!-- check: body from=stable_json/float/1e-4 -->\n```json\n" + _GOOD_BODY + "\n```",
            "differs from corpus case",
        ),
        # a wire value that is not the canonical form
        (
            '<!-- check: wire DriverAction -->\n```json\n{"StartExec": {"code": "x"}}\n```',
            "does not decode as DriverAction",
        ),
        (
            '<!-- check: wire DriverAction -->\n```json\n{"AdvanceProtocolIteration": null}\n```',
            "not the serde form",
        ),
        # a request without seq, a reply with two outcomes
        (
            '<!-- check: request -->\n```json\n{"cmd": "machine.poll", "machine": "h1"}\n```',
            "not a valid request",
        ),
        (
            '<!-- check: reply -->\n```json\n{"seq": 1, "ok": null, "err": {"code": "x"}}\n```',
            "not a valid reply",
        ),
        # not JSON, no label, an indented JSON block
        ("<!-- check: body -->\n```json\n{call: 1}\n```", "not JSON"),
        ("```json\n" + _GOOD_BODY + "\n```", "without a `<!-- check"),
        ("Text:\n\n    " + _GOOD_BODY + "\n", "an indented JSON example"),
        ("Lines:\n\n    " + _GOOD_BODY + "\n    " + _GOOD_BODY + "\n", "an indented JSON"),
    ],
)
def test_a_broken_example_is_caught(markdown: str, expected: str) -> None:
    found = problems({"broken.md": markdown})
    assert len(found) == 1 and expected in found[0], found


def test_a_good_example_and_schematic_blocks_pass() -> None:
    markdown = (
        "<!-- check: body from=stable_json/float/whole-keeps-point -->\n```json\n"
        + _GOOD_BODY
        + '\n```\n\n    {"call": OP, "args": [ARG, ...]}\n\n```text\n{"ok": VALUE}\n```\n'
    )
    assert problems({"good.md": markdown}) == []

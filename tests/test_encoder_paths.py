"""The compiled writer and the pure-Python codec write the same bytes.

The pure path (``to_wire`` then ``text.write_json``) is the reference; the
compiled one (``lash_spec.wire.plan`` + ``_writer.c``) must agree with it on
every value, or decline so that the pure path answers. Both are run here in
one process, whatever ``LASH_SPEC_PURE`` says, over:

* every call case of the corpus: its decoded arguments and its result
  (for ``decode:*`` cases that is the decoded ok value; for
  ``stable_json``/``stable_hash`` the ``Value`` argument), checking that the
  compiled path handled it instead of declining;
* a Hypothesis round trip over every wire type (the public strategies);
* generated strings (every control character, U+2028/2029, DEL, ``/``,
  astral characters, lone surrogates), integers at and past the u64/i64
  edges, every kind of float;
* values no model should hold (wrong types in fields, non-string keys …):
  the public functions must give the same text or raise the same error.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import lash_spec.wire
from lash_spec import stable_hash, stable_json, to_json
from lash_spec.conformance.ops import op_at, wire_types
from lash_spec.model.envelope import RuntimeScope
from lash_spec.strategies import strategy_for
from lash_spec.wire import plan
from lash_spec.wire.codec import pure_json
from lash_spec.wire.text import float_text
from lash_spec.wire.types import Value
from tests.conftest import compiled_or_skip

ROOT = Path(__file__).resolve().parent.parent


def _writer() -> ModuleType:
    return compiled_or_skip(plan.load_writer())


@pytest.fixture(scope="module")
def writer() -> ModuleType:
    return _writer()


def compiled(obj: Any, tp: Any, writer: ModuleType) -> bytes:
    """The compiled path's bytes; fails if it declines a value it should handle."""
    data = plan.compiled_json(obj, tp, writer)
    assert data is not None, f"the compiled writer declined {obj!r}"
    return data


def pure(obj: Any, tp: Any = None) -> bytes:
    return pure_json(obj, tp).encode("utf-8")


def outcome(fn: Any, *args: Any) -> tuple[str, Any]:
    try:
        return "ok", fn(*args)
    except Exception as err:  # the error's type, message and (for WireError) path
        return "error", (type(err), str(err), getattr(err, "path", None))


@pytest.fixture
def both_paths(writer: ModuleType, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """Run a public function once on each path and return both outcomes."""

    def run(fn: Any, *args: Any) -> tuple[tuple[str, Any], tuple[str, Any]]:
        monkeypatch.setattr(plan, "_WRITER", writer)
        fast = outcome(fn, *args)
        monkeypatch.setattr(plan, "_WRITER", None)
        slow = outcome(fn, *args)
        return fast, slow

    yield run


# -- the corpus ----------------------------------------------------------------


def _call_cases() -> list[tuple[str, dict[str, Any], str | None]]:
    """(id, body, an era where it holds) of every call case with an ``ok``."""
    out = []
    for path in sorted((ROOT / "conformance").glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        for case in data.get("cases", []) if isinstance(data, dict) else []:
            body = case.get("body", case)
            if "call" in body and "ok" in body:
                eras = case.get("eras") or [None]
                out.append((case.get("id", body["call"]), body, eras[0]))
    return out


CASES = _call_cases()


def test_the_corpus_has_call_cases() -> None:
    calls = {body["call"].split(":")[0] for _, body, _ in CASES}
    assert len(CASES) > 2000 and {"decode", "stable_json", "stable_hash"} <= calls


def test_corpus_values_write_the_same_bytes(writer: ModuleType) -> None:
    """Every argument and result of every call case, on both paths."""
    checked = 0
    for case_id, body, era in CASES:
        op = op_at(body["call"], era)
        assert op is not None, case_id
        for value, tp in op.typed_values(body["args"], era):
            assert compiled(value, tp, writer) == pure(value, tp), case_id
            checked += 1
        if body["call"] in ("stable_json", "stable_hash"):
            raw = body["args"][0]  # also undecoded: unsorted keys, as given
            assert compiled(raw, None, writer) == pure(raw), case_id
    assert checked > 2500


# -- every wire type -----------------------------------------------------------

TYPES = sorted(wire_types().items())


@pytest.mark.parametrize(("name", "tp"), TYPES, ids=[n for n, _ in TYPES])
@settings(max_examples=25, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(data=st.data())
def test_every_wire_type(name: str, tp: Any, data: st.DataObject) -> None:
    writer = _writer()
    value = data.draw(strategy_for(tp), label=name)
    expected = pure(value, tp)
    assert compiled(value, tp, writer) == expected
    if type(value) is tp:  # a model instance also encodes without its type
        assert compiled(value, None, writer) == expected


# -- text: strings, integers, floats -------------------------------------------

EDGE_CHARS = [chr(c) for c in range(0x20)] + ['"', "\\", "/", "\x7f", "\u2028", "\u2029", "\ufeff"]
strings = st.text(
    alphabet=st.one_of(
        st.sampled_from(EDGE_CHARS),
        st.characters(codec="utf-8"),  # astral included, surrogates excluded
        st.characters(min_codepoint=0x10000),
    )
)


@given(s=strings)
def test_strings(s: str) -> None:
    writer = _writer()
    expected = pure(s)
    assert compiled(s, None, writer) == expected
    assert compiled({s: [s]}, None, writer) == pure({s: [s]})
    scope = RuntimeScope(session_id=s, turn_id=s)
    assert compiled(scope, None, writer) == pure(scope)


def test_every_escape_is_serdes() -> None:
    """Hand-derived from serde_json's writer (wire-format.md §10.4)."""
    writer = _writer()
    short = {"\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r"}
    for c in range(0x20):
        want = short.get(chr(c), f"\\u{c:04x}")
        assert compiled(chr(c), None, writer) == f'"{want}"'.encode()
    for raw in ["/", "\x7f", "\u2028", "\u2029", "\U0001f600", "é"]:
        assert compiled(raw, None, writer) == f'"{raw}"'.encode()
    assert compiled('a"b\\c', None, writer) == b'"a\\"b\\\\c"'


@given(s=st.text(alphabet=st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF), min_size=1))
def test_lone_surrogates_fall_back(s: str) -> None:
    """No UTF-8 exists for them: the compiled path declines, the pure path decides."""
    writer = _writer()
    assert plan.compiled_json(s, None, writer) is None
    assert plan.compiled_json(RuntimeScope(session_id=s), None, writer) is None


def test_lone_surrogates_behave_alike(both_paths: Any) -> None:
    for fn in (stable_json, stable_hash, to_json):
        for value in ("\ud800", RuntimeScope(session_id="a\udfffb"), {"\udc00": 1}):
            fast, slow = both_paths(fn, value)
            assert fast == slow


INTS = [0, 1, -1, 2**63 - 1, -(2**63), 2**63, 2**64 - 1, 2**64, -(2**63) - 1, 10**30, -(10**30)]


@pytest.mark.parametrize("n", INTS)
def test_integer_edges(n: int, writer: ModuleType) -> None:
    # A Value holds i64/u64 only (larger ones become floats: the pure path
    # does that); a field holds what it is given.
    if -(2**63) <= n <= 2**64 - 1:
        assert compiled(n, None, writer) == str(n).encode() == pure(n)
        assert compiled([n], Value, writer) == pure([n], Value)
    else:
        assert plan.compiled_json(n, None, writer) is None
    scope = RuntimeScope(session_id="s", turn_index=n)
    assert compiled(scope, None, writer) == pure(scope)


@given(x=st.floats(allow_nan=True, allow_infinity=True))
def test_floats(x: float) -> None:
    writer = _writer()
    text = "null" if math.isnan(x) or math.isinf(x) else float_text(x)
    assert compiled(x, None, writer) == text.encode() == pure(x)
    assert compiled({"x": [x]}, None, writer) == pure({"x": [x]})


@pytest.mark.parametrize(
    ("x", "text"),
    [(0.0, "0.0"), (-0.0, "-0.0"), (1e15, "1000000000000000.0"), (1e16, "1e+16"),
     (1e-5, "0.00001"), (1e-6, "1e-6"), (5e-324, "5e-324"), (0.1, "0.1"),
     (1.7976931348623157e308, "1.7976931348623157e+308"), (123456789.125, "123456789.125")],
)
def test_float_layout(x: float, text: str, writer: ModuleType) -> None:
    """Hand-derived from wire-format.md §10.6 (zmij's layout)."""
    assert compiled(x, None, writer) == text.encode()


# -- values no model should hold -----------------------------------------------


class _Str(str):
    pass


ODD_VALUES: list[tuple[Any, Any]] = [
    (RuntimeScope(session_id=1), None),  # type: ignore[arg-type]
    (RuntimeScope(session_id=_Str("s")), None),
    (RuntimeScope(session_id="s", turn_index=True), None),  # type: ignore[arg-type]
    (RuntimeScope(session_id={"b": 1, "a": (1, 2.5)}), None),  # type: ignore[arg-type]
    ({1: "a"}, None),
    ({"a": {2: 1}}, None),
    ({"a": {1, 2}}, None),
    ((1, 2), None),
    ([1.5, (2,)], None),
    (object(), None),
    ("x", int),
    (1, float),
    ("x", float),
    (True, float),
    ([1], tuple[int, int]),
    ((1, 2, 3), tuple[int, int]),
    (b"ab", bytes),
    (bytearray(b"ab"), bytes),
    ({"b": 2, "a": 1}, dict[str, int]),
    ({"b": 2, 1: 1}, dict[str, int]),
    (float("nan"), Value),
    ([2**64, -(2**63) - 1], Value),
]


@pytest.mark.parametrize(("value", "tp"), ODD_VALUES)
def test_odd_values_behave_alike(value: Any, tp: Any, both_paths: Any) -> None:
    fast, slow = both_paths(to_json, value, tp)
    assert fast == slow
    if tp is None:
        assert both_paths(stable_hash, value)[0] == both_paths(stable_hash, value)[1]


def test_encoder_is_reported() -> None:
    assert lash_spec.wire.ENCODER in ("compiled", "pure")
    assert lash_spec.wire.ENCODER_REASON


@pytest.mark.parametrize("pure_env", ["1", None])
def test_version_names_the_encoder_and_decoder(pure_env: str | None) -> None:
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k != "LASH_SPEC_PURE"}
    if pure_env is not None:
        env["LASH_SPEC_PURE"] = pure_env
    done = subprocess.run(
        [sys.executable, "-c", "from lash_spec.cli import main; main(['--version'])"],
        capture_output=True, text=True, env=env, check=False,
    )
    assert done.returncode == 0, done.stderr
    available = plan.load_writer()[0] is not None
    expected = "compiled" if pure_env is None and available else "pure"
    assert done.stdout.startswith("lash-spec ") and f"encoder: {expected}," in done.stdout
    # the decoder too (tests/test_decoder_paths.py): the same switch forces it pure
    from lash_spec.wire import readplan

    available = readplan.load_reader()[0] is not None
    expected = "compiled" if pure_env is None and available else "pure"
    assert f"decoder: {expected}," in done.stdout

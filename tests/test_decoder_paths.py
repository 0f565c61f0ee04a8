"""The compiled reader and the pure-Python decoder give the same values and errors.

The pure path (``reader.read_text`` then the codec's shapes) is the
reference; the compiled one (``lash_spec.wire.readplan`` + ``_reader.c``)
must give the same value for every text it accepts, and decline the rest so
that the pure path answers. Both are run through the public ``from_json``
here, in one process, whatever ``LASH_SPEC_PURE`` says, over:

* every ``decode_text:*`` case of the corpus at each of its eras, and every
  ``decode:*`` case's JSON value written as text;
* a Hypothesis round trip over every wire type at every era: the value's
  serde text, and that text mutated (a character inserted, dropped or
  replaced, a member repeated), so that both the accepting and the
  declining side of the reader are exercised;
* hand-made edges: repeated keys at every depth, the depth limit, lone
  surrogates, numbers at the i64/u64/f64 edges, whitespace, tags out of
  place, unknown keys.

"Same" is strict: the same ``repr`` (so ``-0.0`` is not ``0.0``, a tuple is
not a list and dict keys come in the same order) and ``==`` for a value;
the same type, message and JSON path for an error.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import lash_spec.wire
from lash_spec import from_json, to_json
from lash_spec.conformance.ops import op_at, wire_types
from lash_spec.eras import era_names
from lash_spec.model.envelope import RuntimeEffectEnvelope, RuntimeScope
from lash_spec.strategies import strategy_for
from lash_spec.wire import readplan
from lash_spec.wire.codec import wire_era
from lash_spec.wire.types import Value
from tests.conftest import compiled_or_skip

ROOT = Path(__file__).resolve().parent.parent


def _reader() -> ModuleType:
    return compiled_or_skip(readplan.load_reader())


def outcome(tp: Any, text: Any, era: str | None) -> tuple[str, Any]:
    try:
        value = from_json(tp, text, era=era)
    except Exception as err:  # the error's type, message and (for WireError) path
        return "error", (type(err), str(err), getattr(err, "path", None))
    return "ok", (repr(value), value)


class Paths:
    """``from_json`` on each path, and how often the compiled one answered."""

    def __init__(self, reader: ModuleType) -> None:
        self.reader = reader
        self.accepted = 0  # texts the pure path reads, that the compiled one read too
        self.readable = 0  # texts the pure path reads

    def run(self, tp: Any, text: Any, era: str | None = None) -> tuple[Any, Any]:
        saved = readplan._READER
        try:
            readplan._READER = None
            slow = outcome(tp, text, era)
            readplan._READER = self.reader
            fast = outcome(tp, text, era)
            if slow[0] == "ok":
                self.readable += 1
                self.accepted += readplan.compiled_read(tp, text, era) is not readplan.DECLINED
        finally:
            readplan._READER = saved
        return fast, slow

    def check(self, tp: Any, text: Any, era: str | None = None) -> tuple[str, Any]:
        fast, slow = self.run(tp, text, era)
        assert fast[0] == slow[0], (text, fast, slow)
        if fast[0] == "ok":
            assert fast[1][0] == slow[1][0], text  # repr
            assert fast[1][1] == slow[1][1], text
        else:
            assert fast == slow, text
        return slow


@pytest.fixture(scope="module")
def reader() -> ModuleType:
    return _reader()


@pytest.fixture
def paths(reader: ModuleType) -> Iterator[Paths]:
    yield Paths(reader)


# -- the corpus ----------------------------------------------------------------


def _decode_cases() -> list[tuple[str, str, Any, list[str]]]:
    """(id, op, argument, eras) of every decode:* and decode_text:* case."""
    out = []
    for path in sorted((ROOT / "conformance").glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        for case in data.get("cases", []) if isinstance(data, dict) else []:
            body = case.get("body", case)
            call = body.get("call", "")
            if call.startswith(("decode:", "decode_text:")):
                eras = case.get("eras") or [None]
                out.append((case.get("id", call), call, body["args"][0], eras))
    return out


CASES = _decode_cases()


def test_the_corpus_has_decode_cases() -> None:
    kinds = {call.split(":")[0] for _, call, _, _ in CASES}
    assert len(CASES) > 8000 and kinds == {"decode", "decode_text"}


def _check_corpus(paths: Paths, prefix: str, as_text: Any) -> int:
    """Every ``prefix`` case, at every era it holds at, on both paths."""
    checked = 0
    for case_id, call, arg, eras in CASES:
        if call.startswith(prefix):
            for era in eras:
                op = op_at(call, era)
                assert op is not None, case_id
                paths.check(op.result, as_text(arg), era)
                checked += 1
    return checked


def test_corpus_decode_text_cases(paths: Paths) -> None:
    assert _check_corpus(paths, "decode_text:", lambda text: text) > 3800
    # The compiled reader carries the common case: most of what the pure path
    # reads (the rest are the corpus's edge cases: array forms, repeated keys
    # or lone surrogates where they are decoded …).
    assert paths.accepted > 0.8 * paths.readable, (paths.accepted, paths.readable)


def test_corpus_decode_cases_as_text(paths: Paths) -> None:
    """Every decode case's JSON value, written as text."""
    written = _check_corpus(paths, "decode:", lambda v: json.dumps(v, ensure_ascii=False))
    assert written > 4000
    assert paths.accepted > 0.8 * paths.readable, (paths.accepted, paths.readable)


def test_corpus_ok_values_are_read_compiled(reader: ModuleType) -> None:
    """serde's own text of every decoded ok value is read by the compiled
    reader itself (not declined), to the same value."""
    declined: set[str] = set()
    accepted = 0
    for _case_id, call, value, eras in CASES:
        if not call.startswith("decode:"):
            continue
        era = eras[0]
        op = op_at(call, era)
        assert op is not None
        with wire_era(era):
            try:
                typed = op.fn(value)
            except Exception:  # an error case
                continue
            text = to_json(typed, op.result)
            # no explicit era, as op.fn: an era form reads its own forms
            found = readplan.compiled_read(op.result, text, None, reader)
        if found is readplan.DECLINED:
            declined.add(call)
        else:
            accepted += 1
            assert repr(found) == repr(typed), call
    assert accepted > 1500
    assert not declined, sorted(declined)


# -- every wire type -----------------------------------------------------------

TYPES = sorted(
    {(era, name, tp) for era in era_names() for name, tp in wire_types(era).items()},
    key=lambda t: (t[1], t[0]),
)

JSON_CHARS = [*'{}[]",:\\ 0-1e.tfn"', "\\u", "\\ud800", "\n", "é"]


@st.composite
def mutated(draw: st.DrawFn, text: str) -> str:
    """``text`` with one small edit: serde's rules are at their edges there."""
    if not text:
        return draw(st.sampled_from(JSON_CHARS))
    i = draw(st.integers(0, len(text)))
    how = draw(st.sampled_from(["insert", "drop", "replace", "repeat"]))
    if how == "insert":
        return text[:i] + draw(st.sampled_from(JSON_CHARS)) + text[i:]
    if how == "drop":
        return text[:i] + text[i + 1 :]
    if how == "replace":
        return text[:i] + draw(st.sampled_from(JSON_CHARS)) + text[i + 1 :]
    j = draw(st.integers(i, len(text)))  # repeat a slice (a member, a key …)
    return text[:j] + text[i:j] + text[j:]


@pytest.mark.parametrize(
    ("era", "name", "tp"), TYPES, ids=[f"{name}@{era}" for era, name, _ in TYPES]
)
@settings(max_examples=20, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(data=st.data())
def test_every_wire_type(era: str, name: str, tp: Any, data: st.DataObject) -> None:
    paths = Paths(_reader())
    with wire_era(era):
        value = data.draw(strategy_for(tp), label=name)
        text = to_json(value, tp)
    kind, _ = paths.check(tp, text, era)
    assert kind == "ok", text
    paths.check(tp, data.draw(mutated(text), label="mutated"), era)


# -- hand-made edges -----------------------------------------------------------

SCOPE = '{"session_id":"s","turn_id":"t","turn_index":1,"protocol_iteration":2}'
ENVELOPE = (
    '{"invocation":{"scope":' + SCOPE + ',"subject":{"type":"effect","effect_id":"e",'
    '"kind":"tool_call"},"replay":{"key":"k"}},"command":{"type":"tool_call","call":'
    '{"call_id":"c","tool_name":"t","args":{"b":[1,{"x":null}],"a":-0.5}}}}'
)

EDGES: list[tuple[Any, str]] = [
    (RuntimeScope, SCOPE),
    (RuntimeScope, " \t\n\r" + SCOPE + " \n"),
    (RuntimeScope, SCOPE[:-1] + ',"session_id":"again"}'),  # repeated field
    (RuntimeScope, SCOPE[:-1] + ',"extra":1,"extra":2}'),  # repeated unknown key
    (RuntimeScope, SCOPE[:-1] + ',"extra":"\\ud800"}'),  # lone surrogate, skipped
    (RuntimeScope, SCOPE[:-1] + ',"extra":1e400}'),  # beyond f64, skipped
    (RuntimeScope, SCOPE[:-1] + ',"extra":' + "[" * 200 + "]" * 200 + "}"),
    (RuntimeScope, SCOPE[:-1] + ',"extra":' + '{"a":[' * 300 + "1" + "]}" * 300 + "}"),
    (RuntimeScope, SCOPE[:-1] + ',"extra":{"a":1,"a":"\\udc00","\\ud800":[1e400,-0]}}'),
    (RuntimeScope, SCOPE[:-1] + ',"extra":"\\x"}'),  # skipped, still checked for syntax
    (RuntimeScope, SCOPE[:-1] + ',"extra":"\\u12"}'),
    (RuntimeScope, SCOPE[:-1] + ',"extra":"a\tb"}'),
    (RuntimeScope, SCOPE[:-1] + ',"extra":[1,]}'),
    (RuntimeScope, SCOPE[:-1] + ',"extra":{"a":1,}}'),
    (RuntimeScope, SCOPE[:-1] + ',"extra":{"a"}}'),
    (RuntimeScope, SCOPE[:-1] + ',"extra":[[]}'),
    (RuntimeScope, SCOPE[:-1] + ',"extra":' + "[" * 300),
    (RuntimeScope, SCOPE[:-1] + ',"extra":01}'),
    (RuntimeScope, SCOPE[:-1] + ',"extra":tru}'),
    (RuntimeScope, '{"session_id":"\\ud800"}'),
    (RuntimeScope, '{"session_id":"\\ud83d\\ude00 \\u00e9\\n\\/"}'),
    (RuntimeScope, '{"session_id":"a\u00e9\U0001f600"}'),
    (RuntimeScope, '{"\\u0073ession_id":"s"}'),  # an escaped key still names the field
    (RuntimeScope, '{"session_id":"s","turn_index":18446744073709551615}'),
    (RuntimeScope, '{"session_id":"s","turn_index":18446744073709551616}'),
    (RuntimeScope, '{"session_id":"s","turn_index":-1}'),
    (RuntimeScope, '{"session_id":"s","turn_index":1.0}'),
    (RuntimeScope, '{"session_id":"s","turn_index":-0}'),
    (RuntimeScope, '{"session_id":"s","turn_index":01}'),
    (RuntimeScope, '{"session_id":"s","turn_index":null}'),
    (RuntimeScope, '{"session_id":"s",}'),
    (RuntimeScope, '["s","t",1,2]'),  # a struct as an array
    (RuntimeScope, SCOPE + "x"),
    (RuntimeScope, SCOPE + "\x00"),
    (RuntimeScope, ""),
    (RuntimeScope, '"\ud800"'),
    (RuntimeEffectEnvelope, ENVELOPE),
    (RuntimeEffectEnvelope, ENVELOPE.replace('"type":"tool_call","call"', '"call"', 1)[:-2]
     + ',"type":"tool_call"}}'),  # the tag after the fields
    (RuntimeEffectEnvelope, ENVELOPE.replace('"x":null', '"x":null,"x":1')),  # Value: last wins
    (RuntimeEffectEnvelope, ENVELOPE.replace('"kind":"tool_call"', '"kind":"tool_call","kind":1')),
    (RuntimeEffectEnvelope, ENVELOPE.replace('"type":"effect"', '"type":"effect","type":"effect"')),
    (RuntimeEffectEnvelope, ENVELOPE.replace('"k"}', '"k","unknown":{"a":[1e400]}}')),
    (RuntimeEffectEnvelope, ENVELOPE.replace('"effect_id":"e"', '"effect_id":"e","x":"\\udc00"')),
    (Value, '{"b":1,"a":[1.5,-0,1e-7,18446744073709551616,-9223372036854775809]}'),
    (Value, '{"a":1,"a":2}'),
    (Value, "1e400"),
    (Value, "[" * 127 + "]" * 127),
    (Value, "[" * 128 + "]" * 128),
    (Value, "[" * 99 + "]" * 99),
    (Value, "[" * 100 + "]" * 100),
    (dict[str, int], '{"b":1,"a":2}'),
    (dict[str, int], '{"b":1,"b":2}'),
    (tuple[int, str], '[1,"a"]'),
    (tuple[int, str], '[1,"a",2]'),
    (tuple[int, str], "[1]"),
    (float, "1"),
    (float, "-0"),
    (float, "0.1"),
    (float, "1e308"),
    (float, "1e309"),
    (float, "18446744073709551615"),
    (float, "123456789012345678901234567890"),
    (float, "9007199254740993"),  # 2^53 + 1: rounds to even, as float(int) does
    (float, "-9223372036854775807"),
    (float, "-9223372036854775808"),
    (float, "12345678901234567891"),
    (bool, "true"),
    (bool, "1"),
    (str, '"\\u00"'),
    (str, '"\\x"'),
    (str, '"a\tb"'),
    (str, '"unterminated'),
]


@pytest.mark.parametrize(("tp", "text"), EDGES)
def test_edges_behave_alike(tp: Any, text: str, paths: Paths) -> None:
    paths.check(tp, text)


@pytest.mark.parametrize(
    ("tp", "text"),
    [
        (RuntimeScope, SCOPE[:-1] + ',"session_id":"again"}'),
        (RuntimeScope, '{"session_id":"\\ud800"}'),
        (RuntimeScope, '["s","t",1,2]'),
        (Value, "[" * 100 + "]" * 100),
        (Value, '{"a":1,"a":2}'),
        (float, "1e309"),
        # buffered content (after an internal tag) reads unknown values strictly
        (RuntimeEffectEnvelope, ENVELOPE.replace('"call_id":"c"', '"call_id":"c","x":"\\ud800"')),
        (RuntimeEffectEnvelope, ENVELOPE.replace('"effect_id":"e"', '"effect_id":"e","x":[1e400]')),
    ],
)
def test_what_the_reader_leaves_to_the_pure_path(tp: Any, text: str, reader: ModuleType) -> None:
    """Hand-picked texts the compiled reader must decline (the pure path decides)."""
    assert readplan.compiled_read(tp, text, None, reader) is readplan.DECLINED


def test_what_the_reader_reads_itself(reader: ModuleType) -> None:
    """Hand-derived values, read by the compiled reader alone."""
    scope = readplan.compiled_read(RuntimeScope, SCOPE, None, reader)
    assert scope == RuntimeScope(session_id="s", turn_id="t", turn_index=1, protocol_iteration=2)
    # A plain struct skips an unknown value for syntax only, as serde's ignore_value.
    for extra in ['"\\ud800"', "1e400", "[" * 300 + "]" * 300, '{"a":1,"a":2}']:
        text = SCOPE[:-1] + f',"extra":{extra}}}'
        assert readplan.compiled_read(RuntimeScope, text, None, reader) == scope, extra
    value = readplan.compiled_read(Value, '{"b":[1,-0.0,"\\u00e9"],"a":null}', None, reader)
    assert repr(value) == "{'a': None, 'b': [1, -0.0, 'é']}"
    envelope = readplan.compiled_read(RuntimeEffectEnvelope, ENVELOPE, None, reader)
    assert envelope is not readplan.DECLINED
    assert to_json(envelope) == ENVELOPE.replace('{"b":[1,{"x":null}],"a":-0.5}',
                                                 '{"a":-0.5,"b":[1,{"x":null}]}')


# -- selection -----------------------------------------------------------------


def test_decoder_is_reported() -> None:
    assert lash_spec.wire.DECODER in ("compiled", "pure")
    assert lash_spec.wire.DECODER_REASON

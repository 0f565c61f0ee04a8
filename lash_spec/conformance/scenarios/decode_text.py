"""``decode_text:TYPE`` cases: what ``serde_json::from_str`` accepts, from raw text.

A parsed value has already lost what these cases probe (docs/wire-format.md, "Reading text"):
repeated keys, nesting depth, number spellings, whitespace and a byte-order
mark, escapes and lone surrogates. For every wire type the canonical text of
a generated value is mutated, and each mutation states its expectation from
the rule it exercises, by the type's representation (:func:`_representation`):

* whitespace (space, tab, newline, carriage return) anywhere between tokens
  changes nothing; a BOM, form feed or NBSP there is an error (rule 4);
* trailing commas, trailing characters, empty text are errors (rule 6);
* a repeated struct field, tag or externally tagged variant key is an error,
  also when spelled with an escape; a repeated unknown key, and a repeated key
  inside an unknown field's value, change nothing; a map or ``Value`` field
  keeps a repeated key's last value (rule 1);
* an unknown field nested ``n`` levels deep is skipped at any depth by a
  plain struct and by an adjacently tagged enum; an internally tagged enum
  buffers it, so at the root it accepts ``n <= 126`` and refuses ``n = 127``
  (the object itself is level 1, the limit refuses level 128) (rule 2);
* an integer field spelled ``1e2``, ``1.0``, ``-0`` or ``2^64`` is an error
  (serde reads them as floats); ``01`` and ``+1`` are syntax errors (rule 3);
* a lone surrogate is an error in a string field and in any key, and inside
  an unknown field only where the object is buffered (rule 5).

"Changes nothing" means: the same result as ``decode:TYPE`` of the canonical
value (the value-level decoder, which the recorded upstream examples check).
The model must agree with every stated expectation or ``lash-spec fill``
stops; ``tests/test_text_rules.py`` states the same rules on fixed texts.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

import attrs

from lash_spec.conformance.corpus import CaseSpec, call
from lash_spec.conformance.scenarios._gen import gen_case
from lash_spec.wire.codec import (
    EnumShape,
    MapShape,
    OptionShape,
    StructShape,
    UnitEnumShape,
    ValueShape,
    from_wire,
    shape_of,
    to_wire,
    wire_era,
)
from lash_spec.wire.errors import WireError
from lash_spec.wire.text import write_json

if TYPE_CHECKING:
    from lash_spec.sampling import Choices, Sampler

__all__ = ["mutated_texts", "mutation_steps", "text_cases"]

_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[{}\[\]:,]')
_SAME: Any = object()  # "the canonical value's result"
_ERR = "decode"
_ROOT_LIMIT = 126  # levels an internally tagged enum accepts in an unknown field (root)


def _representation(tp: Any, wire: Any) -> str:
    """How serde reads the type's object form: the rules above depend on it."""
    shape = shape_of(tp)
    if isinstance(shape, StructShape):
        _ = shape.fields  # resolves shape.flat
        if shape.flat is not None:
            return "flatten"  # unknown keys are buffered for the flattened enum
        return "struct-deny" if shape.deny_unknown else "struct"
    if isinstance(shape, EnumShape):
        return shape.tagging.style
    if isinstance(shape, UnitEnumShape):
        return "unit-enum"
    return "custom"


def _spaced(text: str, ws: str) -> str:
    """``text`` with ``ws`` around every structural token (strings left alone)."""

    def sub(m: re.Match[str]) -> str:
        tok = m.group()
        return tok if tok.startswith('"') else f"{ws}{tok}{ws}"

    return ws + _TOKEN.sub(sub, text) + ws


def _nest(n: int, kind: str) -> str:
    """Exactly ``n`` nested containers."""
    if kind == "array":
        return "[" * n + "]" * n
    return '{"a":' * (n - 1) + "{}" + "}" * (n - 1)


def _with_member(text: str, member: str) -> str:
    """An object's text with one more member before its closing brace."""
    end = text.rfind("}")
    if end < 0:
        return text
    head = text[:end]
    comma = "" if head.rstrip(" \t\n\r\f\v\u00a0\ufeff").endswith("{") else ","
    return head + comma + member + text[end:]


def _escaped(key: str) -> str:
    """The key's JSON spelling with its first character as a ``\\u`` escape."""
    return f'"\\u{ord(key[0]):04x}{json.dumps(key)[2:]}'


def _int_field(tp: Any, wire: dict[str, Any]) -> str | None:
    """A top-level key whose field is an integer: it accepts 7 and refuses 7.0."""
    for key, value in wire.items():
        if type(value) is not int:
            continue
        try:
            from_wire(tp, {**wire, key: 7})
        except WireError:
            continue
        try:
            from_wire(tp, {**wire, key: 7.0})
        except WireError:
            return key
    return None


def _str_field(tp: Any, wire: dict[str, Any], skip: str | None) -> str | None:
    """A top-level key holding a free string (any string is accepted there)."""
    for key, value in wire.items():
        if key == skip or type(value) is not str:
            continue
        try:
            from_wire(tp, {**wire, key: "\U0001f600 free"})
        except WireError:
            continue
        return key
    return None


def _keep_last(tp: Any, wire: dict[str, Any], text: str) -> Iterator[_Mutation]:
    """Rule 1 for maps and ``Value``: a field holding an object reads a repeated key's last value.

    The field's first key is given once more *before* the canonical members
    (``null`` first in a ``Value``, the same value in a map), so the result
    is the canonical value's.
    """
    shape = shape_of(tp)
    assert isinstance(shape, StructShape)
    for f in shape.fields:
        inner = f.shape.inner if isinstance(f.shape, OptionShape) else f.shape
        field = wire.get(f.wire)
        if not isinstance(inner, ValueShape | MapShape) or not isinstance(field, dict) or not field:
            continue
        first = next(iter(field))
        earlier = "null" if isinstance(inner, ValueShape) else write_json(field[first])
        member = f"{json.dumps(f.wire)}:{write_json(field)}"
        if text.count(member) != 1:
            continue
        repeated = f"{json.dumps(f.wire)}:{{{json.dumps(first)}:{earlier},{write_json(field)[1:]}"
        kind = "value" if isinstance(inner, ValueShape) else "map"
        yield _Mutation(f"{kind}-field-repeated-key-last-wins", text.replace(member, repeated))


@attrs.frozen
class _Mutation:
    name: str
    text: str
    expect: Any = _SAME  # _SAME: the canonical value's result; else a wire value
    err: bool = False


def _mutations(tp: Any, wire: Any) -> Iterator[_Mutation]:
    text = write_json(wire)
    yield _Mutation("canonical", text)
    yield _Mutation("whitespace", _spaced(text, " \t\n\r"))
    yield _Mutation("bom-before", "\ufeff" + text, err=True)
    yield _Mutation("bom-after", text + "\ufeff", err=True)
    yield _Mutation("form-feed", _spaced(text, "\f"), err=True)
    yield _Mutation("nbsp", "\u00a0" + text, err=True)
    yield _Mutation("trailing-characters", text + " x", err=True)
    yield _Mutation("empty", "", err=True)
    if isinstance(wire, list) and wire:
        yield _Mutation("trailing-comma", text[:-1] + ",]", err=True)
    if not isinstance(wire, dict):
        return
    rep = _representation(tp, wire)
    if wire:
        yield _Mutation("trailing-comma", text[:-1] + ",}", err=True)
        yield _Mutation("missing-colon", text.replace('":', '" ', 1), err=True)
    tag = None
    shape = shape_of(tp)
    if isinstance(shape, EnumShape):
        tag = shape.tagging.tag
    first = next(iter(wire), None)
    if first is not None and rep in (
        "struct",
        "struct-deny",
        "flatten",
        "internal",
        "adjacent",
        "external",
    ):
        member = f"{json.dumps(first)}:{write_json(wire[first])}"
        # rule 1: a field, tag or variant key given twice, however spelled
        yield _Mutation("duplicate-first-key", _with_member(text, member), err=True)
        escaped = f"{_escaped(first)}:{write_json(wire[first])}"
        yield _Mutation("duplicate-first-key-escaped", _with_member(text, escaped), err=True)
    if rep in ("struct", "flatten", "internal", "adjacent"):
        # rule 1: a repeated unknown key and repeats inside an unknown value are fine
        repeated = '"x_unknown":1,"x_unknown":2'
        yield _Mutation("duplicate-unknown-key", _with_member(text, repeated))
        inside = '"x_unknown":{"a":1,"a":2}'
        yield _Mutation("duplicates-inside-unknown", _with_member(text, inside))
        # rule 5: a key is always decoded
        yield _Mutation("lone-surrogate-key", _with_member(text, '"\\ud800x":1'), err=True)
        buffered = rep in ("internal", "flatten")
        # rule 5: an unknown value is decoded only where serde buffers the object
        yield _Mutation(
            "lone-surrogate-in-unknown", _with_member(text, '"x_unknown":"\\ud800"'), err=buffered
        )
        # rule 2: depth counts only where serde buffers the object
        for kind in ("array", "object"):
            for n in (_ROOT_LIMIT, _ROOT_LIMIT + 1) if buffered else (200,):
                member = f'"x_deep":{_nest(n, kind)}'
                yield _Mutation(
                    f"unknown-{kind}-depth-{n}",
                    _with_member(text, member),
                    err=buffered and n > _ROOT_LIMIT,
                )
    if rep == "struct":
        yield from _keep_last(tp, wire, text)
    if rep in ("struct", "internal"):
        yield from _field_spellings(tp, wire, tag)


def _field_spellings(tp: Any, wire: dict[str, Any], tag: str | None) -> Iterator[_Mutation]:
    """Rules 3 and 5 on one integer field and one free string field."""
    int_key = _int_field(tp, wire)
    if int_key is not None:
        # rule 3: serde reads these spellings as floats (or not at all)
        for spelling in ("1e2", "1.0", "-0", "18446744073709551616", "01", "+1", "1."):
            respelled = dict(wire)
            respelled[int_key] = "@NUMBER@"
            number_text = write_json(respelled).replace('"@NUMBER@"', spelling)
            yield _Mutation(f"number-{spelling}", number_text, err=True)
    str_key = _str_field(tp, wire, tag)
    if str_key is not None:
        for name, spelling, value in (
            ("surrogate-pair", "\\ud83d\\ude00 free", "\U0001f600 free"),
            ("escaped", "\\u00e9\\n\\/ free", "\u00e9\n/ free"),
        ):
            changed = {**wire, str_key: value}
            escaped_text = write_json({**wire, str_key: "@S@"}).replace("@S@", spelling)
            yield _Mutation(name, escaped_text, expect=to_wire(from_wire(tp, changed), tp))
        lone = write_json({**wire, str_key: "@S@"}).replace("@S@", "\\ud800")
        yield _Mutation("lone-surrogate-in-field", lone, err=True)


def text_cases(
    rust_name: str, tp: Any, wire: Any, era: str | None = None, prefix: str = "decode_text"
) -> Iterable[CaseSpec]:
    """The ``decode_text`` cases of one wire type, mutating one canonical value
    (read at ``era``, like the type's ``decode`` cases)."""
    op = f"decode_text:{rust_name}"
    with wire_era(era):  # every expectation below is read at the case's era
        same = to_wire(from_wire(tp, wire), tp)
        mutations = list(_mutations(tp, wire))
    for m in mutations:
        if m.err:
            body = call(op, [m.text], expect_err=_ERR, era=era)
        else:
            body = call(op, [m.text], expect=same if m.expect is _SAME else m.expect, era=era)
        yield gen_case(f"{prefix}/{rust_name}/{m.name}", f"{rust_name}: {m.name}", body)


# ---------------------------------------------------------------------------
# The same mutations, made from choices (lash-spec fuzz on decode_text ops)
# ---------------------------------------------------------------------------

_NUMBER_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?')
_RESPELLINGS = ("{n}.0", "{n}e0", "-0", "0{n}", "{n}.", "+{n}", "1e400")
_WHITESPACE = (" ", "\t", "\n", "\r", "\f", "\u00a0", "\ufeff", "\x0b")
_SURROGATES = ('"\\ud83d\\ude00"', '"\\ud83d"', '"\\ude00\\ud83d"', '"\\udfff x"')


def _respell(text: str, index: int, spelling: str) -> str:
    """``text`` with its ``index``-th number (outside strings) spelled differently."""
    numbers = [m for m in _NUMBER_TOKEN.finditer(text) if not m.group().startswith('"')]
    if not numbers:
        return text
    m = numbers[index % len(numbers)]
    return text[: m.start()] + spelling.format(n=m.group().lstrip("-")) + text[m.end() :]


def _duplicate(text: str, wire: Any, index: int, escaped: bool) -> str:
    if not isinstance(wire, dict) or not wire:
        return text
    key = list(wire)[index % len(wire)]
    spelled = _escaped(key) if escaped else json.dumps(key)
    return _with_member(text, f"{spelled}:{write_json(wire[key])}")


def mutated_texts(tp: Any) -> Any:
    """A Hypothesis strategy of JSON texts of ``tp``: a canonical text, mutated.

    Each draw applies a few of: repeat a key (as written or escaped), add an
    unknown field nested around serde's depth limits, swap the whitespace
    (including characters that are not JSON whitespace), put a BOM before or
    after, respell a number, add a split or lone surrogate. Hypothesis shrinks
    the value and the list of mutations, so a divergence ends as a short text.
    """
    from lash_spec.sampling import as_strategy

    return as_strategy(mutation_steps(tp)).map(lambda texts: texts[-1])


def mutation_steps(tp: Any) -> Sampler:
    """A sampler (:mod:`lash_spec.sampling`) of every step of a :func:`mutated_texts`
    draw: the canonical text of a value of ``tp``, then the text after each mutation
    in turn. Making the value is what costs; the texts are cheap, so a fuzzer gets
    several cases from one value."""
    from lash_spec.sampling import choose, many, sampler_for

    value = sampler_for(tp)

    def sample(c: Choices) -> tuple[str, ...]:
        wire = to_wire(value(c), tp)
        text = write_json(wire)
        steps = [text]
        for _ in many(c, 3):
            kind = c.integer(0, 5)
            if kind == 0:
                text = _duplicate(text, wire, c.integer(0, 20), bool(c.integer(0, 1)))
            elif kind == 1 and isinstance(wire, dict):
                n = choose(c, (1, 2, 125, 126, 127, 128, 300))
                nested = _nest(n, choose(c, ("array", "object")))
                text = _with_member(text, f'"x_fuzz":{nested}')
            elif kind == 2:
                text = _spaced(text, choose(c, _WHITESPACE))
            elif kind == 3:
                text = text + "\ufeff" if c.integer(0, 1) else "\ufeff" + text
            elif kind == 4:
                text = _respell(text, c.integer(0, 20), choose(c, _RESPELLINGS))
            elif kind == 5 and isinstance(wire, dict):
                pick = choose(c, _SURROGATES)
                member = f"{pick}:1" if c.integer(0, 1) else f'"x_fuzz":{pick}'
                text = _with_member(text, member)
            if text != steps[-1]:
                steps.append(text)
        return tuple(steps)

    return sample

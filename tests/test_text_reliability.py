"""Mutated envelope texts through ``from_json``: a value or a ``WireError``, nothing else.

At least 10^5 texts (byte flips, truncations, inserted fragments, nesting to
10^5 levels, huge numbers and strings, repeated keys) are derived from the
canonical text of envelope-family values with a fixed seed. Every one must
either decode or be refused with a :class:`WireError` that names a JSON path;
a ``RecursionError``, ``TypeError``, ``OverflowError`` … is a bug. The count
is printed with the result.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from typing import Any

import pytest

from lash_spec.model.envelope import (
    RuntimeEffectEnvelope,
    RuntimeInvocation,
    RuntimeScope,
    RuntimeSubject,
)
from lash_spec.wire.codec import from_json, to_json
from lash_spec.wire.errors import WireError

TEXTS = 100_000
SEED = 14

SCOPE = '{"session_id":"s1","turn_id":"t1","turn_index":3,"protocol_iteration":1}'
INVOCATION = (
    '{"scope":' + SCOPE + ',"subject":{"type":"effect","effect_id":"e1","kind":"tool_call"},'
    '"caused_by":{"type":"turn","session_id":"s1","turn_id":"t1"},"replay":{"key":"k"}}'
)
ENVELOPES: list[tuple[Any, str]] = [
    (RuntimeScope, SCOPE),
    (RuntimeSubject, '{"type":"process_event","process_id":"p","sequence":7,"event_type":"e"}'),
    (RuntimeInvocation, INVOCATION),
    (
        RuntimeEffectEnvelope,
        '{"invocation":' + INVOCATION + ',"command":{"type":"tool_call","call":{"call_id":"c1",'
        '"tool_name":"read_file","args":{"path":"src/main.rs","limit":200,"offset":0.5}}}}',
    ),
    (
        RuntimeEffectEnvelope,
        '{"invocation":' + INVOCATION + ',"command":{"type":"process","command":{"op":"transfer",'
        '"from_scope":{"session_id":"a"},"to_scope":{"session_id":"b","agent_frame_id":"f"},'
        '"process_ids":["p1","p2"]}}}',
    ),
]

FRAGMENTS = [
    "{", "}", "[", "]", ",", ":", '"', "\\", "\\u", '"\\ud800"', '"\\udc00\\ud800"', "\ufeff",
    "\f", "\x00", "\u00a0", "1e400", "-1e400", "18446744073709551616", "-0", "1.", "01", "NaN",
    "null", "true", '"type":"turn",', '"session_id":"x",', '"x":[[[[', "]]]]}", '"\\u00e9"',
    '{"a":1,"a":2}', "\U0001f600",
]  # fmt: skip
ALPHABET = '{}[]":,\\ \t\n\rabcdefsu0123456789-+.eE\ufeff\x00'


def mutants(rng: random.Random, text: str) -> Iterator[str]:
    """One mutation of ``text`` per kind (the big ones rarely)."""
    n = len(text)
    i = rng.randrange(n)
    j = rng.randrange(n)
    yield text[:i] + rng.choice(ALPHABET) + text[i + 1 :]  # flip
    yield text[:i]  # truncate
    yield text[:i] + rng.choice(FRAGMENTS) + text[i:]  # insert
    yield text[:i] + text[j:]  # cut a slice out (or repeat one)
    k = text.find(":", i)
    if k > 0:  # repeat the member before that colon's key ends: a duplicate key
        start = text.rfind(",", 0, k) + 1 or text.rfind("{", 0, k) + 1
        end = text.find(",", k)
        if 0 < start < k < end:
            yield text[:end] + "," + text[start:end] + text[end:]
    if rng.random() < 0.002:  # deep nesting, in a field or as the value
        depth = rng.choice([127, 128, 1000, 100_000])
        yield text[:i] + "[" * depth + "]" * depth + text[i:]
        yield text[:-1] + ',"x":' + '{"a":' * depth + "1" + "}" * depth + "}"
    if rng.random() < 0.002:  # huge numbers and strings
        yield text[:-1] + ',"x":' + "9" * 5000 + "}"
        yield text[:-1] + ',"x":"' + "a\\u00e9" * 20_000 + '"}'
        yield text[:i] + "1" + "0" * 400 + text[i:]


def test_every_mutated_text_decodes_or_is_a_wire_error(capsys: pytest.CaptureFixture[str]) -> None:
    rng = random.Random(SEED)
    counts = {"texts": 0, "decoded": 0, "refused": 0}
    escaped: list[str] = []
    while counts["texts"] < TEXTS:
        tp, text = rng.choice(ENVELOPES)
        for mutated in mutants(rng, text):
            counts["texts"] += 1
            try:
                value = from_json(tp, mutated)
            except WireError as err:
                counts["refused"] += 1
                assert isinstance(err.path, tuple)
                assert err.json_path.startswith("$"), err.json_path
                continue
            except Exception as exc:  # anything else is a crash of the reader or codec
                if len(escaped) < 5:
                    escaped.append(f"{type(exc).__name__}: {exc} on {mutated[:120]!r}")
                continue
            counts["decoded"] += 1
            assert from_json(tp, to_json(value)) == value  # a decoded value is a real one
    with capsys.disabled():
        print(
            f"\nfrom_json on {counts['texts']:,} mutated envelope texts: "
            f"{counts['decoded']:,} decoded, {counts['refused']:,} refused with a WireError, "
            f"{len(escaped)} other exceptions"
        )
    assert not escaped, escaped
    assert counts["texts"] >= TEXTS

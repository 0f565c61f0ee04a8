"""serde_json's text rules (wire-format.md §10b), each stated once on fixed texts.

Expectations are derived by hand from §10b (measured on serde 1.0.228 /
serde_json 1.0.149), not from the model: ``OK`` texts must decode to the
value written next to them, ``ERR`` texts must be refused with a
:class:`WireError` that names a JSON path. The same rules drive the generated
``decode_text`` corpus (lash_spec/conformance/scenarios/decode_text.py); the
recorded serde sample (tests/fixtures/recorded/call-cases-decode_text.json)
is the upstream check of both.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lash_spec.model.attachments import MediaType
from lash_spec.model.envelope import (
    RuntimeEffectKind,
    RuntimeInvocation,
    RuntimeScope,
    RuntimeSubject,
)
from lash_spec.model.process import LashSchema
from lash_spec.model.snapshot import PluginOptions, SessionPolicy, ToolDefinition
from lash_spec.strategies import json_values
from lash_spec.wire.codec import from_json, to_wire
from lash_spec.wire.errors import WireError
from lash_spec.wire.reader import TextObject, Unreadable, _Reader, read_text
from lash_spec.wire.text import write_json
from lash_spec.wire.types import Value

SUBJECT = '"type":"process","process_id":"p"'


def arrays(n: int) -> str:
    return "[" * n + "]" * n


def objects(n: int) -> str:
    return '{"a":' * (n - 1) + "{}" + "}" * (n - 1)


TOOL = '"id":"","name":"","availability":{"base":"off"},"input_schema":null,"output_schema":null'
"""A ToolDefinition with every field at its default but the required ones."""

POLICY = {
    "model": {"id": "", "limits": {"context_window_tokens": 1}},
    "provider_id": "",
    "session_id": None,
    "autonomous": False,
    "max_turns": None,
}
"""The default SessionPolicy as written (wire-format.md: SessionPolicy, ModelSpec)."""

# (rule, type, text, expected wire value after decoding)
OK: list[tuple[str, Any, str, Any]] = [
    # 1. duplicates: unknown keys and the inside of skipped values are not checked;
    #    a Value or a map keeps the last
    ("1", RuntimeScope, '{"session_id":"s","x":1,"x":2}', {"session_id": "s"}),
    ("1", RuntimeScope, '{"session_id":"s","x":{"a":1,"a":2}}', {"session_id": "s"}),
    ("1", RuntimeSubject, "{" + SUBJECT + ',"x":1,"x":2}', {"type": "process", "process_id": "p"}),
    ("1", LashSchema, '{"schema":{"a":1,"b":0,"a":2}}', {"schema": {"a": 2, "b": 0}}),
    ("1", PluginOptions, '{"plugins":{"a":1,"a":[2]}}', {"plugins": {"a": [2]}}),
    # ToolDefinition (two flattened parts) buffers its entries: a repeated unknown
    # key is ignored there too
    ("1", ToolDefinition, "{" + TOOL + ',"x":1,"x":2}', json.loads("{" + TOOL + "}")),
    # SessionPolicy reads a serde_json::Value first, then its fields from it:
    # a repeated field, at any depth inside, keeps its last value
    ("1", SessionPolicy, '{"session_id":"a","session_id":"b"}', POLICY | {"session_id": "b"}),
    (
        "1",
        SessionPolicy,
        '{"model":{"id":"x","limits":{"context_window_tokens":2},"id":"y"}}',
        POLICY | {"model": {"id": "y", "limits": {"context_window_tokens": 2}}},
    ),
    # 2. depth: a plain struct skips an unknown field at any depth; buffered
    #    content and Value count every level, the root being level 1, limit 128
    ("2", RuntimeScope, '{"session_id":"s","x":' + arrays(1000) + "}", {"session_id": "s"}),
    ("2", RuntimeScope, '{"session_id":"s","x":' + objects(1000) + "}", {"session_id": "s"}),
    (
        "2",
        RuntimeSubject,
        "{" + SUBJECT + ',"x":' + arrays(126) + "}",
        {"type": "process", "process_id": "p"},
    ),
    (
        "2",
        RuntimeSubject,
        "{" + SUBJECT + ',"x":' + objects(126) + "}",
        {"type": "process", "process_id": "p"},
    ),
    (
        "2",
        RuntimeInvocation,
        '{"scope":{"session_id":"s"},"subject":{' + SUBJECT + ',"x":' + arrays(125) + "}}",
        {"scope": {"session_id": "s"}, "subject": {"type": "process", "process_id": "p"}},
    ),
    ("2", Value, arrays(127), eval(arrays(127))),
    # 3. numbers: u64 max is an integer; a skipped number is never converted
    (
        "3",
        RuntimeScope,
        '{"session_id":"s","turn_index":18446744073709551615}',
        {"session_id": "s", "turn_index": 2**64 - 1},
    ),
    ("3", RuntimeScope, '{"session_id":"s","x":1e400}', {"session_id": "s"}),
    # 4. whitespace is space, tab, newline, carriage return
    ("4", RuntimeScope, ' \t\n\r{ "session_id"\t:\n"s"\r} \n', {"session_id": "s"}),
    ("4", RuntimeEffectKind, '\r"sleep"\r', "sleep"),
    # 5. surrogates: a pair is one character; a lone one is fine where it is skipped
    ("5", RuntimeScope, '{"session_id":"\\ud83d\\ude00"}', {"session_id": "\U0001f600"}),
    ("5", RuntimeScope, '{"session_id":"s","x":"\\ud800"}', {"session_id": "s"}),
    ("5", RuntimeScope, '{"session_id":"s","x":{"\\udc00":["\\ud800"]}}', {"session_id": "s"}),
    (
        "5",
        MediaType,
        '{"kind":"image","type":"gif","x":"\\ud800"}',
        {"kind": "image", "type": "gif"},
    ),
]

ERR: list[tuple[str, Any, str, str]] = [
    # 1. a struct field, a tag, a variant key given twice, however spelled, at any depth
    ("1", RuntimeScope, '{"session_id":"s","session_id":"t"}', "$.session_id"),
    ("1", RuntimeScope, '{"session_id":"s","turn_id":null,"turn_id":"t"}', "$.turn_id"),
    ("1", RuntimeScope, '{"session_id":"s","s\\u0065ssion_id":"s"}', "$.session_id"),
    ("1", RuntimeSubject, '{"type":"process","type":"process","process_id":"p"}', "$.type"),
    ("1", RuntimeSubject, '{"type":"process","process_id":"p","process_id":"p"}', "$.process_id"),
    (
        "1",
        RuntimeInvocation,
        '{"scope":{"session_id":"s","turn_id":"a","turn_id":"b"},"subject":{' + SUBJECT + "}}",
        "$.scope.turn_id",
    ),
    ("1", MediaType, '{"kind":"image","kind":"image","type":"gif"}', "$.kind"),
    ("1", RuntimeEffectKind, '{"sleep":null,"sleep":null}', "$"),
    # 2. past the limit where serde deserializes
    ("2", RuntimeSubject, "{" + SUBJECT + ',"x":' + arrays(127) + "}", "$.x"),
    ("2", RuntimeSubject, "{" + SUBJECT + ',"x":' + objects(127) + "}", "$.x"),
    (
        "2",
        RuntimeInvocation,
        '{"scope":{"session_id":"s"},"subject":{' + SUBJECT + ',"x":' + arrays(126) + "}}",
        "$.subject.x",
    ),
    ("2", Value, arrays(128), "$"),
    ("2", LashSchema, '{"schema":' + arrays(100_000) + "}", "$.schema"),
    # 3. numbers: integers spelled as floats, and what is not a JSON number
    *[
        ("3", RuntimeScope, '{"session_id":"s","turn_index":' + n + "}", "$")
        for n in (
            "1e2",
            "-0",
            "-0.0",
            "1.0",
            "18446744073709551616",
            "-1",
            "01",
            "+1",
            ".5",
            "1.",
            "0x10",
            "NaN",
            "Infinity",
        )
    ],
    ("3", RuntimeSubject, "{" + SUBJECT + ',"x":1e400}', "$.x"),
    # 4. other whitespace, and a byte-order mark, anywhere
    *[
        ("4", RuntimeScope, text, "$")
        for text in (
            '\ufeff{"session_id":"s"}',
            '{"session_id":"s"}\ufeff',
            '{\f"session_id":"s"}',
            '{"session_id":"s"}\v',
            '\u00a0{"session_id":"s"}',
            '{"session_id":"s"}\x00',
        )
    ],
    # 5. a lone surrogate where it is decoded: a field, a key, buffered content
    ("5", RuntimeScope, '{"session_id":"\\ud800"}', "$.session_id"),
    ("5", RuntimeScope, '{"session_id":"\\ude00\\ud83d"}', "$.session_id"),
    ("5", RuntimeScope, '{"session_id":"s","\\ud800":1}', "$"),
    ("5", RuntimeSubject, "{" + SUBJECT + ',"x":"\\ud800"}', "$.x"),
    ("5", RuntimeSubject, "{" + SUBJECT + ',"x":{"\\ud800":1}}', "$.x"),
    ("5", LashSchema, '{"schema":["\\udfff"]}', "$.schema[0]"),
    # 6. syntax
    *[
        ("6", RuntimeScope, text, "$")
        for text in (
            '{"session_id":"s",}',
            '{"session_id":"s"} x',
            "",
            " ",
            "{'session_id':'s'}",
            '{session_id:"s"}',
            '{"session_id":"s"/**/}',
            '{"session_id" "s"}',
        )
    ],
    ("6", RuntimeScope, '{"session_id":"s","x":[1,]}', "$.x"),
    ("6", RuntimeScope, '{"session_id":"s","x":' + "[" * 1000 + "]" * 999 + "}", "$.x"),
]


@pytest.mark.parametrize(
    ("rule", "tp", "text", "expected"), OK, ids=[f"rule{r[0]}-ok-{i}" for i, r in enumerate(OK)]
)
def test_serde_accepts(rule: str, tp: Any, text: str, expected: Any) -> None:
    assert to_wire(from_json(tp, text), tp) == expected


@pytest.mark.parametrize(
    ("rule", "tp", "text", "path"), ERR, ids=[f"rule{r[0]}-err-{i}" for i, r in enumerate(ERR)]
)
def test_serde_refuses(rule: str, tp: Any, text: str, path: str) -> None:
    with pytest.raises(WireError) as info:
        from_json(tp, text)
    assert info.value.json_path.startswith(path), str(info.value)


def test_a_million_levels_in_a_skipped_field() -> None:
    """serde skips an unknown field at any depth; so must the reader, without recursing."""
    n = 10**6
    text = '{"session_id":"s","x":' + arrays(n) + "}"
    assert from_json(RuntimeScope, text) == RuntimeScope(session_id="s")
    with pytest.raises(WireError):
        from_json(RuntimeScope, text[:-2] + "}")


def _same(a: Any, b: Any) -> bool:
    """Equal as the decoder sees them: types, TextObject keys, Unreadable markers."""
    if type(a) is not type(b):
        return False
    if isinstance(a, TextObject):
        assert isinstance(b, TextObject)
        if (a.repeated, a.bad_keys) != (b.repeated, b.bad_keys):
            return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, Unreadable):
        return a is b or a.message == b.message
    return bool(a == b)


@given(json_values, st.sampled_from(["", " ", "\n\t"]), st.booleans())
def test_the_fast_path_reads_what_the_reference_reader_reads(
    value: Any, ws: str, repeat: bool
) -> None:
    text = ws + write_json(value) + ws
    if repeat and text.strip().endswith("}") and value:
        key = next(iter(value))
        text = text.rstrip()[:-1] + f',"{key}":1e400' + "}"  # a repeated key, out of range
    try:
        expected = _Reader(text).document()
    except WireError:
        with pytest.raises(WireError):
            read_text(text)
        return
    assert _same(read_text(text), expected)

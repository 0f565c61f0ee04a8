"""Stable identity (seed 000 ``stable_hash``): serde_json's compact text and its SHA-256.

Hand-picked vectors come from serde_json's rules as wire-format.md §10 states
them (float layout checked upstream against the locked formatter); generated
cases cover arbitrary JSON values.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from typing import Any

from lash_spec.conformance.corpus import CaseSpec, FileSpec, call
from lash_spec.conformance.scenarios._gen import draw, gen_case, serde_reads_exactly, unique

# (case name, JSON value, serde_json text)
TEXT_VECTORS: list[tuple[str, Any, str]] = [
    ("float/small-plain", 0.00001, "0.00001"),
    ("float/1e-4", 0.0001, "0.0001"),
    ("float/1e15-plain", 1e15, "1000000000000000.0"),
    ("float/whole-keeps-point", 1.0, "1.0"),
    ("float/hundred", 100.0, "100.0"),
    ("float/zero", 0.0, "0.0"),
    ("float/negative-zero", -0.0, "-0.0"),
    ("float/tenth", 0.1, "0.1"),
    ("float/eighth-fraction", 123456789.125, "123456789.125"),
    ("float/1e-6-scientific", 1e-6, "1e-6"),
    ("float/1.5e-7", 1.5e-7, "1.5e-7"),
    ("float/min-subnormal", 5e-324, "5e-324"),
    ("float/min-normal", 2.2250738585072014e-308, "2.2250738585072014e-308"),
    ("float/1e16-signed-exponent", 1e16, "1e+16"),
    ("float/1.2345678901234567e19", 1.2345678901234567e19, "1.2345678901234567e+19"),
    ("float/avogadro", 6.02214076e23, "6.02214076e+23"),
    ("float/max", 1.7976931348623157e308, "1.7976931348623157e+308"),
    ("float/just-below-1e16", 9.999e15, "9999000000000000.0"),
    ("float/negative-small", -1.5e-7, "-1.5e-7"),
    ("float/in-array", [1e16, 1e-5, 2.5], "[1e+16,0.00001,2.5]"),
    ("int/u64-max", 18446744073709551615, "18446744073709551615"),
    ("int/i64-min", -9223372036854775808, "-9223372036854775808"),
    ("int/zero", 0, "0"),
    ("bool/true", True, "true"),
    ("null", None, "null"),
    ("string/quote-backslash", '"\\', '"\\"\\\\"'),
    ("string/short-escapes", "\b\f\n\r\t", '"\\b\\f\\n\\r\\t"'),
    ("string/control-lowercase-hex", "\x00\x01\x1f", '"\\u0000\\u0001\\u001f"'),
    ("string/del-raw", "\x7f", '"\x7f"'),
    ("string/slash-raw", "a/b", '"a/b"'),
    ("string/line-separators-raw", "\u2028\u2029", '"\u2028\u2029"'),
    ("string/non-ascii-raw", "é🦀日本", '"é🦀日本"'),
    ("object/sorted-keys", {"b": 1, "a": 2, "": 0}, '{"":0,"a":2,"b":1}'),
    ("object/sorted-by-code-point", {"é": 1, "z": 2, "Z": 3}, '{"Z":3,"z":2,"é":1}'),
    (
        "object/nested-sorted",
        {"b": {"y": 1, "x": [{"d": 1, "c": 2}]}},
        '{"b":{"x":[{"c":2,"d":1}],"y":1}}',
    ),
    # A Value's objects are BTreeMaps: a TurnInput's serde form with two image
    # blobs, hashed *as a Value*, has one text (as a TurnInput it has two).
    (
        "object/turn-input-form-as-value",
        {"items": [], "image_blobs": {"b": [2], "a": [1]}},
        '{"image_blobs":{"a":[1],"b":[2]},"items":[]}',
    ),
    ("array/empty", [], "[]"),
    ("object/empty", {}, "{}"),
]

KNOWN_HASHES: list[tuple[str, Any, str]] = [
    ("null", None, "74234e98afe7498fb5daf1f36ac2d78acc339464f950703b8c019892f982b90b"),
    ("lash", "lash", "d6d1bbf708dae2c3693b41240c61b33160eaa7946e4797ba88b4d03f9638233d"),
    ("array-1-2-3", [1, 2, 3], "a615eeaee21de5179de080de8c3052c8da901138406ba71c38c032845f7d54f4"),
    (
        "object-a-b",
        {"b": [True, None], "a": 1},
        "1cc69c7fa23616ca2ec3ee70d24390a6225c8832db8a4c814c7e0e7f942f8668",
    ),
]


def _cases() -> Iterable[CaseSpec]:
    for name, value, text in TEXT_VECTORS:
        yield CaseSpec(
            f"stable_json/{name}",
            f"serde_json writes {text!r}",
            call("stable_json", [value], expect=text),
        )
        yield CaseSpec(
            f"stable_hash/{name}",
            "SHA-256 of the compact text",
            call("stable_hash", [value], expect=hashlib.sha256(text.encode()).hexdigest()),
        )
    for name, value, digest in KNOWN_HASHES:
        yield CaseSpec(
            f"stable_hash/known/{name}",
            "a published hash vector",
            call("stable_hash", [value], expect=digest),
        )
    from lash_spec.strategies import json_values

    for value in draw(json_values, 80):
        if not serde_reads_exactly(value):
            continue
        yield gen_case("stable_json", "generated JSON value", call("stable_json", [value]))
        yield gen_case("stable_hash", "generated JSON value", call("stable_hash", [value]))


def files() -> Iterable[FileSpec]:
    yield FileSpec(
        name="000-stable-identity",
        seed="000",
        concept="stable_identity",
        description="stable_json / stable_hash: serde_json 1.0.149's compact text and its SHA-256",
        cases=unique(list(_cases())),
    )

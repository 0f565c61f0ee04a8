"""serde_json's compact text: floats, escapes, integers, key order, hashes.

Expected texts come from wire-format.md §10 (checked upstream against a
build of the locked formatter) and from serde_json's documented rules — not
from this module's own output.
"""

from __future__ import annotations

import json
import math
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lash_spec import stable_hash, stable_json
from lash_spec.wire.text import canonical_value, float_text, write_json

# (value, serde_json text, what Python's repr writes when it differs)
FLOAT_VECTORS = [
    (0.00001, "0.00001", "1e-05"),
    (0.0001, "0.0001", None),
    (1e15, "1000000000000000.0", None),
    (1.0, "1.0", None),
    (100.0, "100.0", None),
    (0.0, "0.0", None),
    (-0.0, "-0.0", None),
    (0.1, "0.1", None),
    (123456789.125, "123456789.125", None),
    (1e-6, "1e-6", "1e-06"),
    (1.5e-7, "1.5e-7", "1.5e-07"),
    (5e-324, "5e-324", None),
    (2.2250738585072014e-308, "2.2250738585072014e-308", None),
    (1e16, "1e+16", None),
    (1.2345678901234567e19, "1.2345678901234567e+19", None),
    (6.02214076e23, "6.02214076e+23", None),
    (1.7976931348623157e308, "1.7976931348623157e+308", None),
    (9.999e15, "9999000000000000.0", None),
    (1.5e-5, "0.000015", "1.5e-05"),
    (-1.5e-7, "-1.5e-7", "-1.5e-07"),
]


@pytest.mark.parametrize(("value", "text", "python"), FLOAT_VECTORS)
def test_float_vectors(value: float, text: str, python: str | None) -> None:
    assert float_text(value) == text
    assert stable_json(value) == text
    if python is not None:  # the difference this module exists for
        assert repr(value) == python != text


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf])
def test_non_finite_floats_are_null(value: float) -> None:
    assert stable_json(value) == "null"
    assert stable_json([value]) == "[null]"


_PLAIN = re.compile(r"-?(0|[1-9][0-9]*)\.[0-9]+")
_SCI = re.compile(r"-?[1-9](\.[0-9]*[1-9])?e[+-][1-9][0-9]*")


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_float_text_round_trips_and_follows_the_layout_rule(value: float) -> None:
    text = float_text(value)
    assert float(text) == value
    assert math.copysign(1, float(text)) == math.copysign(1, value)
    magnitude = abs(value)
    if magnitude == 0 or 1e-5 <= magnitude < 1e16:
        assert _PLAIN.fullmatch(text), text
    else:
        assert _SCI.fullmatch(text), text
    # shortest digits: the same significant digits as Python's repr
    digits = re.sub(r"[^0-9]", "", repr(magnitude).split("e")[0]).strip("0")
    assert re.sub(r"[^0-9]", "", text.split("e")[0]).strip("0") == digits


@pytest.mark.parametrize(
    ("value", "text"),
    [
        ('"', r'"\""'),
        ("\\", r'"\\"'),
        ("\b\f\n\r\t", r'"\b\f\n\r\t"'),
        ("\x00\x01\x1f", r'"\u0000\u0001\u001f"'),
        ("\x7f", '"\x7f"'),
        ("/", '"/"'),
        ("\u2028\u2029", '"\u2028\u2029"'),
        ("é🦀日本", '"é🦀日本"'),
    ],
)
def test_string_escapes(value: str, text: str) -> None:
    assert stable_json(value) == text


def test_integers_and_booleans() -> None:
    assert stable_json([0, -1, 2**64 - 1, -(2**63), True, False, None]) == (
        "[0,-1,18446744073709551615,-9223372036854775808,true,false,null]"
    )


def test_integers_beyond_u64_become_floats_as_serde_parses_them() -> None:
    assert stable_json(2**64) == "1.8446744073709552e+19"
    assert stable_json(-(2**63) - 1) == "-9.223372036854776e+18"


def test_value_objects_are_sorted_by_code_point_at_every_depth() -> None:
    value = {"b": 1, "a": {"z": [{"y": 1, "x": 2}], "é": 0, "Z": 0}, "": None}
    assert stable_json(value) == '{"":null,"a":{"Z":0,"z":[{"x":2,"y":1}],"é":0},"b":1}'


def test_write_json_keeps_given_order() -> None:
    assert write_json({"b": 1, "a": 2}) == '{"b":1,"a":2}'


@pytest.mark.parametrize(
    ("value", "digest"),
    [
        (None, "74234e98afe7498fb5daf1f36ac2d78acc339464f950703b8c019892f982b90b"),
        ("lash", "d6d1bbf708dae2c3693b41240c61b33160eaa7946e4797ba88b4d03f9638233d"),
        ([1, 2, 3], "a615eeaee21de5179de080de8c3052c8da901138406ba71c38c032845f7d54f4"),
        (
            {"b": [True, None], "a": 1},
            "1cc69c7fa23616ca2ec3ee70d24390a6225c8832db8a4c814c7e0e7f942f8668",
        ),
    ],
)
def test_known_hashes(value: object, digest: str) -> None:
    assert stable_hash(value) == digest


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**63), 2**64 - 1) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)


@given(json_values)
def test_stable_json_matches_an_independent_oracle_without_floats(value: object) -> None:
    # For float-free values serde_json's text equals Python's sorted,
    # compact, non-ASCII json.dumps (wire-format.md §10 rule 4).
    oracle = json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    assert stable_json(value) == oracle


@given(json_values)
def test_canonical_value_is_idempotent_and_parses_back(value: object) -> None:
    once = canonical_value(value)
    assert canonical_value(once) == once
    assert json.loads(stable_json(value)) == value


json_with_floats = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**63), 2**64 - 1)
    | st.floats()
    | st.text()
    | st.sampled_from(["v4.1", "1e5", "NaN", "Infinity"]),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)


@given(json_with_floats)
def test_fast_text_path_equals_the_exact_writer(value: object) -> None:
    from lash_spec.wire.text import _write_exact

    assert write_json(value) == _write_exact(value)

"""The codec's serde rules, on small types declared here.

Each test states a serde behaviour (from serde/serde_derive/serde_json's
documented or observable rules) and checks both acceptance and the
path-naming rejection.
"""

from __future__ import annotations

import enum

import attrs
import pytest

from lash_spec.wire.codec import (
    dflt,
    from_wire,
    renamed,
    skip_empty,
    skip_false,
    skip_none,
    skipped,
    tagged,
    to_json,
    to_wire,
    variant,
    wire_struct,
)
from lash_spec.wire.errors import WireError
from lash_spec.wire.types import I64, U8, U32, U64, Err, Ok, Result, Value


class Colour(enum.Enum):
    RED = "red"
    DARK_BLUE = "dark_blue"


@attrs.frozen(kw_only=True)
class Inner:
    a: U32
    b: str | None = skip_none()


@attrs.frozen(kw_only=True)
class Outer:
    name: str
    inner: Inner
    tags: tuple[str, ...] = skip_empty()
    flag: bool = skip_false()
    count: U64 = dflt(7)
    note: str | None
    class_: str = renamed("class", default="x")


@wire_struct(deny_unknown_fields=True)
@attrs.frozen(kw_only=True)
class Strict:
    only: I64


@tagged(tag="t")
@attrs.frozen(kw_only=True)
class Internal:
    pass


@variant("first")
@attrs.frozen(kw_only=True)
class InternalFirst(Internal):
    x: U8


@variant("second")
@attrs.frozen(kw_only=True)
class InternalSecond(Internal):
    pass


@variant("nested")
@attrs.frozen(kw_only=True)
class InternalNested(Internal):
    child: Internal


@tagged(tag="s", content="c")
@attrs.frozen(kw_only=True)
class Adjacent:
    pass


@variant("ok", newtype=True)
@attrs.frozen(kw_only=True)
class AdjacentOk(Adjacent):
    payload: Value


@variant("nested", newtype=True)
@attrs.frozen(kw_only=True)
class AdjacentNested(Adjacent):
    inner: Internal


@variant("timeout")
@attrs.frozen(kw_only=True)
class AdjacentTimeout(Adjacent):
    pass


@tagged()
@attrs.frozen(kw_only=True)
class External:
    pass


@variant("Unit")
@attrs.frozen(kw_only=True)
class ExternalUnit(External):
    pass


@variant("Wrap", newtype=True)
@attrs.frozen(kw_only=True)
class ExternalWrap(External):
    value: str


@variant("Fields")
@attrs.frozen(kw_only=True)
class ExternalFields(External):
    a: U8
    b: bool


def err_path(tp: object, value: object) -> str:
    with pytest.raises(WireError) as info:
        from_wire(tp, value)
    return info.value.json_path


# -- structs -------------------------------------------------------------------


def test_struct_order_skips_and_renames() -> None:
    value = Outer(name="n", inner=Inner(a=1), note=None)
    assert to_json(value) == '{"name":"n","inner":{"a":1},"count":7,"note":null,"class":"x"}'
    full = Outer(name="n", inner=Inner(a=1, b="b"), tags=("t",), flag=True, count=1, note="o")
    assert to_json(full) == (
        '{"name":"n","inner":{"a":1,"b":"b"},"tags":["t"],"flag":true,"count":1,'
        '"note":"o","class":"x"}'
    )


def test_missing_option_reads_none_and_defaults_fill_in() -> None:
    assert from_wire(Outer, {"name": "n", "inner": {"a": 1}, "class": "y"}) == Outer(
        name="n", inner=Inner(a=1), note=None, class_="y"
    )


def test_missing_required_field_names_it() -> None:
    with pytest.raises(WireError, match="missing field `name`"):
        from_wire(Outer, {"inner": {"a": 1}})
    assert err_path(Outer, {"name": "n", "inner": {}}) == "$.inner"


def test_unknown_fields_ignored_unless_denied() -> None:
    assert from_wire(Inner, {"a": 1, "zzz": [1]}) == Inner(a=1)
    with pytest.raises(WireError, match="unknown field `zzz`"):
        from_wire(Strict, {"only": 1, "zzz": 0})


def test_struct_from_sequence_like_serde() -> None:
    assert from_wire(Inner, [5]) == Inner(a=5)
    assert from_wire(Inner, [5, "b"]) == Inner(a=5, b="b")
    with pytest.raises(WireError, match="invalid length 3"):
        from_wire(Inner, [5, "b", 1])
    with pytest.raises(WireError, match="invalid length 0"):
        from_wire(Inner, [])
    assert err_path(Inner, [5, 6]) == "$[1]"


@pytest.mark.parametrize("bad", ["1", 1.0, True, None, [1]])
def test_no_lax_coercions_for_integers(bad: object) -> None:
    assert err_path(Inner, {"a": bad}) == "$.a"


@pytest.mark.parametrize(("tp", "value"), [(U8, 256), (U8, -1), (U32, 2**32), (U64, 2**64)])
def test_integer_widths(tp: object, value: int) -> None:
    @attrs.frozen(kw_only=True)
    class Holder:
        v: U8

    with pytest.raises(WireError, match="invalid value"):
        from_wire(tp, value)


def test_strings_and_booleans_are_not_coerced() -> None:
    with pytest.raises(WireError):
        from_wire(str, 1)
    with pytest.raises(WireError):
        from_wire(bool, 0)
    with pytest.raises(WireError, match="surrogate"):
        from_wire(str, "\ud800")


def test_null_is_not_a_struct_even_with_defaults() -> None:
    assert err_path(Outer, {"name": "n", "inner": None}) == "$.inner"


# -- enums -----------------------------------------------------------------------


def test_unit_enum_string_or_null_map() -> None:
    assert to_wire(Colour.DARK_BLUE) == "dark_blue"
    assert from_wire(Colour, "red") is Colour.RED
    assert from_wire(Colour, {"red": None}) is Colour.RED
    for bad in ("Red", 0, ["red"], {"red": 1}, {"red": None, "dark_blue": None}):
        with pytest.raises(WireError):
            from_wire(Colour, bad)


def test_internal_tag_first_and_unit_variant() -> None:
    assert to_json(InternalFirst(x=1)) == '{"t":"first","x":1}'
    assert to_json(InternalSecond()) == '{"t":"second"}'
    assert from_wire(Internal, {"x": 1, "t": "first"}) == InternalFirst(x=1)
    assert from_wire(Internal, {"t": "second", "extra": 1}) == InternalSecond()


def test_internal_tag_errors() -> None:
    with pytest.raises(WireError, match="missing field `t`"):
        from_wire(Internal, {"x": 1})
    with pytest.raises(WireError, match="unknown variant `third`"):
        from_wire(Internal, {"t": "third"})
    assert err_path(Internal, {"t": "first", "x": "1"}) == "$.x"


def test_internal_tag_from_sequence() -> None:
    assert from_wire(Internal, ["first", 3]) == InternalFirst(x=3)
    assert err_path(Internal, ["first", "3"]) == "$[1]"


def test_top_level_tag_must_be_a_string_but_nested_tags_may_be_indices() -> None:
    # serde_json reads a top-level tag as an identifier string; below an
    # internally tagged enum the value is replayed from serde's Content
    # buffer, where a variant index is accepted too.
    with pytest.raises(WireError, match="variant identifier"):
        from_wire(Internal, {"t": 0, "x": 1})
    nested = from_wire(Internal, {"t": "nested", "child": {"t": 1}})
    assert nested == InternalNested(child=InternalSecond())
    with pytest.raises(WireError, match="variant index 0 <= i < 3"):
        from_wire(Internal, {"t": "nested", "child": {"t": 3}})


def test_adjacent_tagging() -> None:
    assert to_json(AdjacentOk(payload={"b": 1, "a": 2})) == '{"s":"ok","c":{"a":2,"b":1}}'
    assert to_json(AdjacentTimeout()) == '{"s":"timeout"}'
    assert from_wire(Adjacent, {"s": "timeout"}) == AdjacentTimeout()
    assert from_wire(Adjacent, {"s": "timeout", "c": None}) == AdjacentTimeout()
    with pytest.raises(WireError, match="missing field `c`"):
        from_wire(Adjacent, {"s": "ok"})
    assert from_wire(Adjacent, {"c": 1, "s": "ok", "other": 0}) == AdjacentOk(payload=1)


def test_adjacent_content_before_tag_is_buffered() -> None:
    # Content before its tag is buffered, so an inner tag may be an index.
    assert from_wire(Adjacent, {"c": {"t": 1}, "s": "nested"}) == AdjacentNested(
        inner=InternalSecond()
    )
    with pytest.raises(WireError):
        from_wire(Adjacent, {"s": "nested", "c": {"t": 1}})


def test_external_tagging() -> None:
    assert to_json(ExternalUnit()) == '"Unit"'
    assert to_json(ExternalWrap(value="v")) == '{"Wrap":"v"}'
    assert to_json(ExternalFields(a=1, b=True)) == '{"Fields":{"a":1,"b":true}}'
    assert from_wire(External, {"Unit": None}) == ExternalUnit()
    assert from_wire(External, {"Fields": [1, False]}) == ExternalFields(a=1, b=False)
    with pytest.raises(WireError, match="unit variant"):
        from_wire(External, "Wrap")
    with pytest.raises(WireError, match="single key"):
        from_wire(External, {"Unit": None, "Wrap": "x"})
    assert err_path(External, {"Fields": {"a": 1, "b": 2}}) == "$.Fields.b"


def test_result() -> None:
    tp = Result[U8, str]
    assert to_wire(Ok(1), tp) == {"Ok": 1}
    assert to_wire(Err("e"), tp) == {"Err": "e"}
    assert from_wire(tp, {"Err": "e"}) == Err("e")
    assert err_path(tp, {"Ok": "1"}) == "$.Ok"
    with pytest.raises(WireError, match="unknown variant `ok`"):
        from_wire(tp, {"ok": 1})


def test_value_sorted_and_checked() -> None:
    assert to_json(AdjacentOk(payload={"z": {"b": 1, "a": 1.0}})) == (
        '{"s":"ok","c":{"z":{"a":1.0,"b":1}}}'
    )
    with pytest.raises(WireError):
        from_wire(Value, float("nan"))


def test_error_paths_render_non_identifier_keys() -> None:
    err = WireError("m", ("a b", 0, "c"))
    assert err.json_path == '$["a b"][0].c'
    assert str(err) == '$["a b"][0].c: m'


@attrs.frozen(kw_only=True)
class WithLiveState:
    a: U8
    live: str = skipped("runtime-only")


def test_serde_skip_fields_never_reach_the_wire() -> None:
    assert to_json(WithLiveState(a=1, live="x")) == '{"a":1}'
    assert from_wire(WithLiveState, {"a": 1, "live": "ignored"}) == WithLiveState(a=1)

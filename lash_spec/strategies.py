"""Public Hypothesis strategies for every wire type.

``strategy_for(T)`` derives a strategy from the same shape the codec uses, so
it can never disagree with the wire rules: integers within their Rust width,
``Option`` fields sometimes ``None``, skipped fields sometimes at their skip
value, every enum variant reachable. Other implementations can import these
to generate inputs (``from lash_spec.strategies import strategy_for``); they
need Hypothesis: ``pip install 'lash-spec[strategies]'``.

Every value drawn is *canonical*: a fixed point of write → read, as the
round-trip property needs. Where serde itself normalizes (a field dropped by
``skip_serializing_if`` comes back as its default; a float serde_json cannot
read back exactly), only the normalized form is generated.

Custom shapes (hand-written serde impls) provide their own ``strategy()``
(hypothesis is imported lazily there: it is a test dependency only).

Eras: an era form (``ceb460d4.ProcessRegistration``) draws its own era's
values; a field that holds an era-split type draws the form of the era current
*at draw time*, so draw inside ``with wire_era("ceb460d4"):`` to get that
era's values of a shared type (e.g. an envelope with ``tool_attempt`` kinds).

Size: ``with compact():`` draws values whose nested collections hold at most
one item, for when many values are needed fast (the sizes ``lash-spec fuzz``
samples, :mod:`lash_spec.sampling`).
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import string
from collections.abc import Callable, Iterator
from typing import Any

try:
    from hypothesis import strategies as st
except ModuleNotFoundError as err:  # pragma: no cover - depends on the install
    raise ModuleNotFoundError(
        "lash_spec.strategies needs Hypothesis, an optional dependency: "
        "pip install 'lash-spec[strategies]'",
        name=err.name,
    ) from err

from lash_spec.sampling import TRICKY_STRINGS, reread_float, settle_float
from lash_spec.wire.codec import (
    BoolShape,
    BytesShape,
    EnumShape,
    EraSlotShape,
    FloatShape,
    IntShape,
    ListShape,
    MapShape,
    NullShape,
    OptionShape,
    ResultShape,
    Shape,
    StrShape,
    StructShape,
    TupleShape,
    UnitEnumShape,
    ValueShape,
    _FieldShape,
    current_era,
    shape_of,
)
from lash_spec.wire.types import Err, Ok

__all__ = [
    "compact",
    "json_values",
    "shape_strategy",
    "strategy_for",
    "wire_floats",
    "wire_strings",
]

wire_strings: st.SearchStrategy[str] = st.one_of(
    st.sampled_from(TRICKY_STRINGS),
    st.text(alphabet=string.ascii_letters + string.digits + ":-_/.", max_size=12),
    st.text(st.characters(exclude_categories=["Cs"]), max_size=8),
)

wire_floats: st.SearchStrategy[float] = (
    st.floats(allow_nan=False, allow_infinity=False)  # JSON has no NaN/inf
    .map(settle_float)
    .filter(lambda x: reread_float(x) == x)
)
"""Finite ``f64`` values that serde_json writes and reads back unchanged."""

_json_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**63), 2**64 - 1),
    wire_floats,
    wire_strings,
)

json_values: st.SearchStrategy[Any] = st.recursive(
    _json_scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(wire_strings, inner, max_size=3),
    max_leaves=8,
)
"""Arbitrary ``serde_json::Value`` (keys come out sorted after decoding)."""


def strategy_for(tp: Any) -> st.SearchStrategy[Any]:
    """A strategy for values of the Python wire type ``tp``."""
    return shape_strategy(shape_of(tp))


_NESTING: contextvars.ContextVar[int | None] = contextvars.ContextVar(
    "lash_spec_nesting", default=None
)
"""``None``: full-size strategies; 0 or 1: compact ones (:func:`compact`), at the
top or inside a collection."""


@contextlib.contextmanager
def compact() -> Iterator[None]:
    """Strategies made, and values drawn, inside this block are *compact*: a list
    or map held (at any depth) inside another list or map has at most one item.

    Everything else is drawn as usual (every field, variant, ``None``, skip value
    and edge value; lists of up to three items at the top level), but the size
    of a large type no longer multiplies down its nesting: the sizes
    ``lash-spec fuzz`` samples (:mod:`lash_spec.sampling`), where each wire type's
    own op fuzzes it at full size, so nested copies need not repeat that work.
    Outside the block (the corpus, the public default) nothing changes."""
    token = _NESTING.set(0)
    try:
        yield
    finally:
        _NESTING.reset(token)


def _made_at(
    nesting: int | None, make: Callable[[], st.SearchStrategy[Any]]
) -> st.SearchStrategy[Any]:
    """``make()`` at ``nesting`` (strategies made later must not see the caller's)."""
    token = _NESTING.set(nesting)
    try:
        return make()
    finally:
        _NESTING.reset(token)


@functools.cache
def _cached(shape: Shape, nesting: int | None = None) -> st.SearchStrategy[Any]:
    if nesting is None:
        return st.deferred(lambda: _derive(shape))
    return st.deferred(lambda: _made_at(nesting, lambda: _derive(shape)))


def shape_strategy(shape: Shape) -> st.SearchStrategy[Any]:
    """The strategy for a codec shape (cached; recursive types are deferred)."""
    return _cached(shape, _NESTING.get())


def _items(shape: Shape) -> tuple[st.SearchStrategy[Any], int]:
    """A collection's item strategy and most items (compact: one when nested)."""
    nesting = _NESTING.get()
    if nesting is None:
        return shape_strategy(shape), 3
    return _cached(shape, 1), 1 if nesting else 3


def _derive(shape: Shape) -> st.SearchStrategy[Any]:
    custom = getattr(shape, "strategy", None)
    if custom is not None:
        result: st.SearchStrategy[Any] = custom()
        return result
    if isinstance(shape, StrShape):
        return wire_strings
    if isinstance(shape, BoolShape):
        return st.booleans()
    if isinstance(shape, IntShape):
        lo, hi = shape.rng.lo, shape.rng.hi
        edges = [v for v in (lo, hi, 0, 1, 2**32, 2**53 + 1) if lo <= v <= hi]
        return st.sampled_from(edges) | st.integers(lo, hi)
    if isinstance(shape, FloatShape):
        return wire_floats
    if isinstance(shape, ValueShape):
        return json_values
    if isinstance(shape, NullShape):
        return st.none()
    if isinstance(shape, OptionShape):
        return st.none() | shape_strategy(shape.inner)
    if isinstance(shape, ListShape):
        items, most = _items(shape.inner)
        return st.lists(items, max_size=most).map(tuple)
    if isinstance(shape, BytesShape):
        return st.binary(max_size=6)
    if isinstance(shape, TupleShape):
        return st.tuples(*(shape_strategy(s) for s in shape.items))
    if isinstance(shape, MapShape):
        items, most = _items(shape.inner)
        return st.dictionaries(wire_strings, items, max_size=most)
    if isinstance(shape, ResultShape):
        return st.builds(Ok, shape_strategy(shape.ok)) | st.builds(Err, shape_strategy(shape.err))
    if isinstance(shape, UnitEnumShape):
        return st.sampled_from(list(shape.cls))
    if isinstance(shape, EraSlotShape):
        return _in_current_era(lambda: strategy_for(shape.form()))
    if isinstance(shape, StructShape):
        return _struct(shape)
    if isinstance(shape, EnumShape):
        if shape.gated:
            return _in_current_era(lambda: _variants(shape.variants_at()[0]))
        return _variants(shape.variants)
    raise TypeError(f"no strategy for shape {type(shape).__name__}")


def _variants(variants: list[Any]) -> st.SearchStrategy[Any]:
    return st.one_of([_struct(v.body) for v in variants])


def _in_current_era(make: Callable[[], st.SearchStrategy[Any]]) -> st.SearchStrategy[Any]:
    """What ``make`` gives at the era current *at draw time* (strategies are
    cached across eras): the fields and variants of an era-gated type there.
    ``make`` runs at the nesting this strategy was made at (see :func:`compact`)."""
    made: dict[str, st.SearchStrategy[Any]] = {}
    nesting = _NESTING.get()

    @st.composite
    def at_era(draw: st.DrawFn) -> Any:
        era = current_era()
        strategy = made.get(era)
        if strategy is None:
            strategy = made[era] = _made_at(nesting, make)
        return draw(strategy)

    return at_era()


def _struct(shape: StructShape) -> st.SearchStrategy[Any]:
    if shape.gated:  # the fields of the era current at draw time
        return _in_current_era(lambda: _struct(shape.view()))
    fields = {f.attr: _field(f) for f in shape.fields}
    return st.builds(shape.cls, **fields)


def _field(f: _FieldShape) -> st.SearchStrategy[Any]:
    """A field's values; one its ``skip_serializing_if`` drops becomes the default.

    A skipped field is read back as its ``#[serde(default)]``, so a value the
    predicate skips that is *not* the default (an empty gate with a non-default
    ``minimum_availability``, say) cannot survive a round trip in Rust either:
    only its canonical form, the default, is generated.
    """
    inner = shape_strategy(f.shape)
    skip = f.skip_if
    if skip is None:
        return inner
    return inner.map(lambda v: f.default_value() if skip(v) else v)

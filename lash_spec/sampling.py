"""Fast values of every wire type, made from a replayable sequence of choices.

``lash-spec fuzz`` needs thousands of inputs a second, and a Hypothesis
strategy spends some 25 µs on each choice it makes. A *sampler* here is a
plain function of a :class:`Choices` source that makes every decision with
one call (``choices.integer(lo, hi)``, or ``choices.finite()`` for a float)
and marks the parts of a value (``choices.draw(sampler)``), so the same
function runs two ways:

* with :class:`RandomChoices` (``random.Random``, well under a microsecond a
  choice), which also records the sequence it chose: how the fuzzer explores;
* under Hypothesis (:func:`as_strategy`: each choice one ``st.integers(lo, hi)``
  or ``st.floats()`` draw, each part a span), so a recorded sequence replays
  there value for value (through the example database, :func:`replay_bytes`)
  and Hypothesis shrinks it.

Every decision's smallest value is its simplest outcome (the first variant,
``None``, no more items, the empty string, ``0``), so shrinking moves towards
plain values. Like :mod:`lash_spec.strategies` the samplers follow the codec's
shapes, and every value is *canonical* (a fixed point of write → read: a
field its ``skip_serializing_if`` drops is its default; floats survive
serde_json's text). Sizes are those of :func:`lash_spec.strategies.compact`:
a collection inside a collection holds at most one item. Era-split fields and
era-gated members take the era current when the value is made
(``with wire_era(...)``). Custom shapes give their own ``sample(choices)``.

No Hypothesis is needed to sample; only :func:`as_strategy` and
:func:`replay_bytes` import it.
"""

from __future__ import annotations

import functools
import math
import random
import string
import struct
from collections.abc import Callable, Iterator, Sequence
from typing import Any, Protocol

from lash_spec.wire import codec
from lash_spec.wire.codec import Shape, current_era, shape_of
from lash_spec.wire.reader import loads
from lash_spec.wire.text import write_json
from lash_spec.wire.types import Err, Ok

__all__ = [
    "JSON_SCALARS",
    "TRICKY_STRINGS",
    "Choice",
    "Choices",
    "RandomChoices",
    "ReplayChoices",
    "Sampler",
    "as_strategy",
    "choose",
    "int_sampler",
    "many",
    "replay_bytes",
    "reread_float",
    "sample_float",
    "sample_json",
    "sample_string",
    "sampler_for",
    "settle_float",
    "shape_sampler",
]


class Choices(Protocol):
    """Where a sampler's decisions come from."""

    def integer(self, lo: int, hi: int) -> int:
        """An integer in ``[lo, hi]``; ``lo`` (or ``0`` when in range) is the simplest."""
        ...

    def finite(self) -> float:
        """Any finite ``f64``. One choice whatever the float, so Hypothesis shrinks
        it as a float (towards small integral values); where floats are likely
        to differ (edges, short decimals) is the random source's business."""
        ...

    def draw(self, sampler: Sampler) -> Any:
        """``sampler(self)``, marked as one part of the value: Hypothesis then sees
        its choices as a span, which its shrinker can delete, or put in place of an
        enclosing part (a list's item for the list, a JSON value for the object
        holding it). No choice of its own."""
        ...


Sampler = Callable[[Choices], Any]
Choice = int | float
"""One recorded decision: an integer, or a finite float (:meth:`Choices.finite`)."""


class RandomChoices:
    """Choices from ``random.Random``, recorded in :attr:`made` for replay."""

    __slots__ = ("_random", "_randrange", "made")

    def __init__(self, rng: random.Random) -> None:
        self._random = rng.random
        self._randrange = rng.randrange
        self.made: list[Choice] = []

    def integer(self, lo: int, hi: int) -> int:
        span = hi - lo + 1
        # Fast for the small ranges nearly every decision has; exact for wide ones.
        value = lo + (int(self._random() * span) if span <= 1 << 24 else self._randrange(span))
        self.made.append(value)
        return value

    def finite(self) -> float:
        kind = self._randrange(3)
        if kind == 0:
            value = _FLOAT_EDGES[self._randrange(len(_FLOAT_EDGES))]
        elif kind == 1:  # a short decimal
            value = self._randrange(-(10**6), 10**6 + 1) / 10 ** self._randrange(7)
        else:
            value = math.inf
            while not math.isfinite(value):  # any bit pattern: subnormals and all
                (value,) = struct.unpack("<d", self._randrange(1 << 64).to_bytes(8, "little"))
        self.made.append(value)
        return value

    def draw(self, sampler: Sampler) -> Any:
        return sampler(self)


class ReplayChoices:
    """Replays a recorded sequence (what :class:`RandomChoices` made); past its end,
    or where the record does not fit, every choice is the simplest one."""

    __slots__ = ("_at", "_made")

    def __init__(self, made: Sequence[Choice]) -> None:
        self._made = made
        self._at = 0

    def _next(self) -> Choice | None:
        at = self._at
        self._at = at + 1
        return self._made[at] if at < len(self._made) else None

    def integer(self, lo: int, hi: int) -> int:
        value = self._next()
        if type(value) is int and lo <= value <= hi:
            return value
        return 0 if lo <= 0 <= hi else lo

    def finite(self) -> float:
        value = self._next()
        return value if type(value) is float and math.isfinite(value) else 0.0

    def draw(self, sampler: Sampler) -> Any:
        return sampler(self)


def choose(c: Choices, options: Sequence[Any]) -> Any:
    """One of ``options`` (the first is the simplest)."""
    return options[c.integer(0, len(options) - 1)] if len(options) > 1 else options[0]


def many(c: Choices, most: int) -> Iterator[None]:
    """Yields once per item of a collection of at most ``most`` items: before each,
    a choice of 1 to 3 means "one more" and 0 "no more" (so a collection shrinks by
    deleting an item's choices, as in Hypothesis's own lists)."""
    for _ in range(most):
        if not c.integer(0, 3):
            return
        yield


# -- scalars -----------------------------------------------------------------

TRICKY_STRINGS: tuple[str, ...] = (
    "", " ", "a", "\x1c", "\u180e", "\u3000", '"q"', "back\\slash", "line\nbreak", "🦀", "é",
)
"""Strings that exercise escapes, non-ASCII and Rust/Python whitespace differences."""
_WORD = string.ascii_letters + string.digits + ":-_/."
_SURROGATES = 0xE000 - 0xD800


def _char(c: Choices) -> str:
    kind = c.integer(0, 3)
    if kind == 0:
        return chr(0x20 + c.integer(0, 0x5E))  # printable ASCII
    if kind == 1:
        return chr(c.integer(0, 0x7F))  # any ASCII, controls included
    point = c.integer(0, (0xFFFF if kind == 2 else 0x10FFFF) - _SURROGATES)
    return chr(point + _SURROGATES if point >= 0xD800 else point)  # no lone surrogate


def sample_string(c: Choices) -> str:
    """A string as :data:`lash_spec.strategies.wire_strings` draws them."""
    kind = c.integer(0, 2)
    if kind == 0:
        return str(choose(c, TRICKY_STRINGS))
    if kind == 1:
        return "".join([_WORD[c.integer(0, len(_WORD) - 1)] for _ in many(c, 12)])
    return "".join([_char(c) for _ in many(c, 8)])


@functools.cache
def int_sampler(lo: int, hi: int) -> Sampler:
    """Integers in ``[lo, hi]``: an edge (``0``, ``1``, ``-1``, the bounds, ``2**32``, …), a small
    one, or any (as the strategies draw a Rust integer type)."""
    edges = tuple(dict.fromkeys(v for v in (0, 1, -1, lo, hi, 2**32, 2**53 + 1) if lo <= v <= hi))
    small = (max(lo, -1000), min(hi, 1000))

    def sample(c: Choices) -> int:
        kind = c.integer(0, 2)
        if kind == 0:
            edge: int = choose(c, edges)
            return edge
        if kind == 1:
            return c.integer(*small)
        return c.integer(lo, hi)

    return sample


def reread_float(x: float) -> float:
    """serde_json's read of its own text for ``x``."""
    y: float = loads(write_json(x))
    return y


def settle_float(x: float) -> float:
    """Move ``x`` towards a float that survives serde_json's write → read.

    serde_json writes the shortest round-trip text (ryu) but, without the
    ``float_roundtrip`` feature, reads decimals back with a best-effort
    algorithm that can land an ulp away (see :mod:`lash_spec.wire.reader`).
    Such an ``f64`` exists in Rust but cannot survive JSON text unchanged, so
    a round-trip property must not start from it. Re-reading a few times
    almost always reaches a fixed point.
    """
    for _ in range(4):
        y = reread_float(x)
        if y == x:
            break
        x = y
    return x


_FLOAT_EDGES = (
    0.0, 1.0, -1.0, 0.5, -0.0, 0.1, 1e16, 1e15, 1e-7, 123.456, 2.0**53, 2.0**53 + 2,
    1.7976931348623157e308, 5e-324, 2.2250738585072014e-308, -1e300,
)
"""Floats where text layouts change (``1e16``: the first written with an exponent),
at the ends of the range, and plain ones; a third of :class:`RandomChoices`' floats."""


def sample_float(c: Choices) -> float:
    """A finite ``f64`` that serde_json writes and reads back unchanged (as
    :data:`lash_spec.strategies.wire_floats`)."""
    x = settle_float(c.finite())
    return x if reread_float(x) == x else 0.0


_JSON_INT = int_sampler(-(2**63), 2**64 - 1)


_JSON_NESTING = 2
"""Arrays and objects nest this deep in a sampled JSON value (then only scalars)."""

JSON_SCALARS: tuple[Sampler, ...] = (
    lambda c: None,
    lambda c: bool(c.integer(0, 1)),
    _JSON_INT,
    sample_float,
    sample_string,
)
"""The scalars of a ``serde_json::Value``, plainest first (integers within
``i64``/``u64``: serde_json reads a longer literal as an ``f64``)."""


def sample_json(c: Choices, nested: bool = False, depth: int = 0) -> Any:
    """A ``serde_json::Value`` (as :data:`lash_spec.strategies.json_values`)."""
    kind = c.integer(0, 6 if depth < _JSON_NESTING else 4)
    if kind < len(JSON_SCALARS):
        return JSON_SCALARS[kind](c)
    most, inner = 1 if nested else 3, _JSON_INSIDE[depth]
    if kind == 5:
        return [c.draw(inner) for _ in many(c, most)]
    return {sample_string(c): c.draw(inner) for _ in many(c, most)}


_JSON_INSIDE: tuple[Sampler, ...] = tuple(
    functools.partial(sample_json, nested=True, depth=d + 1) for d in range(_JSON_NESTING)
)
"""The items of a JSON array or object at each depth (one sampler each, so a
Hypothesis span of one can stand in for its parent)."""


# -- shapes ------------------------------------------------------------------

_MADE: dict[tuple[Shape, bool], Sampler] = {}


def sampler_for(tp: Any) -> Sampler:
    """A sampler of values of the Python wire type ``tp``."""
    return shape_sampler(shape_of(tp))


def shape_sampler(shape: Shape, nested: bool = False) -> Sampler:
    """The sampler of a codec shape (``nested``: inside a collection, so its own
    collections hold at most one item). Cached; recursive types resolve lazily."""
    key = (shape, nested)
    found = _MADE.get(key)
    if found is None:
        made: list[Sampler] = []

        def later(c: Choices) -> Any:  # what a recursive reference calls
            return made[0](c)

        _MADE[key] = later
        made.append(_derive(shape, nested))
        found = _MADE[key] = made[0]
    return found


def _derive(shape: Shape, nested: bool) -> Sampler:
    custom: Sampler | None = getattr(shape, "sample", None)
    if custom is not None:
        return custom
    if isinstance(shape, codec.StrShape):
        return sample_string
    if isinstance(shape, codec.BoolShape):
        return lambda c: bool(c.integer(0, 1))
    if isinstance(shape, codec.IntShape):
        return int_sampler(shape.rng.lo, shape.rng.hi)
    if isinstance(shape, codec.FloatShape):
        return sample_float
    if isinstance(shape, codec.ValueShape):
        return lambda c: sample_json(c, nested)
    if isinstance(shape, codec.NullShape):
        return lambda c: None
    if isinstance(shape, codec.OptionShape):
        inner = shape_sampler(shape.inner, nested)
        return lambda c: c.draw(inner) if c.integer(0, 1) else None
    if isinstance(shape, codec.ListShape):
        item, most = shape_sampler(shape.inner, True), 1 if nested else 3
        return lambda c: tuple([c.draw(item) for _ in many(c, most)])
    if isinstance(shape, codec.BytesShape):
        return lambda c: bytes([c.integer(0, 255) for _ in many(c, 6)])
    if isinstance(shape, codec.TupleShape):
        items = [shape_sampler(s, nested) for s in shape.items]
        return lambda c: tuple([item(c) for item in items])
    if isinstance(shape, codec.MapShape):
        value, most = shape_sampler(shape.inner, True), 1 if nested else 3
        return lambda c: {sample_string(c): c.draw(value) for _ in many(c, most)}
    if isinstance(shape, codec.ResultShape):
        ok, err = shape_sampler(shape.ok, nested), shape_sampler(shape.err, nested)
        return lambda c: Err(err(c)) if c.integer(0, 1) else Ok(ok(c))
    if isinstance(shape, codec.UnitEnumShape):
        members = list(shape.cls)
        return lambda c: choose(c, members)
    if isinstance(shape, _EraDependent):
        return _era_dependent(shape, nested)
    raise TypeError(f"no sampler for shape {type(shape).__name__}")


_EraDependent = codec.EraSlotShape | codec.StructShape | codec.EnumShape


def _era_dependent(shape: _EraDependent, nested: bool) -> Sampler:
    """A shape whose values may depend on the era: the form of an era-split type,
    the fields and variants of an era-gated one, as of the era current when the
    value is made (samplers are cached across eras)."""
    if isinstance(shape, codec.StructShape) and not shape.gated:
        return _struct(shape, nested)
    if isinstance(shape, codec.EnumShape) and not shape.gated:
        return _one_of(shape.variants, nested)
    per_era: dict[str, Sampler] = {}

    def at_era(c: Choices) -> Any:
        era = current_era()
        found = per_era.get(era)
        if found is None:
            if isinstance(shape, codec.EraSlotShape):
                found = shape_sampler(shape_of(shape.form()), nested)
            elif isinstance(shape, codec.StructShape):
                found = _struct(shape.view(), nested)
            else:
                found = _one_of(shape.variants_at()[0], nested)
            per_era[era] = found
        return found(c)

    return at_era


def _one_of(variants: list[Any], nested: bool) -> Sampler:
    bodies = [shape_sampler(v.body, nested) for v in variants]
    return lambda c: c.draw(choose(c, bodies))


def _struct(shape: codec.StructShape, nested: bool) -> Sampler:
    cls = shape.cls
    fields = [(f.attr, _field(f, nested)) for f in shape.fields]
    return lambda c: cls(**{name: c.draw(field) for name, field in fields})


def _field(f: codec._FieldShape, nested: bool) -> Sampler:
    """A field's values; one its ``skip_serializing_if`` drops becomes the default
    (the only form of it that survives a round trip, as in the strategies)."""
    inner, skip = shape_sampler(f.shape, nested), f.skip_if
    if skip is None:
        return inner

    def sample(c: Choices) -> Any:
        v = inner(c)
        return f.default_value() if skip(v) else v

    return sample


# -- Hypothesis --------------------------------------------------------------


def as_strategy(sampler: Sampler) -> Any:
    """A Hypothesis strategy running ``sampler``, each choice one draw (an
    integer, or a finite float) and each part of the value a span of its own: a
    sequence :class:`RandomChoices` recorded is the choice sequence Hypothesis
    replays (:func:`replay_bytes`) and shrinks."""
    from hypothesis import strategies as st

    def build(draw: Any) -> Any:
        return sampler(_Drawn(draw))

    return st.composite(build)()


class _Drawn:
    __slots__ = ("_draw",)

    def __init__(self, draw: Any) -> None:
        self._draw = draw

    def integer(self, lo: int, hi: int) -> int:
        value: int = self._draw(_integers(lo, hi))
        return value

    def finite(self) -> float:
        value: float = self._draw(_finite())
        return value

    def draw(self, sampler: Sampler) -> Any:
        return self._draw(_part(sampler))


@functools.cache
def _part(sampler: Sampler) -> Any:
    """The strategy of a part: made once per sampler (samplers are cached too)."""
    return as_strategy(sampler)


@functools.cache
def _finite() -> Any:
    from hypothesis import strategies as st

    return st.floats(allow_nan=False, allow_infinity=False)


@functools.cache
def _integers(lo: int, hi: int) -> Any:
    from hypothesis import strategies as st

    return st.integers(lo, hi)


def replay_bytes(made: Sequence[Choice]) -> bytes:
    """A recorded sequence as an example-database entry of an :func:`as_strategy`
    test: saved under the test's key, Hypothesis replays it first and shrinks it
    if it fails. (The entry format is Hypothesis's own; ``tests/test_sampling.py``
    checks that a saved sequence replays to the same value.)"""
    from hypothesis.database import choices_to_bytes

    return choices_to_bytes(list(made))

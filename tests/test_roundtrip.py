"""Every wire type round-trips: decode(encode(x)) == x, and the text is stable.

Values come from the public strategies (lash_spec.strategies), which derive
from the same shapes as the codec; the properties checked are the codec's
contract, not any particular output.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lash_spec import WireError, from_json, from_wire, to_json, to_wire
from lash_spec.conformance.ops import wire_types
from lash_spec.eras import DEFAULT_ERA, era_names
from lash_spec.model.envelope import RuntimeEffectEnvelope, RuntimeInvocation
from lash_spec.strategies import strategy_for
from lash_spec.wire import codec as c
from lash_spec.wire.codec import wire_era

TYPES = sorted(wire_types().items())

_DEFAULT = wire_types()
ERA_TYPES = sorted(
    (era, name, tp)
    for era in era_names()
    for name, tp in wire_types(era).items()
    if _DEFAULT.get(name) is not tp
)
"""The era-split types in every other era's form (TYPES covers the default era)."""


def _reaches_a_gate(shape: Any, seen: set[int]) -> bool:
    """Whether a variant or field that exists only at some eras is reachable from ``shape``."""
    if id(shape) in seen:
        return False
    seen.add(id(shape))
    if isinstance(shape, c.StructShape | c.EnumShape) and shape.gated:
        return True
    if isinstance(shape, c.StructShape):
        inner = [f.shape for f in shape.fields]
    elif isinstance(shape, c.EnumShape):
        inner = [v.body for v in shape.variants]
    elif isinstance(shape, c.EraSlotShape):
        inner = [c.shape_of(tp) for tp in shape.forms.values()]
    elif isinstance(shape, c.TupleShape):
        inner = list(shape.items)
    elif isinstance(shape, c.ResultShape):
        inner = [shape.ok, shape.err]
    else:
        inner = [shape.inner] if isinstance(getattr(shape, "inner", None), c.Shape) else []
    return any(_reaches_a_gate(s, seen) for s in inner)


GATED_TYPES = sorted(
    (era, name, tp)
    for era in era_names()
    if era != DEFAULT_ERA
    for name, tp in wire_types(era).items()
    if _DEFAULT.get(name) is tp and _reaches_a_gate(c.shape_of(tp), set())
)
"""The types that hold an era-gated variant or field, at every other era."""


def _round_trip(name: str, tp: Any, data: st.DataObject, era: str | None) -> None:
    with wire_era(era):  # era-split fields draw this era's form
        value = data.draw(strategy_for(tp), label=name)
    wire = to_wire(value, tp)
    text = to_json(value, tp)
    decoded = from_wire(tp, wire, era=era)
    assert decoded == value
    assert to_json(decoded, tp) == text
    assert from_json(tp, text, era=era) == decoded
    assert to_wire(decoded, tp) == wire


@pytest.mark.parametrize(("name", "tp"), TYPES, ids=[n for n, _ in TYPES])
@settings(max_examples=25, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(data=st.data())
def test_round_trip(name: str, tp: Any, data: st.DataObject) -> None:
    _round_trip(name, tp, data, None)


@pytest.mark.parametrize(
    ("era", "name", "tp"),
    ERA_TYPES + GATED_TYPES,
    ids=[f"{n}@{e}" for e, n, _ in ERA_TYPES + GATED_TYPES],
)
@settings(max_examples=25, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(data=st.data())
def test_round_trip_per_era(era: str, name: str, tp: Any, data: st.DataObject) -> None:
    _round_trip(name, tp, data, era)


@pytest.mark.parametrize("era", era_names())
@settings(max_examples=25, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(data=st.data())
def test_shared_types_hold_each_eras_forms(era: str, data: st.DataObject) -> None:
    """A type that holds an era-split one (the envelope) round-trips at every era."""
    _round_trip("RuntimeEffectEnvelope", RuntimeEffectEnvelope, data, era)


def test_an_era_split_field_reads_only_its_eras_form() -> None:
    """Hand-written: `tool_call` is a kind at 74941d21 and unknown at ceb460d4."""
    wire = {
        "scope": {"session_id": "s"},
        "subject": {"type": "effect", "effect_id": "e", "kind": "tool_call"},
    }
    assert to_wire(from_wire(RuntimeInvocation, wire, era="74941d21")) == wire
    with pytest.raises(WireError):
        from_wire(RuntimeInvocation, wire, era="ceb460d4")

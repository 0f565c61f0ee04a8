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
from lash_spec.eras import era_names
from lash_spec.model.envelope import RuntimeEffectEnvelope, RuntimeInvocation
from lash_spec.strategies import strategy_for
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
    ("era", "name", "tp"), ERA_TYPES, ids=[f"{n}@{e}" for e, n, _ in ERA_TYPES]
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

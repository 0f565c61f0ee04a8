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

from lash_spec import from_json, from_wire, to_json, to_wire
from lash_spec.conformance.ops import wire_types
from lash_spec.strategies import strategy_for

TYPES = sorted(wire_types().items())


@pytest.mark.parametrize(("name", "tp"), TYPES, ids=[n for n, _ in TYPES])
@settings(max_examples=25, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(data=st.data())
def test_round_trip(name: str, tp: Any, data: st.DataObject) -> None:
    value = data.draw(strategy_for(tp), label=name)
    wire = to_wire(value, tp)
    text = to_json(value, tp)
    decoded = from_wire(tp, wire)
    assert decoded == value
    assert to_json(decoded, tp) == text
    assert from_json(tp, text) == decoded
    assert to_wire(decoded, tp) == wire

"""``lash_spec.strategies.compact``: what the fuzzer draws, and that it changes
nothing outside the block (the corpus draws full size; ``fill --check`` holds it)."""

from __future__ import annotations

from typing import Any

from lash_spec.conformance.scenarios._gen import draw
from lash_spec.model.turn_io import AgentFrameRun, TurnOutcomeAgentFrameSwitch
from lash_spec.strategies import compact, strategy_for

NESTED = tuple[tuple[bool, ...], ...]
MAPPED = dict[str, tuple[bool, ...]]


def _sizes(values: list[Any]) -> tuple[set[int], set[int]]:
    """Sizes of the outer collections and of the collections inside them."""
    outer = {len(v) for v in values}
    inner = {len(i) for v in values for i in (v.values() if isinstance(v, dict) else v)}
    return outer, inner


def test_a_nested_collection_holds_at_most_one_item() -> None:
    for tp in (NESTED, MAPPED):
        with compact():
            outer, inner = _sizes(draw(strategy_for(tp), 200))
        assert outer == {0, 1, 2, 3}  # the top level as before
        assert inner == {0, 1}


def test_outside_the_block_nothing_changes() -> None:
    before = strategy_for(NESTED)
    with compact():
        assert strategy_for(NESTED) is not before
        draw(strategy_for(NESTED), 5)
    assert strategy_for(NESTED) is before
    outer, inner = _sizes(draw(before, 200))
    assert outer == inner == {0, 1, 2, 3}


def test_compact_values_keep_what_an_op_needs() -> None:
    """AgentFrameRun's ops (final_turn, frame_switch_count) still see runs of several
    turns, and turns that end in a frame switch, among compact draws."""
    with compact():
        runs = draw(strategy_for(AgentFrameRun), 100)
    assert {len(r.turns) for r in runs} >= {0, 1, 2, 3}
    assert any(r.frame_switch_count() >= 2 for r in runs)
    assert any(isinstance(t.outcome, TurnOutcomeAgentFrameSwitch) for r in runs for t in r.turns)

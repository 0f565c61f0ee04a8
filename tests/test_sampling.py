"""``lash_spec.sampling``: the fuzzer's fast values, and their replay in Hypothesis.

What must hold for ``lash-spec fuzz`` to be both fast and honest: every wire
type samples at every era, every value is canonical (a fixed point of write →
read, as the strategies' values are), a recorded choice sequence gives the
same value again, by itself and inside Hypothesis (through the example
database, where the fuzzer hands a divergence over), and Hypothesis shrinks
it to the value a person would write.
"""

from __future__ import annotations

import contextlib
import itertools
import random
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.database import InMemoryExampleDatabase

from lash_spec.conformance.ops import wire_types
from lash_spec.conformance.scenarios.decode_text import mutation_steps
from lash_spec.eras import DEFAULT_ERA, era_names
from lash_spec.model.envelope import RuntimeScope
from lash_spec.sampling import (
    Choice,
    RandomChoices,
    ReplayChoices,
    as_strategy,
    many,
    replay_bytes,
    sample_float,
    sampler_for,
)
from lash_spec.wire import codec
from lash_spec.wire.codec import from_json, from_wire, shape_of, to_wire, wire_era
from lash_spec.wire.text import write_json

ERA_TYPES = sorted(
    (era, name, tp) for era in (DEFAULT_ERA, *era_names()) for name, tp in wire_types(era).items()
)


def _recorded(tp: Any, seed: object) -> tuple[Any, list[Choice]]:
    choices = RandomChoices(random.Random(str(seed)))
    return sampler_for(tp)(choices), choices.made


@pytest.mark.parametrize(
    ("era", "name", "tp"), ERA_TYPES, ids=[f"{e}-{n}" for e, n, _ in ERA_TYPES]
)
def test_every_wire_type_samples_canonical_values_that_replay(era: str, name: str, tp: Any) -> None:
    with wire_era(era):
        for i in range(15):
            value, made = _recorded(tp, (name, i))
            wire = to_wire(value, tp)
            back = from_wire(tp, wire)
            assert back == value, (name, wire)  # canonical: read gives the value back …
            assert to_wire(back, tp) == wire  # … and writes the same
            again = sampler_for(tp)(ReplayChoices(made))
            assert to_wire(again, tp) == wire  # the recorded choices make it again


def test_every_custom_shape_has_a_sampler() -> None:
    """A hand-written shape that draws its own strategy also samples its own values
    (else the generic derivation would guess at rules it does not know)."""
    codec._import_model_modules()

    def subclasses(cls: type) -> list[type]:
        found: list[type] = []
        subs: list[type] = cls.__subclasses__()
        for sub in subs:
            found += [sub, *subclasses(sub)]
        return found

    custom = [s for s in subclasses(codec.Shape) if "strategy" in vars(s)]
    assert len(custom) >= 10
    assert [s.__name__ for s in custom if "sample" not in vars(s)] == []


def test_every_variant_is_reached() -> None:
    missed = []
    for name, tp in sorted(wire_types().items()):
        shape = shape_of(tp)
        if not isinstance(shape, codec.EnumShape):
            continue
        variants = {v.cls for v in shape.variants_at()[0]}
        seen = {type(_recorded(tp, (name, i))[0]) for i in range(40 * len(variants))}
        missed += [(name, v.__name__) for v in variants - seen]
    assert missed == []


def test_floats_are_finite_and_survive_text() -> None:
    rng = random.Random(1)
    values = [sample_float(RandomChoices(rng)) for _ in range(3000)]
    assert all(from_json(float, write_json(x)) == x for x in values)
    assert {0.0, 1.0, 1e16, 5e-324} <= set(values)  # the edges are there …
    assert len(set(values)) > 1000  # … among many others
    assert any(abs(x) > 1e100 for x in values) and any(0 < abs(x) < 1e-100 for x in values)


def test_collections_hold_at_most_three_items_and_one_when_nested() -> None:
    nested = tuple[tuple[bool, ...], ...]
    values = [_recorded(nested, i)[0] for i in range(400)]
    assert {len(v) for v in values} == {0, 1, 2, 3}
    assert {len(inner) for v in values for inner in v} == {0, 1}


def test_the_simplest_choices_make_the_plainest_value() -> None:
    """Every decision's 0 is its simplest outcome: no choices at all (a replay past
    its end is all zeros) give the value a person writes first."""
    assert sampler_for(RuntimeScope)(ReplayChoices([])) == RuntimeScope(session_id="")
    assert sampler_for(tuple[str, ...])(ReplayChoices([])) == ()
    assert sampler_for(int | None)(ReplayChoices([])) is None
    assert list(many(ReplayChoices([1, 1, 1, 1]), 3)) == [None] * 3  # at most `most` items


def _replayed(tp: Any, made: list[Choice], test: Any = None) -> list[Any]:
    """What Hypothesis draws when the example database holds ``made``."""
    database = InMemoryExampleDatabase()
    database.save(b"key.secondary", replay_bytes(made))
    seen: list[Any] = []

    @settings(
        database=database,
        phases=[Phase.reuse, Phase.shrink],
        suppress_health_check=list(HealthCheck),
        deadline=None,
        report_multiple_bugs=False,
    )
    @given(as_strategy(sampler_for(tp)))
    def replay(value: Any) -> None:
        seen.append(value)
        if test is not None:
            test(value)

    replay._hypothesis_internal_database_key = b"key"
    with contextlib.suppress(AssertionError):  # the failure, raised once shrunk
        replay()
    return seen


@pytest.mark.parametrize(("name", "tp"), sorted(wire_types().items())[::7])
def test_hypothesis_replays_a_recorded_sequence(name: str, tp: Any) -> None:
    value, made = _recorded(tp, name)
    (first,) = _replayed(tp, made)
    assert to_wire(first, tp) == to_wire(value, tp)


def test_hypothesis_shrinks_a_sampled_failure() -> None:
    """A failure found by sampling shrinks in Hypothesis to the plainest value that
    still fails: here a scope with an odd turn index and a session id (derived by
    hand from the choice order: the first non-empty string is " ", the first odd
    integer 1, every optional field absent)."""

    def bad(scope: RuntimeScope) -> bool:
        return scope.session_id != "" and (scope.turn_index or 0) % 2 == 1

    rng = random.Random(4)
    while True:
        choices = RandomChoices(rng)
        scope = sampler_for(RuntimeScope)(choices)
        if bad(scope) and scope.turn_id is not None and scope.turn_index != 1:
            break

    def test(value: RuntimeScope) -> None:
        assert not bad(value)

    seen = _replayed(RuntimeScope, choices.made, test)
    assert seen[0] == scope  # replayed first, then shrunk
    assert seen[-1] == RuntimeScope(session_id=" ", turn_index=1)


def test_mutation_steps_start_from_the_canonical_text() -> None:
    from lash_spec.model.envelope import RuntimeInvocation

    steps_of = mutation_steps(RuntimeInvocation)
    rng = random.Random(2)
    lengths = set()
    for _ in range(200):
        steps = steps_of(RandomChoices(rng))
        assert from_json(RuntimeInvocation, steps[0]) is not None  # the canonical text reads
        assert all(a != b for a, b in itertools.pairwise(steps))  # each step changes it
        lengths.add(len(steps))
    assert lengths == {1, 2, 3, 4}

"""The seed-003 plan generator (lash_spec/generators/turn_machine.py).

What the corpus, the stateful test and ``lash-spec fuzz`` rely on: a played
plan is a turn trace that replays (plain, and with a restore after every
step), the moves do what their names say, the plans reach every state and
every response kind, the context-window entries straddle the 95 % threshold,
and playing is deterministic. Expected values are stated by hand from seed
003, not taken from the model. (That failing plans shrink to minimal traces
is shown on mutant adapters in test_fuzz.py.)
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

from lash_spec.conformance.coverage import KIND_CONCEPTS
from lash_spec.conformance.scenarios._gen import draw
from lash_spec.generators import KINDS, generator
from lash_spec.generators.turn_machine import (
    CHOICES,
    MOVES,
    Host,
    TracePlan,
    other_response,
    plans,
    play,
    run_plan,
    valid_response,
)
from lash_spec.harness.protocol import STATEFUL_KINDS
from lash_spec.turn_machine import samples
from lash_spec.turn_machine.machine import CONTEXT_WINDOW_DIAGNOSTIC
from lash_spec.turn_machine.responses import RESPONSE_KINDS
from lash_spec.turn_machine.states import StateKind, outstanding_effect_id
from lash_spec.turn_machine.trace import check_body

PLAIN: dict[str, Any] = {"prepare_protocol_iteration": [[{"StartLlmProjected": {
    "use_tools": False, "driver_state": None}}]]}  # fmt: skip
START: dict[str, Any] = {
    "messages": [samples._message_json("m0", "User", "Hello")],
    "events": [],
    "protocol_run_offset": 0,
}


def plan(*moves: tuple[str, int], **config: Any) -> TracePlan:
    return TracePlan(config=config, start=START, driver=PLAIN, moves=moves)


def kinds(body: dict[str, Any]) -> list[str]:
    return [next(iter(step)) for step in body["steps"]]


def responses(body: dict[str, Any]) -> list[tuple[str, int]]:
    out = []
    for step in body["steps"]:
        if "respond" in step:
            ((kind, fields),) = step["respond"].items()
            out.append((kind, fields["id"]))
    return out


@settings(max_examples=60, suppress_health_check=[HealthCheck.too_slow])
@given(plans())
def test_every_played_plan_replays(p: TracePlan) -> None:
    for restore in (False, True):
        body = run_plan(p, restore_every_step=restore).body
        result = check_body(body)
        assert result.passed, result.detail
        # the tail: whatever the moves, the trace ends drained, checkpointed, done
        tail = ["checkpoint", "done", *(["checkpoint", "restore"] if restore else [])]
        assert kinds(body)[-len(tail) :] == tail


def test_moves_do_what_they_say() -> None:
    # The plain driver starts an LLM call: effect 1 is outstanding after a drain.
    body = play(plan(("valid", 0)))
    assert responses(body) == [("LlmComplete", 1)]
    body = play(plan(("stale", 0)))
    assert responses(body) == [("LlmComplete", 2)]  # 1 past the outstanding id
    body = play(plan(("stale", 2)))
    assert responses(body) == [("LlmComplete", 4)]  # 3 past
    body = play(plan(("wrong", 0)))
    ((kind, rid),) = responses(body)
    assert kind != "LlmComplete" and rid == 1
    body = play(plan(("poll", 0), ("restore", 0), ("checkpoint", 0), ("done", 0)))
    assert kinds(body)[:4] == ["poll", "restore", "checkpoint", "done"]
    with pytest.raises(ValueError, match="unknown move"):
        play(plan(("jump", 0)))


def test_restore_every_step_follows_each_poll_respond_and_done() -> None:
    body = run_plan(plan(("valid", 0)), restore_every_step=True).body
    steps = kinds(body)
    for i, kind in enumerate(steps):
        if kind in ("poll", "respond", "done"):
            assert steps[i + 1 : i + 3] == ["checkpoint", "restore"], (i, steps)


def test_context_window_entries_straddle_the_threshold() -> None:
    """An empty ``output_limit`` answer with 0 output tokens is a context overflow
    from 95 % of a 100-token window (seed 003), not below it."""
    by_tokens: dict[int, bool] = {}
    for choice in range(CHOICES):
        _, fields = valid_response(_waiting_llm(), choice)
        ok = fields["result"].get("Ok")
        if not ok or ok["terminal_reason"] != "output_limit" or ok["usage"]["output_tokens"]:
            continue
        body = play(plan(("valid", choice), max_context_tokens=100))
        overflowed = CONTEXT_WINDOW_DIAGNOSTIC in json.dumps(body)
        by_tokens[ok["usage"]["input_tokens"]] = overflowed
    assert {t: o for t, o in by_tokens.items() if t >= 95} == {95: True, 99: True}
    assert {t: o for t, o in by_tokens.items() if t < 95} == {85: False, 90: False, 94: False}


def _waiting_llm() -> Any:
    host = Host(samples.trace_config(), samples.trace_start(), PLAIN)
    host.drain()
    assert outstanding_effect_id(host.machine.state) == 1
    return host.machine.state


def test_response_tables() -> None:
    state = _waiting_llm()
    for choice in range(CHOICES):
        assert valid_response(state, choice)[0] == "LlmComplete"
        assert other_response(state, choice)[0] in set(RESPONSE_KINDS) - {"LlmComplete"}
    # every other kind is reachable
    assert {other_response(state, c)[0] for c in range(CHOICES)} == set(RESPONSE_KINDS) - {
        "LlmComplete"
    }
    fresh = Host(samples.trace_config(), samples.trace_start(), {}).machine.state
    with pytest.raises(ValueError, match="no outstanding effect"):
        valid_response(fresh, 0)


def test_drawn_plans_reach_every_state_and_move() -> None:
    ends: set[str] = set()
    exercised: set[Any] = set()
    for p in draw(plans(), 300):
        played = run_plan(p)
        ends.add(played.end)
        exercised |= played.exercised
    answered = {e[0] for e in exercised if isinstance(e, tuple) and len(e) == 4}
    waiting = {s.value for s in StateKind if s.value.startswith("Waiting")}
    assert waiting <= answered  # a response was delivered in every waiting state
    assert {"Finished", "WaitingLlm"} <= ends
    hows = {e[2] for e in exercised if isinstance(e, tuple) and len(e) == 4}
    assert {"stale", "wrong"} <= hows
    assert "Done" in exercised


def test_play_is_deterministic() -> None:
    for p in draw(plans(), 30):
        assert json.dumps(play(p)) == json.dumps(play(p))


def test_registered_as_the_turn_trace_generator() -> None:
    gen = generator("turn_trace")
    assert gen.plans is plans and gen.play is play
    assert set(MOVES) == {"valid", "stale", "wrong", "poll", "checkpoint", "restore", "done"}
    with pytest.raises(ValueError, match="no generator"):
        generator("nope")


def test_every_stateful_kind_has_a_generator_and_a_concept() -> None:
    assert set(KINDS) == set(STATEFUL_KINDS) == set(KIND_CONCEPTS)
    assert [generator(kind).kind for kind in KINDS] == list(KINDS)

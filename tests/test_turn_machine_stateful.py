"""A Hypothesis state machine driving the seed-003 turn machine.

Generated driver scripts and host responses (valid, stale, wrong-kind,
errors, terminal LLM answers, checkpoint deliveries…) interleaved with polls,
checkpoints and restores. The value strategies and response tables are the
package's (``lash_spec.generators.turn_machine``, which ``lash-spec fuzz``
and the corpus also draw from); the rules and invariants are here. Invariants:

(a) checkpoint → JSON text → restore gives a machine whose following effects
    are the original's, except the documented redelivery of the outstanding
    effect (``expected_after_restore``);
(b) ids of request effects are unique and increasing (a redelivery repeats an
    earlier effect exactly);
(c) nothing after ``Done``;
(d) a checkpoint's JSON is byte-stable through decode/encode (and restore);
(e) the ``Progress``/``Done`` event deltas cover the appended events exactly once.

Every run is recorded as a turn-trace body and replayed through
``check_body`` at teardown: one body, two outputs. Set
``LASH_SPEC_TRACE_DIR`` to also write the bodies there as fixtures.
"""

from __future__ import annotations

import copy
import json
import os
from pathlib import Path
from typing import Any

import attrs
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
)

from lash_spec.generators.turn_machine import (
    CHOICES,
    action_lists,
    configs,
    driver_scripts,
    other_response,
    starts,
    valid_response,
)
from lash_spec.model.sansio import (
    Effect,
    EffectDone,
    EffectProgress,
)
from lash_spec.model.session import SessionEvent
from lash_spec.turn_machine import samples
from lash_spec.turn_machine.actions import DriverAction
from lash_spec.turn_machine.checkpoint import (
    checkpoint_text,
    expected_after_restore,
    parse_checkpoint,
)
from lash_spec.turn_machine.driver import DRIVER_METHODS, ScriptedDriver
from lash_spec.turn_machine.machine import TurnMachine
from lash_spec.turn_machine.responses import Response
from lash_spec.turn_machine.states import effect_id, outstanding_effect_id
from lash_spec.turn_machine.trace import TraceRecorder, check_body
from lash_spec.wire.codec import from_wire, to_json, to_wire

_choices = st.integers(min_value=0, max_value=CHOICES - 1)


def _drain(machine: TurnMachine, limit: int = 200) -> list[Effect]:
    out: list[Effect] = []
    for _ in range(limit):
        effect = machine.poll_effect()
        if effect is None:
            return out
        out.append(effect)
    raise AssertionError("the machine kept producing effects")


# ---------------------------------------------------------------------------
# The state machine
# ---------------------------------------------------------------------------


class TurnMachineStateful(RuleBasedStateMachine):
    rec: TraceRecorder

    @initialize(config=configs(), start=starts(), scripts=driver_scripts())
    def start(self, config: dict[str, Any], start: dict[str, Any], scripts: Any) -> None:
        trace_config = samples.trace_config(**config)
        trace_start = from_wire(type(samples.trace_start()), start)
        driver = ScriptedDriver.from_wire(scripts)
        self.rec = TraceRecorder(trace_config, trace_start, driver)
        self.initial_events = len(trace_start.events)
        self.by_id: dict[int, Any] = {}
        self.max_id = 0
        self.done_polled = False
        self.deltas: list[Any] = []

    @property
    def machine(self) -> TurnMachine:
        return self.rec.machine

    # -- rules ----------------------------------------------------------------

    @rule()
    def poll(self) -> None:
        effect = self.rec.poll()
        if self.done_polled:
            assert effect is None, "an effect after Done"  # (c)
            return
        if effect is None:
            return
        wire = to_wire(effect)
        eid = effect_id(effect)
        if eid is not None:  # (b)
            if eid in self.by_id:
                assert self.by_id[eid] == wire, "a reused id must be a redelivery"
            else:
                assert eid > self.max_id, f"id {eid} after {self.max_id}"
                self.by_id[eid] = wire
                self.max_id = eid
        if isinstance(effect, (EffectProgress, EffectDone)):
            self.deltas.extend(to_wire(r) for r in effect.event_delta)
        if isinstance(effect, EffectDone):
            self.done_polled = True
            assert self.machine.is_done()
            appended = [to_wire(r) for r in self.machine.events()[self.initial_events :]]
            assert self.deltas == appended, "event deltas must cover the events once"  # (e)

    @rule()
    def poll_until_quiet(self) -> None:
        for _ in range(100):
            if self.machine.pending_effects == () and not self.machine.redelivery_pending:
                break
            self.poll()
        self.poll()

    @rule(data=st.data(), rounds=st.integers(min_value=1, max_value=4))
    def host_rounds(self, data: st.DataObject, rounds: int) -> None:
        """A well-behaved host: drain the effects, answer the outstanding one; repeat."""
        for _ in range(rounds):
            self.poll_until_quiet()
            if not self._waiting():
                return
            self.respond_valid(data)

    def _waiting(self) -> bool:
        return outstanding_effect_id(self.machine.state) is not None

    @precondition(_waiting)
    @rule(data=st.data())
    def respond_valid(self, data: st.DataObject) -> None:
        state = self.machine.state
        active = outstanding_effect_id(state)
        assert active is not None
        kind, body = valid_response(state, data.draw(_choices))
        self.rec.respond(from_wire(Response, {kind: {"id": active, **body}}))

    @precondition(_waiting)
    @rule(data=st.data(), offset=st.integers(min_value=1, max_value=3))
    def respond_stale(self, data: st.DataObject, offset: int) -> None:
        state = self.machine.state
        active = outstanding_effect_id(state)
        assert active is not None
        kind, body = valid_response(state, data.draw(_choices))
        before = checkpoint_text(self.machine.checkpoint())
        self.rec.respond(from_wire(Response, {kind: {"id": active + offset, **body}}))
        assert checkpoint_text(self.machine.checkpoint()) == before
        assert not self.machine.redelivery_pending, "any response cancels a redelivery"

    @rule(choice=_choices)
    def respond_other_kind(self, choice: int) -> None:
        state = self.machine.state
        active = outstanding_effect_id(state) or 1
        kind, body = other_response(state, choice)
        before = checkpoint_text(self.machine.checkpoint())
        self.rec.respond(from_wire(Response, {kind: {"id": active, **body}}))
        assert checkpoint_text(self.machine.checkpoint()) == before, "wrong kind must be ignored"
        assert not self.machine.redelivery_pending, "any response cancels a redelivery"

    @rule()
    def checkpoint_and_done(self) -> None:
        self.rec.checkpoint()
        self.rec.done()

    @rule()
    def restore(self) -> None:
        self.rec.restore()

    @rule(method=st.sampled_from(DRIVER_METHODS), actions=action_lists())
    def script_driver(self, method: str, actions: list[Any]) -> None:
        self.rec.driver.push(method, from_wire(tuple[DriverAction, ...], actions))

    @precondition(lambda self: not self.machine.is_done())
    @rule(message=st.sampled_from(["host gave up", "disk full"]))
    def host_fails_turn(self, message: str) -> None:
        # Not a trace step: applied to the live machine only, so the recorded
        # body is replayable only up to here; stop recording the body.
        self.machine.fail_turn(from_wire(SessionEvent, {"type": "error", "message": message}))
        self.rec.steps.append({"host_fail_turn": message})

    @rule()
    def checkpoint_round_trip_and_fork(self) -> None:
        machine = self.machine
        checkpoint = machine.checkpoint()
        text = checkpoint_text(checkpoint)
        parsed = parse_checkpoint(text)
        assert checkpoint_text(parsed) == text  # (d)
        assert json.loads(text) == to_wire(checkpoint)
        twin_driver = self.rec.driver.clone()
        restored = TurnMachine.restore_from_checkpoint(
            attrs.evolve(machine.config, protocol_driver=twin_driver), parsed
        )
        assert checkpoint_text(restored.checkpoint()) == text  # (d), through restore
        original = copy.deepcopy(machine)
        assert original.config.protocol_driver is not self.rec.driver
        expected = expected_after_restore(checkpoint, _drain(original))
        actual = _drain(restored)
        assert [to_json(e) for e in actual] == [to_json(e) for e in expected]  # (a)
        assert checkpoint_text(restored.checkpoint()) == checkpoint_text(original.checkpoint())

    # -- invariants -------------------------------------------------------------

    @invariant()
    def deltas_are_a_prefix_of_the_events(self) -> None:  # (e)
        appended = [to_wire(r) for r in self.machine.events()[self.initial_events :]]
        assert appended[: len(self.deltas)] == self.deltas

    @invariant()
    def checkpoint_leaves_out_the_outstanding_effect(self) -> None:
        checkpoint = self.machine.checkpoint()
        active = outstanding_effect_id(checkpoint.state)
        assert active is None or all(effect_id(e) != active for e in checkpoint.pending_effects)

    @invariant()
    def done_is_final(self) -> None:  # (c)
        if self.done_polled:
            assert self.machine.is_done()
            assert self.machine.pending_effects == ()

    def teardown(self) -> None:
        if not hasattr(self, "rec"):
            return
        steps = self.rec.steps
        cut = next((i for i, s in enumerate(steps) if "host_fail_turn" in s), len(steps))
        self.rec.steps = steps[:cut]
        body = self.rec.body()
        result = check_body(body)
        assert result.passed, result.detail  # the run, replayed from its own body
        out = os.environ.get("LASH_SPEC_TRACE_DIR")
        if out:
            text = json.dumps({"body": body}, ensure_ascii=False, sort_keys=False)
            name = f"stateful-{abs(hash(text)) % 10**12:012d}.json"
            Path(out).mkdir(parents=True, exist_ok=True)
            (Path(out) / name).write_text(text, encoding="utf-8")


TurnMachineStateful.TestCase.settings = settings(
    max_examples=150,
    stateful_step_count=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
TestTurnMachineStateful = TurnMachineStateful.TestCase

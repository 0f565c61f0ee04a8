"""A Hypothesis state machine driving the seed-003 turn machine.

Generated driver scripts and host responses (valid, stale, wrong-kind,
errors, terminal LLM answers, checkpoint deliveries…) interleaved with polls,
checkpoints and restores. Invariants:

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

from lash_spec.model.sansio import (
    Effect,
    EffectDone,
    EffectProgress,
    MachineStateWaitingCheckpoint,
    MachineStateWaitingExec,
    MachineStateWaitingExecutionSurface,
    MachineStateWaitingLlm,
    MachineStateWaitingTools,
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
from lash_spec.turn_machine.responses import RESPONSE_KINDS, Response
from lash_spec.turn_machine.states import effect_id, outstanding_effect_id
from lash_spec.turn_machine.trace import TraceRecorder, check_body
from lash_spec.wire.codec import from_wire, to_json, to_wire

# ---------------------------------------------------------------------------
# Strategies (all values built in serde form, decoded by the codec)
# ---------------------------------------------------------------------------

_text = st.sampled_from(["", "ok", "All done.", "  spaced  "])
_ids = st.integers(min_value=0, max_value=4)


def _message(role: str, text: str, mid: str) -> dict[str, Any]:
    return {
        "id": mid,
        "role": role,
        "parts": [{"id": f"{mid}.p0", "kind": "Text", "content": text, "prune_state": "Intact"}],
    }


_outcome = st.sampled_from(
    [
        {"finished": {"assistant_message": {"text": "done"}}},
        {"stopped": "max_turns"},
        {"stopped": "tool_failure"},
        {"finished": {"submitted_value": {"value": {"b": 1, "a": [True, None]}}}},
    ]
)
_record = st.one_of(
    st.builds(lambda n, t: {"Conversation": _message("Assistant", t, f"r{n}")}, _ids, _text),
    st.just({"Protocol": None}),
)
_call = st.builds(
    lambda n, tool: {
        "call_id": f"call_{n}",
        "tool_name": tool,
        "args": {"n": n},
        "replay": None if n % 2 else {"item_id": f"fc_{n}"},
    },
    _ids,
    st.sampled_from(["read", "grep"]),
)
_driver_state = st.sampled_from([None, {"step": 1}, [1, 2], "s"])

_start_action = st.one_of(
    st.builds(
        lambda u, s: {"StartLlmProjected": {"use_tools": u, "driver_state": s}},
        st.booleans(),
        _driver_state,
    ),
    st.builds(lambda calls: {"StartTools": {"calls": calls}}, st.lists(_call, max_size=2)),
    st.builds(lambda s: {"StartExec": {"code": "print(1)", "driver_state": s}}, _driver_state),
    st.builds(
        lambda k, e: {"StartCheckpoint": {"checkpoint": k, "on_empty": e}},
        st.sampled_from(["after_work", "before_completion"]),
        st.one_of(st.just("PrepareIteration"), _outcome.map(lambda o: {"Finish": o})),
    ),
)
_side_action = st.one_of(
    st.builds(lambda rs: {"AppendEvents": rs}, st.lists(_record, max_size=2)),
    st.builds(lambda t: {"Emit": {"type": "text_delta", "content": t}}, _text),
    st.just("AdvanceProtocolIteration"),
    st.builds(
        lambda n: {"ScheduleTurnLimitFinal": {"message": _message("System", "last", f"t{n}")}},
        _ids,
    ),
)
_finish_action = st.builds(lambda o: {"Finish": o}, _outcome)
_action = st.one_of(_start_action, _side_action, _finish_action)
# Mostly well-formed answers (side actions, then one start or finish), some noise.
_action_list = st.one_of(
    st.builds(lambda pre, last: [*pre, last], st.lists(_side_action, max_size=2), _start_action),
    st.builds(lambda pre, last: [*pre, last], st.lists(_side_action, max_size=2), _finish_action),
    st.lists(_action, max_size=3),
)
_scripts = st.fixed_dictionaries(
    {m: st.lists(_action_list, min_size=1, max_size=4) for m in DRIVER_METHODS}
)

_config = st.fixed_dictionaries(
    {
        "sync_execution_surface": st.booleans(),
        "max_turns": st.sampled_from([None, 0, 1, 2]),
        "max_context_tokens": st.sampled_from([None, 0, 100]),
        "emit_llm_trace": st.booleans(),
        "system_prompt": st.sampled_from(["", "sys", "  "]),
        "tool_specs": st.sampled_from([[], [to_wire(samples.tool_spec("read"))]]),
        "run_session_id": st.sampled_from([None, "run-1"]),
    }
)

_cause = st.builds(lambda n: to_wire(samples.turn_cause(f"wake:{n}")), st.integers(0, 2))


@st.composite
def _start(draw: st.DrawFn) -> dict[str, Any]:
    texts = draw(st.lists(st.sampled_from(["Hello", "again"]), min_size=1, max_size=2))
    return {
        "messages": [_message("User", t, f"m{i}") for i, t in enumerate(texts)],
        "events": draw(st.lists(_record, max_size=1)),
        "protocol_run_offset": draw(st.sampled_from([0, 3])),
        "turn_causes": draw(st.lists(_cause, max_size=1, unique_by=lambda c: c["id"])),
    }


_llm_result = st.one_of(
    st.builds(
        lambda m, r, reason: {
            "Err": {
                "message": m,
                "retryable": r,
                "raw": "  raw  ",
                "code": None,
                "terminal_reason": reason,
                "request_body": None,
            }
        },
        st.sampled_from(["rate limited", "boom"]),
        st.booleans(),
        st.sampled_from(["provider_error", "unknown"]),
    ),
    st.builds(
        lambda text, reason, inp, out: {
            "Ok": to_wire(
                samples.llm_response(text, reason=reason, input_tokens=inp, output_tokens=out)
            )
        },
        _text,
        st.sampled_from(
            [
                "stop",
                "tool_use",
                "unknown",
                "output_limit",
                "context_overflow",
                "content_filter",
                "provider_error",
                "cancelled",
            ]
        ),
        st.sampled_from([10, 95, 200]),
        st.sampled_from([0, 5]),
    ),
)

_plugin_message = st.builds(
    lambda role, text, parts: {
        "role": role,
        "content": text,
        **({"parts": [_message(role, text, "pm")["parts"][0]]} if parts else {}),
    },
    st.sampled_from(["User", "System", "Assistant", "Event"]),
    _text,
    st.booleans(),
)
_delivery = st.fixed_dictionaries(
    {
        "messages": st.lists(_plugin_message, max_size=2),
        "transient_messages": st.lists(_plugin_message, max_size=1),
        "turn_causes": st.lists(_cause, max_size=2),
    }
)


def _valid_body(state: Any, data: st.DataObject) -> tuple[str, dict[str, Any]]:
    """A response of the kind ``state`` waits for (the id is filled in by the caller)."""
    if isinstance(state, MachineStateWaitingExecutionSurface):
        result = data.draw(
            st.sampled_from(
                [
                    {"Ok": None},
                    {"Ok": {"system_prompt": "fresh", "tool_specs": []}},
                    {"Err": "surface gone"},
                ]
            )
        )
        return "ExecutionSurfaceSynced", {"result": result}
    if isinstance(state, MachineStateWaitingLlm):
        return "LlmComplete", {
            "result": data.draw(_llm_result),
            "text_streamed": data.draw(st.booleans()),
        }
    if isinstance(state, MachineStateWaitingTools):
        results = [to_wire(samples.completed_tool(c)) for c in state.calls]
        return "ToolResults", {"results": data.draw(st.sampled_from([results, results[:1]]))}
    if isinstance(state, MachineStateWaitingExec):
        result = data.draw(
            st.sampled_from([{"Ok": to_wire(samples.exec_response())}, {"Err": "exec failed"}])
        )
        return "ExecResult", {"result": result}
    assert isinstance(state, MachineStateWaitingCheckpoint)
    empty = {"messages": [], "transient_messages": [], "turn_causes": []}
    delivery = data.draw(st.one_of(st.just(empty), _delivery))
    return "Checkpoint", {"delivery": delivery}


def _any_body(kind: str, data: st.DataObject) -> dict[str, Any]:
    if kind == "ExecutionSurfaceSynced":
        return {"result": {"Ok": None}}
    if kind == "LlmComplete":
        return {"result": data.draw(_llm_result), "text_streamed": False}
    if kind == "ToolResults":
        return {"results": [to_wire(samples.completed_tool(samples.pending_tool("call_9")))]}
    if kind == "ExecResult":
        return {"result": {"Err": "late"}}
    return {"delivery": data.draw(_delivery)}


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

    @initialize(config=_config, start=_start(), scripts=_scripts)
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
        kind, body = _valid_body(state, data)
        self.rec.respond(from_wire(Response, {kind: {"id": active, **body}}))

    @precondition(_waiting)
    @rule(data=st.data(), offset=st.integers(min_value=1, max_value=3))
    def respond_stale(self, data: st.DataObject, offset: int) -> None:
        state = self.machine.state
        active = outstanding_effect_id(state)
        assert active is not None
        kind, body = _valid_body(state, data)
        before = checkpoint_text(self.machine.checkpoint())
        self.rec.respond(from_wire(Response, {kind: {"id": active + offset, **body}}))
        assert checkpoint_text(self.machine.checkpoint()) == before
        assert not self.machine.redelivery_pending, "any response cancels a redelivery"

    @rule(data=st.data(), kind=st.sampled_from(RESPONSE_KINDS))
    def respond_any_kind(self, data: st.DataObject, kind: str) -> None:
        state = self.machine.state
        active = outstanding_effect_id(state) or 1
        waiting_kind = _valid_body(state, data)[0] if outstanding_effect_id(state) else None
        if kind == waiting_kind:
            return
        before = checkpoint_text(self.machine.checkpoint())
        self.rec.respond(from_wire(Response, {kind: {"id": active, **_any_body(kind, data)}}))
        assert checkpoint_text(self.machine.checkpoint()) == before, "wrong kind must be ignored"
        assert not self.machine.redelivery_pending, "any response cancels a redelivery"

    @rule()
    def checkpoint_and_done(self) -> None:
        self.rec.checkpoint()
        self.rec.done()

    @rule()
    def restore(self) -> None:
        self.rec.restore()

    @rule(method=st.sampled_from(DRIVER_METHODS), actions=_action_list)
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

"""Turn-trace plans (seed 003): a drawn configuration, driver script and host moves.

A :class:`TracePlan` holds, in serde form, what a trace body starts from
(CONFIG overrides, START, the driver's scripted answers) and a list of host
*moves*, each a kind and a small ``choice`` integer that picks among fixed
variants (which response body, how stale an id…). :func:`play` runs it
through a :class:`Host` — a :class:`~lash_spec.turn_machine.trace.TraceRecorder`
that answers like a host would — and returns the recorded body.

Moves (:data:`MOVES`):

* ``valid`` — drain the effects, then answer the outstanding one with a
  response of the kind it waits for (:func:`valid_response`);
* ``stale`` — drain, then the same but under an id 1 to 3 past the outstanding one;
* ``wrong`` — drain, then a response of another kind (:func:`other_response`);
* ``poll`` — one ``poll_effect``; ``checkpoint``; ``done`` — ``is_done``;
* ``restore`` — checkpoint → JSON → restore at that point.

A played plan ends with a tail that makes any difference in state
observable: drain, checkpoint, ``done``. Choices index fixed tables whose
entry 0 is the plainest, so Hypothesis shrinks towards plain answers; the
LLM table holds empty ``output_limit`` answers around the 95 % context-window
threshold, since that rule is easy to get subtly wrong.

Used by the stateful test (tests/test_turn_machine_stateful.py: the same
value strategies and responses, with invariants after every rule), the corpus
(``scenarios/turn_traces.py``: derandomized plans, also played with a restore
after every step) and ``lash-spec fuzz``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final

import attrs
from hypothesis import strategies as st

from lash_spec.model.sansio import (
    Effect,
    MachineState,
    MachineStateWaitingCheckpoint,
    MachineStateWaitingExec,
    MachineStateWaitingExecutionSurface,
    MachineStateWaitingLlm,
    MachineStateWaitingTools,
)
from lash_spec.turn_machine import samples
from lash_spec.turn_machine.config import TraceConfig
from lash_spec.turn_machine.driver import DRIVER_METHODS, ScriptedDriver
from lash_spec.turn_machine.machine import TurnMachine
from lash_spec.turn_machine.responses import RESPONSE_KINDS, Response
from lash_spec.turn_machine.states import effect_id, outstanding_effect_id, state_kind
from lash_spec.turn_machine.trace import TraceRecorder, TraceStart
from lash_spec.turn_machine.transitions import effect_label
from lash_spec.wire.codec import from_wire, to_wire

__all__ = [
    "CHOICES",
    "EMPTY_DELIVERY",
    "MOVES",
    "Host",
    "Played",
    "TracePlan",
    "action_lists",
    "configs",
    "delivery",
    "driver_scripts",
    "llm_err",
    "llm_ok",
    "other_response",
    "plans",
    "play",
    "run_plan",
    "starts",
    "valid_response",
]

MOVES: Final = ("valid", "stale", "wrong", "poll", "checkpoint", "restore", "done")
_ANSWERS: Final = ("valid", "stale", "wrong")

# ---------------------------------------------------------------------------
# Values (serde form)
# ---------------------------------------------------------------------------

_TEXTS: Final = ("", "ok", "All done.", "  spaced  ")
_texts = st.sampled_from(_TEXTS)
_ids = st.integers(min_value=0, max_value=4)


def _w(value: Any) -> Any:
    return to_wire(value)


def _message(role: str, text: str, mid: str) -> dict[str, Any]:
    return {
        "id": mid,
        "role": role,
        "parts": [{"id": f"{mid}.p0", "kind": "Text", "content": text, "prune_state": "Intact"}],
    }


_outcomes = st.sampled_from(
    [
        {"finished": {"assistant_message": {"text": "done"}}},
        {"stopped": "max_turns"},
        {"stopped": "plugin_abort"},
        {"stopped": "tool_failure"},
        {"stopped": {"tool_error": {"tool_name": "read", "value": {"message": "bad tool"}}}},
        {"finished": {"submitted_value": {"value": {"b": 1, "a": [True, None]}}}},
    ]
)
_records = st.one_of(
    st.builds(lambda n, t: {"Conversation": _message("Assistant", t, f"a{n}")}, _ids, _texts),
    st.just({"Protocol": None}),
)
_tool_calls = st.builds(
    lambda n, tool: {
        "call_id": f"call_{n}",
        "tool_name": tool,
        "args": {"n": n},
        "replay": None if n % 2 else {"item_id": f"fc_{n}"},
    },
    _ids,
    st.sampled_from(["read", "grep"]),
)
_driver_states = st.sampled_from([None, {"step": 1}, [1, 2], "s"])

_start_actions = st.one_of(
    st.builds(
        lambda u, s: {"StartLlmProjected": {"use_tools": u, "driver_state": s}},
        st.booleans(),
        _driver_states,
    ),
    st.builds(
        lambda calls: {"StartTools": {"calls": calls}},
        st.lists(_tool_calls, min_size=1, max_size=2, unique_by=lambda c: c["call_id"]),
    ),
    st.builds(
        lambda s: {"StartExec": {"code": "print(1)", "driver_state": s}},
        _driver_states.filter(lambda s: s is not None),
    ),
    st.builds(
        lambda k, e: {"StartCheckpoint": {"checkpoint": k, "on_empty": e}},
        st.sampled_from(["after_work", "before_completion"]),
        st.one_of(st.just("PrepareIteration"), _outcomes.map(lambda o: {"Finish": o})),
    ),
)
_side_actions = st.one_of(
    st.builds(lambda rs: {"AppendEvents": rs}, st.lists(_records, max_size=2)),
    st.builds(lambda t: {"Emit": {"type": "text_delta", "content": t}}, _texts),
    st.just("AdvanceProtocolIteration"),
    st.builds(
        lambda n: {"ScheduleTurnLimitFinal": {"message": _message("System", "last", f"t{n}")}},
        _ids,
    ),
)
_finish_actions = st.builds(lambda o: {"Finish": o}, _outcomes)


def action_lists() -> st.SearchStrategy[list[Any]]:
    """One scripted driver answer (serde ``[DriverAction]``): mostly side actions then
    one start or finish, sometimes any mix (including none)."""
    return st.one_of(
        st.builds(
            lambda pre, last: [*pre, last], st.lists(_side_actions, max_size=2), _start_actions
        ),
        st.builds(
            lambda pre, last: [*pre, last], st.lists(_side_actions, max_size=1), _finish_actions
        ),
        st.lists(st.one_of(_start_actions, _side_actions, _finish_actions), max_size=3),
    )


def driver_scripts(max_answers: int = 4) -> st.SearchStrategy[dict[str, Any]]:
    """A DRIVER: a queue of answers for every driver method."""
    return st.fixed_dictionaries(
        {m: st.lists(action_lists(), min_size=1, max_size=max_answers) for m in DRIVER_METHODS}
    )


def configs() -> st.SearchStrategy[dict[str, Any]]:
    """CONFIG overrides (``samples.trace_config`` fills the rest). A window of 100
    tokens is common so the context-window rule is reached."""
    return st.fixed_dictionaries(
        {
            "sync_execution_surface": st.booleans(),
            "max_turns": st.sampled_from([None, 0, 1, 2]),
            "max_context_tokens": st.sampled_from([None, 100, 0, 100]),
            "emit_llm_trace": st.booleans(),
            "system_prompt": st.sampled_from(["", "sys", "  "]),
            "tool_specs": st.sampled_from([[], [_w(samples.tool_spec("read"))]]),
            "run_session_id": st.sampled_from([None, "run-1"]),
        }
    )


def _cause(n: int) -> Any:
    return _w(samples.turn_cause(f"wake:{n}"))


def starts() -> st.SearchStrategy[dict[str, Any]]:
    """A START: one or two user messages, maybe an event, an offset, maybe a cause."""
    return st.fixed_dictionaries(
        {
            "messages": st.lists(st.sampled_from(["Hello", "again"]), min_size=1, max_size=2).map(
                lambda ts: [_message("User", t, f"m{i}") for i, t in enumerate(ts)]
            ),
            "events": st.lists(_records, max_size=1),
            "protocol_run_offset": st.sampled_from([0, 3]),
            "turn_causes": st.lists(st.builds(_cause, st.integers(0, 2)), max_size=1),
        }
    )


# ---------------------------------------------------------------------------
# Responses: fixed tables indexed by a move's choice (entry 0 the plainest)
# ---------------------------------------------------------------------------


def llm_ok(text: str = "Hi!", **kw: Any) -> dict[str, Any]:
    """An ``LlmComplete`` result ``{"Ok": LlmResponse}`` (``samples.llm_response``)."""
    return {"Ok": _w(samples.llm_response(text, **kw))}


def llm_err(**kw: Any) -> dict[str, Any]:
    """An ``LlmComplete`` result ``{"Err": LlmError}`` (``samples.llm_error``)."""
    return {"Err": _w(samples.llm_error(**kw))}


def _near_window(input_tokens: int) -> dict[str, Any]:
    """An empty ``output_limit`` answer: with a 100-token window, a context overflow
    from 95 input tokens on."""
    return llm_ok("", reason="output_limit", input_tokens=input_tokens, output_tokens=0)


_LLM_RESULTS: Final = (
    llm_ok("ok"),
    llm_ok("", reason="tool_use"),
    llm_ok("All done.", reason="unknown"),
    _near_window(95),
    llm_ok("cut", reason="output_limit", input_tokens=95, output_tokens=0),
    llm_ok("", reason="output_limit", output_tokens=5),
    _near_window(90),
    llm_ok("x", reason="context_overflow"),
    llm_ok("x", reason="content_filter"),
    _near_window(99),
    llm_ok("", reason="provider_error"),
    llm_ok("  spaced  ", reason="cancelled"),
    _near_window(94),
    llm_ok("long", input_tokens=200, output_tokens=5),
    llm_err(),
    llm_err(retryable=False, raw=None, code=None, reason="unknown", message="boom"),
    _near_window(85),
)
_SURFACE_RESULTS: Final = (
    {"Ok": None},
    {"Ok": {"system_prompt": "fresh", "tool_specs": []}},
    {"Err": "surface gone"},
)
_EXEC_RESULTS: Final = ({"Ok": _w(samples.exec_response())}, {"Err": "exec failed"})


def delivery(*messages: Any, transient: Sequence[Any] = (), causes: Sequence[Any] = ()) -> Any:
    """A checkpoint ``delivery`` from model messages and causes."""
    return {
        "messages": [_w(m) for m in messages],
        "transient_messages": [_w(m) for m in transient],
        "turn_causes": [_w(c) for c in causes],
    }


EMPTY_DELIVERY: Final[dict[str, Any]] = delivery()
_DELIVERIES: Final = (
    EMPTY_DELIVERY,
    delivery(samples.plugin_message("note")),
    delivery(
        samples.plugin_message("sys note", "System"),
        samples.plugin_message("dropped", "Event"),
        causes=[samples.turn_cause("wake:1")],
    ),
    delivery(transient=[samples.plugin_message("transient", "User")]),
    delivery(samples.plugin_message("", "Assistant"), causes=[samples.turn_cause("wake:2")]),
)
CHOICES: Final = len(_LLM_RESULTS) * 3
"""Choices range over ``0 .. CHOICES - 1`` (enough to reach every table entry)."""


def valid_response(state: MachineState, choice: int) -> tuple[str, dict[str, Any]]:
    """A response of the kind ``state`` waits for, without its ``id``; ``choice``
    picks the variant. ``state`` must have an outstanding effect."""
    if isinstance(state, MachineStateWaitingExecutionSurface):
        return "ExecutionSurfaceSynced", {"result": _SURFACE_RESULTS[choice % 3]}
    if isinstance(state, MachineStateWaitingLlm):
        result = _LLM_RESULTS[choice % len(_LLM_RESULTS)]
        return "LlmComplete", {"result": result, "text_streamed": choice % 3 == 2}
    if isinstance(state, MachineStateWaitingTools):
        results = [_w(samples.completed_tool(c)) for c in state.calls]
        return "ToolResults", {"results": results[:1] if choice % 3 == 2 else results}
    if isinstance(state, MachineStateWaitingExec):
        return "ExecResult", {"result": _EXEC_RESULTS[choice % 2]}
    if isinstance(state, MachineStateWaitingCheckpoint):
        return "Checkpoint", {"delivery": _DELIVERIES[choice % len(_DELIVERIES)]}
    raise ValueError(f"no outstanding effect in state {state_kind(state).value}")


def _waiting_kind(state: MachineState) -> str | None:
    return None if outstanding_effect_id(state) is None else valid_response(state, 0)[0]


def other_response(state: MachineState, choice: int) -> tuple[str, dict[str, Any]]:
    """A response of a kind ``state`` does *not* wait for, without its ``id``."""
    waiting = _waiting_kind(state)
    kinds = [k for k in RESPONSE_KINDS if k != waiting]
    kind = kinds[choice % len(kinds)]
    if kind == "ExecutionSurfaceSynced":
        return kind, {"result": {"Ok": None}}
    if kind == "LlmComplete":
        return kind, {"result": _LLM_RESULTS[choice % len(_LLM_RESULTS)], "text_streamed": False}
    if kind == "ToolResults":
        late = samples.completed_tool(samples.pending_tool("call_9"))
        return kind, {"results": [_w(late)]}
    if kind == "ExecResult":
        return kind, {"result": {"Err": "late"}}
    return kind, {"delivery": _DELIVERIES[choice % len(_DELIVERIES)]}


# ---------------------------------------------------------------------------
# The host
# ---------------------------------------------------------------------------


class Host:
    """Drives one machine like a host would and records every step.

    With ``restore_every_step``, every ``poll``/``respond``/``done`` step is
    followed by ``{"checkpoint": …}`` and ``{"restore": true}``. ``labels``
    lists the effects polled; ``exercised`` collects what the run reached
    (effect labels and ``(state, response kind, how, next state)`` tuples).
    """

    def __init__(
        self,
        config: TraceConfig,
        start: TraceStart,
        driver: dict[str, Any],
        *,
        restore_every_step: bool = False,
    ) -> None:
        self.rec = TraceRecorder(config, start, ScriptedDriver.from_wire(driver))
        self.restore_every_step = restore_every_step
        self.seen: set[int] = set()
        self.labels: list[str] = []
        self.exercised: set[Any] = set()

    @property
    def machine(self) -> TurnMachine:
        return self.rec.machine

    @property
    def driver(self) -> ScriptedDriver:
        return self.rec.driver

    @property
    def ops(self) -> int:
        """Host operations so far (steps, not counting ``restore_every_step``'s pairs)."""
        extra = sum(1 for s in self.rec.steps if "restore" in s) if self.restore_every_step else 0
        return len(self.rec.steps) - 2 * extra

    def _settle(self) -> None:
        if self.restore_every_step:
            self.rec.checkpoint()
            self.rec.restore()

    def poll(self) -> Effect | None:
        effect = self.rec.poll()
        self._settle()
        if effect is not None:
            self.labels.append(effect_label(effect))
            self.exercised.add(self.labels[-1])
        return effect

    def drain(self, limit: int = 60, *, strict: bool = True) -> list[Effect]:
        """Poll until ``None`` — or until an effect is redelivered (after a restore).

        After ``limit`` polls: ``RuntimeError`` if ``strict``, else stop there.
        """
        out: list[Effect] = []
        for _ in range(limit):
            effect = self.poll()
            if effect is None:
                return out
            out.append(effect)
            eid = effect_id(effect)
            if eid is not None:
                if eid in self.seen:
                    return out
                self.seen.add(eid)
        if strict:
            raise RuntimeError("the machine kept producing effects")
        return out

    def respond(self, kind: str, body: dict[str, Any], how: str = "") -> None:
        before = state_kind(self.machine.state).value
        self.rec.respond(from_wire(Response, {kind: body}))
        self._settle()
        self.exercised.add((before, kind, how, state_kind(self.machine.state).value))

    def answer(self, kind: str, **fields: Any) -> None:
        """Answer the outstanding effect (its id) with a ``kind`` response."""
        active = outstanding_effect_id(self.machine.state)
        if active is None:
            raise RuntimeError(f"no outstanding effect to answer with {kind}")
        self.respond(kind, {"id": active, **fields})

    def checkpoint(self) -> None:
        self.rec.checkpoint()

    def restore(self) -> None:
        self.rec.restore()

    def done(self) -> bool:
        done = self.rec.done()
        self._settle()
        return done

    def body(self) -> dict[str, Any]:
        return self.rec.body()

    def move(self, kind: str, choice: int) -> None:
        """One plan move (:data:`MOVES`)."""
        if kind in _ANSWERS:
            self.drain(limit=12, strict=False)
            state = self.machine.state
            active = outstanding_effect_id(state)
            if kind == "wrong":
                name, fields = other_response(state, choice)
                self.respond(name, {"id": active or 1, **fields}, "wrong")
            elif active is not None:
                name, fields = valid_response(state, choice)
                stale = 1 + choice % 3 if kind == "stale" else 0
                how = "stale" if stale else f"valid{choice % len(_LLM_RESULTS)}"
                self.respond(name, {"id": active + stale, **fields}, how)
        elif kind == "poll":
            self.poll()
        elif kind == "checkpoint":
            self.checkpoint()
        elif kind == "restore":
            self.restore()
        elif kind == "done":
            self.done()
        else:
            raise ValueError(f"unknown move {kind!r}; known: {', '.join(MOVES)}")


# ---------------------------------------------------------------------------
# Plans
# ---------------------------------------------------------------------------


@attrs.frozen
class TracePlan:
    """A turn-trace plan: CONFIG overrides, START, DRIVER (serde form) and moves."""

    config: dict[str, Any]
    start: dict[str, Any]
    driver: dict[str, Any]
    moves: tuple[tuple[str, int], ...]


@attrs.frozen
class Played:
    """A played plan: the body, what it exercised, and the state it ended in."""

    body: dict[str, Any]
    exercised: frozenset[Any]
    end: str


def plans(
    max_moves: int = 12, min_moves: int = 0, moves: Sequence[str] = MOVES
) -> st.SearchStrategy[TracePlan]:
    """Plans of up to ``max_moves`` moves drawn from ``moves`` (answers weighted x3)."""
    kinds = [k for k in ("valid", "valid", *MOVES) if k in moves]
    return st.builds(
        TracePlan,
        config=configs(),
        start=starts(),
        driver=driver_scripts(),
        moves=st.lists(
            st.tuples(st.sampled_from(kinds), st.integers(0, CHOICES - 1)),
            min_size=min_moves,
            max_size=max_moves,
        ).map(tuple),
    )


def run_plan(
    plan: TracePlan, *, restore_every_step: bool = False, max_ops: int | None = None
) -> Played:
    """Play ``plan`` (stopping after ``max_ops`` host operations), then the tail:
    drain, checkpoint, ``done``."""
    start: TraceStart = from_wire(TraceStart, plan.start)
    config = samples.trace_config(**plan.config)
    host = Host(config, start, plan.driver, restore_every_step=restore_every_step)
    for kind, choice in plan.moves:
        if max_ops is not None and host.ops >= max_ops:
            break
        host.move(kind, choice)
    host.drain(limit=50, strict=False)
    host.checkpoint()
    host.done()
    end = state_kind(host.machine.state).value
    return Played(host.body(), frozenset({*host.exercised, ("end", end)}), end)


def play(plan: TracePlan) -> dict[str, Any]:
    """The recorded turn-trace body of ``plan``."""
    return run_plan(plan).body

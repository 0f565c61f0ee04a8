"""Seed 003 turn traces (docs/case-bodies.md, "Turn trace") and ``render_turn_causes_prompt``.

Three kinds of trace, each recorded from the model with
:class:`~lash_spec.turn_machine.trace.TraceRecorder`:

* **pairs** — for every (state, input) pair of
  :data:`~lash_spec.turn_machine.transitions.TRANSITIONS` and each of its
  outcome cases, one short trace that drives a fresh machine into the state
  and delivers the input (a poll, a matching response, a stale id, a wrong
  kind…). The table is the hand-stated expectation: the state afterwards,
  the effects (by label) and the driver call must be what the row says, or
  generation stops.
* **scenarios** — whole turns (final answer, tools, LLM error, checkpoints,
  exec, turn limit, context-window refinement, surface sync, turn causes),
  each with the effect labels it must produce, stated by hand. Four mirror
  the traces recorded from the Rust crate (001, 008, 013, 029; the
  restore-every-step variant of the first mirrors 054).
* **generated** — plans drawn from :mod:`lash_spec.generators.turn_machine`
  (derandomized, no database): random driver scripts, a host that drains,
  answers (valid, stale, wrong kind), checkpoints and asks ``is_done``; the
  first plans that each exercise something new are kept.

Every scenario and every generated run is also written as a *restore*
variant: after each ``poll``/``respond``/``done`` step the trace checks
``checkpoint()`` and restores from its JSON. A restored machine re-issues
its outstanding effect, so a drain there stops at the first redelivered
effect (as a host answering it would). Everything fits one file (about
1.3 MB); split it (``003-turn-traces-restore``) if it ever grows past ~3 MB.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

import attrs

from lash_spec.conformance.corpus import CaseSpec, CorpusError, FileSpec, call
from lash_spec.conformance.scenarios._gen import (
    draw,
    gen_case,
    op_cases,
    serde_reads_exactly,
    unique,
)
from lash_spec.generators.turn_machine import (
    EMPTY_DELIVERY,
    Host,
    Played,
    TracePlan,
    delivery,
    llm_err,
    llm_ok,
    plans,
    run_plan,
)
from lash_spec.model.sansio import (
    Effect,
)
from lash_spec.turn_machine import samples
from lash_spec.turn_machine.machine import CONTEXT_WINDOW_DIAGNOSTIC
from lash_spec.turn_machine.states import StateKind, outstanding_effect_id, state_kind
from lash_spec.turn_machine.trace import TraceStart
from lash_spec.turn_machine.transitions import (
    TRANSITIONS,
    InputKind,
    Outcome,
    effect_label,
    expected_effects,
)
from lash_spec.wire.codec import to_wire

__all__ = ["files"]

S = StateKind
I = InputKind  # noqa: E741

# ---------------------------------------------------------------------------
# Values (serde form)
# ---------------------------------------------------------------------------


def _w(value: Any) -> Any:
    return to_wire(value)


def _record(mid: str, text: str) -> dict[str, Any]:
    record: dict[str, Any] = _w(samples.assistant_record(mid, text))
    return record


def _finished(text: str) -> dict[str, Any]:
    return {"Finish": {"finished": {"assistant_message": {"text": text}}}}


def _projected(use_tools: bool = False, driver_state: Any = None) -> dict[str, Any]:
    return {"StartLlmProjected": {"use_tools": use_tools, "driver_state": driver_state}}


def _start_checkpoint(kind: str, on_empty: Any = "PrepareIteration") -> dict[str, Any]:
    return {"StartCheckpoint": {"checkpoint": kind, "on_empty": on_empty}}


CALLS = (samples.pending_tool("call_1"), samples.pending_tool("call_2", "grep"))
RESULTS = [_w(samples.completed_tool(c, f"result of {c.call_id}")) for c in CALLS]
START_TOOLS = {"StartTools": {"calls": [_w(c) for c in CALLS]}}
START_EXEC = {"StartExec": {"code": "print(1)", "driver_state": {"k": 2}}}


def _config(**fields: Any) -> Any:
    return samples.trace_config(**fields)


# ---------------------------------------------------------------------------
# Pair traces: one per outcome case of the transition table
# ---------------------------------------------------------------------------


@attrs.frozen
class _Setup:
    """How a pair trace reaches its state: config, driver script, host prefix."""

    config: dict[str, Any]
    driver: dict[str, Any]
    reach: Callable[[Host], None]
    emit_llm_trace: bool = False
    streamed: bool = True


def _drain_only(host: Host) -> None:
    host.drain()


def _checkpoint_case_action(case: str) -> dict[str, Any]:
    if case == "empty_finish":
        return _start_checkpoint("before_completion", {"Finish": {"stopped": "plugin_abort"}})
    if case == "delivery_after_work":
        # a non-empty delivery ignores on_empty
        return _start_checkpoint("after_work", {"Finish": {"stopped": "plugin_abort"}})
    if case.startswith("delivery_before_completion"):
        return _start_checkpoint("before_completion")
    return _start_checkpoint("after_work")


def _setup(state: StateKind, inp: InputKind, case: str) -> _Setup:
    """Drive a fresh machine into ``state`` (for the outcome ``case`` of ``inp``)."""
    if state is S.PREPARING_PROTOCOL:
        return _Setup({"sync_execution_surface": case == "sync"}, {}, lambda host: None)
    if state is S.WAITING_EXECUTION_SURFACE:
        return _Setup({"sync_execution_surface": True}, {}, _drain_only)
    if state is S.PREPARE_ITERATION:
        if case == "needs_sync":
            # synced at iteration 0, then the driver advances and parks at an
            # empty after_work checkpoint: iteration 1 is not synced yet
            def reach_needs_sync(host: Host) -> None:
                host.drain()
                host.answer("ExecutionSurfaceSynced", result={"Ok": None})
                host.drain()
                host.answer("Checkpoint", delivery=EMPTY_DELIVERY)

            driver = {
                "prepare_protocol_iteration": [
                    ["AdvanceProtocolIteration", _start_checkpoint("after_work")]
                ]
            }
            return _Setup({"sync_execution_surface": True}, driver, reach_needs_sync)
        if case == "synced":

            def reach_synced(host: Host) -> None:
                host.drain()
                host.answer("ExecutionSurfaceSynced", result={"Ok": None})

            return _Setup({"sync_execution_surface": True}, {}, reach_synced)

        def reach_prepare(host: Host) -> None:
            host.drain()
            host.answer("Checkpoint", delivery=EMPTY_DELIVERY)

        driver = {"prepare_protocol_iteration": [[_start_checkpoint("after_work")]]}
        return _Setup({}, driver, reach_prepare)
    if state is S.WAITING_LLM:
        driver = {"prepare_protocol_iteration": [[_projected(False, {"step": 1})]]}
        emit, streamed = {
            "err": (True, False),
            "ok_terminal": (True, False),
            "ok_context_window": (False, True),
            "ok_continue": (True, False),
        }.get(case, (False, True))
        config: dict[str, Any] = {"emit_llm_trace": emit}
        if case == "ok_context_window":
            config["max_context_tokens"] = 100
        return _Setup(config, driver, _drain_only, emit_llm_trace=emit, streamed=streamed)
    if state is S.WAITING_TOOLS:
        return _Setup({}, {"prepare_protocol_iteration": [[START_TOOLS]]}, _drain_only)
    if state is S.WAITING_EXEC:
        return _Setup({}, {"prepare_protocol_iteration": [[START_EXEC]]}, _drain_only)
    if state is S.WAITING_CHECKPOINT:
        config = {}
        actions: list[Any] = [_checkpoint_case_action(case)]
        if case == "delivery_before_completion":
            config["max_turns"] = 3
        elif case == "delivery_before_completion_limit":
            config["max_turns"] = 1
        elif case == "delivery_before_completion_grace":
            # max_turns 0: the limit is reached at once, so the driver's own
            # turn-limit message is scheduled before the checkpoint
            config["max_turns"] = 0
            limit = _w(samples.user_message("limit", "Wrap up now."))
            actions.insert(0, {"ScheduleTurnLimitFinal": {"message": limit}})
        return _Setup(config, {"prepare_protocol_iteration": [actions]}, _drain_only)
    assert state is S.FINISHED
    driver = {"prepare_protocol_iteration": [[_finished("bye")]]}
    return _Setup({}, driver, _drain_only)


_CASE_DELIVERY: dict[str, Any] = {
    "delivery_after_work": delivery(
        samples.plugin_message("note from a plugin"),
        samples.plugin_message("dropped: not User/System", "Assistant"),
        transient=[samples.plugin_message("transient system note", "System")],
        causes=[samples.turn_cause("wake:1")],
    ),
    "delivery_before_completion": delivery(samples.plugin_message("one more thing")),
    "delivery_before_completion_limit": delivery(samples.plugin_message("one more thing")),
    "delivery_before_completion_grace": delivery(samples.plugin_message("one more thing")),
}


def _matching_body(state: StateKind, case: str, streamed: bool) -> dict[str, Any]:
    """The fields (without ``id``) of the response the state waits for, for ``case``."""
    if state is S.WAITING_EXECUTION_SURFACE:
        if case == "ok_update":
            sync = {"system_prompt": "fresh prompt", "tool_specs": [_w(samples.tool_spec("x"))]}
            return {"result": {"Ok": sync}}
        if case == "err":
            return {"result": {"Err": "surface gone"}}
        return {"result": {"Ok": None}}
    if state is S.WAITING_LLM:
        if case == "err":
            result = llm_err(retryable=False, code=None, raw="  boom  ", message="boom")
        elif case == "ok_terminal":
            result = llm_ok("partial", reason="content_filter")
        elif case == "ok_context_window":
            result = llm_ok(
                "", reason="output_limit", input_tokens=90, cached_input_tokens=5, output_tokens=0
            )
        else:
            result = llm_ok("Let me look.", reason="tool_use")
        return {"result": result, "text_streamed": streamed}
    if state is S.WAITING_TOOLS:
        return {"results": RESULTS}
    if state is S.WAITING_EXEC:
        if case == "err":
            return {"result": {"Err": "exec failed"}}
        return {"result": {"Ok": _w(samples.exec_response())}}
    assert state is S.WAITING_CHECKPOINT
    return {"delivery": _CASE_DELIVERY.get(case, EMPTY_DELIVERY)}


def _any_body(kind: str) -> dict[str, Any]:
    """A well-formed response body of ``kind`` (for wrong-kind inputs)."""
    if kind == "ExecutionSurfaceSynced":
        return {"result": {"Ok": None}}
    if kind == "LlmComplete":
        return {"result": llm_ok("late"), "text_streamed": False}
    if kind == "ToolResults":
        return {"results": RESULTS[:1]}
    if kind == "ExecResult":
        return {"result": {"Err": "late"}}
    return {"delivery": delivery(samples.plugin_message("late"))}


_WAITS_FOR: dict[StateKind, InputKind] = {
    S.WAITING_EXECUTION_SURFACE: I.EXECUTION_SURFACE_SYNCED,
    S.WAITING_LLM: I.LLM_COMPLETE,
    S.WAITING_TOOLS: I.TOOL_RESULTS,
    S.WAITING_EXEC: I.EXEC_RESULT,
    S.WAITING_CHECKPOINT: I.CHECKPOINT,
}


def _pair_id(state: StateKind, inp: InputKind, outcome: Outcome) -> str:
    case = outcome.case.replace("_", "-")
    return f"turn_trace/pair/{state.value}/{inp.value}-{case}"


def _pair_description(state: StateKind, inp: InputKind, outcome: Outcome) -> str:
    text = (
        f"{state.value} x {inp.value}: {outcome.when} -> {outcome.next_state.value} (idle driver)"
    )
    if outcome.note:
        text += f"; {outcome.note}"
    return text


def _pair_trace(state: StateKind, inp: InputKind, outcome: Outcome) -> CaseSpec:
    setup = _setup(state, inp, outcome.case)
    host = Host(_config(**setup.config), samples.trace_start(), setup.driver)
    setup.reach(host)
    where = _pair_id(state, inp, outcome)
    if state_kind(host.machine.state) is not state:
        raise CorpusError(f"{where}: setup reached {state_kind(host.machine.state)}")
    if host.driver.remaining("prepare_protocol_iteration"):
        raise CorpusError(f"{where}: the setup left driver answers unused")
    host.checkpoint()
    calls = len(host.driver.calls)
    first: list[Effect] = []
    if inp is I.POLL:
        effect = host.poll()
        first = [] if effect is None else [effect]
    else:
        active = outstanding_effect_id(host.machine.state)
        if outcome.case == "stale_id":
            assert active is not None
            body = {"id": active + 1, **_matching_body(state, outcome.case, setup.streamed)}
        elif _WAITS_FOR.get(state) is inp:
            body = {"id": active, **_matching_body(state, outcome.case, setup.streamed)}
        else:
            body = {"id": active if active is not None else 1, **_any_body(inp.value)}
        host.respond(inp.value, body)
    driver_calls = host.driver.calls[calls:]
    after = state_kind(host.machine.state)
    host.checkpoint()
    rest = host.drain() if inp is not I.POLL or first else []
    host.done()
    labels = tuple(effect_label(e) for e in (*first, *rest))
    expected = expected_effects(
        outcome,
        emit_llm_trace=setup.emit_llm_trace,
        unstreamed_text=not setup.streamed,
        results=len(RESULTS),
    )
    if after is not outcome.next_state or labels != expected:
        raise CorpusError(
            f"{where}: the table says {outcome.next_state.value} {list(expected)}, "
            f"the model gives {after.value} {list(labels)}"
        )
    if driver_calls != ([outcome.driver] if outcome.driver else []):
        raise CorpusError(f"{where}: driver calls {driver_calls}, table says {outcome.driver}")
    return CaseSpec(where, _pair_description(state, inp, outcome), host.body())


def _pair_traces() -> Iterable[CaseSpec]:
    for (state, inp), cases in TRANSITIONS.items():
        for outcome in cases:
            yield _pair_trace(state, inp, outcome)


# ---------------------------------------------------------------------------
# Scenario traces: whole turns, each with hand-stated effect labels
# ---------------------------------------------------------------------------


@attrs.frozen
class _Scenario:
    name: str
    description: str
    config: dict[str, Any]
    driver: dict[str, Any]
    program: Callable[[Host], None]
    labels: tuple[str, ...]  # every effect the plain run polls, in order
    start: TraceStart = attrs.field(factory=samples.trace_start)


_FINISH_LABELS = ("Emit:turn_outcome", "Emit:done", "Done")


def _minimal(host: Host) -> None:
    host.checkpoint()
    host.done()
    host.drain()
    host.checkpoint()
    host.answer("LlmComplete", result=llm_ok("Hi!"), text_streamed=False)
    host.checkpoint()
    host.drain()
    host.done()
    host.checkpoint()
    host.poll()


def _tool_spec_json(name: str) -> dict[str, Any]:
    spec: dict[str, Any] = _w(samples.tool_spec(name))
    spec["input_schema"] = {"type": "object", "properties": {"path": {"type": "string"}}}
    return spec


_TOOL_CALLS_008: list[dict[str, Any]] = [
    {"call_id": "call_1", "tool_name": "read", "args": {"path": "a.txt"}, "replay": None},
    {
        "call_id": "call_2",
        "tool_name": "grep",
        "args": {"pattern": "x"},
        "replay": {"item_id": "fc_2", "opaque": "opq"},
    },
]


def _part(mid: str, i: int, kind: str, content: str, **extra: Any) -> dict[str, Any]:
    return {
        "id": f"{mid}.p{i}",
        "kind": kind,
        "content": content,
        **extra,
        "prune_state": "Intact",
    }


_TOOLS_DRIVER: dict[str, Any] = {
    "prepare_protocol_iteration": [[_projected(True)]],
    "handle_llm_success": [
        [
            {
                "AppendEvents": [
                    {
                        "Conversation": {
                            "id": "m1",
                            "role": "Assistant",
                            "parts": [
                                _part(
                                    "m1",
                                    0,
                                    "ToolCall",
                                    '{"path":"a.txt"}',
                                    tool_call_id="call_1",
                                    tool_name="read",
                                ),
                                _part(
                                    "m1",
                                    1,
                                    "ToolCall",
                                    '{"pattern":"x"}',
                                    tool_call_id="call_2",
                                    tool_name="grep",
                                    tool_replay={"item_id": "fc_2", "opaque": "opq"},
                                ),
                            ],
                        }
                    }
                ]
            },
            {"StartTools": {"calls": _TOOL_CALLS_008}},
        ],
        [{"AppendEvents": [_record("m3", "All done.")]}, _finished("All done.")],
    ],
    "handle_tool_results": [
        [
            {
                "AppendEvents": [
                    {
                        "Conversation": {
                            "id": "m2",
                            "role": "User",
                            "parts": [
                                _part(
                                    "m2",
                                    0,
                                    "ToolResult",
                                    "contents of a",
                                    tool_call_id="call_1",
                                    tool_name="read",
                                ),
                                _part(
                                    "m2",
                                    1,
                                    "ToolResult",
                                    "no match",
                                    tool_call_id="call_2",
                                    tool_name="grep",
                                ),
                            ],
                        }
                    }
                ]
            },
            "AdvanceProtocolIteration",
            _projected(True),
        ]
    ],
}


def _tool_result(call_json: dict[str, Any], output: Any, text: str, ms: int) -> dict[str, Any]:
    return {
        "call_id": call_json["call_id"],
        "tool_name": call_json["tool_name"],
        "args": call_json["args"],
        "output": output,
        "model_return": {
            "call_id": call_json["call_id"],
            "tool_name": call_json["tool_name"],
            "parts": [{"type": "text", "text": text}],
        },
        "duration_ms": ms,
        "replay": None,
    }


def _tools_then_final(host: Host) -> None:
    host.drain()
    tool_parts = [
        {
            "ToolCall": {
                "call_id": c["call_id"],
                "tool_name": c["tool_name"],
                "input_json": '{"path":"a.txt"}' if c["tool_name"] == "read" else '{"pattern":"x"}',
                "replay": c["replay"],
            }
        }
        for c in _TOOL_CALLS_008
    ]
    host.answer(
        "LlmComplete",
        result=llm_ok("", reason="tool_use", parts=tool_parts),
        text_streamed=False,
    )
    host.drain()
    host.checkpoint()
    failure = {
        "class": "execution",
        "code": "no_match",
        "message": "no match",
        "source": "runtime",
        "retry": {"type": "never"},
    }
    results = [
        _tool_result(
            _TOOL_CALLS_008[0],
            {"outcome": {"status": "success", "payload": "contents of a"}},
            "contents of a",
            4,
        ),
        _tool_result(
            _TOOL_CALLS_008[1],
            {"outcome": {"status": "failure", "payload": failure}},
            "no match",
            9,
        ),
    ]
    host.answer("ToolResults", results=results)
    host.checkpoint()
    host.drain()
    host.answer(
        "LlmComplete",
        result=llm_ok(
            "All done.",
            input_tokens=40,
            output_tokens=8,
            cached_input_tokens=12,
            reasoning_tokens=3,
        ),
        text_streamed=False,
    )
    host.drain()
    host.done()


def _llm_error_retryable(host: Host) -> None:
    host.drain()
    host.answer("LlmComplete", result=llm_err(), text_streamed=False)
    host.drain()
    host.done()


def _checkpoint_empty_prepare(host: Host) -> None:
    host.drain()
    host.checkpoint()
    host.answer("Checkpoint", delivery=EMPTY_DELIVERY)
    host.checkpoint()
    host.drain()
    host.answer("LlmComplete", result=llm_ok("a"), text_streamed=False)
    host.drain()


_EXPLICIT_REQUEST: dict[str, Any] = {
    "model": "test-model",
    "messages": [
        {
            "role": "User",
            "blocks": [
                {
                    "Text": {
                        "text": "What did it print?",
                        "response_meta": None,
                        "cache_breakpoint": False,
                    }
                }
            ],
        }
    ],
    "attachments": [],
    "tools": [],
    "tool_choice": "None",
    "model_variant": None,
    "generation": {},
    "session_id": None,
    "output_spec": None,
}


def _exec_code(host: Host) -> None:
    host.drain()
    host.checkpoint()
    host.answer("ExecResult", result={"Ok": _w(samples.exec_response("1"))})
    host.checkpoint()
    host.drain()
    host.answer("LlmComplete", result=llm_ok("It printed 1."), text_streamed=True)
    host.drain()
    host.done()


def _turn_limit(host: Host) -> None:
    host.drain()
    host.answer("LlmComplete", result=llm_ok("Working on it."), text_streamed=True)
    host.drain()
    host.answer("Checkpoint", delivery=delivery(samples.plugin_message("one more thing")))
    host.checkpoint()
    host.drain()
    host.answer("LlmComplete", result=llm_ok("Stopping here."), text_streamed=True)
    host.drain()
    host.answer("Checkpoint", delivery=delivery(samples.plugin_message("and another")))
    host.drain()
    host.done()


def _context_window(host: Host) -> None:
    host.drain()
    result = llm_ok(
        "", reason="output_limit", input_tokens=90, cached_input_tokens=5, output_tokens=0
    )
    host.answer("LlmComplete", result=result, text_streamed=False)
    host.checkpoint()
    host.drain()
    host.done()


def _surface_sync(host: Host) -> None:
    host.drain()
    sync = {
        "system_prompt": "fresh prompt",
        "tool_specs": [_w(samples.tool_spec("read")), _w(samples.tool_spec("grep"))],
    }
    host.answer("ExecutionSurfaceSynced", result={"Ok": sync})
    host.checkpoint()
    host.drain()
    host.answer("LlmComplete", result=llm_ok("Done."), text_streamed=False)
    host.drain()
    host.done()


def _turn_causes(host: Host) -> None:
    host.drain()
    both = delivery(
        transient=[samples.plugin_message("a transient note", "System")],
        causes=[samples.turn_cause("wake:1"), samples.turn_cause("wake:2", "  second wake  ")],
    )
    host.answer("Checkpoint", delivery=both)
    host.checkpoint()
    host.drain()
    host.answer("LlmComplete", result=llm_ok("Handled both."), text_streamed=True)
    host.drain()
    host.done()


def _stale_and_wrong(host: Host) -> None:
    host.drain()
    host.respond("LlmComplete", {"id": 7, "result": llm_ok("stale"), "text_streamed": False})
    host.answer("ToolResults", results=RESULTS[:1])
    host.drain()
    host.checkpoint()
    host.answer("LlmComplete", result=llm_ok("Hi!"), text_streamed=False)
    host.drain()
    host.done()


SCENARIOS: tuple[_Scenario, ...] = (
    _Scenario(
        "minimal-final-answer",
        "No surface sync; prepare starts a projected LLM call without tools; the LLM answers "
        "(stop); the driver appends the assistant message and finishes. Checkpoints in "
        "PreparingProtocol, WaitingLlm and Finished (as recorded upstream, 001/054)",
        {},
        {
            "prepare_protocol_iteration": [[_projected()]],
            "handle_llm_success": [[{"AppendEvents": [_record("m1", "Hi!")]}, _finished("Hi!")]],
        },
        _minimal,
        ("Emit:llm_request", "LlmCall", "Emit:token_usage", "Progress", *_FINISH_LABELS),
    ),
    _Scenario(
        "tools-then-final",
        "The LLM asks for two tools (tool_use); the driver appends the tool-call message and "
        "starts ToolCalls; the results emit one tool_call event each; the driver appends the "
        "results, advances the iteration and projects a second LLM call that ends the turn "
        "(as recorded upstream, 008)",
        {
            "run_session_id": "run-1",
            "tool_specs": [_tool_spec_json("read"), _tool_spec_json("grep")],
            "system_prompt": "sys",
        },
        _TOOLS_DRIVER,
        _tools_then_final,
        (
            "Emit:llm_request",
            "LlmCall",
            "Emit:token_usage",
            "ToolCalls",
            "Progress",
            "Emit:tool_call",
            "Emit:tool_call",
            "Emit:llm_request",
            "LlmCall",
            "Progress",
            "Emit:token_usage",
            "Progress",
            *_FINISH_LABELS,
        ),
    ),
    _Scenario(
        "llm-error-retryable",
        "LlmComplete Err with retryable=true is not retried: an error event (envelope code "
        "from the error, raw trimmed) and Stopped(provider_error) (as recorded upstream, 013)",
        {},
        {"prepare_protocol_iteration": [[_projected()]]},
        _llm_error_retryable,
        ("Emit:llm_request", "LlmCall", "Emit:error", *_FINISH_LABELS),
    ),
    _Scenario(
        "checkpoint-after-work-empty-prepare",
        "StartCheckpoint(after_work, on_empty PrepareIteration) answered with an empty "
        "delivery: PrepareIteration without Progress; the next poll calls "
        "prepare_protocol_iteration again (as recorded upstream, 029)",
        {},
        {
            "prepare_protocol_iteration": [[_start_checkpoint("after_work")], [_projected()]],
            "handle_llm_success": [[_finished("a")]],
        },
        _checkpoint_empty_prepare,
        (
            "Checkpoint",
            "Emit:llm_request",
            "LlmCall",
            "Emit:token_usage",
            *_FINISH_LABELS,
        ),
    ),
    _Scenario(
        "exec-code",
        "The driver starts ExecCode with a driver state; the Ok result goes to "
        "handle_exec_result, which appends the observation, advances the iteration and starts "
        "an explicit (not projected) StartLlm; the streamed answer finishes the turn",
        {},
        {
            "prepare_protocol_iteration": [
                [{"StartExec": {"code": "print(1)", "driver_state": {"step": 1}}}]
            ],
            "handle_exec_result": [
                [
                    {"AppendEvents": [_record("m1", "exec printed 1")]},
                    "AdvanceProtocolIteration",
                    {"StartLlm": {"request": _EXPLICIT_REQUEST, "driver_state": {"step": 2}}},
                ]
            ],
            "handle_llm_success": [[_finished("It printed 1.")]],
        },
        _exec_code,
        (
            "ExecCode",
            "Emit:llm_request",
            "LlmCall",
            "Progress",
            "Emit:token_usage",
            *_FINISH_LABELS,
        ),
    ),
    _Scenario(
        "turn-limit-final-message",
        "max_turns 1: a before_completion checkpoint with a delivery moves to iteration 1, "
        "which reaches the limit, so the configured turn-limit message is appended (synthetic "
        "id) and scheduled; after the grace turn the next non-empty before_completion "
        "delivery ends the turn Stopped(max_turns)",
        {"max_turns": 1},
        {
            "prepare_protocol_iteration": [[_projected()], [_projected()]],
            "handle_llm_success": [
                [
                    {"AppendEvents": [_record("m1", "Working on it.")]},
                    _start_checkpoint("before_completion", _finished("Working on it.")),
                ],
                [
                    {"AppendEvents": [_record("m4", "Stopping here.")]},
                    _start_checkpoint("before_completion", _finished("Stopping here.")),
                ],
            ],
        },
        _turn_limit,
        (
            "Emit:llm_request",
            "LlmCall",
            "Emit:token_usage",
            "Checkpoint",
            "Progress",
            "Progress",
            "Emit:llm_request",
            "LlmCall",
            "Emit:token_usage",
            "Checkpoint",
            "Progress",
            "Progress",
            *_FINISH_LABELS,
        ),
    ),
    _Scenario(
        "context-window-refinement",
        "max_context_tokens 100: an output_limit answer with 0 output tokens and 90+5 prompt "
        "tokens (>= 95) is refined to context_overflow with the fixed diagnostic "
        f"({CONTEXT_WINDOW_DIAGNOSTIC!r}): an error event and Stopped(provider_error); the "
        "driver is not called",
        {"max_context_tokens": 100},
        {"prepare_protocol_iteration": [[_projected()]]},
        _context_window,
        (
            "Emit:llm_request",
            "LlmCall",
            "Emit:token_usage",
            "Emit:llm_response",
            "Emit:error",
            *_FINISH_LABELS,
        ),
    ),
    _Scenario(
        "surface-sync-update",
        "sync_execution_surface: the first poll asks SyncExecutionSurface "
        "(update_machine_config false); Ok(Some) replaces the live system prompt and tools, "
        "which the projected request then uses. Not part of a checkpoint: in the restore "
        "variant the restored machine projects with the trace's own config",
        {
            "sync_execution_surface": True,
            "system_prompt": "sys",
            "tool_specs": [_w(samples.tool_spec("read"))],
        },
        {
            "prepare_protocol_iteration": [[_projected(True)]],
            "handle_llm_success": [[_finished("Done.")]],
        },
        _surface_sync,
        (
            "SyncExecutionSurface",
            "Emit:llm_request",
            "LlmCall",
            "Emit:token_usage",
            *_FINISH_LABELS,
        ),
    ),
    _Scenario(
        "turn-causes-delivered",
        "A turn started by a wake (turn cause wake:1) gets a checkpoint delivery with a "
        "transient System message, the duplicate wake:1 (dropped) and wake:2 (appended as an "
        "Event message); the projected request renders both causes as TURN EVENTS",
        {},
        {
            "prepare_protocol_iteration": [[_start_checkpoint("after_work")], [_projected()]],
            "handle_llm_success": [[_finished("Handled both.")]],
        },
        _turn_causes,
        (
            "Checkpoint",
            "Progress",
            "Emit:llm_request",
            "LlmCall",
            "Emit:token_usage",
            *_FINISH_LABELS,
        ),
        samples.trace_start(turn_causes=(samples.turn_cause("wake:1"),)),
    ),
    _Scenario(
        "stale-and-wrong-kind-ignored",
        "While WaitingLlm, an LlmComplete with another id and a ToolResults with the awaited "
        "id are both dropped silently; the awaited answer then completes the turn",
        {},
        {
            "prepare_protocol_iteration": [[_projected()]],
            "handle_llm_success": [[_finished("Hi!")]],
        },
        _stale_and_wrong,
        ("Emit:llm_request", "LlmCall", "Emit:token_usage", *_FINISH_LABELS),
    ),
)


def _scenario_trace(scenario: _Scenario, restore: bool) -> CaseSpec:
    config = _config(**scenario.config)
    host = Host(config, scenario.start, scenario.driver, restore_every_step=restore)
    scenario.program(host)
    if not restore and tuple(host.labels) != scenario.labels:
        raise CorpusError(
            f"turn trace {scenario.name}: expected effects {list(scenario.labels)}, "
            f"the model gives {host.labels}"
        )
    if restore:
        return CaseSpec(
            f"turn_trace/scenario-restore/{scenario.name}",
            scenario.description
            + ". Variant: checkpoint() checked and restored from its JSON after every "
            "poll/respond/done step (each outstanding effect is redelivered once after a "
            "restore; a drain stops at the first redelivered effect)",
            host.body(),
        )
    return CaseSpec(f"turn_trace/scenario/{scenario.name}", scenario.description, host.body())


# ---------------------------------------------------------------------------
# Generated host runs
# ---------------------------------------------------------------------------

GENERATED_RUNS = 30
"""Drawn plans; each is written twice (plain, and with restore after every step)."""

DRAWN_PLANS = 200
"""Plans drawn; the first ``GENERATED_RUNS`` that exercise something new are kept."""

PLAN_OPS = 26
"""A plan stops after this many host operations (the restore variant has ~3x the steps)."""

_CORPUS_MOVES = ("valid", "stale", "wrong", "checkpoint", "done")
"""The corpus's generated runs answer, checkpoint and ask ``is_done``; single polls and
restores at drawn points are left to ``lash-spec fuzz`` (the restore variant covers them)."""


def _diverse(plans: Sequence[TracePlan], n: int) -> list[tuple[TracePlan, Played]]:
    """The first ``n`` plans (in draw order) that each exercise something new, each
    with its plain run."""
    covered: set[Any] = set()
    chosen = []
    for plan in plans:
        played = run_plan(plan, max_ops=PLAN_OPS)
        if played.exercised - covered:
            covered |= played.exercised
            chosen.append((plan, played))
            if len(chosen) == n:
                break
    return chosen


def _generated(chosen: Sequence[tuple[TracePlan, Played]], restore: bool) -> Iterable[CaseSpec]:
    suffix = "; checkpoint() checked and restored after every poll/respond/done step" * restore
    prefix = "turn_trace/restore" if restore else "turn_trace"
    for plan, plain in chosen:
        played = run_plan(plan, restore_every_step=True, max_ops=PLAN_OPS) if restore else plain
        yield gen_case(
            prefix,
            f"generated host run (random driver script; valid, stale and wrong-kind answers),"
            f" ends in {played.end}{suffix}",
            played.body,
        )


# ---------------------------------------------------------------------------
# render_turn_causes_prompt
# ---------------------------------------------------------------------------


def _cause(cid: str, origin: dict[str, Any], text: str, event: str = "process.wake") -> Any:
    return {"id": cid, "event_type": event, "origin": origin, "text": text}


_PROCESS = {
    "kind": "process",
    "process_id": "process-1",
    "event_type": "process.wake",
    "sequence": 7,
    "wake_id": "wake:1",
}

RENDER_CASES: list[tuple[str, list[Any], str | None]] = [
    ("empty", [], None),
    (
        "process-with-wake",
        [_cause("wake:1", _PROCESS, "blue button pressed")],
        "=== TURN EVENTS ===\n\n--- event[0] · process.wake · wake:1 ---\n"
        "Origin: process process-1 process.wake #7 (wake:1)\n\nblue button pressed",
    ),
    (
        "process-without-wake-and-trimmed-text",
        [
            _cause(
                "c",
                {"kind": "process", "process_id": "p", "event_type": "exit", "sequence": 0},
                " \n\tdone\u3000 ",
                "process.exit",
            )
        ],
        "=== TURN EVENTS ===\n\n--- event[0] · process.exit · c ---\n"
        "Origin: process p exit #0\n\ndone",
    ),
    (
        "plugin-transient-and-plain",
        [
            _cause("a", {"kind": "plugin", "plugin_id": "clock", "transient": True}, "tick", "t"),
            _cause("b", {"kind": "plugin", "plugin_id": "clock"}, "", "t"),
        ],
        "=== TURN EVENTS ===\n\n--- event[0] · t · a ---\nOrigin: plugin clock (transient)"
        "\n\ntick\n\n--- event[1] · t · b ---\nOrigin: plugin clock\n\n",
    ),
]


def _render_cases() -> Iterable[CaseSpec]:
    for name, causes, expected in RENDER_CASES:
        yield CaseSpec(
            f"render_turn_causes_prompt/{name}",
            "the TURN EVENTS block of a projected request (null without causes)",
            call("render_turn_causes_prompt", [causes], expect=expected),
        )
    yield from op_cases("render_turn_causes_prompt", 20)


# ---------------------------------------------------------------------------


def files() -> Iterable[FileSpec]:
    drawn = draw(plans(min_moves=4, moves=_CORPUS_MOVES), DRAWN_PLANS)
    chosen = _diverse(drawn, GENERATED_RUNS)
    cases = [
        *_render_cases(),
        *_pair_traces(),
        *(_scenario_trace(s, restore=False) for s in SCENARIOS),
        *(_scenario_trace(s, restore=True) for s in SCENARIOS),
        *_generated(chosen, restore=False),
        *_generated(chosen, restore=True),
    ]
    for case in cases:
        if "steps" in case.body and not serde_reads_exactly(case.body):
            raise CorpusError(f"{case.id}: a turn trace holds a float serde_json would misread")
    yield FileSpec(
        name="003-turn-traces",
        seed="003",
        concept="turn_machine",
        description=(
            "The sans-IO turn machine: one trace per (state, input) outcome of the transition "
            "table; whole-turn scenarios and generated host runs, each also with checkpoint -> "
            "restore after every poll/respond/done step; render_turn_causes_prompt"
        ),
        cases=unique(cases),
    )

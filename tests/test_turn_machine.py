"""Seed 003 turn machine: recorded traces, the transition table, hand-derived rules."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from lash_spec.conformance import check_case
from lash_spec.model.sansio import (
    Effect,
    MachineState,
    MachineStateFinished,
    MachineStatePrepareIteration,
    MachineStatePreparingProtocol,
    MachineStateWaitingExec,
    MachineStateWaitingExecutionSurface,
    MachineStateWaitingTools,
    TurnCheckpoint,
)
from lash_spec.model.session import SessionEvent, TokenUsage, TurnTerminationPolicyState
from lash_spec.turn_machine import samples
from lash_spec.turn_machine.actions import DriverAction
from lash_spec.turn_machine.checkpoint import (
    checkpoint_text,
    expected_after_restore,
    parse_checkpoint,
)
from lash_spec.turn_machine.config import TraceConfig
from lash_spec.turn_machine.driver import ScriptedDriver
from lash_spec.turn_machine.machine import (
    TurnMachine,
    refine_terminal_reason_for_context_window,
    terminal_reason_debug,
    truncate_raw_error,
)
from lash_spec.turn_machine.projector import (
    ChatContextProjector,
    ProjectorContext,
    render_turn_causes_prompt,
)
from lash_spec.turn_machine.responses import RESPONSE_KINDS, Response
from lash_spec.turn_machine.states import StateKind, state_kind
from lash_spec.turn_machine.trace import TraceRecorder, check_body
from lash_spec.turn_machine.transitions import (
    ACTIONS,
    TRANSITIONS,
    InputKind,
    Outcome,
    effect_label,
    expected_effects,
    markdown_table,
    mermaid_diagram,
    outcomes,
)
from lash_spec.wire.codec import from_wire, to_json, to_wire

EXAMPLES = Path(__file__).resolve().parent / "fixtures" / "recorded"
TRACE_FILES = sorted(EXAMPLES.glob("turn-trace-*.json"))


# ---------------------------------------------------------------------------
# Recorded traces
# ---------------------------------------------------------------------------


def test_recorded_traces_are_present() -> None:
    assert len(TRACE_FILES) >= 5, f"no recorded turn traces under {EXAMPLES}"


@pytest.mark.parametrize("path", TRACE_FILES, ids=lambda p: p.stem)
def test_recorded_trace_passes(path: Path) -> None:
    body = json.loads(path.read_text(encoding="utf-8"))["body"]
    result = check_case(body)
    assert result.status == "passed", result.detail
    assert result.kind == "turn_trace"


@pytest.mark.parametrize("path", TRACE_FILES, ids=lambda p: p.stem)
def test_recorded_trace_fails_at_the_first_wrong_step(path: Path) -> None:
    body = json.loads(path.read_text(encoding="utf-8"))["body"]
    index = next(i for i, step in enumerate(body["steps"]) if "poll" in step)
    body["steps"][index] = {"poll": {"CancelLlm": {"id": 99}}}
    result = check_case(body)
    assert result.status == "failed"
    assert result.path is not None and result.path.startswith(f"$.steps[{index}].poll")
    assert f"step {index}" in result.detail


def test_trace_reports_the_json_path_inside_a_checkpoint() -> None:
    body = json.loads((EXAMPLES / "turn-trace-001-minimal-final-answer.json").read_text())["body"]
    body["steps"][0]["checkpoint"]["next_synthetic_message_id"] = 2
    result = check_body(body)
    assert result.status == "failed"
    assert result.path == "$.steps[0].checkpoint.next_synthetic_message_id"


def test_trace_rejects_an_undecodable_response() -> None:
    body = json.loads((EXAMPLES / "turn-trace-013-llm-error-retryable.json").read_text())["body"]
    index = next(i for i, step in enumerate(body["steps"]) if "respond" in step)
    del body["steps"][index]["respond"]["LlmComplete"]["text_streamed"]
    result = check_body(body)
    assert result.status == "failed"
    assert result.path == f"$.steps[{index}].respond.LlmComplete"


# ---------------------------------------------------------------------------
# The transition table, run pair by pair
# ---------------------------------------------------------------------------


def test_table_covers_every_pair() -> None:
    assert set(TRANSITIONS) == {(s, i) for s in StateKind for i in InputKind}
    assert all(TRANSITIONS[key] for key in TRANSITIONS)
    assert [i.value for i in InputKind if i is not InputKind.POLL] == list(RESPONSE_KINDS)
    cases = [(s, i, o.case) for s, i, o in outcomes()]
    assert len(cases) == len(set(cases))


def _request_json() -> dict[str, Any]:
    return {
        "model": "test-model",
        "messages": [],
        "attachments": [],
        "tools": [],
        "tool_choice": "None",
        "model_variant": None,
        "generation": {},
        "session_id": None,
        "output_spec": None,
    }


CALLS = (samples.pending_tool("call_1"), samples.pending_tool("call_2", "grep"))


def _state(kind: StateKind, case: str) -> MachineState:
    if kind is StateKind.PREPARING_PROTOCOL:
        return MachineStatePreparingProtocol()
    if kind is StateKind.WAITING_EXECUTION_SURFACE:
        return MachineStateWaitingExecutionSurface(effect_id=1, update_machine_config=True)
    if kind is StateKind.PREPARE_ITERATION:
        return MachineStatePrepareIteration()
    if kind is StateKind.WAITING_LLM:
        return from_wire(
            MachineState,
            {"WaitingLlm": {"effect_id": 1, "request": _request_json(), "driver_state": {"s": 1}}},
        )
    if kind is StateKind.WAITING_TOOLS:
        return MachineStateWaitingTools(effect_id=1, calls=CALLS)
    if kind is StateKind.WAITING_EXEC:
        return MachineStateWaitingExec(effect_id=1, code="print(1)", driver_state={"k": 2})
    if kind is StateKind.WAITING_CHECKPOINT:
        cp_kind = "before_completion" if "before_completion" in case else "after_work"
        on_empty: Any = (
            {"Finish": {"stopped": "plugin_abort"}}
            if case == "empty_finish"
            else "PrepareIteration"
        )
        return from_wire(
            MachineState,
            {"WaitingCheckpoint": {"effect_id": 1, "checkpoint": cp_kind, "on_empty": on_empty}},
        )
    return MachineStateFinished()


def _config(case: str, emit_llm_trace: bool) -> TraceConfig:
    fields: dict[str, Any] = {"emit_llm_trace": emit_llm_trace, "tool_specs": []}
    if case in ("sync", "needs_sync", "synced"):
        fields["sync_execution_surface"] = True
    if case == "ok_context_window":
        fields["max_context_tokens"] = 100
    if case == "delivery_before_completion_limit":
        fields["max_turns"] = 1
    return samples.trace_config(**fields)


def _machine(
    kind: StateKind, case: str, emit_llm_trace: bool
) -> tuple[TurnMachine, ScriptedDriver]:
    driver = ScriptedDriver()
    checkpoint = TurnCheckpoint(
        state=_state(kind, case),
        pending_effects=(),
        next_effect_id=2,
        next_synthetic_message_id=1,
        messages=(samples.user_message("m0", "Hello there"),),
        events=(),
        turn_causes=(),
        progress_event_cursor=0,
        protocol_iteration=0,
        protocol_run_offset=0,
        cumulative_usage=TokenUsage(),
        termination=TurnTerminationPolicyState(
            turn_limit_final_scheduled=case == "delivery_before_completion_grace"
        ),
        synced_protocol_iteration=0 if case == "synced" else None,
    )
    config = _config(case, emit_llm_trace).machine_config(driver)
    machine = TurnMachine.restore_from_checkpoint(config, checkpoint)
    if kind.waiting:  # take the redelivery out of the way
        redelivered = machine.poll_effect()
        assert redelivered is not None and getattr(redelivered, "id", None) == 1
        assert machine.pending_effects == () and not machine.redelivery_pending
    return machine, driver


def _response(inp: InputKind, case: str, streamed: bool) -> Response:
    rid = 7 if case == "stale_id" else 1
    body: Any
    if inp is InputKind.EXECUTION_SURFACE_SYNCED:
        result: Any = {"Ok": None}
        if case == "ok_update":
            result = {
                "Ok": {"system_prompt": "new", "tool_specs": [to_wire(samples.tool_spec("x"))]}
            }
        elif case == "err":
            result = {"Err": "boom"}
        body = {"id": rid, "result": result}
    elif inp is InputKind.LLM_COMPLETE:
        if case == "err":
            result = {"Err": to_wire(samples.llm_error())}
        elif case == "ok_terminal":
            result = {"Ok": to_wire(samples.llm_response("partial", reason="content_filter"))}
        elif case == "ok_context_window":
            response = samples.llm_response(
                "x", reason="output_limit", input_tokens=90, cached_input_tokens=5, output_tokens=0
            )
            result = {"Ok": to_wire(response)}
        else:
            result = {"Ok": to_wire(samples.llm_response("Hi!", reason="tool_use"))}
        body = {"id": rid, "result": result, "text_streamed": streamed}
    elif inp is InputKind.TOOL_RESULTS:
        body = {"id": rid, "results": [to_wire(samples.completed_tool(c)) for c in CALLS]}
    elif inp is InputKind.EXEC_RESULT:
        result = {"Err": "boom"} if case == "err" else {"Ok": to_wire(samples.exec_response())}
        body = {"id": rid, "result": result}
    else:
        empty = case.startswith("empty") or case in ("stale_id", "ignored")
        delivery = {
            "messages": [] if empty else [to_wire(samples.plugin_message("note"))],
            "transient_messages": [],
            "turn_causes": [],
        }
        body = {"id": rid, "delivery": delivery}
    return from_wire(Response, {inp.value: body})


CASES = [pytest.param(s, i, o, id=f"{s.value}-{i.value}-{o.case}") for s, i, o in outcomes()]


@pytest.mark.parametrize("emit_llm_trace", [False, True], ids=["quiet", "trace"])
@pytest.mark.parametrize("streamed", [True, False], ids=["streamed", "unstreamed"])
@pytest.mark.parametrize(("state", "inp", "outcome"), CASES)
def test_transition_table_case(
    state: StateKind, inp: InputKind, outcome: Outcome, emit_llm_trace: bool, streamed: bool
) -> None:
    machine, driver = _machine(state, outcome.case, emit_llm_trace)
    if inp is InputKind.POLL:
        first = machine.poll_effect()
        delivered = [] if first is None else [first]
    else:
        machine.handle_response(_response(inp, outcome.case, streamed))
        delivered = []
    labels = [effect_label(e) for e in (*delivered, *machine.pending_effects)]
    assert state_kind(machine.state) is outcome.next_state
    assert tuple(labels) == expected_effects(
        outcome, emit_llm_trace=emit_llm_trace, unstreamed_text=not streamed, results=len(CALLS)
    )
    assert driver.calls == ([outcome.driver] if outcome.driver else [])


def test_actions_table_matches_apply_actions() -> None:
    assert set(ACTIONS) == {rule.wire_name for rule in DriverAction.__serde_variants__}  # type: ignore[attr-defined]
    examples = {
        "Emit": {"Emit": {"type": "text_delta", "content": "x"}},
        "AppendEvents": {"AppendEvents": [to_wire(samples.assistant_record("m1", "a"))]},
        "StartLlm": {"StartLlm": {"request": _request_json(), "driver_state": None}},
        "StartTools": {"StartTools": {"calls": [to_wire(CALLS[0])]}},
        "StartExec": {"StartExec": {"code": "1", "driver_state": None}},
        "StartCheckpoint": {
            "StartCheckpoint": {"checkpoint": "after_work", "on_empty": "PrepareIteration"}
        },
        "AdvanceProtocolIteration": "AdvanceProtocolIteration",
        "ScheduleTurnLimitFinal": {
            "ScheduleTurnLimitFinal": {"message": to_wire(samples.user_message("t", "limit"))}
        },
        "Finish": {"Finish": {"stopped": "max_turns"}},
        "StartLlmProjected": {"StartLlmProjected": {"use_tools": False, "driver_state": None}},
    }
    for name, action_json in examples.items():
        rule = ACTIONS[name]
        machine = TurnMachine(
            samples.trace_config(max_turns=0).machine_config(ScriptedDriver()),
            [samples.user_message("m0", "hi")],
            [],
            0,
        )
        machine.apply_actions([from_wire(DriverAction, action_json)])
        labels = [effect_label(e) for e in machine.pending_effects]
        expected_state = rule.next_state or StateKind.PREPARING_PROTOCOL
        assert state_kind(machine.state) is expected_state, name
        effects = [e.replace("*", "text_delta") for e in rule.effects]
        if rule.progress:
            effects.append("Progress")
        assert labels == effects, name


def test_table_renders_every_pair() -> None:
    table = markdown_table()
    for state, inp, outcome in outcomes():
        assert f"| {state.value} | {inp.value} | {outcome.when}" in table
    diagram = mermaid_diagram()
    assert diagram.startswith("stateDiagram-v2")
    changing = [o for _, _, o in outcomes() if not o.ignored]
    for o in changing:
        assert f": {o.case}" in diagram


# ---------------------------------------------------------------------------
# Hand-derived rules
# ---------------------------------------------------------------------------


def _run(config: TraceConfig, driver: ScriptedDriver, **start: Any) -> TraceRecorder:
    return TraceRecorder(config, samples.trace_start(**start), driver)


def _drain(machine: TurnMachine) -> list[Any]:
    out = []
    while (effect := machine.poll_effect()) is not None:
        out.append(to_wire(effect))
    return out


def _script(**queues: list[list[Any]]) -> ScriptedDriver:
    return ScriptedDriver.from_wire(queues)


def test_context_window_refinement_threshold() -> None:
    def reason(inp: int, cached: int, out: int, window: int | None) -> str:
        response = samples.llm_response(
            "",
            reason="output_limit",
            input_tokens=inp,
            cached_input_tokens=cached,
            output_tokens=out,
        )
        return refine_terminal_reason_for_context_window(response, window).terminal_reason.value

    assert reason(90, 5, 0, 100) == "context_overflow"  # 95 >= 100*95/100
    assert reason(90, 4, 0, 100) == "output_limit"
    assert reason(189, 0, 0, 199) == "context_overflow"  # 199*95//100 == 189
    assert reason(188, 0, 0, 199) == "output_limit"
    assert reason(1000, 0, 1, 100) == "output_limit"  # some output: a real limit
    assert reason(1000, 0, 0, None) == "output_limit"
    assert reason(1000, 0, 0, 0) == "output_limit"
    stop = samples.llm_response("", reason="stop", input_tokens=1000, output_tokens=0)
    assert refine_terminal_reason_for_context_window(stop, 10) is stop


def test_negative_prompt_tokens_count_as_zero() -> None:
    response = samples.llm_response("", reason="output_limit", input_tokens=-5, output_tokens=0)
    # threshold 1*95/100 == 0, and max(0, -5) == 0 >= 0
    refined = refine_terminal_reason_for_context_window(response, 1)
    assert refined.terminal_reason.value == "context_overflow"


def test_terminal_reason_debug_names() -> None:
    from lash_spec.model.llm import LlmTerminalReason

    assert [terminal_reason_debug(r) for r in LlmTerminalReason] == [
        "Stop",
        "ToolUse",
        "OutputLimit",
        "ContextOverflow",
        "ContentFilter",
        "ProviderError",
        "Cancelled",
        "Unknown",
    ]


def test_truncate_raw_error() -> None:
    assert truncate_raw_error("x" * 4000) == "x" * 4000
    long = "a" * 2000 + "b" * 5 + "c" * 2000
    assert truncate_raw_error(long) == "a" * 2000 + "\n\n... (5 chars omitted) ...\n\n" + "c" * 2000


def test_terminal_llm_response_events() -> None:
    rec = _run(
        samples.trace_config(),
        _script(
            prepare_protocol_iteration=[
                [{"StartLlmProjected": {"use_tools": False, "driver_state": None}}]
            ]
        ),
    )
    assert _drain(rec.machine)[1]["LlmCall"]["id"] == 1
    rec.respond(
        from_wire(
            Response,
            {
                "LlmComplete": {
                    "id": 1,
                    "result": {"Ok": to_wire(samples.llm_response("part", reason="output_limit"))},
                    "text_streamed": False,
                }
            },
        )
    )
    effects = _drain(rec.machine)
    assert effects[:4] == [
        {
            "Emit": {
                "type": "token_usage",
                "protocol_iteration": 0,
                "usage": {
                    "input_tokens": 10,
                    "output_tokens": 5,
                    "cached_input_tokens": 0,
                    "reasoning_tokens": 0,
                },
                "cumulative": {
                    "input_tokens": 10,
                    "output_tokens": 5,
                    "cached_input_tokens": 0,
                    "reasoning_tokens": 0,
                },
            }
        },
        {"Emit": {"type": "text_delta", "content": "part"}},
        {
            "Emit": {
                "type": "llm_response",
                "protocol_iteration": 0,
                "content": "part",
                "duration_ms": 0,
            }
        },
        {
            "Emit": {
                "type": "error",
                "message": "Model call ended with terminal reason OutputLimit.",
                "envelope": {
                    "kind": "llm_provider",
                    "code": "output_limit",
                    "terminal_reason": "output_limit",
                    "user_message": "Model call ended with terminal reason OutputLimit.",
                },
            }
        },
    ]
    assert effects[4] == {"Emit": {"type": "turn_outcome", "outcome": {"stopped": "incomplete"}}}
    assert "Done" in effects[6] and rec.machine.is_done()


def test_context_overflow_diagnostic() -> None:
    rec = _run(
        samples.trace_config(max_context_tokens=100),
        _script(
            prepare_protocol_iteration=[
                [{"StartLlmProjected": {"use_tools": False, "driver_state": None}}]
            ]
        ),
    )
    _drain(rec.machine)
    response = samples.llm_response("", reason="output_limit", input_tokens=95, output_tokens=0)
    rec.respond(
        from_wire(
            Response,
            {"LlmComplete": {"id": 1, "result": {"Ok": to_wire(response)}, "text_streamed": False}},
        )
    )
    effects = _drain(rec.machine)
    assert effects[1] == {
        "Emit": {"type": "llm_response", "protocol_iteration": 0, "content": "", "duration_ms": 0}
    }
    error = effects[2]["Emit"]
    assert error["message"] == (
        "Model produced no output because the prompt reached the configured context window."
    )
    assert error["envelope"]["code"] == "context_overflow"
    assert effects[3]["Emit"]["outcome"] == {"stopped": "provider_error"}


def test_llm_debug_log_parts() -> None:
    rec = _run(
        samples.trace_config(emit_llm_trace=True, session_id="s1"),
        _script(
            prepare_protocol_iteration=[
                [{"StartLlmProjected": {"use_tools": False, "driver_state": None}}]
            ]
        ),
    )
    _drain(rec.machine)
    parts = [
        {"Text": {"text": "", "response_meta": None}},
        {"Text": {"text": "hello", "response_meta": None}},
        {
            "Reasoning": {
                "text": "hmm",
                "replay": {"item_id": "r1", "signature": "sig", "summary": ["s"]},
            }
        },
        {"Reasoning": {"text": "bare", "replay": None}},
        {
            "ToolCall": {
                "call_id": "c",
                "tool_name": "t",
                "input_json": "{}",
                "replay": {"opaque": "o"},
            }
        },
    ]
    response = samples.llm_response("hello", reason="stop", parts=parts)
    rec.respond(
        from_wire(
            Response,
            {"LlmComplete": {"id": 1, "result": {"Ok": to_wire(response)}, "text_streamed": True}},
        )
    )
    effects = _drain(rec.machine)
    assert effects[1] == {
        "Log": {
            "event": {
                "LlmDebug": {
                    "session_id": "s1",
                    "protocol_iteration": 0,
                    "usage": {
                        "input_tokens": 10,
                        "output_tokens": 5,
                        "cached_input_tokens": 0,
                        "reasoning_tokens": 0,
                    },
                    "provider_usage": None,
                    "request_body": None,
                    "response_text": "hello",
                    "response_parts": [
                        {"text": "hello", "type": "text"},
                        {
                            "has_encrypted": True,
                            "id": "r1",
                            "redacted": False,
                            "summary": ["s"],
                            "text": "hmm",
                            "type": "reasoning",
                        },
                        {
                            "has_encrypted": False,
                            "id": None,
                            "redacted": False,
                            "summary": None,
                            "text": "bare",
                            "type": "reasoning",
                        },
                        {
                            "call_id": "c",
                            "has_opaque": True,
                            "id": None,
                            "input_json": "{}",
                            "tool_name": "t",
                            "type": "tool_call",
                        },
                    ],
                }
            }
        }
    }
    # the idle driver leaves the machine Finished without a Done
    assert rec.machine.is_done() and not any("Done" in e for e in effects)


def test_render_turn_causes_prompt() -> None:
    cause = samples.turn_cause("wake:abc", "  blue button pressed \n")
    plugin = from_wire(
        type(cause),
        {
            "id": "c2",
            "event_type": "note",
            "text": "x",
            "origin": {"kind": "plugin", "plugin_id": "p", "transient": True},
        },
    )
    assert render_turn_causes_prompt([]) is None
    assert render_turn_causes_prompt([cause, plugin]) == (
        "=== TURN EVENTS ===\n\n"
        "--- event[0] · process.wake · wake:abc ---\n"
        "Origin: process process-1 process.wake #7 (wake:abc)\n\n"
        "blue button pressed\n\n"
        "--- event[1] · note · c2 ---\n"
        "Origin: plugin p (transient)\n\n"
        "x"
    )


def test_projector_filters_active_cause_messages_and_prefixes_roles() -> None:
    cause = samples.turn_cause("wake:abc")
    config = samples.trace_config(
        system_prompt="  sys  ",
        tool_specs=[to_wire(samples.tool_spec("read"))],
        run_session_id="run-1",
        model_variant="v",
    ).machine_config(ScriptedDriver())
    image_part = {
        "id": "i.p0",
        "kind": "Image",
        "content": "",
        "attachment": {
            "reference": {
                "id": "att",
                "media_type": {"kind": "image", "type": "png"},
                "byte_len": 3,
            }
        },
        "prune_state": "Intact",
    }
    messages = [
        samples.user_message("m0", "hi"),
        from_wire(
            type(samples.user_message("x", "y")), {"id": "i", "role": "User", "parts": [image_part]}
        ),
        from_wire(
            type(samples.user_message("x", "y")),
            {
                "id": "s",
                "role": "System",
                "parts": [
                    {"id": "s.p0", "kind": "Output", "content": "out", "prune_state": "Cleared"},
                    {"id": "s.p1", "kind": "Text", "content": "   ", "prune_state": "Intact"},
                ],
            },
        ),
        cause.to_event_message(),
    ]
    request = ChatContextProjector().project(
        ProjectorContext(
            config=config,
            messages=messages,
            events=(),
            turn_causes=[cause],
            protocol_iteration=0,
            use_tools=True,
        )
    )
    wire = to_wire(request)
    texts = [[next(iter(b.values())).get("text") for b in m["blocks"]] for m in wire["messages"]]
    assert [m["role"] for m in wire["messages"]] == ["System", "User", "User", "System", "User"]
    assert texts[0] == ["  sys  "]
    assert wire["messages"][2]["blocks"] == [{"Image": {"attachment_idx": 0}}]
    assert texts[3] == ["Runtime note:\n<output>\n[Old tool result content cleared]\n</output>"]
    assert texts[4][0].startswith("=== TURN EVENTS ===")
    assert wire["attachments"] == [
        {
            "mime": "image/png",
            "data": [],
            "reference": {
                "id": "att",
                "media_type": {"kind": "image", "type": "png"},
                "byte_len": 3,
            },
        }
    ]
    assert wire["tool_choice"] == "Auto" and wire["tools"][0]["name"] == "read"
    assert wire["session_id"] == "run-1" and wire["model_variant"] == "v"


def test_checkpoint_delivery_messages_and_causes() -> None:
    rec = _run(
        samples.trace_config(max_turns=1),
        _script(
            prepare_protocol_iteration=[
                [
                    {
                        "StartCheckpoint": {
                            "checkpoint": "before_completion",
                            "on_empty": "PrepareIteration",
                        }
                    }
                ]
            ]
        ),
        protocol_run_offset=3,
        turn_causes=(samples.turn_cause("old"),),
    )
    assert to_wire(rec.poll()) == {"Checkpoint": {"id": 1, "checkpoint": "before_completion"}}
    origin = {"kind": "plugin", "plugin_id": "mine"}
    delivery = {
        "messages": [
            to_wire(samples.plugin_message("a")),
            to_wire(samples.plugin_message("dropped", "Assistant")),
            to_wire(samples.plugin_message("b", "System", origin=origin)),
        ],
        "transient_messages": [to_wire(samples.plugin_message("t"))],
        "turn_causes": [
            to_wire(samples.turn_cause("old")),
            to_wire(samples.turn_cause("new")),
            to_wire(samples.turn_cause("new")),
        ],
    }
    rec.respond(from_wire(Response, {"Checkpoint": {"id": 1, "delivery": delivery}}))
    checkpoint = to_wire(rec.machine.checkpoint())
    assert checkpoint["state"] == "PrepareIteration"
    assert checkpoint["protocol_iteration"] == 4
    assert checkpoint["termination"] == {"turn_limit_final_scheduled": True}
    assert checkpoint["next_synthetic_message_id"] == 5
    assert [t["id"] for t in checkpoint["turn_causes"]] == ["old", "new"]
    added = checkpoint["messages"][1:]
    assert added == [
        {
            "id": "m_sansio_3_checkpoint_1",
            "role": "User",
            "parts": [
                {
                    "id": "m_sansio_3_checkpoint_1.p0",
                    "kind": "Text",
                    "content": "a",
                    "prune_state": "Intact",
                }
            ],
            "origin": {"kind": "plugin", "plugin_id": "plugin"},
        },
        {
            "id": "m_sansio_3_checkpoint_2",
            "role": "System",
            "parts": [
                {
                    "id": "m_sansio_3_checkpoint_2.p0",
                    "kind": "Text",
                    "content": "b",
                    "prune_state": "Intact",
                }
            ],
            "origin": origin,
        },
        {
            "id": "m_sansio_3_checkpoint_3",
            "role": "User",
            "parts": [
                {
                    "id": "m_sansio_3_checkpoint_3.p0",
                    "kind": "Text",
                    "content": "t",
                    "prune_state": "Intact",
                }
            ],
            "origin": {"kind": "plugin", "plugin_id": "plugin", "transient": True},
        },
        to_wire(samples.turn_cause("new").to_event_message()),
        {
            "id": "m_sansio_3_turn_limit_4",
            "role": "System",
            "parts": [
                {
                    "id": "m_sansio_3_turn_limit_4.p0",
                    "kind": "Error",
                    "content": "Turn limit reached (1) before a final response.",
                    "prune_state": "Intact",
                }
            ],
        },
    ]
    progress = rec.poll()
    assert progress is not None and effect_label(progress) == "Progress"


def test_restore_delivers_pending_first_then_the_outstanding_effect() -> None:
    driver = _script(
        prepare_protocol_iteration=[
            [
                {"StartTools": {"calls": [to_wire(CALLS[0])]}},
                {"AppendEvents": [to_wire(samples.assistant_record("m1", "a"))]},
            ]
        ],
    )
    rec = _run(samples.trace_config(), driver)
    machine = rec.machine
    assert machine.poll_effect() is not None  # ToolCalls; Progress still queued
    checkpoint = machine.checkpoint()
    assert [effect_label(e) for e in checkpoint.pending_effects] == ["Progress"]
    restored = TurnMachine.restore_from_checkpoint(machine.config, checkpoint)
    labels = [effect_label(e) for e in iter(restored.poll_effect, None)]
    assert labels == ["Progress", "ToolCalls"]
    # a response cancels a redelivery not yet made, even a stale one
    again = TurnMachine.restore_from_checkpoint(machine.config, checkpoint)
    assert again.poll_effect() is not None  # Progress
    again.handle_response(_response(InputKind.TOOL_RESULTS, "stale_id", True))
    assert again.poll_effect() is None
    assert state_kind(again.state) is StateKind.WAITING_TOOLS


def test_expected_after_restore_rule() -> None:
    driver = _script(
        prepare_protocol_iteration=[
            [
                {"StartLlmProjected": {"use_tools": False, "driver_state": None}},
                {"AppendEvents": [to_wire(samples.assistant_record("m1", "a"))]},
            ]
        ]
    )
    machine = _run(samples.trace_config(), driver).machine
    assert machine.poll_effect() is not None  # Emit llm_request
    checkpoint = machine.checkpoint()
    original: list[Effect] = list(iter(machine.poll_effect, None))
    assert [effect_label(e) for e in original] == ["LlmCall", "Progress"]
    expected = expected_after_restore(checkpoint, original)
    assert [effect_label(e) for e in expected] == ["Progress", "LlmCall"]
    # after delivery the outstanding effect comes once more
    after = machine.checkpoint()
    assert [effect_label(e) for e in expected_after_restore(after, [])] == ["LlmCall"]


def test_checkpoint_text_is_stable() -> None:
    body = json.loads((EXAMPLES / "turn-trace-008-tools-then-final.json").read_text())["body"]
    for step in body["steps"]:
        if "checkpoint" in step:
            parsed = from_wire(TurnCheckpoint, step["checkpoint"])
            text = checkpoint_text(parsed)
            assert checkpoint_text(parse_checkpoint(text)) == text
            assert json.loads(text) == step["checkpoint"]


def test_turn_limit_template_substitutes_once() -> None:
    config = samples.trace_config(
        turn_limit_final_message={
            "id": "{message_id}",
            "role": "System",
            "parts": [
                {
                    "id": "{message_id}.p0",
                    "kind": "Text",
                    "content": "{max_turns}/{max_turns} {other}",
                    "prune_state": "Intact",
                }
            ],
        }
    )
    build = config.machine_config(ScriptedDriver()).turn_limit_final_message
    message = build("id{max_turns}", 12)
    assert to_wire(message)["id"] == "id{max_turns}"
    assert to_wire(message)["parts"][0]["content"] == "12/12 {other}"


def test_sync_update_is_live_but_not_checkpointed() -> None:
    driver = _script(
        prepare_protocol_iteration=[
            [{"StartLlmProjected": {"use_tools": True, "driver_state": None}}]
        ]
    )
    rec = _run(samples.trace_config(sync_execution_surface=True, system_prompt="old"), driver)
    assert to_wire(rec.poll()) == {
        "SyncExecutionSurface": {"id": 1, "update_machine_config": False}
    }
    sync = {"system_prompt": "new", "tool_specs": [to_wire(samples.tool_spec("grep"))]}
    rec.respond(from_wire(Response, {"ExecutionSurfaceSynced": {"id": 1, "result": {"Ok": sync}}}))
    assert rec.machine.checkpoint().synced_protocol_iteration == 0
    restored_copy = TurnMachine.restore_from_checkpoint(
        samples.trace_config(sync_execution_surface=True, system_prompt="old").machine_config(
            driver.clone()
        ),
        rec.machine.checkpoint(),
    )
    emitted = to_wire(rec.poll())
    assert emitted["Emit"]["tool_list"] == "grep"
    request = to_wire(rec.poll())["LlmCall"]["request"]
    assert request["messages"][0]["blocks"][0]["Text"]["text"] == "new"
    other = to_wire(restored_copy.poll_effect())
    assert other["Emit"]["tool_list"] == ""


def test_response_and_action_wire_forms() -> None:
    response = from_wire(Response, {"ExecResult": {"id": 3, "result": {"Err": "boom"}}})
    assert to_json(response) == '{"ExecResult":{"id":3,"result":{"Err":"boom"}}}'
    assert response.kind == "ExecResult"
    action = from_wire(DriverAction, "AdvanceProtocolIteration")
    assert to_wire(action) == "AdvanceProtocolIteration"
    finish = from_wire(DriverAction, {"Finish": {"stopped": "max_turns"}})
    assert to_json(finish) == '{"Finish":{"stopped":"max_turns"}}'
    start = from_wire(DriverAction, {"StartExec": {"code": "x", "driver_state": None}})
    assert to_json(start) == '{"StartExec":{"code":"x","driver_state":null}}'
    with pytest.raises(Exception, match="text_streamed"):
        from_wire(
            Response, {"LlmComplete": {"id": 1, "result": {"Err": to_wire(samples.llm_error())}}}
        )


def test_fail_turn_and_finish_with_outcome() -> None:
    machine = _run(samples.trace_config(), ScriptedDriver()).machine
    machine.finish_with_outcome(samples.outcome({"stopped": "cancelled"}))
    labels = [effect_label(e) for e in iter(machine.poll_effect, None)]
    assert labels == ["Emit:turn_outcome", "Emit:done", "Done"]
    assert machine.is_done() and machine.messages() == ()
    failed = _run(samples.trace_config(), ScriptedDriver()).machine
    failed.fail_turn(from_wire(SessionEvent, {"type": "error", "message": "boom"}))
    wire = [to_wire(e) for e in iter(failed.poll_effect, None)]
    assert wire[1] == {"Emit": {"type": "turn_outcome", "outcome": {"stopped": "runtime_error"}}}


def test_progress_cursor_past_the_end_is_clamped() -> None:
    record = to_wire(samples.assistant_record("m1", "a"))
    checkpoint = from_wire(
        TurnCheckpoint,
        {
            "state": "PrepareIteration",
            "pending_effects": [],
            "next_effect_id": 1,
            "messages": [],
            "events": [{"Protocol": None}],
            "progress_event_cursor": 5,
            "protocol_iteration": 0,
            "protocol_run_offset": 0,
            "cumulative_usage": {"input_tokens": 0, "output_tokens": 0, "cached_input_tokens": 0},
            "termination": {"turn_limit_final_scheduled": False},
            "synced_protocol_iteration": None,
        },
    )
    assert checkpoint.next_synthetic_message_id == 0 and checkpoint.turn_causes == ()
    machine = TurnMachine.restore_from_checkpoint(
        samples.trace_config().machine_config(ScriptedDriver()), checkpoint
    )
    append = from_wire(DriverAction, {"AppendEvents": [record]})
    machine.apply_actions([append])  # 2 events, cursor 5: nothing reported, cursor := 2
    machine.apply_actions([append])  # 3 events: only the third is reported
    deltas = [to_wire(e)["Progress"]["event_delta"] for e in machine.pending_effects]
    assert deltas == [[], [record]]

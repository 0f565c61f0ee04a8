"""Small valid values for turn traces: tests, docs and generated fixtures.

Built from their serde JSON with the codec, so they read exactly like the
traces they end up in. Pure functions; nothing here is upstream behaviour.
"""

from __future__ import annotations

from typing import Any, TypeVar

from lash_spec.model.execution import ExecResponse
from lash_spec.model.llm import LlmResponse, LlmToolSpec
from lash_spec.model.plugin import PluginMessage
from lash_spec.model.sansio import (
    ERA,
    CompletedToolCall,
    LlmCallError,
    PendingToolCall,
    TurnCause,
)
from lash_spec.model.session import Message, TurnOutcome, UnitSessionEventRecord
from lash_spec.turn_machine.config import TraceConfig
from lash_spec.turn_machine.trace import TraceStart
from lash_spec.wire.codec import from_wire

__all__ = [
    "TURN_LIMIT_TEMPLATE",
    "assistant_record",
    "completed_tool",
    "exec_response",
    "llm_error",
    "llm_response",
    "outcome",
    "pending_tool",
    "plugin_message",
    "protocol_record",
    "tool_spec",
    "trace_config",
    "trace_start",
    "turn_cause",
    "user_message",
]

TURN_LIMIT_TEMPLATE: dict[str, Any] = {
    "id": "{message_id}",
    "role": "System",
    "parts": [
        {
            "id": "{message_id}.p0",
            "kind": "Error",
            "content": "Turn limit reached ({max_turns}) before a final response.",
            "prune_state": "Intact",
        }
    ],
}
"""The ``turn_limit_final_message`` template of the recorded traces."""


T = TypeVar("T")


def _read(tp: type[T], value: Any) -> T:
    """A sample from its serde form, read at the turn machine's era."""
    return from_wire(tp, value, era=ERA)


def _message_json(mid: str, role: str, text: str, kind: str = "Text") -> dict[str, Any]:
    return {
        "id": mid,
        "role": role,
        "parts": [{"id": f"{mid}.p0", "kind": kind, "content": text, "prune_state": "Intact"}],
    }


def user_message(mid: str, text: str) -> Message:
    return _read(Message, _message_json(mid, "User", text))


def assistant_record(mid: str, text: str) -> UnitSessionEventRecord:
    """A ``Conversation`` record of an assistant text message."""
    return _read(
        UnitSessionEventRecord,
        {"Conversation": _message_json(mid, "Assistant", text)},
    )


def protocol_record() -> UnitSessionEventRecord:
    """``{"Protocol":null}``: a ``UnitTurnProtocol`` protocol event."""
    return _read(UnitSessionEventRecord, {"Protocol": None})


def tool_spec(name: str) -> LlmToolSpec:
    return _read(
        LlmToolSpec,
        {
            "name": name,
            "description": f"Tool {name}",
            "input_schema": {"type": "object"},
            "output_schema": {"type": "string"},
            "input_schema_projections": [],
            "output_schema_projections": [],
        },
    )


def trace_config(**fields: Any) -> TraceConfig:
    """A trace CONFIG like the recorded ones; ``fields`` override (in serde form)."""
    value: dict[str, Any] = {
        "sync_execution_surface": False,
        "model": "test-model",
        "max_context_tokens": None,
        "max_turns": None,
        "model_variant": None,
        "generation": {},
        "run_session_id": None,
        "autonomous": False,
        "tool_specs": [],
        "system_prompt": "",
        "session_id": "test",
        "emit_llm_trace": False,
        "termination": None,
        "turn_limit_final_message": TURN_LIMIT_TEMPLATE,
    }
    value.update(fields)
    return TraceConfig.from_wire(value)


def trace_start(
    messages: tuple[Message, ...] = (),
    events: tuple[UnitSessionEventRecord, ...] = (),
    protocol_run_offset: int = 0,
    turn_causes: tuple[TurnCause, ...] = (),
) -> TraceStart:
    return TraceStart(
        messages=messages or (user_message("m0", "Hello there"),),
        events=events,
        protocol_run_offset=protocol_run_offset,
        turn_causes=turn_causes,
    )


def llm_response(
    text: str = "Hi!",
    *,
    reason: str = "stop",
    input_tokens: int = 10,
    output_tokens: int = 5,
    cached_input_tokens: int = 0,
    reasoning_tokens: int = 0,
    diagnostic: str | None = None,
    parts: list[Any] | None = None,
) -> LlmResponse:
    return _read(
        LlmResponse,
        {
            "full_text": text,
            "parts": (
                parts
                if parts is not None
                else ([{"Text": {"text": text, "response_meta": None}}] if text else [])
            ),
            "usage": {
                "input_tokens": input_tokens,
                "output_tokens": output_tokens,
                "cached_input_tokens": cached_input_tokens,
                "reasoning_tokens": reasoning_tokens,
            },
            "terminal_reason": reason,
            "terminal_diagnostic": diagnostic,
            "provider_usage": None,
            "request_body": None,
            "http_summary": None,
        },
    )


def llm_error(
    message: str = "rate limited",
    *,
    retryable: bool = True,
    raw: str | None = "  429 Too Many Requests  ",
    code: str | None = "rate_limit",
    reason: str = "provider_error",
) -> LlmCallError:
    return _read(
        LlmCallError,
        {
            "message": message,
            "retryable": retryable,
            "raw": raw,
            "code": code,
            "terminal_reason": reason,
            "request_body": None,
        },
    )


def pending_tool(call_id: str, tool_name: str = "read") -> PendingToolCall:
    return _read(
        PendingToolCall,
        {"call_id": call_id, "tool_name": tool_name, "args": {"path": "a.txt"}, "replay": None},
    )


def completed_tool(
    call: PendingToolCall, text: str = "ok", duration_ms: int = 3
) -> CompletedToolCall:
    return _read(
        CompletedToolCall,
        {
            "call_id": call.call_id,
            "tool_name": call.tool_name,
            "args": call.args,
            "output": {"outcome": {"status": "success", "payload": text}},
            "model_return": {
                "call_id": call.call_id,
                "tool_name": call.tool_name,
                "parts": [{"type": "text", "text": text}],
            },
            "duration_ms": duration_ms,
            "replay": None,
        },
    )


def exec_response(observation: str = "1") -> ExecResponse:
    return _read(
        ExecResponse,
        {
            "observations": [observation],
            "observation_truncation": [],
            "tool_calls": [],
            "images": [],
            "printed_images": [],
            "error": None,
            "duration_ms": 7,
            "terminal_finish": None,
        },
    )


def plugin_message(
    content: str, role: str = "User", *, origin: dict[str, Any] | None = None
) -> PluginMessage:
    value: dict[str, Any] = {"role": role, "content": content}
    if origin is not None:
        value["origin"] = origin
    return _read(PluginMessage, value)


def turn_cause(cid: str, text: str = "blue button pressed") -> TurnCause:
    return _read(
        TurnCause,
        {
            "id": cid,
            "event_type": "process.wake",
            "origin": {
                "kind": "process",
                "process_id": "process-1",
                "event_type": "process.wake",
                "sequence": 7,
                "wake_id": cid,
            },
            "text": text,
        },
    )


def outcome(value: Any) -> TurnOutcome:
    """A ``TurnOutcome`` from its serde form (``{"stopped":"max_turns"}`` …)."""
    return _read(TurnOutcome, value)

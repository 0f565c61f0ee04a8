"""Session model, plugin and sans-IO wire types (wire-format.md §5, §6, §8).

Three kinds of checks:

* hand-written round trips: JSON text in, the exact text serde writes out
  (derived by hand from the Rust declarations, not from our own output);
* rejections, each with the JSON path the error must name;
* the recorded turn traces: every checkpoint, polled effect, response payload,
  driver action and start value decodes and re-encodes to an equal JSON value
  (strict: ``1 != 1.0 != true``; object key order ignored, as the recordings
  do not promise it for ``serde_json::Value`` maps).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from lash_spec.model.llm import LlmResponse
from lash_spec.model.plugin import (
    CheckpointKind,
    PluginMessage,
    PluginRuntimeEvent,
    PluginRuntimeEventStatus,
)
from lash_spec.model.sansio import (
    CheckpointDelivery,
    CheckpointResumeAction,
    CheckpointResumeActionFinish,
    CompletedToolCall,
    Effect,
    EffectExecCode,
    EffectSyncExecutionEnvironment,
    EffectSyncExecutionSurface,
    ExecutionEnvironmentSync,
    LlmCallError,
    LogEvent,
    MachineState,
    MachineStateWaitingExecutionEnvironment,
    MachineStateWaitingExecutionSurface,
    PendingToolCall,
    TurnCause,
    TurnCheckpoint,
)
from lash_spec.model.session import (
    AcceptedInjectedTurnInput,
    ConversationRecord,
    ErrorEnvelope,
    Message,
    MessageOrigin,
    MessageOriginPlugin,
    MessageRole,
    MessageSequence,
    Part,
    PartKind,
    ProtocolEvent,
    PruneState,
    PruneStateIntact,
    SessionEvent,
    SessionEventRecord,
    SessionEventRecordProtocol,
    TokenUsage,
    TurnOutcome,
    TurnOutcomeAgentFrameSwitch,
    TurnOutcomeStopped,
    TurnStop,
    TurnStopMaxTurns,
    TurnTerminationPolicyState,
    UnitSessionEventRecord,
    UnitSessionEventRecordProtocol,
)
from lash_spec.wire.codec import from_json, from_wire, to_json, to_wire
from lash_spec.wire.errors import WireError

EXAMPLES = Path(__file__).resolve().parent / "fixtures" / "recorded"
TRACES = sorted(EXAMPLES.glob("turn-trace-*.json"))


def strict_equal(a: Any, b: Any) -> bool:
    """JSON value equality where ``1``, ``1.0`` and ``true`` all differ."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(strict_equal(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(strict_equal(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b)


def test_strict_equal_tells_numbers_and_booleans_apart() -> None:
    assert strict_equal({"a": [1, None]}, {"a": [1, None]})
    assert not strict_equal(1, 1.0)
    assert not strict_equal(1, True)
    assert not strict_equal({"a": 0}, {"a": False})


# ---------------------------------------------------------------------------
# Hand-written round trips: (type, input text, the text serde writes back)
# ---------------------------------------------------------------------------

PART_MIN = '{"id":"m0.p0","kind":"Text","content":"hi","prune_state":"Intact"}'
REF = '{"id":"a1","media_type":{"kind":"image","type":"png"},"byte_len":10}'
TOOL_OUT = '{"outcome":{"status":"success","payload":"ok"}}'
USAGE = '{"input_tokens":1,"output_tokens":2,"cached_input_tokens":3,"reasoning_tokens":4}'
USAGE0 = '{"input_tokens":0,"output_tokens":0,"cached_input_tokens":0,"reasoning_tokens":0}'
REQ = (
    '{"model":"m","messages":[],"attachments":[],"tools":[],"tool_choice":"None",'
    '"model_variant":null,"generation":{},"session_id":null,"output_spec":null}'
)

ROUND_TRIPS: list[tuple[str, Any, str, str]] = [
    # -- message.rs ---------------------------------------------------------
    ("part-minimal", Part, PART_MIN, PART_MIN),
    (
        "part-field-order",  # prune_state sits between tool_replay and reasoning_meta
        Part,
        '{"response_meta":{},"reasoning_meta":{"redacted":true},'
        '"prune_state":{"Deleted":{"archive_hash":"h","breadcrumb":"b"}},'
        '"tool_replay":{"item_id":"fc"},"tool_name":"read","tool_call_id":"c1",'
        f'"attachment":{{"reference":{REF}}},"content":"{{}}","kind":"ToolCall","id":"p"}}',
        '{"id":"p","kind":"ToolCall","content":"{}",'
        f'"attachment":{{"reference":{REF}}},"tool_call_id":"c1","tool_name":"read",'
        '"tool_replay":{"item_id":"fc"},'
        '"prune_state":{"Deleted":{"breadcrumb":"b","archive_hash":"h"}},'
        '"reasoning_meta":{"redacted":true},"response_meta":{}}',
    ),
    (
        "part-nulls-skipped",
        Part,
        '{"id":"p","kind":"Reasoning","content":"","attachment":null,"tool_call_id":null,'
        '"tool_name":null,"tool_replay":null,"prune_state":"Cleared","reasoning_meta":null,'
        '"response_meta":null,"unknown":1}',
        '{"id":"p","kind":"Reasoning","content":"","prune_state":"Cleared"}',
    ),
    (
        # serde reads a struct from an array (fields in order); trailing defaults may be absent
        "part-array-form",
        Part,
        '["p","Image","x",null,null,null,null,"Intact"]',
        '{"id":"p","kind":"Image","content":"x","prune_state":"Intact"}',
    ),
    ("prune-unit-as-map", PruneState, '{"Cleared":null}', '"Cleared"'),
    (
        "prune-summarized",
        PruneState,
        '{"Summarized":["s","h"]}',
        '{"Summarized":{"summary":"s","archive_hash":"h"}}',
    ),
    ("role-event", MessageRole, '"Event"', '"Event"'),
    ("part-kind-toolresult", PartKind, '"ToolResult"', '"ToolResult"'),
    (
        "message-origin-transient-false-skipped",
        Message,
        '{"id":"m","role":"Assistant","parts":[],'
        '"origin":{"plugin_id":"p","kind":"plugin","transient":false}}',
        '{"id":"m","role":"Assistant","parts":[],"origin":{"kind":"plugin","plugin_id":"p"}}',
    ),
    (
        "message-origin-transient-true",
        Message,
        f'{{"id":"m","role":"User","parts":[{PART_MIN}],'
        '"origin":{"kind":"plugin","plugin_id":"p","transient":true}}',
        f'{{"id":"m","role":"User","parts":[{PART_MIN}],'
        '"origin":{"kind":"plugin","plugin_id":"p","transient":true}}',
    ),
    (
        "message-origin-null",
        Message,
        '{"id":"m","role":"System","parts":[],"origin":null}',
        '{"id":"m","role":"System","parts":[]}',
    ),
    (
        "origin-process",
        MessageOrigin,
        '{"kind":"process","process_id":"pr","event_type":"exit","sequence":3,'
        '"wake_id":null,"caused_by":{"process_id":"pr","type":"process"}}',
        '{"kind":"process","process_id":"pr","event_type":"exit","sequence":3,'
        '"caused_by":{"type":"process","process_id":"pr"}}',
    ),
    (
        "origin-process-wake",
        MessageOrigin,
        '{"kind":"process","process_id":"pr","event_type":"e","sequence":18446744073709551615,'
        '"wake_id":"w"}',
        '{"kind":"process","process_id":"pr","event_type":"e","sequence":18446744073709551615,'
        '"wake_id":"w"}',
    ),
    (
        "message-sequence-is-a-flat-array",
        MessageSequence,
        '[{"id":"a","role":"User","parts":[]},{"id":"b","role":"Assistant","parts":[]}]',
        '[{"id":"a","role":"User","parts":[]},{"id":"b","role":"Assistant","parts":[]}]',
    ),
    # -- plugin.rs ----------------------------------------------------------
    ("checkpoint-kind", CheckpointKind, '"before_completion"', '"before_completion"'),
    (
        "plugin-message-empty-lists-skipped",
        PluginMessage,
        '{"role":"User","content":"x","origin":null,"parts":[],"images":[]}',
        '{"role":"User","content":"x"}',
    ),
    (
        "plugin-message-images-are-int-arrays",
        PluginMessage,
        '{"images":[[137,80],[]],"parts":[' + PART_MIN + '],"content":"","role":"System",'
        '"origin":{"kind":"plugin","plugin_id":"q"}}',
        '{"role":"System","content":"","origin":{"kind":"plugin","plugin_id":"q"},'
        '"parts":[' + PART_MIN + '],"images":[[137,80],[]]}',
    ),
    (
        "plugin-event-status",
        PluginRuntimeEvent,
        '{"detail":null,"label":"L","key":"k","kind":"status"}',
        '{"kind":"status","key":"k","label":"L"}',
    ),
    (
        "plugin-event-custom-payload-sorted",
        PluginRuntimeEvent,
        '{"kind":"custom","name":"n","payload":{"b":1,"a":[2.5,true]}}',
        '{"kind":"custom","name":"n","payload":{"a":[2.5,true],"b":1}}',
    ),
    # -- mod.rs -------------------------------------------------------------
    (
        "token-usage-reasoning-defaults",
        TokenUsage,
        '{"input_tokens":-1,"output_tokens":2,"cached_input_tokens":3}',
        '{"input_tokens":-1,"output_tokens":2,"cached_input_tokens":3,"reasoning_tokens":0}',
    ),
    ("token-usage-array", TokenUsage, "[1,2,3,4]", USAGE),
    (
        "accepted-injected-input",
        AcceptedInjectedTurnInput,
        '{"message":{"role":"User","content":"q"},"id":null}',
        '{"message":{"role":"User","content":"q"}}',
    ),
    (
        "error-envelope",
        ErrorEnvelope,
        '{"raw":"r","user_message":"u","terminal_reason":"output_limit","code":null,"kind":"k"}',
        '{"kind":"k","terminal_reason":"output_limit","user_message":"u","raw":"r"}',
    ),
    (
        "conversation-record",
        ConversationRecord,
        f'{{"origin":null,"parts":[{PART_MIN}],"role":"Assistant","id":"m1"}}',
        f'{{"id":"m1","role":"Assistant","parts":[{PART_MIN}]}}',
    ),
    (
        "core-record-protocol",
        SessionEventRecord,
        '{"Protocol":{"payload":{"b":1,"a":[]},"extra":0,"plugin_id":"p"}}',
        '{"Protocol":{"plugin_id":"p","payload":{"a":[],"b":1}}}',
    ),
    (
        "core-record-protocol-null-payload",
        SessionEventRecord,
        '{"Protocol":{"plugin_id":"p","payload":null}}',
        '{"Protocol":{"plugin_id":"p","payload":null}}',
    ),
    (
        "core-record-conversation",
        SessionEventRecord,
        '{"Conversation":{"id":"m","role":"User","parts":[]}}',
        '{"Conversation":{"id":"m","role":"User","parts":[]}}',
    ),
    ("unit-record-protocol", UnitSessionEventRecord, '{"Protocol":null}', '{"Protocol":null}'),
    (
        "unit-record-conversation",
        UnitSessionEventRecord,
        '{"Conversation":{"id":"m","role":"Event","parts":[],"origin":null}}',
        '{"Conversation":{"id":"m","role":"Event","parts":[]}}',
    ),
    ("event-done", SessionEvent, '{"type":"done"}', '{"type":"done"}'),
    ("event-done-extra-ignored", SessionEvent, '{"x":1,"type":"done"}', '{"type":"done"}'),
    (
        "event-text-delta",
        SessionEvent,
        '{"content":"a","type":"text_delta"}',
        '{"type":"text_delta","content":"a"}',
    ),
    (
        "event-reasoning-delta",
        SessionEvent,
        '{"type":"reasoning_delta","content":""}',
        '{"type":"reasoning_delta","content":""}',
    ),
    (
        "event-tool-call",
        SessionEvent,
        '{"type":"tool_call","call_id":null,"name":"read","args":{"z":1,"a":2},'
        f'"output":{TOOL_OUT},"duration_ms":7}}',
        '{"type":"tool_call","name":"read","args":{"a":2,"z":1},'
        f'"output":{TOOL_OUT},"duration_ms":7}}',
    ),
    (
        "event-tool-call-start",
        SessionEvent,
        '{"type":"tool_call_start","call_id":"c","name":"n","args":null}',
        '{"type":"tool_call_start","call_id":"c","name":"n","args":null}',
    ),
    (
        "event-message",
        SessionEvent,
        '{"type":"message","kind":"info","text":"t"}',
        '{"type":"message","text":"t","kind":"info"}',
    ),
    (
        "event-llm-request",
        SessionEvent,
        '{"type":"llm_request","protocol_iteration":0,"message_count":1,"tool_list":""}',
        '{"type":"llm_request","protocol_iteration":0,"message_count":1,"tool_list":""}',
    ),
    (
        "event-llm-response",
        SessionEvent,
        '{"type":"llm_response","protocol_iteration":2,"content":"c","duration_ms":0}',
        '{"type":"llm_response","protocol_iteration":2,"content":"c","duration_ms":0}',
    ),
    (
        "event-token-usage",
        SessionEvent,
        '{"type":"token_usage","protocol_iteration":1,"usage":[1,2,3],'
        '"cumulative":{"input_tokens":0,"output_tokens":0,"cached_input_tokens":0}}',
        '{"type":"token_usage","protocol_iteration":1,'
        '"usage":{"input_tokens":1,"output_tokens":2,"cached_input_tokens":3,'
        f'"reasoning_tokens":0}},"cumulative":{USAGE0}}}',
    ),
    (
        "event-child-token-usage",
        SessionEvent,
        '{"type":"child_token_usage","session_id":"s","source":"sub","model":"m",'
        f'"protocol_iteration":3,"usage":{USAGE},"cumulative":{USAGE}}}',
        '{"type":"child_token_usage","session_id":"s","source":"sub","model":"m",'
        f'"protocol_iteration":3,"usage":{USAGE},"cumulative":{USAGE}}}',
    ),
    (
        "event-retry-status",
        SessionEvent,
        '{"type":"retry_status","wait_seconds":5,"attempt":1,"max_attempts":3,"reason":"r",'
        '"envelope":{"kind":"k","user_message":"u"}}',
        '{"type":"retry_status","wait_seconds":5,"attempt":1,"max_attempts":3,"reason":"r",'
        '"envelope":{"kind":"k","user_message":"u"}}',
    ),
    (
        "event-injected-turn-input-accepted",
        SessionEvent,
        '{"type":"injected_turn_input_accepted","checkpoint":"after_work",'
        '"inputs":[{"id":"i1","message":{"role":"User","content":"q","images":[[1]]}}]}',
        '{"type":"injected_turn_input_accepted",'
        '"inputs":[{"id":"i1","message":{"role":"User","content":"q","images":[[1]]}}],'
        '"checkpoint":"after_work"}',
    ),
    (
        "event-injected-messages-committed",
        SessionEvent,
        '{"type":"injected_messages_committed","messages":[],"checkpoint":"before_completion"}',
        '{"type":"injected_messages_committed","messages":[],"checkpoint":"before_completion"}',
    ),
    (
        "event-plugin-event",
        SessionEvent,
        '{"type":"plugin_event","plugin_id":"p","event":{"kind":"custom","name":"n","payload":1}}',
        '{"type":"plugin_event","plugin_id":"p","event":{"kind":"custom","name":"n","payload":1}}',
    ),
    (
        "event-turn-outcome",
        SessionEvent,
        '{"type":"turn_outcome","outcome":{"finished":{"assistant_message":{"text":"ok"}}}}',
        '{"type":"turn_outcome","outcome":{"finished":{"assistant_message":{"text":"ok"}}}}',
    ),
    (
        "event-error",
        SessionEvent,
        '{"type":"error","message":"m","envelope":null}',
        '{"type":"error","message":"m"}',
    ),
    (
        "outcome-finished",
        TurnOutcome,
        '{"finished":{"assistant_message":{"text":"ok"}}}',
        '{"finished":{"assistant_message":{"text":"ok"}}}',
    ),
    (
        "outcome-submitted-value",
        TurnOutcome,
        '{"finished":{"submitted_value":{"value":{"b":[],"a":1.5}}}}',
        '{"finished":{"submitted_value":{"value":{"a":1.5,"b":[]}}}}',
    ),
    (
        "outcome-tool-value",
        TurnOutcome,
        '{"finished":{"tool_value":{"value":null,"tool_name":"done"}}}',
        '{"finished":{"tool_value":{"tool_name":"done","value":null}}}',
    ),
    (
        "outcome-frame-switch-003",
        TurnOutcome,
        '{"agent_frame_switch":{"frame_id":"f","task":"t"}}',
        '{"agent_frame_switch":{"frame_id":"f"}}',
    ),
    (
        "outcome-frame-switch-000-002",
        TurnOutcome,
        '{"agent_frame_switch":{"task":"t","frame_id":"f"}}',
        '{"agent_frame_switch":{"frame_id":"f","task":"t"}}',
    ),
    ("outcome-stopped-unit", TurnOutcome, '{"stopped":"max_turns"}', '{"stopped":"max_turns"}'),
    (
        "outcome-stopped-unit-map",
        TurnOutcome,
        '{"stopped":{"plugin_abort":null}}',
        '{"stopped":"plugin_abort"}',
    ),
    (
        "outcome-stopped-tool-error",
        TurnOutcome,
        '{"stopped":{"tool_error":{"tool_name":"t","value":[1]}}}',
        '{"stopped":{"tool_error":{"tool_name":"t","value":[1]}}}',
    ),
    (
        "outcome-stopped-submitted-error",
        TurnOutcome,
        '{"stopped":{"submitted_error":{"value":"bad"}}}',
        '{"stopped":{"submitted_error":{"value":"bad"}}}',
    ),
    *[
        (f"stop-{name}", TurnStop, f'"{name}"', f'"{name}"')
        for name in (
            "cancelled",
            "incomplete",
            "invalid_input",
            "max_turns",
            "tool_failure",
            "provider_error",
            "plugin_abort",
            "runtime_error",
        )
    ],
    (
        "termination-state",
        TurnTerminationPolicyState,
        '{"turn_limit_final_scheduled":true}',
        '{"turn_limit_final_scheduled":true}',
    ),
    # -- sansio/mod.rs -------------------------------------------------------
    ("effect-cancel-llm", Effect, '{"CancelLlm":{"id":3}}', '{"CancelLlm":{"id":3}}'),
    ("effect-cancel-llm-array", Effect, '{"CancelLlm":[3]}', '{"CancelLlm":{"id":3}}'),
    ("effect-emit", Effect, '{"Emit":{"type":"done"}}', '{"Emit":{"type":"done"}}'),
    (
        "effect-sync-surface-003",
        Effect,
        '{"SyncExecutionSurface":{"update_machine_config":false,"id":1}}',
        '{"SyncExecutionSurface":{"id":1,"update_machine_config":false}}',
    ),
    (
        "effect-sync-environment-000",
        Effect,
        '{"SyncExecutionEnvironment":{"id":2,"update_machine_config":true}}',
        '{"SyncExecutionEnvironment":{"id":2,"update_machine_config":true}}',
    ),
    (
        "effect-llm-call",
        Effect,
        f'{{"LlmCall":{{"id":1,"request":{REQ}}}}}',
        f'{{"LlmCall":{{"id":1,"request":{REQ}}}}}',
    ),
    (
        "effect-tool-calls",
        Effect,
        '{"ToolCalls":{"id":4,"calls":[{"call_id":"c","tool_name":"t","args":{},"replay":null}]}}',
        '{"ToolCalls":{"id":4,"calls":[{"call_id":"c","tool_name":"t","args":{},"replay":null}]}}',
    ),
    (
        "effect-exec-code-003",
        Effect,
        '{"ExecCode":{"code":"x","id":5}}',
        '{"ExecCode":{"id":5,"code":"x"}}',
    ),
    (
        "effect-exec-code-002",
        Effect,
        '{"ExecCode":{"code":"x","language":"python","id":5}}',
        '{"ExecCode":{"id":5,"language":"python","code":"x"}}',
    ),
    (
        "effect-checkpoint",
        Effect,
        '{"Checkpoint":{"id":6,"checkpoint":"after_work"}}',
        '{"Checkpoint":{"id":6,"checkpoint":"after_work"}}',
    ),
    (
        "effect-log-debug-nulls-written",
        Effect,
        '{"Log":{"event":{"LlmDebug":{"session_id":"s","protocol_iteration":0,'
        '"usage":[0,0,0],"response_text":"r"}}}}',
        '{"Log":{"event":{"LlmDebug":{"session_id":"s","protocol_iteration":0,'
        f'"usage":{USAGE0},"provider_usage":null,"request_body":null,"response_text":"r",'
        '"response_parts":null}}}}',
    ),
    (
        "effect-log-error",
        Effect,
        '{"Log":{"event":{"LlmError":{"session_id":"s","protocol_iteration":1,"message":"m",'
        '"retryable":true,"terminal_reason":"provider_error"}}}}',
        '{"Log":{"event":{"LlmError":{"session_id":"s","protocol_iteration":1,'
        '"request_body":null,"message":"m","retryable":true,"raw":null,"code":null,'
        '"terminal_reason":"provider_error"}}}}',
    ),
    (
        "effect-progress",
        Effect,
        '{"Progress":{"messages":[{"id":"m","role":"User","parts":[]}],'
        '"event_delta":[{"Protocol":null},{"Conversation":{"id":"c","role":"User","parts":[]}}],'
        '"protocol_iteration":2}}',
        '{"Progress":{"messages":[{"id":"m","role":"User","parts":[]}],'
        '"event_delta":[{"Protocol":null},{"Conversation":{"id":"c","role":"User","parts":[]}}],'
        '"protocol_iteration":2}}',
    ),
    (
        "effect-done",
        Effect,
        '{"Done":{"protocol_iteration":0,"event_delta":[],"messages":[]}}',
        '{"Done":{"messages":[],"event_delta":[],"protocol_iteration":0}}',
    ),
    ("resume-prepare", CheckpointResumeAction, '"PrepareIteration"', '"PrepareIteration"'),
    (
        "resume-finish",
        CheckpointResumeAction,
        '{"Finish":{"stopped":"cancelled"}}',
        '{"Finish":{"stopped":"cancelled"}}',
    ),
    ("state-preparing", MachineState, '"PreparingProtocol"', '"PreparingProtocol"'),
    ("state-finished-map", MachineState, '{"Finished":null}', '"Finished"'),
    (
        "state-waiting-surface-003",
        MachineState,
        '{"WaitingExecutionSurface":{"effect_id":1,"update_machine_config":true}}',
        '{"WaitingExecutionSurface":{"effect_id":1,"update_machine_config":true}}',
    ),
    (
        "state-waiting-environment-000",
        MachineState,
        '{"WaitingExecutionEnvironment":{"update_machine_config":false,"effect_id":1}}',
        '{"WaitingExecutionEnvironment":{"effect_id":1,"update_machine_config":false}}',
    ),
    (
        "state-waiting-llm-null-driver-state",
        MachineState,
        f'{{"WaitingLlm":{{"effect_id":2,"request":{REQ},"driver_state":null}}}}',
        f'{{"WaitingLlm":{{"effect_id":2,"request":{REQ},"driver_state":null}}}}',
    ),
    (
        "state-waiting-llm-missing-driver-state",
        MachineState,
        f'{{"WaitingLlm":{{"effect_id":2,"request":{REQ}}}}}',
        f'{{"WaitingLlm":{{"effect_id":2,"request":{REQ},"driver_state":null}}}}',
    ),
    (
        "state-waiting-exec-003",
        MachineState,
        '{"WaitingExec":{"driver_state":{"y":1,"x":0},"code":"c","effect_id":3}}',
        '{"WaitingExec":{"effect_id":3,"code":"c","driver_state":{"x":0,"y":1}}}',
    ),
    (
        "state-waiting-exec-002",
        MachineState,
        '{"WaitingExec":{"effect_id":3,"language":"py","code":"c","driver_state":null}}',
        '{"WaitingExec":{"effect_id":3,"language":"py","code":"c","driver_state":null}}',
    ),
    (
        "state-waiting-tools",
        MachineState,
        '{"WaitingTools":{"effect_id":4,"calls":[]}}',
        '{"WaitingTools":{"effect_id":4,"calls":[]}}',
    ),
    (
        "state-waiting-checkpoint",
        MachineState,
        '{"WaitingCheckpoint":{"effect_id":1,"checkpoint":"before_completion",'
        '"on_empty":{"Finish":{"finished":{"assistant_message":{"text":"a"}}}}}}',
        '{"WaitingCheckpoint":{"effect_id":1,"checkpoint":"before_completion",'
        '"on_empty":{"Finish":{"finished":{"assistant_message":{"text":"a"}}}}}}',
    ),
    (
        "checkpoint-read-defaults",
        TurnCheckpoint,
        '{"state":"Finished","pending_effects":[],"next_effect_id":1,"messages":[],"events":[],'
        f'"protocol_iteration":0,"protocol_run_offset":0,"cumulative_usage":{USAGE0},'
        '"termination":{"turn_limit_final_scheduled":false}}',
        '{"state":"Finished","pending_effects":[],"next_effect_id":1,'
        '"next_synthetic_message_id":0,"messages":[],"events":[],"turn_causes":[],'
        '"progress_event_cursor":0,"protocol_iteration":0,"protocol_run_offset":0,'
        f'"cumulative_usage":{USAGE0},"termination":{{"turn_limit_final_scheduled":false}},'
        '"synced_protocol_iteration":null}',
    ),
    (
        "turn-cause",
        TurnCause,
        '{"text":"t","origin":{"kind":"plugin","plugin_id":"q"},"event_type":"e","id":"c1"}',
        '{"id":"c1","event_type":"e","origin":{"kind":"plugin","plugin_id":"q"},"text":"t"}',
    ),
    (
        "checkpoint-delivery",
        CheckpointDelivery,
        '{"turn_causes":[],"transient_messages":[{"role":"System","content":"s"}],"messages":[]}',
        '{"messages":[],"transient_messages":[{"role":"System","content":"s"}],"turn_causes":[]}',
    ),
    (
        "llm-call-error-nulls-written",
        LlmCallError,
        '{"message":"m","retryable":false,"terminal_reason":"unknown"}',
        '{"message":"m","retryable":false,"raw":null,"code":null,"terminal_reason":"unknown",'
        '"request_body":null}',
    ),
    (
        "execution-environment-sync",
        ExecutionEnvironmentSync,
        '{"tool_specs":[],"system_prompt":"p"}',
        '{"system_prompt":"p","tool_specs":[]}',
    ),
    (
        "pending-tool-call-replay-written",
        PendingToolCall,
        '{"call_id":"c","tool_name":"t","args":[1]}',
        '{"call_id":"c","tool_name":"t","args":[1],"replay":null}',
    ),
    (
        "completed-tool-call",
        CompletedToolCall,
        f'{{"call_id":"c","tool_name":"t","args":{{}},"output":{TOOL_OUT},'
        '"model_return":{"call_id":"c","tool_name":"t","parts":[{"type":"text","text":"ok"}]},'
        '"duration_ms":9,"replay":{"item_id":"i"}}',
        f'{{"call_id":"c","tool_name":"t","args":{{}},"output":{TOOL_OUT},'
        '"model_return":{"call_id":"c","tool_name":"t","parts":[{"type":"text","text":"ok"}]},'
        '"duration_ms":9,"replay":{"item_id":"i"}}',
    ),
    (
        "log-event",
        LogEvent,
        '{"LlmDebug":{"session_id":"s","protocol_iteration":0,"usage":' + USAGE + ","
        '"provider_usage":{"b":1,"a":0},"request_body":"q","response_text":"",'
        '"response_parts":[]}}',
        '{"LlmDebug":{"session_id":"s","protocol_iteration":0,"usage":' + USAGE + ","
        '"provider_usage":{"a":0,"b":1},"request_body":"q","response_text":"",'
        '"response_parts":[]}}',
    ),
]


# Cases named for one era (wire-format.md §8: the sans-IO rename and
# `ExecCode.language`; `TurnOutcome::AgentFrameSwitch.task`; `CausalRef`'s
# `trigger_occurrence`) are read at that era; the others at the default era.
AT_ERA = {
    "outcome-frame-switch-003": "e2e0b409",
    "effect-sync-surface-003": "e2e0b409",
    "effect-exec-code-003": "e2e0b409",
    "effect-exec-code-002": "ceb460d4",
    "state-waiting-surface-003": "e2e0b409",
    "state-waiting-exec-003": "e2e0b409",
    "state-waiting-exec-002": "ceb460d4",
    "effect-exec-language": "ceb460d4",
}


@pytest.mark.parametrize(
    ("name", "tp", "text", "expected"),
    [pytest.param(*case, id=case[0]) for case in ROUND_TRIPS],
)
def test_round_trip(name: str, tp: Any, text: str, expected: str) -> None:
    value = from_json(tp, text, era=AT_ERA.get(name))
    assert to_json(value, tp) == expected
    # Writing is a fixed point: what we write reads back to the same value.
    assert from_json(tp, expected, era=AT_ERA.get(name)) == value


# ---------------------------------------------------------------------------
# Rejections: (type, input text, the path the error names)
# ---------------------------------------------------------------------------

REJECTIONS: list[tuple[str, Any, str, str]] = [
    ("part-missing-prune-state", Part, '{"id":"p","kind":"Text","content":""}', "$"),
    (
        "part-kind-lowercase",
        Part,
        '{"id":"p","kind":"text","content":"","prune_state":"Intact"}',
        "$.kind",
    ),
    (
        "message-deep-prune-state",
        Message,
        '{"id":"m","role":"User","parts":[' + PART_MIN + ',{"id":"p","kind":"Text","content":"",'
        '"prune_state":{"Deleted":{"breadcrumb":"b"}}}]}',
        "$.parts[1].prune_state.Deleted",
    ),
    ("message-role-snake", Message, '{"id":"m","role":"user","parts":[]}', "$.role"),
    ("message-missing-parts", Message, '{"id":"m","role":"User"}', "$"),
    ("prune-unit-with-payload", PruneState, '{"Intact":{}}', "$.Intact"),
    ("prune-struct-as-string", PruneState, '"Deleted"', "$"),
    (
        "origin-transient-not-bool",
        MessageOrigin,
        '{"kind":"plugin","plugin_id":"p","transient":"yes"}',
        "$.transient",
    ),
    ("origin-unknown-kind", MessageOrigin, '{"kind":"Plugin","plugin_id":"p"}', "$.kind"),
    (
        "origin-sequence-negative",
        MessageOrigin,
        '{"kind":"process","process_id":"p","event_type":"e","sequence":-1}',
        "$.sequence",
    ),
    (
        "plugin-message-image-byte",
        PluginMessage,
        '{"role":"User","content":"","images":[[1,256]]}',
        "$.images[0][1]",
    ),
    (
        "plugin-message-image-base64",
        PluginMessage,
        '{"role":"User","content":"","images":["iVBO"]}',
        "$.images[0]",
    ),
    ("checkpoint-kind-pascal", CheckpointKind, '"AfterWork"', "$"),
    ("plugin-event-no-key", PluginRuntimeEvent, '{"kind":"status","label":"l"}', "$"),
    (
        "token-usage-float",
        TokenUsage,
        '{"input_tokens":1.0,"output_tokens":0,"cached_input_tokens":0}',
        "$.input_tokens",
    ),
    ("token-usage-missing", TokenUsage, '{"input_tokens":1,"output_tokens":0}', "$"),
    ("termination-missing-flag", TurnTerminationPolicyState, "{}", "$"),
    ("event-unknown-type", SessionEvent, '{"type":"TextDelta","content":"a"}', "$.type"),
    ("event-missing-type", SessionEvent, '{"content":"a"}', "$"),
    (
        "event-tool-call-duration",
        SessionEvent,
        f'{{"type":"tool_call","name":"n","args":{{}},"output":{TOOL_OUT},"duration_ms":-1}}',
        "$.duration_ms",
    ),
    (
        "event-error-envelope",
        SessionEvent,
        '{"type":"error","message":"m","envelope":{"kind":1}}',
        "$.envelope.kind",
    ),
    (
        "outcome-frame-switch-no-frame",
        TurnOutcome,
        '{"agent_frame_switch":{"task":"t"}}',
        "$.agent_frame_switch",
    ),
    ("outcome-pascal", TurnOutcome, '{"Finished":{"assistant_message":{"text":"ok"}}}', "$"),
    ("outcome-two-keys", TurnOutcome, '{"stopped":"cancelled","finished":null}', "$"),
    ("stop-unknown", TurnOutcome, '{"stopped":"MaxTurns"}', "$.stopped"),
    ("stop-tool-error-missing", TurnStop, '{"tool_error":{"value":1}}', "$.tool_error"),
    ("unit-record-protocol-object", UnitSessionEventRecord, '{"Protocol":{}}', "$.Protocol"),
    ("unit-record-protocol-bare", UnitSessionEventRecord, '"Protocol"', "$"),
    ("core-record-protocol-null", SessionEventRecord, '{"Protocol":null}', "$.Protocol"),
    ("core-record-protocol-array", SessionEventRecord, '{"Protocol":["p",1]}', "$.Protocol"),
    (
        "core-record-protocol-no-payload",
        SessionEventRecord,
        '{"Protocol":{"plugin_id":"p"}}',
        "$.Protocol",
    ),
    (
        "core-record-plugin-id-not-string",
        SessionEventRecord,
        '{"Protocol":{"plugin_id":1,"payload":null}}',
        "$.Protocol.plugin_id",
    ),
    ("effect-unknown", Effect, '{"Bogus":{}}', "$"),
    ("effect-struct-as-string", Effect, '"CancelLlm"', "$"),
    ("effect-negative-id", Effect, '{"CancelLlm":{"id":-1}}', "$.CancelLlm.id"),
    ("effect-id-wrapped", Effect, '{"CancelLlm":{"id":[3]}}', "$.CancelLlm.id"),
    (
        "effect-exec-language",
        Effect,
        '{"ExecCode":{"id":1,"language":5,"code":"x"}}',
        "$.ExecCode.language",
    ),
    ("effect-emit-bad-event", Effect, '{"Emit":{"type":"nope"}}', "$.Emit.type"),
    (
        "effect-progress-core-record",
        Effect,
        '{"Progress":{"messages":[],"event_delta":[{"Protocol":{"plugin_id":"p","payload":1}}],'
        '"protocol_iteration":0}}',
        "$.Progress.event_delta[0].Protocol",
    ),
    (
        "state-waiting-exec-no-driver-state",
        MachineState,
        '{"WaitingExec":{"effect_id":1,"code":"c"}}',
        "$.WaitingExec",
    ),
    ("state-unknown", MachineState, '"Waiting"', "$"),
    ("resume-finish-bare", CheckpointResumeAction, '"Finish"', "$"),
    (
        "checkpoint-missing-termination",
        TurnCheckpoint,
        '{"state":"Finished","pending_effects":[],"next_effect_id":1,"messages":[],"events":[],'
        f'"protocol_iteration":0,"protocol_run_offset":0,"cumulative_usage":{USAGE0}}}',
        "$",
    ),
    (
        "checkpoint-bad-pending-effect",
        TurnCheckpoint,
        '{"state":"Finished","pending_effects":[{"Emit":{"type":"done"}},{"Done":{}}],'
        '"next_effect_id":1,"messages":[],"events":[],"protocol_iteration":0,'
        f'"protocol_run_offset":0,"cumulative_usage":{USAGE0},'
        '"termination":{"turn_limit_final_scheduled":false}}',
        "$.pending_effects[1].Done",
    ),
    ("delivery-missing-list", CheckpointDelivery, '{"messages":[],"transient_messages":[]}', "$"),
    (
        "llm-call-error-retryable",
        LlmCallError,
        '{"message":"m","retryable":1,"terminal_reason":"stop"}',
        "$.retryable",
    ),
    ("pending-tool-call-no-args", PendingToolCall, '{"call_id":"c","tool_name":"t"}', "$"),
]


@pytest.mark.parametrize(
    ("name", "tp", "text", "path"),
    [pytest.param(*case, id=case[0]) for case in REJECTIONS],
)
def test_rejection(name: str, tp: Any, text: str, path: str) -> None:
    with pytest.raises(WireError) as info:
        from_json(tp, text, era=AT_ERA.get(name))
    assert info.value.json_path == path
    assert info.value.code == "decode"


# ---------------------------------------------------------------------------
# Era-gated variants and values built in Python
# ---------------------------------------------------------------------------


def test_era_variants_keep_their_own_names() -> None:
    old: Effect = from_wire(
        Effect, {"SyncExecutionSurface": {"id": 1, "update_machine_config": False}}, era="e2e0b409"
    )
    new: Effect = from_wire(
        Effect, {"SyncExecutionEnvironment": {"id": 1, "update_machine_config": False}}
    )
    assert isinstance(old, EffectSyncExecutionSurface)
    assert isinstance(new, EffectSyncExecutionEnvironment)
    s_old: MachineState = from_wire(
        MachineState, {"WaitingExecutionSurface": [1, True]}, era="e2e0b409"
    )
    s_new: MachineState = from_wire(MachineState, {"WaitingExecutionEnvironment": [1, True]})
    assert isinstance(s_old, MachineStateWaitingExecutionSurface)
    assert isinstance(s_new, MachineStateWaitingExecutionEnvironment)
    assert to_json(EffectExecCode(id=1, code="c")) == '{"ExecCode":{"id":1,"code":"c"}}'
    assert (
        to_json(TurnOutcomeAgentFrameSwitch(frame_id="f", task="t"))
        == '{"agent_frame_switch":{"frame_id":"f","task":"t"}}'
    )


def test_values_built_in_python() -> None:
    part = Part(id="m0.p0", kind=PartKind.TEXT, content="hi", prune_state=PruneStateIntact())
    assert to_json(part) == PART_MIN
    msg = PluginMessage(role=MessageRole.USER, content="x", images=(b"\x89P",))
    assert to_json(msg) == '{"role":"User","content":"x","images":[[137,80]]}'
    assert to_json(UnitSessionEventRecordProtocol()) == '{"Protocol":null}'
    rec = SessionEventRecordProtocol(event=ProtocolEvent(plugin_id="p", payload={"b": 1, "a": 2}))
    assert to_json(rec) == '{"Protocol":{"plugin_id":"p","payload":{"a":2,"b":1}}}'
    finish = CheckpointResumeActionFinish(outcome=TurnOutcomeStopped(stop=TurnStopMaxTurns()))
    assert to_json(finish) == '{"Finish":{"stopped":"max_turns"}}'
    status = PluginRuntimeEventStatus(key="k", label="l", detail="d")
    assert to_json(status) == '{"kind":"status","key":"k","label":"l","detail":"d"}'
    assert to_json(TokenUsage()) == USAGE0
    assert to_json(TurnTerminationPolicyState()) == '{"turn_limit_final_scheduled":false}'


def test_small_rules() -> None:
    cause = TurnCause(
        id="c1", event_type="e", origin=MessageOriginPlugin(plugin_id="q", transient=True), text="t"
    )
    assert to_json(cause.to_event_message()) == (
        '{"id":"c1","role":"Event","parts":[{"id":"c1.p0","kind":"Text","content":"t",'
        '"prune_state":"Intact"}],"origin":{"kind":"plugin","plugin_id":"q","transient":true}}'
    )
    assert cause.to_event_message().is_transient()
    usage: TokenUsage = from_json(TokenUsage, USAGE)
    assert usage.total() == 1 + 2 + 4
    assert to_json(usage.plus(usage)) == (
        '{"input_tokens":2,"output_tokens":4,"cached_input_tokens":6,"reasoning_tokens":8}'
    )
    state = TurnTerminationPolicyState()
    assert state.turn_limit_final_to_schedule(2, 1, 2) is None
    assert state.turn_limit_final_to_schedule(3, 1, 2) == 2
    assert state.turn_limit_final_to_schedule(3, 1, None) is None
    marked = state.mark_turn_limit_final_scheduled()
    assert marked.should_force_exit_after_grace_turn()
    assert marked.turn_limit_final_to_schedule(9, 0, 1) is None
    record = ConversationRecord(id="m", role=MessageRole.USER, parts=(part_min(),))
    assert ConversationRecord.from_message(record.to_message()) == record


def part_min() -> Part:
    return from_json(Part, PART_MIN)


# ---------------------------------------------------------------------------
# The recorded turn traces (seed 003, @003)
# ---------------------------------------------------------------------------


def _trace_values() -> list[Any]:
    """(id, type, recorded value) for every serde value inside every trace."""
    out: list[Any] = []

    def add(name: str, tp: Any, value: Any) -> None:
        out.append(pytest.param(tp, value, id=name))

    for path in TRACES:
        trace = json.loads(path.read_text())
        body = trace["body"]
        stem = path.stem.removeprefix("turn-trace-")
        add(f"{stem}/turn_limit_final_message", Message, body["config"]["turn_limit_final_message"])
        start = body["start"]
        for i, m in enumerate(start["messages"]):
            add(f"{stem}/start.messages[{i}]", Message, m)
        for i, e in enumerate(start["events"]):
            add(f"{stem}/start.events[{i}]", UnitSessionEventRecord, e)
        for i, c in enumerate(start["turn_causes"]):
            add(f"{stem}/start.turn_causes[{i}]", TurnCause, c)
        for method, queue in body["driver"].items():
            for j, actions in enumerate(queue):
                for k, action in enumerate(actions):
                    name = f"{stem}/driver.{method}[{j}][{k}]"
                    for tp, value in _action_payloads(action):
                        add(name, tp, value)
        for i, step in enumerate(body["steps"]):
            ((kind, value),) = step.items()
            name = f"{stem}/steps[{i}].{kind}"
            if kind == "checkpoint":
                add(name, TurnCheckpoint, value)
            elif kind == "poll" and value is not None:
                add(name, Effect, value)
            elif kind == "respond":
                for tp, inner in _response_payloads(value):
                    add(name, tp, inner)
    return out


def _action_payloads(action: Any) -> list[tuple[Any, Any]]:
    """The serde values inside one scripted ``DriverAction``."""
    if action == "AdvanceProtocolIteration":
        return []
    ((name, payload),) = action.items()
    if name == "Emit":
        return [(SessionEvent, payload)]
    if name == "AppendEvents":
        return [(UnitSessionEventRecord, e) for e in payload]
    if name == "StartTools":
        return [(PendingToolCall, c) for c in payload["calls"]]
    if name == "StartCheckpoint":
        return [
            (CheckpointKind, payload["checkpoint"]),
            (CheckpointResumeAction, payload["on_empty"]),
        ]
    if name == "Finish":
        return [(TurnOutcome, payload)]
    if name == "ScheduleTurnLimitFinal":
        return [(Message, payload["message"])]
    return []  # StartLlm(Projected)/StartExec hold only a request or a driver state


def _response_payloads(response: Any) -> list[tuple[Any, Any]]:
    """The serde values inside one ``Response`` (which itself has no serde derive)."""
    ((name, payload),) = response.items()
    if name == "LlmComplete":
        ((tag, inner),) = payload["result"].items()
        return [(LlmResponse if tag == "Ok" else LlmCallError, inner)]
    if name == "ToolResults":
        return [(CompletedToolCall, r) for r in payload["results"]]
    if name == "Checkpoint":
        return [(CheckpointDelivery, payload["delivery"])]
    if name in ("ExecutionSurfaceSynced", "ExecutionEnvironmentSynced"):
        ((tag, inner),) = payload["result"].items()
        return [(ExecutionEnvironmentSync, inner)] if tag == "Ok" and inner is not None else []
    raise AssertionError(f"unexpected response {name}")


TRACE_VALUES = _trace_values()


def test_traces_are_present() -> None:
    assert len(TRACES) >= 5
    kinds = {p.values[0] for p in TRACE_VALUES}
    assert {TurnCheckpoint, Effect, LlmResponse, CompletedToolCall, CheckpointDelivery} <= kinds
    assert sum(p.values[0] is TurnCheckpoint for p in TRACE_VALUES) >= 25


@pytest.mark.parametrize(("tp", "value"), TRACE_VALUES)
def test_trace_value_round_trips(tp: Any, value: Any) -> None:
    decoded = from_wire(tp, value)
    assert strict_equal(to_wire(decoded, tp), value)


def test_protocol_event_rejects_non_json() -> None:
    with pytest.raises(WireError) as info:
        from_wire(ProtocolEvent, {"plugin_id": "p", "payload": float("nan")})
    assert info.value.json_path == "$.payload"
    assert isinstance(
        from_wire(PluginRuntimeEvent, {"kind": "custom", "name": "n", "payload": 1}),
        PluginRuntimeEvent,
    )
    assert (
        from_wire(AcceptedInjectedTurnInput, {"message": {"role": "User", "content": ""}}).id
        is None
    )
    assert from_wire(ErrorEnvelope, {"kind": "k", "user_message": "u"}).raw is None

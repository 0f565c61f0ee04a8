"""Process plane (wire-format.md §4) and effect-executor types (§2), seed 000 @000.

Expectations are hand-derived from upstream serde attributes or taken from the
examples recorded from the Rust crate (call-cases-core.json).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from lash_spec.model.envelope import RuntimeEffectKind
from lash_spec.model.executor import (
    AwaitEventKey,
    AwaitEventWaitIdentity,
    AwaitEventWaitIdentityCustom,
    AwaitEventWaitIdentityProcessSignal,
    AwaitEventWaitIdentityToolCompletion,
    ExecutionScope,
    ExecutionScopeProcess,
    ExecutionScopeQueueDrain,
    ExecutionScopeRuntimeOperation,
    ExecutionScopeSessionDelete,
    ExecutionScopeTurn,
    ExternalCompletionError,
    Resolution,
    ResolutionCancelled,
    ResolutionErr,
    ResolutionOk,
    ResolutionTimeout,
    RuntimeEffectControllerError,
)
from lash_spec.model.process import (
    LashSchema,
    ProcessAwaitOutput,
    ProcessAwaitOutputCancelled,
    ProcessAwaitOutputFailure,
    ProcessAwaitOutputSuccess,
    ProcessEvent,
    ProcessEventAppendRequest,
    ProcessEventSemantics,
    ProcessEventSemanticsSpec,
    ProcessEventType,
    ProcessExecutionContext,
    ProcessExternalRef,
    ProcessHandleDescriptor,
    ProcessHandleGrantEntry,
    ProcessInput,
    ProcessInputExternal,
    ProcessInputLashlangProcess,
    ProcessInputSessionTurn,
    ProcessListMode,
    ProcessOriginator,
    ProcessOriginatorHost,
    ProcessOriginatorSession,
    ProcessRecord,
    ProcessRef,
    ProcessRegistration,
    ProcessSessionDeleteReport,
    ProcessStartGrant,
    ProcessStatus,
    ProcessStatusRunning,
    ProcessTerminalSemantics,
    ProcessTerminalState,
    ProcessValueSelector,
    ProcessValueSelectorConst,
    ProcessValueSelectorPayload,
    ProcessValueSelectorPointer,
    ProcessValueSelectorTemplate,
    ProcessWakeDedupeKey,
    ProcessWakeDedupeKeyEventIdentity,
    ProcessWakeSpec,
    SessionScope,
    WaitKindSignal,
    WaitState,
    default_process_event_types,
)
from lash_spec.model.tools import ToolFailureClass
from lash_spec.rust import rust_is_blank
from lash_spec.wire.codec import from_json, from_wire, stable_hash, to_json, to_wire
from lash_spec.wire.errors import LashError, WireError
from lash_spec.wire.reader import loads

EXAMPLES = Path(__file__).resolve().parent / "fixtures" / "recorded"
CORE = EXAMPLES / "call-cases-core.json"


def strict_eq(a: Any, b: Any) -> bool:
    """JSON-value equality where ``1``, ``1.0`` and ``true`` all differ."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(strict_eq(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(strict_eq(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b)


def roundtrip(tp: Any, text: str, expected: str | None = None) -> Any:
    """Decode ``text`` as ``tp``; re-encoding must give ``expected`` (default: ``text``)."""
    value = from_json(tp, text)
    assert to_json(value, tp) == (text if expected is None else expected)
    return value


def rejects(tp: Any, text: str, path: str, fragment: str = "") -> WireError:
    with pytest.raises(WireError) as info:
        from_json(tp, text)
    assert info.value.json_path == path, str(info.value)
    assert fragment in info.value.message
    return info.value


def core_cases() -> list[dict[str, Any]]:
    data = loads(CORE.read_text(encoding="utf-8"))
    cases: list[dict[str, Any]] = data["cases"]
    return cases


# ===========================================================================
# §2 executor.rs
# ===========================================================================


def test_controller_error_wire_and_wrong_outcome() -> None:
    err = roundtrip(RuntimeEffectControllerError, '{"code":"c","message":"m"}')
    assert str(err) == "c: m"
    wrong = RuntimeEffectControllerError.wrong_outcome(
        RuntimeEffectKind.LLM_CALL, RuntimeEffectKind.SYNC_EXECUTION_ENVIRONMENT
    )
    assert wrong.code == "runtime_effect_wrong_outcome"
    assert wrong.message == "expected llm_call outcome, got sync_execution_environment"
    lash = wrong.to_lash_error()
    assert (lash.code, lash.message) == (wrong.code, wrong.message)
    rejects(RuntimeEffectControllerError, '{"code":"c"}', "$", "missing field `message`")


@pytest.mark.parametrize(
    ("text", "cls", "scope_id"),
    [
        ('{"type":"turn","session_id":"s","turn_id":"t"}', ExecutionScopeTurn, "t"),
        ('{"type":"process","process_id":"p"}', ExecutionScopeProcess, "p"),
        ('{"type":"queue_drain","session_id":"s","drain_id":"d"}', ExecutionScopeQueueDrain, "d"),
        ('{"type":"session_delete","session_id":"s"}', ExecutionScopeSessionDelete, "s"),
        ('{"type":"runtime_operation","operation_id":"o"}', ExecutionScopeRuntimeOperation, "o"),
    ],
)
def test_execution_scope_variants(text: str, cls: type, scope_id: str) -> None:
    scope: ExecutionScope = roundtrip(ExecutionScope, text)
    assert type(scope) is cls
    assert scope.id() == scope_id


def test_execution_scope_accessors_and_validation() -> None:
    turn = ExecutionScopeTurn(session_id="s", turn_id="t")
    assert (turn.scope_session_id(), turn.scope_turn_id()) == ("s", "t")
    assert ExecutionScopeProcess(process_id="p").scope_session_id() is None
    assert ExecutionScopeQueueDrain(session_id="s", drain_id="d").scope_turn_id() is None
    turn.validate()
    # Rust's trim: U+3000 is whitespace, U+001F is not (Python's isspace disagrees).
    with pytest.raises(LashError) as info:
        ExecutionScopeTurn(session_id="s", turn_id="\u3000 ").validate()
    assert info.value.code == "missing_execution_scope_id"
    ExecutionScopeProcess(process_id="\x1f").validate()
    assert rust_is_blank("\t\n\u2028\u205f")
    assert not rust_is_blank("\x1c")


def test_execution_scope_rejections() -> None:
    rejects(ExecutionScope, '{"type":"turn","session_id":"s"}', "$", "missing field `turn_id`")
    rejects(ExecutionScope, '{"type":"nope"}', "$.type", "unknown variant `nope`")
    rejects(ExecutionScope, '{"session_id":"s"}', "$", "missing field `type`")
    rejects(ExecutionScope, '{"type":"process","process_id":7}', "$.process_id")


def test_await_event_wait_identity_and_key() -> None:
    text = (
        '{"scope":{"type":"queue_drain","session_id":"s","drain_id":"d"},'
        '"wait":{"type":"process_signal","process_id":"p","signal_name":"go","ordinal":3},'
        '"key_id":"abc","signature":"sig"}'
    )
    key = roundtrip(AwaitEventKey, text)
    assert key.wait == AwaitEventWaitIdentityProcessSignal(
        process_id="p", signal_name="go", ordinal=3
    )
    assert key.promise_key() == "lash-await-event:abc"
    roundtrip(AwaitEventWaitIdentity, '{"type":"tool_completion","tool_call_id":"c"}')
    roundtrip(AwaitEventWaitIdentity, '{"type":"custom","key":"k"}')
    # validation: ordinal 0 and blank ids are refused
    for bad in (
        AwaitEventWaitIdentityProcessSignal(process_id="p", signal_name="go", ordinal=0),
        AwaitEventWaitIdentityToolCompletion(tool_call_id=" "),
        AwaitEventWaitIdentityCustom(key=""),
    ):
        with pytest.raises(LashError) as info:
            bad.validate()
        assert info.value.code == "invalid_await_event_wait_identity"
    AwaitEventWaitIdentityCustom(key="k").validate()
    rejects(
        AwaitEventKey,
        text.replace('"ordinal":3', '"ordinal":-1'),
        "$.wait.ordinal",
        "expected u64",
    )
    rejects(AwaitEventKey, text.replace(',"signature":"sig"', ""), "$", "`signature`")


def test_resolution_adjacent_tagging() -> None:
    assert isinstance(roundtrip(Resolution, '{"status":"timeout"}'), ResolutionTimeout)
    assert isinstance(roundtrip(Resolution, '{"status":"cancelled"}'), ResolutionCancelled)
    ok = roundtrip(Resolution, '{"status":"ok","payload":{"b":1,"a":[true,1.0]}}',
                   '{"status":"ok","payload":{"a":[true,1.0],"b":1}}')
    assert ok == ResolutionOk(value={"a": [True, 1.0], "b": 1})
    roundtrip(Resolution, '{"status":"ok","payload":null}')
    err = roundtrip(
        Resolution,
        '{"status":"err","payload":{"code":"c","message":"m","raw":null}}',
        '{"status":"err","payload":{"code":"c","message":"m"}}',
    )
    assert err == ResolutionErr(error=ExternalCompletionError(code="c", message="m"))
    roundtrip(Resolution, '{"status":"err","payload":{"code":"c","message":"m","raw":{"x":1}}}')
    # payload before its tag is fine; a unit variant tolerates a null payload
    roundtrip(Resolution, '{"payload":5,"status":"ok"}', '{"status":"ok","payload":5}')
    roundtrip(Resolution, '{"status":"timeout","payload":null}', '{"status":"timeout"}')
    assert to_json(ResolutionOk(value="x")) == '{"status":"ok","payload":"x"}'


def test_resolution_rejections() -> None:
    rejects(Resolution, '{"status":"ok"}', "$", "missing field `payload`")
    rejects(Resolution, '{"status":"done"}', "$.status", "unknown variant `done`")
    rejects(Resolution, '{"status":"timeout","payload":1}', "$.payload")
    rejects(Resolution, '{"status":"err","payload":{"code":"c"}}', "$.payload",
            "missing field `message`")
    rejects(Resolution, '{"payload":1}', "$", "missing field `status`")


# ===========================================================================
# §4 model.rs / events.rs
# ===========================================================================


def test_session_scope_wire_and_id() -> None:
    plain = roundtrip(SessionScope, '{"session_id":"s"}')
    assert plain.id() == "session:s"
    framed = roundtrip(SessionScope, '{"session_id":"s","agent_frame_id":"f"}')
    assert framed.id() == "session:s/frame:f"
    empty_frame = roundtrip(SessionScope, '{"session_id":"s","agent_frame_id":""}')
    assert empty_frame.id() == "session:s"
    roundtrip(SessionScope, '{"session_id":"s","agent_frame_id":null}', '{"session_id":"s"}')
    assert SessionScope(session_id="").is_empty()
    rejects(SessionScope, '{"agent_frame_id":"f"}', "$", "missing field `session_id`")
    rejects(SessionScope, '{"session_id":1}', "$.session_id", "expected a string")


def _effect_id_cases(op: str) -> list[tuple[dict[str, Any], str]]:
    out = []
    for case in core_cases():
        body = case["body"]
        if body["call"] == "ProcessCommand::effect_id" and body["args"][0]["op"] == op:
            out.append((body["args"][0], body["ok"]))
    return out


def test_session_scope_id_matches_recorded_list_effect_ids() -> None:
    cases = _effect_id_cases("list")
    assert cases
    for command, expected in cases:
        scope: SessionScope = from_wire(SessionScope, command["session_scope"])
        mode: ProcessListMode = from_wire(ProcessListMode, command["mode"])
        assert f"process:list:{scope.id()}:{mode.as_str()}" == expected


def test_session_scope_id_matches_recorded_transfer_effect_ids() -> None:
    cases = _effect_id_cases("transfer")
    assert len(cases) >= 10
    for command, expected in cases:
        src: SessionScope = from_wire(SessionScope, command["from_scope"])
        dst: SessionScope = from_wire(SessionScope, command["to_scope"])
        digest = stable_hash(command["process_ids"])
        assert f"process:transfer:{src.id()}:{dst.id()}:{digest}" == expected


def test_process_list_mode() -> None:
    assert from_json(ProcessListMode, '"live"') is ProcessListMode.LIVE
    assert ProcessListMode.ALL.as_str() == "all"
    assert to_json(ProcessListMode.ALL) == '"all"'
    rejects(ProcessListMode, '"Live"', "$", "unknown variant")


def test_originator_and_provenance() -> None:
    host = roundtrip(ProcessOriginator, '{"type":"host"}')
    assert host == ProcessOriginatorHost()
    assert host.scope_id() == "host"
    session = roundtrip(
        ProcessOriginator, '{"type":"session","scope":{"session_id":"s","agent_frame_id":"f"}}'
    )
    assert isinstance(session, ProcessOriginatorSession)
    assert session.scope_id() == "session:s/frame:f"
    rejects(ProcessOriginator, '{"type":"session"}', "$", "missing field `scope`")


def test_descriptor_grant_context_external_ref() -> None:
    assert to_json(ProcessHandleDescriptor()) == "{}"
    roundtrip(ProcessHandleDescriptor, '{"kind":"k","label":"l"}')
    roundtrip(ProcessHandleDescriptor, '{"kind":null}', "{}")
    roundtrip(ProcessStartGrant, '{"session_scope":{"session_id":"a"},"descriptor":{}}')
    ctx = roundtrip(ProcessExecutionContext, "{}")
    assert ctx.is_empty()
    ctx = roundtrip(
        ProcessExecutionContext,
        '{"causal_invocation":{"scope":{"session_id":"s"},'
        '"subject":{"type":"process","process_id":"p"}}}',
    )
    assert not ctx.is_empty()
    roundtrip(ProcessExternalRef, '{"backend":"b","id":"i"}')
    roundtrip(ProcessExternalRef, '{"backend":"b","id":"i","metadata":null}',
              '{"backend":"b","id":"i"}')
    roundtrip(ProcessExternalRef, '{"backend":"b","id":"i","metadata":{"z":0,"a":1}}',
              '{"backend":"b","id":"i","metadata":{"a":1,"z":0}}')


def test_wait_state_example() -> None:
    text = (
        '{"kind":{"kind":"signal","name":"n","event_type":"e","key":"k","ordinal":0},'
        '"since_ms":5}'
    )
    wait = roundtrip(WaitState, text)
    assert wait == WaitState(
        kind=WaitKindSignal(name="n", event_type="e", key="k", ordinal=0), since_ms=5
    )
    rejects(WaitState, text.replace('"signal"', '"timer"'), "$.kind.kind", "unknown variant")
    rejects(WaitState, text.replace('"since_ms":5', '"since_ms":5.0'), "$.since_ms")


def test_process_input_variants() -> None:
    lashlang = roundtrip(
        ProcessInput,
        '{"type":"lashlang_process","module_ref":"m","process_ref":{"component":"c","pos":3},'
        '"host_requirements_ref":"h","process_name":"n","args":{"b":2,"a":[1]}}',
        '{"type":"lashlang_process","module_ref":"m","process_ref":{"component":"c","pos":3},'
        '"host_requirements_ref":"h","process_name":"n","args":{"a":[1],"b":2}}',
    )
    assert isinstance(lashlang, ProcessInputLashlangProcess)
    assert lashlang.process_ref == ProcessRef(component="c", pos=3)
    # args defaults to {} and is always written
    roundtrip(
        ProcessInput,
        '{"type":"lashlang_process","module_ref":"m","process_ref":{"component":"c","pos":0},'
        '"host_requirements_ref":"h","process_name":"n"}',
        '{"type":"lashlang_process","module_ref":"m","process_ref":{"component":"c","pos":0},'
        '"host_requirements_ref":"h","process_name":"n","args":{}}',
    )
    ext = roundtrip(ProcessInput, '{"type":"external"}', '{"type":"external","metadata":null}')
    assert ext == ProcessInputExternal(metadata=None)
    roundtrip(ProcessInput, '{"type":"external","metadata":{"k":[1,2.5]}}')
    roundtrip(
        ProcessInput,
        '{"type":"tool_call","call":{"call_id":"c","tool_name":"t","args":{}}}',
    )
    rejects(
        ProcessInput,
        '{"type":"lashlang_process","module_ref":"m","process_ref":{"component":"c",'
        '"pos":4294967296},"host_requirements_ref":"h","process_name":"n"}',
        "$.process_ref.pos",
        "u32",
    )
    rejects(
        ProcessInput,
        '{"type":"lashlang_process","module_ref":"m","process_ref":{"component":"c","pos":1},'
        '"host_requirements_ref":"h","process_name":"n","args":[1]}',
        "$.args",
    )
    rejects(ProcessInput, '{"type":"session"}', "$.type", "unknown variant `session`")
    # session_turn: defaults of SessionCreateRequest / TurnInput per wire-format.md §9
    turn: ProcessInput = from_json(
        ProcessInput,
        '{"type":"session_turn","create_request":{"start":{"kind":"empty"}},'
        '"turn_input":{"items":[{"type":"text","text":"hi"}]},'
        '"output_contract":{"kind":"static"}}',
    )
    assert isinstance(turn, ProcessInputSessionTurn)
    assert to_json(turn) == (
        '{"type":"session_turn","create_request":{"relation":{"kind":"root"},'
        '"start":{"kind":"empty"},"policy":null,"plugin_source":"current_session_fork",'
        '"initial_nodes":[],"tool_access":{},"plugin_options":{}},'
        '"turn_input":{"items":[{"type":"text","text":"hi"}],"image_blobs":{}},'
        '"output_contract":{"kind":"static"}}'
    )
    rejects(
        ProcessInput,
        '{"type":"session_turn","create_request":{"start":{"kind":"empty"}},'
        '"turn_input":{"items":[]}}',
        "$",
        "missing field `output_contract`",
    )


def test_value_selector_and_dedupe_key() -> None:
    assert roundtrip(ProcessValueSelector, '"payload"') == ProcessValueSelectorPayload()
    assert roundtrip(ProcessValueSelector, '{"pointer":"/a"}') == ProcessValueSelectorPointer(
        pointer="/a"
    )
    assert roundtrip(ProcessValueSelector, '{"const":null}') == ProcessValueSelectorConst(
        value=None
    )
    roundtrip(ProcessValueSelector, '{"present":"/a"}')
    nested = roundtrip(
        ProcessValueSelector,
        '{"template":{"template":"{b}{a}","fields":{"b":"payload","a":{"template":'
        '{"template":"x"}}}}}',
        '{"template":{"template":"{b}{a}","fields":{"a":{"template":{"template":"x",'
        '"fields":{}}},"b":"payload"}}}',
    )
    assert isinstance(nested, ProcessValueSelectorTemplate)
    assert nested.fields["a"] == ProcessValueSelectorTemplate(template="x")
    rejects(ProcessValueSelector, '"pointer"', "$", "expected newtype variant")
    rejects(
        ProcessValueSelector,
        '{"template":{"template":"t","fields":{"x":{"pointer":1}}}}',
        "$.template.fields.x.pointer",
        "expected a string",
    )
    rejects(ProcessValueSelector, '{"pointer":"/a","const":1}', "$", "invalid length 2")

    assert roundtrip(ProcessWakeDedupeKey, '"event_identity"') == (
        ProcessWakeDedupeKeyEventIdentity()
    )
    roundtrip(ProcessWakeDedupeKey, '{"selector":{"pointer":"/id"}}')
    roundtrip(ProcessWakeDedupeKey, '{"const":"s"}')
    rejects(ProcessWakeDedupeKey, '{"const":1}', "$.const", "expected a string")


def test_event_type_specs_and_defaults() -> None:
    spec = roundtrip(
        ProcessWakeSpec,
        '{"input":"payload"}',
        '{"input":"payload","dedupe_key":"event_identity"}',
    )
    assert spec.when is None
    roundtrip(ProcessWakeSpec, '{"when":{"present":"/x"},"input":{"pointer":"/t"},'
              '"dedupe_key":{"const":"k"}}')
    rejects(ProcessWakeSpec, '{"dedupe_key":"event_identity"}', "$", "missing field `input`")
    assert to_json(ProcessEventSemanticsSpec()) == "{}"
    # semantics is required on read although its type has a Default
    rejects(ProcessEventType, '{"name":"n","payload_schema":{"schema":{}}}', "$",
            "missing field `semantics`")
    rejects(ProcessEventType, '{"name":"n","payload_schema":{},"semantics":{}}',
            "$.payload_schema", "missing field `schema`")
    assert to_json(LashSchema.any()) == '{"schema":{}}'
    assert to_json(default_process_event_types(), tuple[ProcessEventType, ...]) == (
        '[{"name":"process.cancel_requested","payload_schema":{"schema":{}},"semantics":{}},'
        '{"name":"process.waiting","payload_schema":{"schema":{}},"semantics":{}},'
        '{"name":"process.resumed","payload_schema":{"schema":{}},"semantics":{}},'
        '{"name":"process.completed","payload_schema":{"schema":{}},"semantics":{"terminal":'
        '{"state":"completed","await_output":{"pointer":"/await_output"}}}},'
        '{"name":"process.failed","payload_schema":{"schema":{}},"semantics":{"terminal":'
        '{"state":"failed","await_output":{"pointer":"/await_output"}}}},'
        '{"name":"process.cancelled","payload_schema":{"schema":{}},"semantics":{"terminal":'
        '{"state":"cancelled","await_output":{"pointer":"/await_output"}}}}]'
    )


def test_await_output_variants() -> None:
    failure = roundtrip(
        ProcessAwaitOutput,
        '{"type":"failure","class":"external","code":"c","message":"m","raw":[1]}',
    )
    assert failure == ProcessAwaitOutputFailure(
        class_=ToolFailureClass.EXTERNAL, code="c", message="m", raw=[1]
    )
    assert failure.terminal_state() is ProcessTerminalState.FAILED
    success = roundtrip(ProcessAwaitOutput, '{"type":"success","value":null}')
    assert success == ProcessAwaitOutputSuccess(value=None)
    assert success.terminal_state() is ProcessTerminalState.COMPLETED
    cancelled = roundtrip(
        ProcessAwaitOutput, '{"type":"cancelled","message":"m","raw":null}',
        '{"type":"cancelled","message":"m"}',
    )
    assert cancelled == ProcessAwaitOutputCancelled(message="m")
    # the value of a success is required (serde_json::Value has no missing-field default)
    rejects(ProcessAwaitOutput, '{"type":"success"}', "$", "missing field `value`")
    rejects(ProcessAwaitOutput, '{"type":"failure","class":"bogus","code":"c","message":"m"}',
            "$.class", "unknown variant `bogus`")
    rejects(ProcessAwaitOutput, '{"type":"failure","class_":"external","code":"c","message":"m"}',
            "$", "missing field `class`")


def test_status_and_terminal_semantics() -> None:
    running = roundtrip(ProcessStatus, '{"state":"running"}')
    assert running == ProcessStatusRunning()
    assert not running.is_terminal()
    assert running.output() is None and running.terminal_semantics() is None
    done = roundtrip(
        ProcessStatus, '{"state":"completed","await_output":{"type":"success","value":1}}'
    )
    assert done.is_terminal() and done.label() == "completed"
    semantics = done.terminal_semantics()
    assert semantics == ProcessTerminalSemantics(
        state=ProcessTerminalState.COMPLETED, await_output=ProcessAwaitOutputSuccess(value=1)
    )
    assert ProcessStatus.from_terminal(semantics) == done
    rejects(ProcessStatus, '{"state":"failed"}', "$", "missing field `await_output`")
    roundtrip(
        ProcessEventSemantics,
        '{"terminal":{"state":"cancelled","await_output":{"type":"cancelled","message":"m"}},'
        '"wake":{"input":"hi","dedupe_key":"d"}}',
    )
    assert to_json(ProcessEventSemantics()) == "{}"


def test_registration_and_record_defaults() -> None:
    reg = roundtrip(
        ProcessRegistration,
        '{"id":"p","input":{"type":"external"},"provenance":{"originator":{"type":"host"},'
        '"host_profile_id":"h"}}',
        '{"id":"p","input":{"type":"external","metadata":null},"event_types":[],'
        '"provenance":{"originator":{"type":"host"},"host_profile_id":"h"}}',
    )
    assert reg.event_types == ()
    record = roundtrip(
        ProcessRecord,
        '{"id":"p","registration_hash":"h","input":{"type":"external","metadata":1},'
        '"provenance":{"originator":{"type":"host"},"host_profile_id":"h"}}',
        '{"id":"p","registration_hash":"h","input":{"type":"external","metadata":1},'
        '"event_types":[],"provenance":{"originator":{"type":"host"},"host_profile_id":"h"},'
        '"created_at_ms":0,"updated_at_ms":0,"status":{"state":"running"}}',
    )
    assert not record.is_terminal()
    full = (
        '{"id":"p","registration_hash":"h","input":{"type":"external","metadata":null},'
        '"event_types":[],"provenance":{"originator":{"type":"session","scope":'
        '{"session_id":"s"}},"host_profile_id":"h","caused_by":{"type":"process",'
        '"process_id":"q"}},"env_ref":"e","wake_target":{"session_id":"s","agent_frame_id":"f"},'
        '"created_at_ms":1,"updated_at_ms":2,"external_ref":{"backend":"b","id":"i"},'
        '"wait":{"kind":{"kind":"signal","name":"n","event_type":"e","key":"k","ordinal":0},'
        '"since_ms":5},"status":{"state":"cancelled","await_output":{"type":"cancelled",'
        '"message":"m"}}}'
    )
    assert roundtrip(ProcessRecord, full).is_terminal()
    rejects(ProcessRecord, full.replace('"created_at_ms":1', '"created_at_ms":-1'),
            "$.created_at_ms", "expected u64")
    rejects(ProcessRecord, full.replace('"ordinal":0', '"ordinal":"0"'),
            "$.wait.kind.ordinal")
    rejects(ProcessRecord, full.replace('"registration_hash":"h",', ""), "$",
            "missing field `registration_hash`")
    rejects(ProcessRecord, full.replace('"process_id":"q"', '"process_id":null'),
            "$.provenance.caused_by.process_id")


def test_delete_report_and_append_request() -> None:
    text = (
        '{"session_id":"s","revoked_handle_count":18446744073709551615,"deleted_wake_count":0,'
        '"orphaned_process_ids":["a"],"preserved_process_ids":[]}'
    )
    roundtrip(ProcessSessionDeleteReport, text)
    rejects(ProcessSessionDeleteReport, text.replace(',"preserved_process_ids":[]', ""), "$",
            "missing field `preserved_process_ids`")
    too_big = text.replace("18446744073709551615", "18446744073709551616")
    rejects(ProcessSessionDeleteReport, too_big, "$.revoked_handle_count")
    roundtrip(ProcessEventAppendRequest, '{"event_type":"signal.go","payload":null}')
    roundtrip(
        ProcessEventAppendRequest,
        '{"event_type":"e","payload":[1],"replay":{"key":"r"},'
        '"wake_target_scope":{"session_id":"s"}}',
    )
    rejects(ProcessEventAppendRequest, '{"event_type":"e"}', "$", "missing field `payload`")


def test_process_event_wire() -> None:
    text = (
        '{"process_id":"p","sequence":9007199254740993,"event_type":"e","payload":{"a":1},'
        '"invocation":{"scope":{"session_id":"s","turn_id":"t"},"subject":{"type":'
        '"session_node","node_id":"n"}},"semantics":{"wake":{"input":"hello","dedupe_key":"d"}},'
        '"occurred_at":{"secs_since_epoch":1700000497,"nanos_since_epoch":123}}'
    )
    event = roundtrip(ProcessEvent, text)
    assert event.sequence == 9007199254740993
    rejects(ProcessEvent, text.replace('"occurred_at":{"secs_since_epoch":1700000497,'
                                       '"nanos_since_epoch":123}', '"occurred_at":1700000497'),
            "$.occurred_at")
    rejects(ProcessEvent, text.replace('"node_id":"n"', '"node":"n"'), "$.invocation.subject",
            "missing field `node_id`")


def test_grant_entry_is_a_pair() -> None:
    record = (
        '{"id":"p","registration_hash":"h","input":{"type":"external","metadata":null},'
        '"event_types":[],"provenance":{"originator":{"type":"host"},"host_profile_id":"h"},'
        '"created_at_ms":0,"updated_at_ms":0,"status":{"state":"running"}}'
    )
    grant = '{"session_id":"s","process_id":"p","descriptor":{"label":"l"}}'
    entry = roundtrip(ProcessHandleGrantEntry, f"[{grant},{record}]")
    assert entry[0].descriptor == ProcessHandleDescriptor(label="l")
    rejects(ProcessHandleGrantEntry, f"[{grant}]", "$", "invalid length 1")
    rejects(ProcessHandleGrantEntry, f'{{"0":{grant}}}', "$")


# ===========================================================================
# Recorded examples: every process value in call-cases-core.json
# ===========================================================================


def _walk(value: Any) -> Any:
    """Every JSON object inside ``value`` (depth-first)."""
    if isinstance(value, dict):
        yield value
        for item in value.values():
            yield from _walk(item)
    elif isinstance(value, list):
        for item in value:
            yield from _walk(item)


_OUTCOME_PARTS: dict[str, tuple[str, Any] | None] = {
    "start": ("record", ProcessRecord),
    "cancel": ("record", ProcessRecord),
    "list": ("entries", tuple[ProcessHandleGrantEntry, ...]),
    "delete_session": ("report", ProcessSessionDeleteReport),
    "await": ("output", ProcessAwaitOutput),
    "signal": ("event", ProcessEvent),
    "transfer": None,
}


def _check_outcome_result(result: dict[str, Any]) -> None:
    part = _OUTCOME_PARTS[result["op"]]
    if part is None:
        assert result == {"op": "transfer"}
        return
    key, tp = part
    assert set(result) == {"op", key}
    encoded = to_wire(from_wire(tp, result[key]), tp)
    assert strict_eq(encoded, result[key]), (encoded, result[key])


def test_recorded_process_outcomes_round_trip() -> None:
    seen = 0
    ops = set()
    for case in core_cases():
        body = case["body"]
        for obj in _walk(body["args"]):
            if obj.get("type") == "process" and "result" in obj:
                _check_outcome_result(obj["result"])
                ops.add(obj["result"]["op"])
                seen += 1
        if body["call"] == "RuntimeEffectOutcome::into_process" and "ok" in body:
            _check_outcome_result(body["ok"])
            seen += 1
    assert seen >= 17
    assert ops == set(_OUTCOME_PARTS)


_COMMAND_PARTS: dict[str, Any] = {
    "registration": ProcessRegistration,
    "grant": ProcessStartGrant,
    "execution_context": ProcessExecutionContext,
    "session_scope": SessionScope,
    "from_scope": SessionScope,
    "to_scope": SessionScope,
    "request": ProcessEventAppendRequest,
}


def test_recorded_process_command_parts_round_trip() -> None:
    """The process-typed fields of recorded ``ProcessCommand`` arguments."""
    seen = 0
    for case in core_cases():
        body = case["body"]
        if body["call"] != "ProcessCommand::effect_id":
            continue
        command = body["args"][0]
        for key, tp in _COMMAND_PARTS.items():
            if key in command:
                encoded = to_wire(from_wire(tp, command[key]), tp)
                assert strict_eq(encoded, command[key]), (case["id"], key)
                seen += 1
        if "mode" in command:
            assert from_wire(ProcessListMode, command["mode"]).as_str() == command["mode"]
    assert seen >= 60


def test_recorded_await_event_keys_and_resolutions() -> None:
    keys = resolutions = 0
    for case in core_cases():
        for obj in _walk(case["body"]["args"]):
            if set(obj) == {"scope", "wait", "key_id", "signature"}:
                assert strict_eq(to_wire(from_wire(AwaitEventKey, obj)), obj)
                keys += 1
            if "resolution" in obj:
                res = obj["resolution"]
                assert strict_eq(to_wire(from_wire(Resolution, res)), res)
                resolutions += 1
    assert keys >= 5
    assert resolutions >= 3

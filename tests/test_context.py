"""Seed 001 rules: the pure decisions of ``RuntimeExecutionContext``.

Expectations are derived by hand from the seed (execution_context.rs @ceb460d4)
and from the upstream helpers it calls (runtime/causal.rs, events.rs,
process/model.rs at the same commit). JSON is written out and hashes are
computed with hashlib over hand-written text.
"""

from __future__ import annotations

import hashlib
from typing import Any, TypeVar

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lash_spec import LashError, WireError, from_wire, to_wire
from lash_spec.conformance import check_case
from lash_spec.model.ceb460d4 import (
    ProcessInput,
    ProcessRecord,
    ProcessRegistration,
    RuntimeEffectOutcome,
)
from lash_spec.model.context import (
    ProcessExecutionEnvSpec,
    ProcessSpawnProvenance,
    RuntimeExecutionContext,
    await_process_signal_event_result,
    captures_process_execution_env,
    process_effect_invocation,
    process_handle_json,
    process_signal_await_target,
    process_signal_event_type,
    process_sleep_invocation,
    session_scope_for,
    signal_process_by_id_result,
    signal_replay_key,
    signal_resolves_await,
    signal_waiting_ordinal,
    sleep_process_result,
)
from lash_spec.model.envelope import RuntimeInvocation
from lash_spec.model.executor import AwaitEventKey, ExecutionScope, ResolutionOk
from lash_spec.model.process import ProcessOriginator, SessionScope
from lash_spec.strategies import strategy_for, wire_strings

T = TypeVar("T")


def decode(tp: type[T], value: Any) -> T:
    """Read at ceb460d4, the era of seed 001."""
    result: T = from_wire(tp, value, era="ceb460d4")
    return result


# -- hand-written values ------------------------------------------------------------

DEFAULT_SPEC_TEXT = (
    '{"plugin_options":{},"policy":{"model":{"id":"","limits":{"context_window_tokens":1}},'
    '"provider_id":"","session_id":null,"autonomous":false,"max_turns":null}}'
)
DEFAULT_SPEC_REF = "process-env:sha256:" + hashlib.sha256(DEFAULT_SPEC_TEXT.encode()).hexdigest()
DEFAULT_SPEC_WIRE = {
    "plugin_options": {},
    "policy": {
        "model": {"id": "", "limits": {"context_window_tokens": 1}},
        "provider_id": "",
        "session_id": None,
        "autonomous": False,
        "max_turns": None,
    },
}

PARENT_TURN = {
    "scope": {"session_id": "ps", "turn_id": "t", "turn_index": 2, "protocol_iteration": 1},
    "subject": {"type": "effect", "effect_id": "tool-1", "kind": "tool_attempt"},
    "replay": {"key": "r"},
}
PARENT_TURN_CAUSE = {"type": "effect", "session_id": "ps", "turn_id": "t", "effect_id": "tool-1"}

TOOL_INPUT = {
    "type": "tool_call",
    "call": {"call_id": "c1", "tool_id": "tool:t", "tool_name": "t", "args": {}},
}
EXTERNAL_INPUT = {"type": "external", "metadata": None}
HOST_PROVENANCE = {"originator": {"type": "host"}}


def registration(input_: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {
        "id": "p1",
        "input": input_,
        "identity": {"kind": "tool"},
        "event_types": [],
        "provenance": HOST_PROVENANCE,
        **extra,
    }


def event(sequence: int = 3) -> dict[str, Any]:
    return {
        "process_id": "p1",
        "sequence": sequence,
        "event_type": "signal.go",
        "payload": {"x": 1},
        "invocation": {
            "scope": {"session_id": "runtime"},
            "subject": {
                "type": "process_event",
                "process_id": "p1",
                "sequence": sequence,
                "event_type": "signal.go",
            },
        },
        "semantics": {},
        "occurred_at": {"secs_since_epoch": 1, "nanos_since_epoch": 0},
    }


def outcome(wire: dict[str, Any]) -> RuntimeEffectOutcome:
    return decode(RuntimeEffectOutcome, wire)


def await_outcome(resolution: dict[str, Any]) -> RuntimeEffectOutcome:
    return outcome({"type": "await_event", "resolution": resolution})


SLEEP_OUTCOME = {"type": "sleep"}
SIGNAL_OUTCOME = {"type": "process", "result": {"op": "signal", "event": event()}}


def ctx(session_id: str = "s", agent_frame_id: str = "", **kw: Any) -> RuntimeExecutionContext:
    scope = decode(ExecutionScope, {"type": "runtime_operation", "operation_id": "op"})
    return RuntimeExecutionContext(
        session_id=session_id, agent_frame_id=agent_frame_id, execution_scope=scope, **kw
    )


def code_of(fn: Any, *args: Any) -> str:
    with pytest.raises(LashError) as info:
        fn(*args)
    return info.value.code


# -- session scope --------------------------------------------------------------------


@given(session_id=wire_strings)
def test_empty_frame_id_gives_session_only_scope(session_id: str) -> None:
    assert to_wire(session_scope_for(session_id, "")) == {"session_id": session_id}


@given(session_id=wire_strings, frame=wire_strings.filter(lambda f: f != ""))
def test_non_empty_frame_id_is_kept_verbatim(session_id: str, frame: str) -> None:
    # Only the exact empty string is "no frame": " " and "\x1c" are frames.
    assert to_wire(session_scope_for(session_id, frame)) == {
        "session_id": session_id,
        "agent_frame_id": frame,
    }


def test_whitespace_frame_is_a_frame_but_process_scope_keeps_empty_frame() -> None:
    assert to_wire(ctx("s", " ").session_scope()) == {"session_id": "s", "agent_frame_id": " "}
    # process_scope always passes Some(agent_frame_id), even Some("").
    assert ctx("s", "").process_scope_agent_frame_id() == ""


@pytest.mark.parametrize(
    ("scope", "expected"),
    [
        ({"type": "turn", "session_id": "s", "turn_id": "t"}, "t"),
        ({"type": "process", "process_id": "p"}, "p"),
        ({"type": "queue_drain", "session_id": "s", "drain_id": "d"}, "d"),
        ({"type": "session_delete", "session_id": "s"}, "s"),
        ({"type": "runtime_operation", "operation_id": "o"}, "o"),
    ],
)
def test_execution_scope_id_is_the_scope_own_id(scope: dict[str, Any], expected: str) -> None:
    context = attrs_evolve(ctx(), execution_scope=decode(ExecutionScope, scope))
    assert context.execution_scope_id() == expected


def attrs_evolve(obj: Any, **changes: Any) -> Any:
    import attrs

    return attrs.evolve(obj, **changes)


# -- trigger registration defaults ------------------------------------------------------


@given(session_id=wire_strings, frame=wire_strings)
def test_originator_defaults_to_the_session_scope(session_id: str, frame: str) -> None:
    scope: dict[str, Any] = {"session_id": session_id}
    if frame:
        scope["agent_frame_id"] = frame
    context = ctx(session_id, frame)
    assert to_wire(context.trigger_registration_originator()) == {
        "type": "session",
        "scope": scope,
    }
    assert to_wire(context.trigger_registration_wake_target()) == scope


@given(originator=strategy_for(ProcessOriginator), wake=strategy_for(SessionScope))
def test_set_originator_and_wake_target_win(
    originator: ProcessOriginator, wake: SessionScope
) -> None:
    context = ctx(process_originator=originator, process_wake_target=wake)
    assert context.trigger_registration_originator() == originator
    assert context.trigger_registration_wake_target() == wake


def test_spawn_provenance_only_in_a_process_run_context() -> None:
    assert ctx().process_spawn_provenance() is None
    host = decode(ProcessOriginator, {"type": "host"})
    # No wake target fallback here (unlike the trigger defaults).
    assert ctx(process_originator=host).process_spawn_provenance() == ProcessSpawnProvenance(
        originator=host, wake_target=None
    )


def test_registration_context_overwrites_with_none() -> None:
    wake = SessionScope(session_id="w")
    before = ctx(process_env_ref="old", process_wake_target=wake)
    reg = decode(ProcessRegistration, registration(TOOL_INPUT))
    after = before.with_process_registration_context(reg)
    assert to_wire(after.trigger_registration_originator()) == {"type": "host"}
    assert after.runtime_process_id == "p1"
    assert after.process_env_ref is None
    assert after.process_wake_target is None
    # ...so the wake target falls back to the session scope again.
    assert to_wire(after.trigger_registration_wake_target()) == {"session_id": "s"}


# -- run-local bookkeeping ----------------------------------------------------------------


@given(started=st.lists(wire_strings, max_size=5), probe=wire_strings)
def test_run_local_iff_recorded(started: list[str], probe: str) -> None:
    context = ctx()
    for pid in started:
        context = context.record_started_process(pid)
    assert context.is_run_local_process(probe) == (probe in started)
    assert context.started_process_ids == set(started)


# -- execution env capture ---------------------------------------------------------------


def test_default_spec_ref_is_the_hash_of_its_serde_text() -> None:
    spec = ProcessExecutionEnvSpec()
    assert to_wire(spec) == DEFAULT_SPEC_WIRE
    assert spec.to_store_bytes() == DEFAULT_SPEC_TEXT.encode()
    assert spec.stable_ref() == DEFAULT_SPEC_REF
    assert ctx().captured_process_execution_env_ref() == DEFAULT_SPEC_REF


def test_spec_ref_hashes_sorted_plugin_options_and_trimmed_provider() -> None:
    spec = decode(
        ProcessExecutionEnvSpec,
        {"plugin_options": {"plugins": {"b": 1, "a": [True]}}, "policy": {"provider_id": " x "}},
    )
    text = (
        '{"plugin_options":{"plugins":{"a":[true],"b":1}},"policy":{"model":{"id":"","limits":'
        '{"context_window_tokens":1}},"provider_id":"x","session_id":null,"autonomous":false,'
        '"max_turns":null}}'
    )
    assert spec.stable_ref() == "process-env:sha256:" + hashlib.sha256(text.encode()).hexdigest()


def test_spec_denies_unknown_fields() -> None:
    with pytest.raises(WireError):
        decode(ProcessExecutionEnvSpec, {"extra": 1})
    assert to_wire(decode(ProcessExecutionEnvSpec, {})) == DEFAULT_SPEC_WIRE


def test_inherited_env_ref_wins_over_the_spec() -> None:
    assert ctx(process_env_ref="inherited").captured_process_execution_env_ref() == "inherited"


@given(process_input=strategy_for(ProcessInput))
def test_capture_by_input_variant(process_input: ProcessInput) -> None:
    tag = to_wire(process_input)["type"]
    assert captures_process_execution_env(process_input) == (
        tag not in {"external", "session_turn"}
    )


def test_attach_env() -> None:
    context = ctx()
    tool = decode(ProcessRegistration, registration(TOOL_INPUT))
    assert to_wire(context.attach_captured_process_execution_env(tool)) == registration(
        TOOL_INPUT, env_ref=DEFAULT_SPEC_REF
    )
    external = decode(ProcessRegistration, registration(EXTERNAL_INPUT))
    assert context.attach_captured_process_execution_env(external) == external
    # An existing ref is kept, even an empty one.
    preset = decode(ProcessRegistration, registration(TOOL_INPUT, env_ref=""))
    assert context.attach_captured_process_execution_env(preset) == preset


def test_start_child_process_plan() -> None:
    parent = decode(RuntimeInvocation, PARENT_TURN)
    host = decode(ProcessOriginator, {"type": "host"})
    context = ctx("s", "f", process_originator=host, process_env_ref="e", parent_invocation=parent)
    plan = context.start_child_process_plan(
        decode(ProcessRegistration, registration(TOOL_INPUT)), "tool", None
    )
    assert plan.registration.env_ref == "e"
    assert to_wire(plan.descriptor) == {"kind": "tool"}
    assert plan.spawn_provenance == ProcessSpawnProvenance(originator=host, wake_target=None)
    assert to_wire(plan.execution_context) == {"causal_invocation": PARENT_TURN}
    assert plan.scope_agent_frame_id == "f"
    assert process_handle_json("p1") == {"__handle__": "process", "id": "p1"}


# -- invocations (runtime/causal.rs) -------------------------------------------------------


def test_sleep_invocation_without_parent() -> None:
    inv = process_sleep_invocation("s", None, "sc", 3)
    assert to_wire(inv) == {
        "scope": {"session_id": "s"},
        "subject": {"type": "effect", "effect_id": "process:sc:sleep:3", "kind": "sleep"},
        "replay": {"key": "process:sc:sleep:3"},
    }


def test_sleep_invocation_under_a_parent_uses_the_parent_scope() -> None:
    parent = decode(RuntimeInvocation, PARENT_TURN)
    assert to_wire(process_sleep_invocation("ignored", parent, "sc", 3)) == {
        "scope": PARENT_TURN["scope"],
        "subject": {"type": "effect", "effect_id": "tool-1:process:sc:sleep:3", "kind": "sleep"},
        "caused_by": PARENT_TURN_CAUSE,
        "replay": {"key": "r:process:sc:sleep:3"},
    }


@pytest.mark.parametrize(
    ("parent", "effect_id", "replay"),
    [
        # no replay key: fall back to the parent's effect id
        (
            {
                "scope": {"session_id": "ps"},
                "subject": {"type": "effect", "effect_id": "e", "kind": "sleep"},
            },
            "e:process:sc:sleep:1",
            "e:process:sc:sleep:1",
        ),
        # neither: "effect"
        (
            {"scope": {"session_id": "ps"}, "subject": {"type": "process", "process_id": "p0"}},
            "effect:process:sc:sleep:1",
            "effect:process:sc:sleep:1",
        ),
        # an empty replay key is still the base
        (
            {
                "scope": {"session_id": "ps"},
                "subject": {"type": "process", "process_id": "p0"},
                "replay": {"key": ""},
            },
            "effect:process:sc:sleep:1",
            ":process:sc:sleep:1",
        ),
    ],
)
def test_child_replay_base_fallbacks(parent: dict[str, Any], effect_id: str, replay: str) -> None:
    inv = process_sleep_invocation("s", decode(RuntimeInvocation, parent), "sc", 1)
    assert inv.effect_id() == effect_id
    assert inv.replay_key() == replay


def test_await_event_invocation_without_parent() -> None:
    context = ctx()
    key = decode(
        AwaitEventKey,
        {
            "scope": {"type": "process", "process_id": "p1"},
            "wait": {
                "type": "process_signal",
                "process_id": "p1",
                "signal_name": "go",
                "ordinal": 2,
            },
            "key_id": "k",
            "signature": "sig",
        },
    )
    scope, wait = process_signal_await_target("p1", "go", 2)
    assert (scope, wait) == (key.scope, key.wait)
    envelope = context.await_process_signal_event_envelope(key, "p1", "go", 2)
    assert to_wire(envelope.invocation) == {
        "scope": {"session_id": "s"},
        "subject": {
            "type": "effect",
            "effect_id": "process:p1:signal.go:await:2",
            "kind": "await_event",
        },
        "replay": {"key": "process:p1:signal.go:await:2"},
    }
    assert to_wire(envelope.command)["type"] == "await_event"


def test_process_effect_invocation_keeps_turn_fields_but_not_parent_session() -> None:
    parent = decode(RuntimeInvocation, PARENT_TURN)
    assert to_wire(process_effect_invocation("s", parent, "eid")) == {
        "scope": {"session_id": "s", "turn_id": "t", "turn_index": 2, "protocol_iteration": 1},
        "subject": {"type": "effect", "effect_id": "eid", "kind": "process"},
        "caused_by": PARENT_TURN_CAUSE,
        "replay": {"key": "r:eid"},
    }


def test_process_effect_invocation_without_turn_or_replay() -> None:
    parent = decode(
        RuntimeInvocation,
        {
            "scope": {"session_id": "ps", "turn_index": 4},
            "subject": {"type": "effect", "effect_id": "e", "kind": "sleep"},
        },
    )
    # turn_index is dropped without a turn id; the base is "process", not the effect id.
    assert to_wire(process_effect_invocation("s", parent, "eid")) == {
        "scope": {"session_id": "s"},
        "subject": {"type": "effect", "effect_id": "eid", "kind": "process"},
        "caused_by": {"type": "effect", "session_id": "ps", "effect_id": "e"},
        "replay": {"key": "process:eid"},
    }
    assert to_wire(process_effect_invocation("s", None, "eid"))["replay"] == {"key": "s:eid"}


# -- signals ------------------------------------------------------------------------------


def test_signal_envelope() -> None:
    envelope = ctx().signal_process_envelope("p1", "go", "sig-1", {"x": 1})
    assert to_wire(envelope) == {
        "invocation": {
            "scope": {"session_id": "s"},
            "subject": {
                "type": "effect",
                "effect_id": "process:signal:p1:signal.go:sig-1",
                "kind": "process",
            },
            "replay": {"key": "s:process:signal:p1:signal.go:sig-1"},
        },
        "command": {
            "type": "process",
            "command": {
                "op": "signal",
                "process_id": "p1",
                "signal_name": "go",
                "signal_id": "sig-1",
                "request": {
                    "event_type": "signal.go",
                    "payload": {"x": 1},
                    "replay": {"key": "process:p1:signal.go:sig-1"},
                },
            },
        },
    }


@given(
    pid=wire_strings,
    name=st.text(alphabet="abcXYZ019_-", min_size=1, max_size=8),
    sid=wire_strings,
)
def test_signal_replay_key_format(pid: str, name: str, sid: str) -> None:
    assert signal_replay_key(pid, name, sid) == "process:" + pid + ":signal." + name + ":" + sid
    assert process_signal_event_type(name) == "signal." + name


@pytest.mark.parametrize("name", ["", "a b", "a.b", "é", "go!", "\u0661"])
def test_invalid_signal_name_is_plugin(name: str) -> None:
    assert code_of(process_signal_event_type, name) == "plugin"
    assert code_of(ctx().signal_process_envelope, "p1", name, "i", None) == "plugin"


def record_waiting(name: str, event_type: str, ordinal: int) -> ProcessRecord:
    return decode(
        ProcessRecord,
        {
            "id": "p1",
            "registration_hash": "h",
            "input": EXTERNAL_INPUT,
            "identity": {"kind": "external"},
            "provenance": HOST_PROVENANCE,
            "wait": {
                "kind": {
                    "kind": "signal",
                    "name": name,
                    "event_type": event_type,
                    "key": "k",
                    "ordinal": ordinal,
                },
                "since_ms": 5,
            },
        },
    )


def test_waiting_ordinal_needs_name_and_event_type_to_match() -> None:
    assert signal_waiting_ordinal(record_waiting("go", "signal.go", 7), "go", "signal.go") == 7
    assert (
        signal_waiting_ordinal(record_waiting("go", "signal.other", 7), "go", "signal.go") is None
    )
    assert signal_waiting_ordinal(record_waiting("stop", "signal.go", 7), "go", "signal.go") is None
    assert signal_waiting_ordinal(None, "go", "signal.go") is None


@given(ordinal=st.integers(0, 2**64 - 1), payload=strategy_for(ResolutionOk))
def test_only_positive_ordinals_resolve(ordinal: int, payload: ResolutionOk) -> None:
    resolution = signal_resolves_await(ordinal, payload.value)
    assert (resolution is None) == (ordinal == 0)
    if resolution is not None:
        assert to_wire(resolution) == {"status": "ok", "payload": to_wire(payload)["payload"]}


# -- outcome checks: one test per code -------------------------------------------------------


def test_sleep_outcome_ok() -> None:
    sleep_process_result(outcome(SLEEP_OUTCOME))  # no error: Ok(())


def test_runtime_effect_wrong_outcome() -> None:
    cancelled = await_outcome({"status": "cancelled"})
    assert code_of(sleep_process_result, cancelled) == "runtime_effect_wrong_outcome"
    assert code_of(await_process_signal_event_result, outcome(SLEEP_OUTCOME)) == (
        "runtime_effect_wrong_outcome"
    )
    assert code_of(signal_process_by_id_result, outcome(SLEEP_OUTCOME)) == (
        "runtime_effect_wrong_outcome"
    )
    transfer = outcome({"type": "process", "result": {"op": "transfer"}})
    assert code_of(signal_process_by_id_result, transfer) == "runtime_effect_wrong_outcome"


def test_process_signal_wait_timeout() -> None:
    timed_out = await_outcome({"status": "timeout"})
    assert code_of(await_process_signal_event_result, timed_out) == "process_signal_wait_timeout"


def test_process_signal_wait_cancelled() -> None:
    cancelled = await_outcome({"status": "cancelled"})
    assert code_of(await_process_signal_event_result, cancelled) == (
        "process_signal_wait_cancelled"
    )


def test_plugin_code_for_invalid_signal_name_in_the_op() -> None:
    body = {
        "call": "RuntimeExecutionContext::signal_process_by_id",
        "args": ["p1", "bad name", "i", None, SIGNAL_OUTCOME],
        "err": {"code": "plugin"},
    }
    assert check_case(body).passed


@given(code=wire_strings, message=wire_strings)
def test_err_resolution_passes_its_code_through(code: str, message: str) -> None:
    err = await_outcome({"status": "err", "payload": {"code": code, "message": message}})
    with pytest.raises(LashError) as info:
        await_process_signal_event_result(err)
    assert (info.value.code, info.value.message) == (code, message)


@given(payload=strategy_for(ResolutionOk))
def test_ok_resolution_yields_the_payload(payload: ResolutionOk) -> None:
    wire = to_wire(payload)
    assert await_process_signal_event_result(await_outcome(wire)) == wire["payload"]


def test_signal_outcome_yields_the_event() -> None:
    assert to_wire(signal_process_by_id_result(outcome(SIGNAL_OUTCOME))) == event()


# -- call-case bodies, written by hand from the seed ------------------------------------------

BODIES: list[dict[str, Any]] = [
    {
        "call": "RuntimeExecutionContext::session_scope",
        "args": ["s", ""],
        "ok": {"session_id": "s"},
    },
    {
        "call": "RuntimeExecutionContext::session_scope",
        "args": ["s", "f"],
        "ok": {"session_id": "s", "agent_frame_id": "f"},
    },
    {
        "call": "RuntimeExecutionContext::execution_scope_id",
        "args": [{"type": "turn", "session_id": "s", "turn_id": "t"}],
        "ok": "t",
    },
    {
        "call": "RuntimeExecutionContext::trigger_registration_originator",
        "args": ["s", "f", None],
        "ok": {"type": "session", "scope": {"session_id": "s", "agent_frame_id": "f"}},
    },
    {
        "call": "RuntimeExecutionContext::trigger_registration_originator",
        "args": ["s", "f", {"type": "host"}],
        "ok": {"type": "host"},
    },
    {
        "call": "RuntimeExecutionContext::trigger_registration_wake_target",
        "args": ["s", "", None],
        "ok": {"session_id": "s"},
    },
    {
        "call": "RuntimeExecutionContext::is_run_local_process",
        "args": [["a", "b"], "b"],
        "ok": True,
    },
    {
        "call": "RuntimeExecutionContext::is_run_local_process",
        "args": [[], "b"],
        "ok": False,
    },
    {
        "call": "RuntimeExecutionContext::captured_process_execution_env_ref",
        "args": [{}, None],
        "ok": DEFAULT_SPEC_REF,
    },
    {
        "call": "RuntimeExecutionContext::attach_captured_process_execution_env",
        "args": [{}, "env-1", registration(TOOL_INPUT)],
        "ok": registration(TOOL_INPUT, env_ref="env-1"),
    },
    {
        "call": "RuntimeExecutionContext::attach_captured_process_execution_env",
        "args": [{}, "env-1", registration(EXTERNAL_INPUT)],
        "ok": registration(EXTERNAL_INPUT),
    },
    {
        "call": "RuntimeExecutionContext::process_handle_json",
        "args": ["p1"],
        "ok": {"__handle__": "process", "id": "p1"},
    },
    {
        "call": "RuntimeExecutionContext::sleep_process",
        "args": ["sc", 1, 100, {"type": "sleep"}],
        "ok": None,
    },
    {
        "call": "RuntimeExecutionContext::sleep_process",
        "args": ["sc", 1, 100, {"type": "await_event", "resolution": {"status": "timeout"}}],
        "err": {"code": "runtime_effect_wrong_outcome"},
    },
    {
        "call": "RuntimeExecutionContext::await_process_signal_event",
        "args": [
            "p1",
            "go",
            1,
            {"type": "await_event", "resolution": {"status": "ok", "payload": [1]}},
        ],
        "ok": [1],
    },
    {
        "call": "RuntimeExecutionContext::await_process_signal_event",
        "args": ["p1", "go", 1, {"type": "await_event", "resolution": {"status": "timeout"}}],
        "err": {"code": "process_signal_wait_timeout"},
    },
    {
        "call": "RuntimeExecutionContext::await_process_signal_event",
        "args": ["p1", "go", 1, {"type": "await_event", "resolution": {"status": "cancelled"}}],
        "err": {"code": "process_signal_wait_cancelled"},
    },
    {
        "call": "RuntimeExecutionContext::await_process_signal_event",
        "args": [
            "p1",
            "go",
            1,
            {
                "type": "await_event",
                "resolution": {"status": "err", "payload": {"code": "boom", "message": "m"}},
            },
        ],
        "err": {"code": "boom"},
    },
    {
        "call": "RuntimeExecutionContext::signal_process_by_id",
        "args": ["p1", "go", "sig-1", {"x": 1}, SIGNAL_OUTCOME],
        "ok": event(),
    },
    {
        "call": "RuntimeExecutionContext::signal_process_by_id",
        "args": ["p1", "go", "sig-1", {"x": 1}, {"type": "process", "result": {"op": "transfer"}}],
        "err": {"code": "runtime_effect_wrong_outcome"},
    },
    {
        "call": "process_sleep_invocation",
        "args": ["s", None, "sc", 3],
        "ok": {
            "scope": {"session_id": "s"},
            "subject": {"type": "effect", "effect_id": "process:sc:sleep:3", "kind": "sleep"},
            "replay": {"key": "process:sc:sleep:3"},
        },
    },
    {
        "call": "process_await_event_invocation",
        "args": ["s", PARENT_TURN, "p1", "go", 2],
        "ok": {
            "scope": PARENT_TURN["scope"],
            "subject": {
                "type": "effect",
                "effect_id": "tool-1:process:p1:signal.go:await:2",
                "kind": "await_event",
            },
            "caused_by": PARENT_TURN_CAUSE,
            "replay": {"key": "r:process:p1:signal.go:await:2"},
        },
    },
    {
        "call": "process_effect_invocation",
        "args": ["s", None, "process:signal:p1:signal.go:sig-1"],
        "ok": {
            "scope": {"session_id": "s"},
            "subject": {
                "type": "effect",
                "effect_id": "process:signal:p1:signal.go:sig-1",
                "kind": "process",
            },
            "replay": {"key": "s:process:signal:p1:signal.go:sig-1"},
        },
    },
    {
        "call": "child_effect_invocation",
        "args": [PARENT_TURN, "c", "sleep", "x"],
        "ok": {
            "scope": PARENT_TURN["scope"],
            "subject": {"type": "effect", "effect_id": "c", "kind": "sleep"},
            "caused_by": PARENT_TURN_CAUSE,
            "replay": {"key": "r:x"},
        },
    },
    {
        "call": "ProcessExecutionEnvSpec::stable_ref",
        "args": [DEFAULT_SPEC_WIRE],
        "ok": DEFAULT_SPEC_REF,
    },
    {
        "call": "decode:ProcessExecutionEnvSpec",
        "args": [{"plugin_options": {}, "nope": 1}],
        "err": {"code": "decode"},
    },
]


@pytest.mark.parametrize("body", BODIES, ids=[f"{i}-{b['call']}" for i, b in enumerate(BODIES)])
def test_call_case_bodies(body: dict[str, Any]) -> None:
    result = check_case(body, era="ceb460d4")
    assert result.passed, result.detail


def test_env_spec_unknown_keys_are_an_error_only_at_ceb460d4() -> None:
    """``deny_unknown_fields`` arrived with ceb460d4; 74941d21's serde ignores the key."""
    args = [{"plugin_options": {}, "nope": 1}]
    refused = {"call": "decode:ProcessExecutionEnvSpec", "args": args, "err": {"code": "decode"}}
    assert check_case(refused, era="ceb460d4").passed
    accepted = {"call": "decode:ProcessExecutionEnvSpec", "args": args, "ok": DEFAULT_SPEC_WIRE}
    assert check_case(accepted, era="74941d21").passed
    assert not check_case(accepted, era="ceb460d4").passed


def test_a_wrong_expectation_fails() -> None:
    body = {
        "call": "RuntimeExecutionContext::session_scope",
        "args": ["s", ""],
        "ok": {"session_id": "s", "agent_frame_id": ""},
    }
    assert check_case(body).status == "failed"

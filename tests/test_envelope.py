"""Seed 000 rules: envelope validation, invocation helpers, effect ids, outcomes.

Expectations are derived by hand from the seed (envelope.rs) — texts and
hashes are written out or computed with hashlib from hand-written JSON.
"""

from __future__ import annotations

import hashlib
from typing import Any

import pytest

from lash_spec import LashError, from_wire, stable_hash, to_json, to_wire
from lash_spec.model.effect_id import ProcessCommand
from lash_spec.model.envelope import (
    RuntimeEffectCommand,
    RuntimeEffectEnvelope,
    RuntimeEffectKind,
    RuntimeInvocation,
    RuntimeScope,
)
from lash_spec.model.outcome import RuntimeEffectOutcome
from lash_spec.rust import rust_trim

SCOPE = {"session_id": "s", "turn_id": "t"}


def invocation(subject: dict[str, Any], replay: dict[str, Any] | None = None) -> RuntimeInvocation:
    wire: dict[str, Any] = {"scope": SCOPE, "subject": subject}
    if replay is not None:
        wire["replay"] = replay
    return from_wire(RuntimeInvocation, wire)


def effect(effect_id: str = "e1", kind: str = "sleep") -> dict[str, Any]:
    return {"type": "effect", "effect_id": effect_id, "kind": kind}


SLEEP = from_wire(RuntimeEffectCommand, {"type": "sleep", "duration_ms": 5})


def code_of(fn: Any, *args: Any) -> str:
    with pytest.raises(LashError) as info:
        fn(*args)
    return info.value.code


# -- RuntimeEffectKind -------------------------------------------------------------


def test_as_str_is_the_serde_name_for_every_kind() -> None:
    for kind in RuntimeEffectKind:
        assert kind.as_str() == to_wire(kind)
    assert [k.as_str() for k in RuntimeEffectKind] == [
        "llm_call",
        "direct",
        "tool_call",
        "process",
        "exec_code",
        "checkpoint",
        "sync_execution_environment",
        "sleep",
        "await_event",
    ]


# -- envelope validation -----------------------------------------------------------


@pytest.mark.parametrize(
    "subject",
    [
        {"type": "process", "process_id": "p"},
        {"type": "process_event", "process_id": "p", "sequence": 1, "event_type": "e"},
        {"type": "trigger_occurrence", "occurrence_id": "o"},
        {"type": "session_node", "node_id": "n"},
    ],
)
def test_non_effect_subject_is_refused_first(subject: dict[str, Any]) -> None:
    inv = invocation(subject)  # no replay either: the subject rule comes first
    assert code_of(RuntimeEffectEnvelope.try_new, inv, SLEEP) == "runtime_effect_invocation_subject"


@pytest.mark.parametrize("blank", ["", " ", "\t\n", "\u3000", "\u00a0", "\u2028", "\u0085"])
def test_blank_effect_id_is_refused(blank: str) -> None:
    inv = invocation(effect(blank, "llm_call"), {"key": "k"})  # kind also wrong: id first
    assert code_of(RuntimeEffectEnvelope.try_new, inv, SLEEP) == "runtime_effect_invocation_subject"


@pytest.mark.parametrize("not_blank", ["\x1c\x1d\x1e\x1f", "\u200b", "\u180e", "\ufeff"])
def test_ids_python_calls_blank_but_rust_does_not(not_blank: str) -> None:
    # str.isspace() is True for U+001C..U+001F; Rust's trim keeps them.
    assert rust_trim(not_blank) == not_blank
    inv = invocation(effect(not_blank, "process"), {"key": "k"})
    assert code_of(RuntimeEffectEnvelope.try_new, inv, SLEEP) == "runtime_effect_invocation_kind"


def test_kind_mismatch_before_missing_replay() -> None:
    inv = invocation(effect("e", "process"))
    assert code_of(RuntimeEffectEnvelope.try_new, inv, SLEEP) == "runtime_effect_invocation_kind"


@pytest.mark.parametrize("replay", [None, {"key": ""}])
def test_replay_key_required(replay: dict[str, Any] | None) -> None:
    inv = invocation(effect(), replay)
    assert code_of(RuntimeEffectEnvelope.try_new, inv, SLEEP) == "runtime_effect_replay_required"


def test_whitespace_replay_key_is_accepted_and_hash_is_sha256_of_text() -> None:
    inv = invocation(effect(), {"key": "  "})
    env = RuntimeEffectEnvelope.try_new(inv, SLEEP)
    text = (
        '{"invocation":{"scope":{"session_id":"s","turn_id":"t"},'
        '"subject":{"type":"effect","effect_id":"e1","kind":"sleep"},"replay":{"key":"  "}},'
        '"command":{"type":"sleep","duration_ms":5}}'
    )
    assert to_json(env) == text
    assert env.stable_hash() == hashlib.sha256(text.encode()).hexdigest() == stable_hash(env)


def test_decoding_does_not_validate() -> None:
    env = from_wire(
        RuntimeEffectEnvelope,
        {
            "invocation": {"scope": SCOPE, "subject": effect("")},
            "command": {"type": "sleep", "duration_ms": 1},
        },
    )
    assert code_of(RuntimeEffectEnvelope.try_new, env.invocation, env.command) == (
        "runtime_effect_invocation_subject"
    )


# -- invocation helpers ------------------------------------------------------------


def test_effect_constructor_and_accessors() -> None:
    inv = RuntimeInvocation.effect(RuntimeScope.new("s"), "e9", RuntimeEffectKind.DIRECT, "r")
    assert to_wire(inv) == {
        "scope": {"session_id": "s"},
        "subject": {"type": "effect", "effect_id": "e9", "kind": "direct"},
        "replay": {"key": "r"},
    }
    assert inv.effect_id() == "e9"
    assert inv.effect_kind() is RuntimeEffectKind.DIRECT
    assert inv.replay_key() == "r"
    other = invocation({"type": "process", "process_id": "p"})
    assert (other.effect_id(), other.effect_kind(), other.replay_key()) == (None, None, None)


def test_scope_constructors() -> None:
    assert to_wire(RuntimeScope.for_turn("s", "t", 2**64 - 1, 0)) == {
        "session_id": "s",
        "turn_id": "t",
        "turn_index": 2**64 - 1,
        "protocol_iteration": 0,
    }


def test_with_caused_by_sets_and_clears() -> None:
    cause = {"type": "process", "process_id": "p"}
    inv = RuntimeInvocation.effect(RuntimeScope.new("s"), "e", RuntimeEffectKind.SLEEP, "r")
    caused = inv.with_caused_by(
        from_wire(RuntimeInvocation, {**to_wire(inv), "caused_by": cause}).caused_by
    )
    assert to_wire(caused)["caused_by"] == cause
    assert "caused_by" not in to_wire(caused.with_caused_by(None))


@pytest.mark.parametrize(
    ("subject", "scope", "expected"),
    [
        (
            effect("e"),
            SCOPE,
            {"type": "effect", "session_id": "s", "turn_id": "t", "effect_id": "e"},
        ),
        (effect("e"), {"session_id": "s"}, {"type": "effect", "session_id": "s", "effect_id": "e"}),
        ({"type": "process", "process_id": "p"}, SCOPE, {"type": "process", "process_id": "p"}),
        (
            {"type": "process_event", "process_id": "p", "sequence": 3, "event_type": "x"},
            SCOPE,
            {"type": "process_event", "process_id": "p", "sequence": 3},
        ),
        (
            {"type": "trigger_occurrence", "occurrence_id": "o"},
            SCOPE,
            {"type": "trigger_occurrence", "occurrence_id": "o"},
        ),
        (
            {"type": "session_node", "node_id": "n"},
            SCOPE,
            {"type": "session_node", "session_id": "s", "node_id": "n"},
        ),
    ],
)
def test_causal_ref_per_subject(
    subject: dict[str, Any], scope: dict[str, Any], expected: dict[str, Any]
) -> None:
    inv = from_wire(RuntimeInvocation, {"scope": scope, "subject": subject})
    assert to_wire(inv.causal_ref()) == expected


# -- commands and effect ids -------------------------------------------------------


def sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


REGISTRATION = {
    "id": "proc/1",
    "input": {"type": "external", "metadata": None},
    "provenance": {"originator": {"type": "host"}, "host_profile_id": "h"},
}


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        ({"op": "start", "registration": REGISTRATION}, "process:start:proc/1"),
        (
            {"op": "list", "session_scope": {"session_id": "s"}},
            "process:list:session:s:live",
        ),
        (
            {
                "op": "list",
                "session_scope": {"session_id": "s", "agent_frame_id": "f"},
                "mode": "all",
            },
            "process:list:session:s/frame:f:all",
        ),
        (
            {
                "op": "list",
                "session_scope": {"session_id": "s", "agent_frame_id": ""},
                "mode": "all",
            },
            "process:list:session:s:all",
        ),
        (
            {
                "op": "transfer",
                "from_scope": {"session_id": "a"},
                "to_scope": {"session_id": "b", "agent_frame_id": "f"},
                "process_ids": ["p2", "p1", "p1"],
            },
            "process:transfer:session:a:session:b/frame:f:" + sha('["p2","p1","p1"]'),
        ),
        (
            {
                "op": "transfer",
                "from_scope": {"session_id": "a"},
                "to_scope": {"session_id": "b"},
                "process_ids": [],
            },
            "process:transfer:session:a:session:b:" + sha("[]"),
        ),
        ({"op": "delete_session", "session_id": "s"}, "process:delete-session:s"),
        ({"op": "await", "process_id": "p"}, "process:await:p"),
        ({"op": "cancel", "process_id": "p", "reason": "why"}, "process:cancel:p"),
        (
            {
                "op": "signal",
                "process_id": "p",
                "signal_name": "wake",
                "signal_id": "7",
                "request": {"event_type": "e", "payload": None},
            },
            "process:signal:p:signal.wake:7",
        ),
    ],
)
def test_process_command_effect_ids(command: dict[str, Any], expected: str) -> None:
    assert from_wire(ProcessCommand, command).effect_id() == expected


def test_list_mode_is_always_written_and_cancel_reason_null() -> None:
    listed = from_wire(ProcessCommand, {"op": "list", "session_scope": {"session_id": "s"}})
    assert to_json(listed) == '{"op":"list","session_scope":{"session_id":"s"},"mode":"live"}'
    cancel = from_wire(ProcessCommand, {"op": "cancel", "process_id": "p"})
    assert to_json(cancel) == '{"op":"cancel","process_id":"p","reason":null}'


def test_command_kind_and_process_constructor() -> None:
    command = from_wire(ProcessCommand, {"op": "await", "process_id": "p"})
    boxed = RuntimeEffectCommand.process(command)
    assert boxed.kind() is RuntimeEffectKind.PROCESS
    assert to_json(boxed) == '{"type":"process","command":{"op":"await","process_id":"p"}}'
    assert SLEEP.kind() is RuntimeEffectKind.SLEEP


# -- outcomes --------------------------------------------------------------------------

OUTCOMES: dict[str, dict[str, Any]] = {
    "exec_code": {"type": "exec_code", "result": {"Err": "boom"}},
    "sync_execution_environment": {"type": "sync_execution_environment", "result": {"Ok": None}},
    "sleep": {"type": "sleep"},
    "await_event": {"type": "await_event", "resolution": {"status": "timeout"}},
    "process": {"type": "process", "result": {"op": "transfer"}},
    "checkpoint": {
        "type": "checkpoint",
        "result": {"Err": {"code": "c", "message": "m"}},
    },
}

ACCESSORS = {
    "into_exec_code": "exec_code",
    "into_sync_execution_environment": "sync_execution_environment",
    "into_await_event": "await_event",
    "into_process": "process",
    "into_checkpoint": "checkpoint",
    "into_llm_call": "llm_call",
    "into_direct_response": "direct",
    "into_tool_call": "tool_call",
    "into_tool_call_effect": "tool_call",
}


@pytest.mark.parametrize("accessor", sorted(ACCESSORS))
@pytest.mark.parametrize("kind", sorted(OUTCOMES))
def test_accessors_refuse_other_kinds(accessor: str, kind: str) -> None:
    outcome = from_wire(RuntimeEffectOutcome, OUTCOMES[kind])
    assert outcome.kind().as_str() == kind
    method = getattr(outcome, accessor)
    if ACCESSORS[accessor] == kind:
        method()
    else:
        assert code_of(method) == "runtime_effect_wrong_outcome"


def test_accessor_results() -> None:
    from lash_spec.wire.types import Err, Ok

    exec_code = from_wire(RuntimeEffectOutcome, OUTCOMES["exec_code"])
    assert exec_code.into_exec_code() == Err("boom")
    sync = from_wire(RuntimeEffectOutcome, OUTCOMES["sync_execution_environment"])
    assert sync.into_sync_execution_environment() == Ok(None)


# -- attachment rules of LlmRequestSpec -----------------------------------------------


def llm_request(attachments: list[dict[str, Any]]) -> Any:
    from lash_spec.model.llm import LlmRequest

    return from_wire(
        LlmRequest,
        {
            "model": "m",
            "messages": [],
            "attachments": attachments,
            "tools": [],
            "tool_choice": "Auto",
            "model_variant": None,
            "session_id": None,
            "output_spec": None,
        },
    )


REF = {"id": "a1", "media_type": {"kind": "image", "type": "gif"}, "byte_len": 3}


def test_reference_wins_over_inline_bytes() -> None:
    from lash_spec.model.attachments import InMemoryAttachmentStore
    from lash_spec.model.envelope import LlmRequestSpec

    store = InMemoryAttachmentStore(fail_with="must not be called")
    request = llm_request([{"mime": "text/plain", "data": [1], "reference": REF}])
    spec = LlmRequestSpec.from_request(request, store)
    assert to_wire(spec)["attachments"] == [{"reference": REF}]
    assert to_wire(spec)["generation"] == {}


def test_inline_bytes_are_stored_with_their_media_type() -> None:
    from lash_spec.model.attachments import InMemoryAttachmentStore
    from lash_spec.model.envelope import LlmRequestSpec

    store = InMemoryAttachmentStore()
    request = llm_request([{"mime": " IMAGE/PNG ", "data": [137, 80, 78], "reference": None}])
    spec = LlmRequestSpec.from_request(request, store)
    (attachment,) = to_wire(spec)["attachments"]
    assert attachment["reference"]["media_type"] == {"kind": "image", "type": "png"}
    assert attachment["reference"]["byte_len"] == 3
    # back to a request: reference only, no bytes
    back = to_wire(spec.into_request())["attachments"]
    assert back[0]["data"] == [] and back[0]["reference"] == attachment["reference"]


@pytest.mark.parametrize(
    ("attachment", "store_fails", "code"),
    [
        (
            {"mime": "image/png", "data": [], "reference": None},
            False,
            "runtime_effect_attachment_missing_reference",
        ),
        (
            {"mime": "application/pdf", "data": [1], "reference": None},
            False,
            "runtime_effect_attachment_media_type",
        ),
        (
            {"mime": "image/png", "data": [1], "reference": None},
            True,
            "runtime_effect_attachment_store",
        ),
    ],
)
def test_attachment_rule_errors(attachment: dict[str, Any], store_fails: bool, code: str) -> None:
    from lash_spec.model.attachments import InMemoryAttachmentStore
    from lash_spec.model.envelope import LlmRequestSpec

    store = InMemoryAttachmentStore(fail_with="disk full" if store_fails else None)
    request = llm_request([{"mime": "image/png", "data": [], "reference": REF}, attachment])
    assert code_of(LlmRequestSpec.from_request, request, store) == code


def test_tool_call_pending_has_its_own_code() -> None:
    pending = {
        "type": "tool_call",
        "launch": {
            "status": "pending",
            "key": {
                "scope": {"type": "runtime_operation", "operation_id": "o"},
                "wait": {"type": "custom", "key": "k"},
                "key_id": "i",
                "signature": "s",
            },
            "pending": {"on_timeout": "fail_turn", "on_cancel": "ignore"},
            "duration_ms": 5,
        },
    }
    outcome = from_wire(RuntimeEffectOutcome, pending)
    assert code_of(outcome.into_tool_call) == "runtime_effect_tool_call_pending"
    assert to_wire(outcome.into_tool_call_effect()) == {"launch": pending["launch"]}

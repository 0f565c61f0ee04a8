"""Seed 000 envelopes: validation codes, invocation helpers, scopes, kinds, envelope hashes.

Hand-picked cases carry expectations derived from envelope.rs by hand;
generated cases draw invocations/commands from the public strategies.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from typing import Any

from lash_spec.conformance.corpus import CaseSpec, FileSpec, call
from lash_spec.conformance.scenarios._gen import (
    draw,
    gen_case,
    hashes_in_every_order,
    serde_reads_exactly,
    unique,
)
from lash_spec.wire.codec import to_wire

KINDS = [
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
SLEEP = {"type": "sleep", "duration_ms": 5}
SCOPE = {"session_id": "s", "turn_id": "t", "turn_index": 0, "protocol_iteration": 1}


def inv(subject: dict[str, Any], replay: str | None = "k", **extra: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"scope": SCOPE, "subject": subject, **extra}
    if replay is not None:
        out["replay"] = {"key": replay}
    return out


def effect(effect_id: str = "e1", kind: str = "sleep") -> dict[str, Any]:
    return {"type": "effect", "effect_id": effect_id, "kind": kind}


SUBJECTS: dict[str, dict[str, Any]] = {
    "process": {"type": "process", "process_id": "p"},
    "process_event": {"type": "process_event", "process_id": "p", "sequence": 2, "event_type": "x"},
    "trigger_occurrence": {"type": "trigger_occurrence", "occurrence_id": "o"},
    "session_node": {"type": "session_node", "node_id": "n"},
}


def _try_new() -> Iterable[CaseSpec]:
    op = "RuntimeEffectEnvelope::try_new"
    subject_code = "runtime_effect_invocation_subject"
    for name, subject in SUBJECTS.items():
        yield CaseSpec(
            f"try_new/err/subject-{name}",
            "only an effect subject may carry a runtime effect (checked first)",
            call(op, [inv(subject, replay=None), SLEEP], expect_err=subject_code),
        )
    for name, blank in [
        ("empty", ""),
        ("space", " "),
        ("tabs-newlines", "\t\n\r"),
        ("ideographic-space", "\u3000"),
        ("nbsp", "\u00a0"),
        ("nel", "\u0085"),
    ]:
        yield CaseSpec(
            f"try_new/err/blank-effect-id-{name}",
            "a blank effect id (Rust str::trim) is refused before the kind check",
            call(op, [inv(effect(blank, "process")), SLEEP], expect_err=subject_code),
        )
    for name, text in [
        ("info-separators", "\x1c\x1d\x1e\x1f"),
        ("zwsp", "\u200b"),
        ("mongolian-vowel-separator", "\u180e"),
        ("bom", "\ufeff"),
    ]:
        yield CaseSpec(
            f"try_new/err/not-blank-for-rust-{name}",
            "not whitespace for Rust (Python's isspace disagrees for U+001C..U+001F):"
            " the kind check runs",
            call(
                op,
                [inv(effect(text, "process")), SLEEP],
                expect_err="runtime_effect_invocation_kind",
            ),
        )
    for kind in KINDS:
        if kind != "sleep":
            yield CaseSpec(
                f"try_new/err/kind-{kind}-vs-sleep",
                "the subject's kind must equal the command's kind (checked before replay)",
                call(
                    op,
                    [inv(effect("e", kind), replay=None), SLEEP],
                    expect_err="runtime_effect_invocation_kind",
                ),
            )
    yield CaseSpec(
        "try_new/err/replay-missing",
        "a replay key is required",
        call(op, [inv(effect(), replay=None), SLEEP], expect_err="runtime_effect_replay_required"),
    )
    yield CaseSpec(
        "try_new/err/replay-empty",
        "an empty replay key counts as missing",
        call(op, [inv(effect(), replay=""), SLEEP], expect_err="runtime_effect_replay_required"),
    )
    whitespace_key = inv(effect(), replay="  ")
    yield CaseSpec(
        "try_new/ok/replay-whitespace",
        "the replay key is not trimmed: whitespace is a valid key",
        call(op, [whitespace_key, SLEEP], expect={"invocation": whitespace_key, "command": SLEEP}),
    )
    caused = inv(effect(), caused_by={"type": "turn", "session_id": "s", "turn_id": "t"})
    yield CaseSpec(
        "try_new/ok/with-cause",
        "a valid envelope is returned unchanged",
        call(op, [caused, SLEEP], expect={"invocation": caused, "command": SLEEP}),
    )


def _helpers() -> Iterable[CaseSpec]:
    for kind in KINDS:
        yield CaseSpec(
            f"kind/as_str/{kind}",
            "as_str is the serde name",
            call("RuntimeEffectKind::as_str", [kind], expect=kind),
        )
    yield CaseSpec(
        "scope/new", "session only", call("RuntimeScope::new", ["s"], expect={"session_id": "s"})
    )
    yield CaseSpec(
        "scope/for_turn/extremes",
        "every field set, usize extremes kept",
        call(
            "RuntimeScope::for_turn",
            ["s", "t", 18446744073709551615, 0],
            expect={
                "session_id": "s",
                "turn_id": "t",
                "turn_index": 18446744073709551615,
                "protocol_iteration": 0,
            },
        ),
    )
    yield CaseSpec(
        "invocation/effect",
        "effect subject, replay key, no cause",
        call(
            "RuntimeInvocation::effect",
            [{"session_id": "s"}, "e", "direct", "r"],
            expect={
                "scope": {"session_id": "s"},
                "subject": effect("e", "direct"),
                "replay": {"key": "r"},
            },
        ),
    )
    base = inv(effect())
    cause = {"type": "process", "process_id": "p"}
    with_cause = {"scope": SCOPE, "subject": effect(), "caused_by": cause, "replay": {"key": "k"}}
    yield CaseSpec(
        "invocation/with_caused_by/set",
        "sets the cause",
        call("RuntimeInvocation::with_caused_by", [base, cause], expect=with_cause),
    )
    yield CaseSpec(
        "invocation/with_caused_by/clear",
        "None clears the cause",
        call("RuntimeInvocation::with_caused_by", [with_cause, None], expect=base),
    )
    for name, subject in {"effect": effect("e9"), **SUBJECTS}.items():
        is_effect = name == "effect"
        target = inv(subject, replay=None if name == "process" else "k")
        yield CaseSpec(
            f"invocation/effect_id/{name}",
            "the effect id only for effect subjects",
            call("RuntimeInvocation::effect_id", [target], expect="e9" if is_effect else None),
        )
        yield CaseSpec(
            f"invocation/effect_kind/{name}",
            "the effect kind only for effect subjects",
            call("RuntimeInvocation::effect_kind", [target], expect="sleep" if is_effect else None),
        )
        yield CaseSpec(
            f"invocation/replay_key/{name}",
            "the replay key, if any",
            call(
                "RuntimeInvocation::replay_key", [target], expect=None if name == "process" else "k"
            ),
        )
    causal = {
        "effect": {"type": "effect", "session_id": "s", "turn_id": "t", "effect_id": "e9"},
        "process": {"type": "process", "process_id": "p"},
        "process_event": {"type": "process_event", "process_id": "p", "sequence": 2},
        "trigger_occurrence": {"type": "trigger_occurrence", "occurrence_id": "o"},
        "session_node": {"type": "session_node", "session_id": "s", "node_id": "n"},
    }
    for name, subject in {"effect": effect("e9"), **SUBJECTS}.items():
        yield CaseSpec(
            f"invocation/causal_ref/{name}",
            "every subject maps to a cause; scope fills session (and turn) ids",
            call("RuntimeInvocation::causal_ref", [inv(subject)], expect=causal[name]),
        )
    yield CaseSpec(
        "invocation/causal_ref/effect-without-turn",
        "the effect cause skips an absent turn id",
        call(
            "RuntimeInvocation::causal_ref",
            [{"scope": {"session_id": "s"}, "subject": effect("e")}],
            expect={"type": "effect", "session_id": "s", "effect_id": "e"},
        ),
    )
    text = (
        '{"invocation":{"scope":{"session_id":"s","turn_id":"t","turn_index":0,"protocol_iteration":1},'
        '"subject":{"type":"effect","effect_id":"e1","kind":"sleep"},"replay":{"key":"k"}},'
        '"command":{"type":"sleep","duration_ms":5}}'
    )
    yield CaseSpec(
        "envelope/stable_hash/sleep",
        "SHA-256 of the envelope's compact serde text (fields in Rust order)",
        call(
            "RuntimeEffectEnvelope::stable_hash",
            [{"invocation": inv(effect()), "command": SLEEP}],
            expect=hashlib.sha256(text.encode()).hexdigest(),
        ),
    )


def session_turn_start(image_blobs: dict[str, list[int]], slots: list[str]) -> dict[str, Any]:
    """An envelope starting a session_turn process: its TurnInput and its policy's
    prompt carry the two HashMaps of the wire types."""
    policy = {"prompt": {"slots": {slot: {"reset": True} for slot in slots}}} if slots else None
    create = {
        "session_id": "c",
        "relation": {"kind": "root"},
        "start": {"kind": "empty"},
        "policy": policy,
        "plugin_source": "current_host_fresh",
    }
    registration = {
        "id": "p1",
        "input": {
            "type": "session_turn",
            "create_request": create,
            "turn_input": {"items": [], "image_blobs": image_blobs},
            "output_contract": {"kind": "static"},
        },
        "event_types": [],
        "provenance": {"originator": {"type": "host"}, "host_profile_id": "h"},
    }
    return {
        "invocation": {
            "scope": {"session_id": "s"},
            "subject": effect("e1", "process"),
            "replay": {"key": "k"},
        },
        "command": {"type": "process", "command": {"op": "start", "registration": registration}},
    }


# That envelope's serde text, by hand; <MAP>s hold the HashMaps' entries (slots, then blobs).
_START_TEXT = (
    '{"invocation":{"scope":{"session_id":"s"},"subject":{"type":"effect","effect_id":"e1",'
    '"kind":"process"},"replay":{"key":"k"}},"command":{"type":"process","command":{"op":'
    '"start","registration":{"id":"p1","input":{"type":"session_turn","create_request":{'
    '"session_id":"c","relation":{"kind":"root"},"start":{"kind":"empty"},"policy":<POLICY>,'
    '"plugin_source":"current_host_fresh","initial_nodes":[],"tool_access":{},'
    '"plugin_options":{}},"turn_input":{"items":[],"image_blobs":{<MAP>}},'
    '"output_contract":{"kind":"static"}},"event_types":[],"provenance":{"originator":{'
    '"type":"host"},"host_profile_id":"h"}}}}}'
)
_POLICY_TEXT = (
    '{"model":{"id":"","limits":{"context_window_tokens":1}},"provider_id":"",'
    '"session_id":null,"autonomous":false,"max_turns":null,"prompt":{"slots":{<MAP>}}}'
)


def _hashmap_orders() -> Iterable[CaseSpec]:
    """HashMaps inside a hashed envelope: one correct hash per order of their entries."""
    op = "RuntimeEffectEnvelope::stable_hash"
    blobs = ['"a":[1]', '"b":[2,3]']
    yield CaseSpec(
        "envelope/stable_hash/image-blobs-2",
        "a session_turn input's two image blobs (a HashMap) come out in either order upstream:"
        " two correct hashes",
        call(
            op,
            [session_turn_start({"b": [2, 3], "a": [1]}, [])],
            expect=hashes_in_every_order(_START_TEXT.replace("<POLICY>", "null"), blobs),
        ),
    )
    slots = ['"guidance":{"reset":true}', '"intro":{"reset":true}']
    yield CaseSpec(
        "envelope/stable_hash/image-blobs-2-prompt-slots-2",
        "two HashMaps of two entries each (prompt slots, image blobs): 2! x 2! = 4 hashes",
        call(
            op,
            [session_turn_start({"a": [1], "b": [2, 3]}, ["intro", "guidance"])],
            expect=hashes_in_every_order(
                _START_TEXT.replace("<POLICY>", _POLICY_TEXT), slots, blobs
            ),
        ),
    )


GIF_REF = {"id": "a1", "media_type": {"kind": "image", "type": "gif"}, "byte_len": 3}


def _llm_request(attachments: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "model": "m",
        "messages": [],
        "attachments": attachments,
        "tools": [],
        "tool_choice": "Auto",
        "model_variant": None,
        "generation": {},
        "session_id": None,
        "output_spec": None,
    }


def _attachments() -> Iterable[CaseSpec]:
    """The attachment rules of LlmRequestSpec (fresh in-memory store per case)."""
    op = "LlmRequestSpec::from_request"
    spec = {**_llm_request([{"reference": GIF_REF}])}
    yield CaseSpec(
        "llm_request_spec/reference-wins",
        "a durable reference wins over inline bytes; nothing is stored",
        call(
            op,
            [_llm_request([{"mime": "text/plain", "data": [1], "reference": GIF_REF}])],
            expect=spec,
        ),
    )
    png = [137, 80, 78]
    stored = {
        "id": hashlib.sha256(bytes(png)).hexdigest(),
        "media_type": {"kind": "image", "type": "png"},
        "byte_len": 3,
    }
    yield CaseSpec(
        "llm_request_spec/inline-bytes-stored",
        "inline bytes are stored (content-addressed id) under their trimmed, lowercased MIME type",
        call(
            op,
            [_llm_request([{"mime": " IMAGE/PNG ", "data": png, "reference": None}])],
            expect=_llm_request([{"reference": stored}]),
        ),
    )
    yield CaseSpec(
        "llm_request_spec/err/missing-reference",
        "neither a reference nor bytes",
        call(
            op,
            [_llm_request([{"mime": "image/png", "data": [], "reference": None}])],
            expect_err="runtime_effect_attachment_missing_reference",
        ),
    )
    yield CaseSpec(
        "llm_request_spec/err/media-type",
        "bytes whose MIME type has no durable media type",
        call(
            op,
            [_llm_request([{"mime": "application/pdf", "data": [1], "reference": None}])],
            expect_err="runtime_effect_attachment_media_type",
        ),
    )
    yield CaseSpec(
        "llm_request_spec/into_request",
        "back to a request: references only, no bytes",
        call(
            "LlmRequestSpec::into_request",
            [_llm_request([{"reference": GIF_REF}])],
            expect=_llm_request([{"mime": "image/gif", "data": [], "reference": GIF_REF}]),
        ),
    )


def _generated() -> Iterable[CaseSpec]:
    from hypothesis import strategies as st

    from lash_spec.model.envelope import RuntimeEffectCommand, RuntimeInvocation, RuntimeScope
    from lash_spec.strategies import strategy_for

    commands = draw(strategy_for(RuntimeEffectCommand), 40)
    invocations = draw(strategy_for(RuntimeInvocation), 40)
    for command, invocation in zip(commands, invocations, strict=False):
        cmd = to_wire(command)
        # A matching effect subject, so generated envelopes are usually valid.
        valid = to_wire(invocation)
        valid["subject"] = effect(f"eff-{len(cmd)}", command.kind().as_str())
        valid["replay"] = {"key": "replay-key"}
        for args in ([valid, cmd], [to_wire(invocation), cmd]):
            if serde_reads_exactly(args):
                yield gen_case(
                    "try_new",
                    "generated invocation and command",
                    call("RuntimeEffectEnvelope::try_new", args),
                )
        if serde_reads_exactly([valid, cmd]):
            yield gen_case(
                "envelope/stable_hash",
                "generated envelope",
                call("RuntimeEffectEnvelope::stable_hash", [{"invocation": valid, "command": cmd}]),
            )
            yield gen_case(
                "command/kind", "generated command", call("RuntimeEffectCommand::kind", [cmd])
            )
    for invocation in invocations:
        wire = to_wire(invocation)
        for op in ("effect_id", "effect_kind", "replay_key", "causal_ref"):
            yield gen_case(
                f"invocation/{op}", "generated invocation", call(f"RuntimeInvocation::{op}", [wire])
            )
    for scope in draw(strategy_for(RuntimeScope), 10):
        yield gen_case(
            "scope/new", "generated session id", call("RuntimeScope::new", [scope.session_id])
        )
    for t in draw(
        st.tuples(
            st.text(max_size=6),
            st.text(max_size=6),
            st.integers(0, 2**64 - 1),
            st.integers(0, 2**64 - 1),
        ),
        10,
    ):
        yield gen_case("scope/for_turn", "generated scope", call("RuntimeScope::for_turn", list(t)))


def files() -> Iterable[FileSpec]:
    yield FileSpec(
        name="000-envelope",
        seed="000",
        concept="envelope",
        description=(
            "RuntimeEffectEnvelope::try_new validation, invocation helpers, scopes, kinds,"
            " envelope hashes"
        ),
        cases=unique(
            [*_try_new(), *_helpers(), *_attachments(), *_hashmap_orders(), *_generated()]
        ),
    )

"""Leaf wire types: std time, attachments, LLM, tools, code execution.

Expected JSON text is written by hand from wire-format.md (§0, §3, §7, §8)
and upstream's serde attributes; the recorded examples in
``../shared/reference/examples`` are mined for every sub-value of these types
(canonical outputs must re-encode to themselves, inputs must decode, and the
typed envelope hashes must come out identical).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import attrs
import pytest

from lash_spec.model.attachments import (
    AttachmentCreateMeta,
    AttachmentRef,
    AttachmentStoreError,
    ImageMediaType,
    InMemoryAttachmentStore,
    MediaType,
    MediaTypeImage,
    content_id,
    media_type_from_mime,
)
from lash_spec.model.execution import ExecImage, ExecResponse, TextProjectionMetadata
from lash_spec.model.llm import (
    GenerationOptions,
    LlmAttachment,
    LlmContentBlock,
    LlmContentBlockImage,
    LlmContentBlockText,
    LlmContentBlockToolResult,
    LlmJsonSchema,
    LlmMessage,
    LlmOutputPart,
    LlmOutputSpec,
    LlmOutputSpecJsonObject,
    LlmOutputSpecJsonSchema,
    LlmRequest,
    LlmResponse,
    LlmRole,
    LlmTerminalReason,
    LlmToolChoice,
    LlmToolSpec,
    LlmUsage,
    ProviderReasoningReplay,
    ProviderReplayMeta,
    ResponseTextMeta,
)
from lash_spec.model.std import Duration, SystemTime
from lash_spec.model.tools import (
    CancelHint,
    ModelToolReturn,
    ModelToolReturnPart,
    ModelToolReturnPartAttachment,
    ModelToolReturnPartText,
    PendingCompletion,
    PreparedToolCall,
    TimeoutBehavior,
    ToolCallOutcomeSuccess,
    ToolCallOutput,
    ToolCallRecord,
    ToolCancellation,
    ToolControl,
    ToolControlSwitchAgentFrame,
    ToolFailure,
    ToolFailureClass,
    ToolFailureSource,
    ToolOutputContract,
    ToolOutputContractFromInputSchema,
    ToolOutputContractStatic,
    ToolRetryDisposition,
    ToolRetryDispositionExhausted,
    ToolRetryDispositionNever,
    ToolRetryDispositionSafe,
    ToolTriggerEffectOutcome,
    ToolValue,
)
from lash_spec.wire.codec import dflt, from_json, from_wire, to_json, to_wire
from lash_spec.wire.errors import WireError
from lash_spec.wire.text import write_json

RECORDED = Path(__file__).resolve().parent / "fixtures" / "recorded"

PNG = MediaTypeImage(image=ImageMediaType.PNG)


def ref(id_: str = "a1", byte_len: int = 10, **kw: Any) -> AttachmentRef:
    return AttachmentRef(id=id_, media_type=PNG, byte_len=byte_len, **kw)


REF_A1 = '{"id":"a1","media_type":{"kind":"image","type":"png"},"byte_len":10}'


def strict_eq(a: Any, b: Any) -> bool:
    """JSON value equality where ``1``, ``1.0`` and ``true`` all differ."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(strict_eq(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(strict_eq(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b)


def rejects(tp: Any, value: Any) -> WireError:
    with pytest.raises(WireError) as info:
        from_wire(tp, value)
    return info.value


# ---------------------------------------------------------------------------
# Exact text of hand-built values
# ---------------------------------------------------------------------------

WRITTEN: list[tuple[Any, Any, str]] = [
    (Duration(secs=5, nanos=1), Duration, '{"secs":5,"nanos":1}'),
    (
        SystemTime(secs_since_epoch=1_700_000_000, nanos_since_epoch=0),
        SystemTime,
        '{"secs_since_epoch":1700000000,"nanos_since_epoch":0}',
    ),
    (PNG, MediaType, '{"kind":"image","type":"png"}'),
    (ref(), AttachmentRef, REF_A1),
    (
        ref(width=1, height=2, label="l"),
        AttachmentRef,
        '{"id":"a1","media_type":{"kind":"image","type":"png"},"byte_len":10,'
        '"width":1,"height":2,"label":"l"}',
    ),
    (
        AttachmentCreateMeta(media_type=MediaTypeImage(image=ImageMediaType.BMP)),
        AttachmentCreateMeta,
        '{"media_type":{"kind":"image","type":"bmp"}}',
    ),
    (LlmToolChoice.NONE, LlmToolChoice, '"None"'),
    (LlmTerminalReason.CONTEXT_OVERFLOW, LlmTerminalReason, '"context_overflow"'),
    (ResponseTextMeta(), ResponseTextMeta, "{}"),
    (ProviderReplayMeta(), ProviderReplayMeta, "{}"),
    (ProviderReasoningReplay(), ProviderReasoningReplay, "{}"),
    (
        ProviderReasoningReplay(signature="s", redacted=True, summary=("a",)),
        ProviderReasoningReplay,
        '{"signature":"s","redacted":true,"summary":["a"]}',
    ),
    (
        LlmMessage.text(LlmRole.USER, "hi"),
        LlmMessage,
        '{"role":"User","blocks":[{"Text":{"text":"hi","response_meta":null,'
        '"cache_breakpoint":false}}]}',
    ),
    (LlmContentBlockImage(attachment_idx=3), LlmContentBlock, '{"Image":{"attachment_idx":3}}'),
    (
        LlmContentBlockToolResult(call_id="c", content="x"),
        LlmContentBlock,
        '{"ToolResult":{"call_id":"c","content":"x","tool_name":null}}',
    ),
    (LlmOutputSpecJsonObject(), LlmOutputSpec, '"JsonObject"'),
    (
        LlmOutputSpecJsonSchema(
            json_schema=LlmJsonSchema(name="n", schema={"type": "object"}, strict=True)
        ),
        LlmOutputSpec,
        '{"JsonSchema":{"name":"n","schema":{"type":"object"},"strict":true}}',
    ),
    (GenerationOptions(), GenerationOptions, "{}"),
    (GenerationOptions(output_token_cap=5), GenerationOptions, '{"output_token_cap":5}'),
    (
        LlmAttachment.of_reference(ref()),
        LlmAttachment,
        '{"mime":"image/png","data":[],"reference":' + REF_A1 + "}",
    ),
    (
        LlmAttachment.of_bytes("image/gif", b"\x89P"),
        LlmAttachment,
        '{"mime":"image/gif","data":[137,80],"reference":null}',
    ),
    (
        LlmRequest(
            model="m",
            messages=(),
            attachments=(),
            tools=(),
            tool_choice=LlmToolChoice.AUTO,
        ),
        LlmRequest,
        '{"model":"m","messages":[],"attachments":[],"tools":[],"tool_choice":"Auto",'
        '"model_variant":null,"generation":{},"session_id":null,"output_spec":null}',
    ),
    (
        LlmToolSpec(
            name="t",
            description="d",
            input_schema={"type": "object", "properties": {}},
            output_schema={},
            input_schema_projections=(),
            output_schema_projections=(),
        ),
        LlmToolSpec,
        '{"name":"t","description":"d","input_schema":{"properties":{},"type":"object"},'
        '"output_schema":{},"input_schema_projections":[],"output_schema_projections":[]}',
    ),
    (
        LlmResponse(),
        LlmResponse,
        '{"full_text":"","parts":[],"usage":{"input_tokens":0,"output_tokens":0,'
        '"cached_input_tokens":0,"reasoning_tokens":0},"terminal_reason":"unknown",'
        '"terminal_diagnostic":null,"provider_usage":null,"request_body":null,'
        '"http_summary":null}',
    ),
    (ToolRetryDispositionNever(), ToolRetryDisposition, '{"type":"never"}'),
    (ToolRetryDispositionSafe(), ToolRetryDisposition, '{"type":"safe"}'),
    (
        ToolRetryDispositionSafe(after_ms=100),
        ToolRetryDisposition,
        '{"type":"safe","after_ms":100}',
    ),
    (
        ToolRetryDispositionExhausted(attempts=3),
        ToolRetryDisposition,
        '{"type":"exhausted","attempts":3}',
    ),
    (
        ToolCallOutput.success({"b": 1, "a": [True, None]}),
        ToolCallOutput,
        '{"outcome":{"status":"success","payload":{"a":[true,null],"b":1}}}',
    ),
    (
        ToolCallOutput.failure(
            ToolFailure(class_=ToolFailureClass.PERMISSION_DENIED, code="c", message="m")
        ).with_control(ToolControlSwitchAgentFrame(frame_id="f")),
        ToolCallOutput,
        '{"outcome":{"status":"failure","payload":{"class":"permission_denied","code":"c",'
        '"message":"m","source":"runtime","retry":{"type":"never"}}},'
        '"control":{"type":"switch_agent_frame","frame_id":"f"}}',
    ),
    (
        ToolCallOutput.cancelled(
            ToolCancellation(message="stop", source=ToolFailureSource.CANCELLATION, raw=[ref()])
        ),
        ToolCallOutput,
        '{"outcome":{"status":"cancelled","payload":{"message":"stop","source":"cancellation",'
        '"raw":[{"$lash_tool_value":"attachment","ref":' + REF_A1 + "}]}}}",
    ),
    (
        ToolControlSwitchAgentFrame(frame_id="f", initial_nodes=({"z": 1, "a": 2},), task="t"),
        ToolControl,
        '{"type":"switch_agent_frame","frame_id":"f","initial_nodes":[{"a":2,"z":1}],"task":"t"}',
    ),
    (ModelToolReturnPartText(text="hello"), ModelToolReturnPart, '{"type":"text","text":"hello"}'),
    (
        ModelToolReturnPartAttachment(reference=ref()),
        ModelToolReturnPart,
        '{"type":"attachment","id":"a1","media_type":{"kind":"image","type":"png"},"byte_len":10}',
    ),
    (
        ToolCallRecord(
            tool="t",
            args={"x": 1},
            output=ToolCallOutput.success("ok"),
            duration_ms=3,
        ),
        ToolCallRecord,
        '{"tool":"t","args":{"x":1},"output":{"outcome":{"status":"success","payload":"ok"}},'
        '"duration_ms":3}',
    ),
    (ToolOutputContractStatic(), ToolOutputContract, '{"kind":"static"}'),
    (
        ToolOutputContractFromInputSchema(input_field="schema", default_schema={"type": "string"}),
        ToolOutputContract,
        '{"kind":"from_input_schema","input_field":"schema","default_schema":{"type":"string"}}',
    ),
    (
        PendingCompletion(),
        PendingCompletion,
        '{"on_timeout":"error_as_result","on_cancel":"cancel_external_work"}',
    ),
    (
        PendingCompletion(
            deadline=Duration.from_millis(1500),
            on_timeout=TimeoutBehavior.FAIL_TURN,
            on_cancel=CancelHint.IGNORE,
        ),
        PendingCompletion,
        '{"deadline":{"secs":1,"nanos":500000000},"on_timeout":"fail_turn","on_cancel":"ignore"}',
    ),
    (
        PreparedToolCall(call_id="c", tool_name="t", args=None),
        PreparedToolCall,
        '{"call_id":"c","tool_name":"t","args":null}',
    ),
    (
        PreparedToolCall(
            call_id="c",
            tool_name="t",
            args=[1],
            replay=ProviderReplayMeta(item_id="i"),
            prepared_payload=-7,
        ),
        PreparedToolCall,
        '{"call_id":"c","tool_name":"t","args":[1],"replay":{"item_id":"i"},"prepared_payload":-7}',
    ),
    (
        ToolTriggerEffectOutcome(
            source_type="s",
            source_key="k",
            occurrence_id="o",
            idempotency_key="i",
            started_process_ids=(),
        ),
        ToolTriggerEffectOutcome,
        '{"source_type":"s","source_key":"k","occurrence_id":"o","payload":null,'
        '"idempotency_key":"i","started_process_ids":[]}',
    ),
    (
        ExecImage(mime="image/png", label="l"),
        ExecImage,
        '{"mime":"image/png","label":"l"}',
    ),
    (
        ExecImage(mime="image/png", reference=ref(), data=b"\x00\xff", label="l", width=4),
        ExecImage,
        '{"mime":"image/png","reference":' + REF_A1 + ',"data":[0,255],"label":"l","width":4}',
    ),
    (
        ExecResponse(
            observations=("o",),
            observation_truncation=(
                TextProjectionMetadata(
                    truncated=True,
                    original_chars=10,
                    projected_chars=5,
                    original_lines=2,
                    projected_lines=1,
                    limit=5,
                    limit_mode="chars",
                    max_lines=1,
                ),
            ),
            tool_calls=(),
            images=(),
            printed_images=(ref(),),
            duration_ms=7,
        ),
        ExecResponse,
        '{"observations":["o"],"observation_truncation":[{"truncated":true,"original_chars":10,'
        '"projected_chars":5,"original_lines":2,"projected_lines":1,"limit":5,'
        '"limit_mode":"chars","max_lines":1}],"tool_calls":[],"images":[],'
        '"printed_images":[' + REF_A1 + '],"error":null,"duration_ms":7,"terminal_finish":null}',
    ),
]


@pytest.mark.parametrize(("obj", "tp", "text"), WRITTEN, ids=lambda x: None)
def test_written_text_and_round_trip(obj: Any, tp: Any, text: str) -> None:
    assert to_json(obj, tp) == text
    assert from_json(tp, text) == obj


def test_tool_value_top_level_text() -> None:
    assert to_json({"é": 1, "z": 2, "a": 3}, ToolValue) == '{"a":3,"z":2,"é":1}'
    assert to_json(ref(), ToolValue) == '{"$lash_tool_value":"attachment","ref":' + REF_A1 + "}"
    assert to_json([1, 1.0, "s", None, False], ToolValue) == '[1,1.0,"s",null,false]'


# ---------------------------------------------------------------------------
# What serde accepts, and writes back
# ---------------------------------------------------------------------------

NORMALIZED: list[tuple[Any, Any, Any]] = [
    # Duration::new carries whole seconds out of nanos.
    (Duration, {"secs": 1, "nanos": 2_500_000_000}, {"secs": 3, "nanos": 500_000_000}),
    (Duration, [7, 8], {"secs": 7, "nanos": 8}),
    (Duration, {"nanos": 0, "secs": 0}, {"secs": 0, "nanos": 0}),
    (
        Duration,
        {"secs": 2**64 - 5, "nanos": 4_294_967_295},
        {"secs": 2**64 - 1, "nanos": 294_967_295},
    ),
    (
        SystemTime,
        {"secs_since_epoch": 1, "nanos_since_epoch": 1_000_000_000},
        {"secs_since_epoch": 2, "nanos_since_epoch": 0},
    ),
    (
        SystemTime,
        [2**63 - 2, 1_999_999_999],
        {"secs_since_epoch": 2**63 - 1, "nanos_since_epoch": 999_999_999},
    ),
    # Option fields read null as None and skip it.
    (
        AttachmentRef,
        {
            "id": "a1",
            "media_type": {"kind": "image", "type": "png"},
            "byte_len": 10,
            "width": None,
            "label": None,
            "extra": 1,
        },
        json.loads(REF_A1),
    ),
    # The adjacent payload may precede its tag.
    (MediaType, {"type": "gif", "kind": "image"}, {"kind": "image", "type": "gif"}),
    (
        ToolCallOutput,
        {"outcome": {"payload": 1.5, "status": "success"}, "control": None},
        {"outcome": {"status": "success", "payload": 1.5}},
    ),
    # Unit variants given as a one-key map with a null payload.
    (LlmToolChoice, {"Required": None}, "Required"),
    (LlmOutputSpec, {"JsonObject": None}, "JsonObject"),
    # generation is #[serde(default)]; stream_events/provider_trace are skipped fields.
    (
        LlmRequest,
        {
            "model": "m",
            "messages": [],
            "attachments": [],
            "tools": [],
            "tool_choice": "None",
            "stream_events": 1,
        },
        {
            "model": "m",
            "messages": [],
            "attachments": [],
            "tools": [],
            "tool_choice": "None",
            "model_variant": None,
            "generation": {},
            "session_id": None,
            "output_spec": None,
        },
    ),
    # A JSON-null prepared_payload is the default and is skipped; at @002 upstream
    # adds tool_id, which the @000 shape ignores.
    (
        PreparedToolCall,
        {
            "call_id": "c",
            "tool_name": "t",
            "args": {"b": 1, "a": 2},
            "replay": None,
            "prepared_payload": None,
            "tool_id": "x",
        },
        {"call_id": "c", "tool_name": "t", "args": {"a": 2, "b": 1}},
    ),
    # payload is #[serde(default)]; a null source is absent.
    (
        ToolTriggerEffectOutcome,
        {
            "source_type": "s",
            "source_key": "k",
            "occurrence_id": "o",
            "idempotency_key": "i",
            "source": None,
            "started_process_ids": ["p"],
        },
        {
            "source_type": "s",
            "source_key": "k",
            "occurrence_id": "o",
            "payload": None,
            "idempotency_key": "i",
            "started_process_ids": ["p"],
        },
    ),
    (
        ToolOutputContract,
        {"kind": "from_input_schema", "input_field": "f", "default_schema": None},
        {"kind": "from_input_schema", "input_field": "f"},
    ),
    # Internally tagged unit variants ignore other keys.
    (ToolOutputContract, {"kind": "static", "x": 1}, {"kind": "static"}),
    (ToolRetryDisposition, {"type": "never", "after_ms": 5}, {"type": "never"}),
    # An internally tagged newtype over a struct, in serde's sequence form.
    (
        ModelToolReturnPart,
        ["attachment", "a1", {"kind": "image", "type": "png"}, 10],
        json.loads('{"type":"attachment",' + REF_A1[1:]),
    ),
    (
        ExecImage,
        {"mime": "m", "data": [], "label": "l", "reference": None},
        {"mime": "m", "label": "l"},
    ),
    (
        ProviderReasoningReplay,
        {"redacted": False, "summary": [], "item_id": None},
        {},
    ),
    (GenerationOptions, {"output_token_cap": None}, {}),
]


@pytest.mark.parametrize(("tp", "value", "written"), NORMALIZED, ids=lambda x: None)
def test_normalized_on_read(tp: Any, value: Any, written: Any) -> None:
    assert strict_eq(to_wire(from_wire(tp, value), tp), written)


# ---------------------------------------------------------------------------
# What serde rejects, and where
# ---------------------------------------------------------------------------

REJECTED: list[tuple[Any, Any, tuple[str | int, ...]]] = [
    (Duration, {"secs": 1, "nanos": 0, "millis": 0}, ("millis",)),
    (Duration, {"secs": 1}, ()),
    (Duration, {"nanos": 1}, ()),
    (Duration, {"secs": -1, "nanos": 0}, ("secs",)),
    (Duration, {"secs": 1, "nanos": 2**32}, ("nanos",)),
    (Duration, {"secs": 1.0, "nanos": 0}, ("secs",)),
    (Duration, [1], ()),
    (Duration, [1, "x"], (1,)),
    (Duration, [1, 2, 3], ()),
    (Duration, 5, ()),
    (Duration, {"secs": 2**64 - 1, "nanos": 1_000_000_000}, ()),
    (SystemTime, {"secs": 1, "nanos": 0}, ("secs",)),
    (SystemTime, {"secs_since_epoch": 2**63 - 1, "nanos_since_epoch": 1_000_000_000}, ()),
    (SystemTime, {"secs_since_epoch": 2**63, "nanos_since_epoch": 0}, ()),
    (MediaType, {"kind": "video", "type": "png"}, ("kind",)),
    (MediaType, {"kind": "image", "type": "tiff"}, ("type",)),
    (MediaType, {"kind": "image"}, ()),
    (MediaType, "image", ()),
    (
        AttachmentRef,
        {"id": "a", "media_type": {"kind": "image", "type": "png"}, "byte_len": 1.0},
        ("byte_len",),
    ),
    (
        AttachmentRef,
        {"id": "a", "media_type": {"kind": "image", "type": "png"}, "byte_len": 1, "width": 2**32},
        ("width",),
    ),
    (AttachmentRef, {"id": "a", "media_type": {"kind": "image", "type": "png"}}, ()),
    (LlmToolChoice, None, ()),
    (LlmToolChoice, "none", ()),
    (LlmRole, "user", ()),
    (LlmTerminalReason, "Stop", ()),
    (LlmContentBlock, {"Image": {"attachment_idx": -1}}, ("Image", "attachment_idx")),
    (LlmContentBlock, {"Text": {"text": "t", "response_meta": None}}, ("Text",)),
    (LlmContentBlock, {"text": {"text": "t"}}, ()),
    (
        LlmOutputPart,
        {"Text": {"text": "t", "response_meta": {"id": 1}}},
        ("Text", "response_meta", "id"),
    ),
    (LlmOutputSpec, {"JsonSchema": {"name": "n", "schema": {}}}, ("JsonSchema",)),
    (GenerationOptions, {"output_token_cap": 0}, ("output_token_cap",)),
    (GenerationOptions, {"output_token_cap": -1}, ("output_token_cap",)),
    (GenerationOptions, {"max_tokens": 5}, ()),
    (LlmAttachment, {"mime": "m", "data": [256], "reference": None}, ("data", 0)),
    (LlmAttachment, {"mime": "m", "data": "AAE=", "reference": None}, ("data",)),
    (
        LlmRequest,
        {
            "model": "m",
            "messages": [],
            "attachments": [],
            "tools": [],
            "tool_choice": "Auto",
            "generation": {"output_token_cap": 0},
        },
        ("generation", "output_token_cap"),
    ),
    (
        LlmRequest,
        {"model": "m", "messages": [], "attachments": [], "tools": [], "tool_choice": None},
        ("tool_choice",),
    ),
    (LlmUsage, {"input_tokens": 1, "output_tokens": 1, "cached_input_tokens": 1}, ()),
    (
        LlmUsage,
        {
            "input_tokens": 2**63,
            "output_tokens": 1,
            "cached_input_tokens": 1,
            "reasoning_tokens": 0,
        },
        ("input_tokens",),
    ),
    (
        LlmResponse,
        {
            "full_text": "",
            "parts": [],
            "usage": {
                "input_tokens": 0,
                "output_tokens": 0,
                "cached_input_tokens": 0,
                "reasoning_tokens": 0,
            },
        },
        (),
    ),
    (ToolRetryDisposition, {"type": "exhausted", "attempts": 2**32}, ("attempts",)),
    (ToolRetryDisposition, {"type": "exhausted"}, ()),
    (ToolRetryDisposition, {"type": "Never"}, ("type",)),
    (
        ToolFailure,
        {
            "class_": "timeout",
            "code": "c",
            "message": "m",
            "source": "tool",
            "retry": {"type": "never"},
        },
        (),
    ),
    (
        ToolFailure,
        {"class": "timeout", "code": "c", "message": "m", "source": "tool"},
        (),
    ),
    (ToolCallOutput, {"outcome": {"status": "success"}}, ("outcome",)),
    (ToolCallOutput, {"outcome": {"status": "ok", "payload": 1}}, ("outcome", "status")),
    (
        ToolCallOutput,
        {"outcome": {"status": "cancelled", "payload": {"message": "m"}}},
        ("outcome", "payload"),
    ),
    (
        ToolCallOutput,
        {"outcome": {"status": "success", "payload": 1}, "control": {"type": "finish"}},
        ("control",),
    ),
    (ModelToolReturnPart, {"type": "attachment", "id": "a1"}, ()),
    (ModelToolReturnPart, {"type": "image", "id": "a1"}, ("type",)),
    (ToolOutputContract, {"kind": "from_input_schema"}, ()),
    (PreparedToolCall, {"call_id": "c", "tool_name": "t"}, ()),
    (PendingCompletion, {"on_timeout": "error_as_result"}, ()),
    (
        PendingCompletion,
        {"deadline": 5, "on_timeout": "fail_turn", "on_cancel": "ignore"},
        ("deadline",),
    ),
    (
        PendingCompletion,
        {
            "deadline": {"secs": 1, "nanos": 0, "x": 0},
            "on_timeout": "fail_turn",
            "on_cancel": "ignore",
        },
        ("deadline", "x"),
    ),
    (
        ToolTriggerEffectOutcome,
        {"source_type": "s", "source_key": "k", "occurrence_id": "o", "idempotency_key": "i"},
        (),
    ),
    (
        ExecResponse,
        {
            "observations": [],
            "observation_truncation": [],
            "tool_calls": [],
            "images": [],
            "printed_images": [],
            "error": None,
        },
        (),
    ),
    (
        ExecResponse,
        {
            "observations": [],
            "observation_truncation": [],
            "tool_calls": [{"tool": "t"}],
            "images": [],
            "printed_images": [],
            "error": None,
            "duration_ms": 0,
        },
        ("tool_calls", 0),
    ),
    (ExecImage, {"mime": "m"}, ()),
]


@pytest.mark.parametrize(("tp", "value", "path"), REJECTED, ids=lambda x: None)
def test_rejected_with_path(tp: Any, value: Any, path: tuple[str | int, ...]) -> None:
    assert rejects(tp, value).path == path


def test_tool_failure_class_field_is_renamed() -> None:
    failure = ToolFailure(class_=ToolFailureClass.RESOURCE_LIMIT, code="c", message="m")
    wire = to_wire(failure)
    assert list(wire) == ["class", "code", "message", "source", "retry"]
    assert wire["class"] == "resource_limit"


# ---------------------------------------------------------------------------
# ToolValue: the reserved $lash_tool_value forms
# ---------------------------------------------------------------------------

TAG = "$lash_tool_value"


def test_tool_value_escapes_a_user_reserved_key() -> None:
    user = {TAG: "user", "b": [1]}
    wire = to_wire(user, ToolValue)
    assert strict_eq(wire, {TAG: "object", "entries": {TAG: "user", "b": [1]}})
    assert list(wire) == [TAG, "entries"]
    assert from_wire(ToolValue, wire) == user


def test_tool_value_escapes_at_every_depth() -> None:
    nested = {TAG: {TAG: 1}}
    text = to_json(nested, ToolValue)
    assert text == (
        '{"$lash_tool_value":"object","entries":{"$lash_tool_value":'
        '{"$lash_tool_value":"object","entries":{"$lash_tool_value":1}}}}'
    )
    assert from_json(ToolValue, text) == nested


def test_tool_value_user_object_that_looks_like_an_attachment_stays_an_object() -> None:
    lookalike = {TAG: "attachment", "ref": json.loads(REF_A1)}
    wire = to_wire(lookalike, ToolValue)
    assert wire[TAG] == "object"
    assert from_wire(ToolValue, wire) == lookalike


def test_tool_value_attachments_anywhere() -> None:
    value = {"img": ref(), "list": [ref("b", 3), {"deep": ref(label="x")}]}
    wire = to_wire(value, ToolValue)
    assert wire["img"] == {TAG: "attachment", "ref": json.loads(REF_A1)}
    back: Any = from_wire(ToolValue, wire)
    assert back == value
    assert isinstance(back["list"][0], AttachmentRef)


def test_tool_value_escaped_object_without_reserved_key_is_written_plain() -> None:
    assert strict_eq(
        to_wire(from_wire(ToolValue, {TAG: "object", "entries": {"b": 1, "a": 2}}), ToolValue),
        {"a": 2, "b": 1},
    )


def test_tool_value_attachment_ref_reads_like_any_attachment_ref() -> None:
    wire = {TAG: "attachment", "ref": {**json.loads(REF_A1), "unknown": 1, "label": None}}
    assert from_wire(ToolValue, wire) == ref()


def test_tool_value_keeps_number_kinds() -> None:
    value: Any = from_json(ToolValue, "[1,1.0,-0,18446744073709551615,18446744073709551616]")
    assert strict_eq(
        to_wire(value, ToolValue), [1, 1.0, -0.0, 18446744073709551615, 1.8446744073709552e19]
    )


@pytest.mark.parametrize(
    ("value", "path"),
    [
        ({TAG: 1}, (TAG,)),
        ({TAG: None, "entries": {}}, (TAG,)),
        ({TAG: "blob", "ref": {}}, (TAG,)),
        ({TAG: "attachment"}, ()),
        ({TAG: "attachment", "ref": json.loads(REF_A1), "x": 1}, ()),
        ({TAG: "attachment", "entries": {}}, ()),
        ({TAG: "object"}, ()),
        ({TAG: "object", "entries": {}, "ref": {}}, ()),
        ({TAG: "object", "entries": [1]}, ("entries",)),
        ({TAG: "object", "entries": {"k": float("nan")}}, ("entries", "k")),
        ({TAG: "attachment", "ref": {"id": 1}}, ("ref", "id")),
        ({"a": [0, {TAG: "attachment", "ref": {}}]}, ("a", 1, "ref")),
        ([1, float("inf")], (1,)),
        (float("nan"), ()),
    ],
    ids=lambda x: None,
)
def test_tool_value_rejections(value: Any, path: tuple[str | int, ...]) -> None:
    assert rejects(ToolValue, value).path == path


def test_tool_value_error_path_through_containers() -> None:
    bad = {"outcome": {"status": "success", "payload": {"x": [{TAG: "nope"}]}}}
    assert rejects(ToolCallOutput, bad).path == ("outcome", "payload", "x", 0, TAG)
    bad_control = {
        "outcome": {"status": "success", "payload": None},
        "control": {"type": "finish", "value": {TAG: "attachment"}},
    }
    assert rejects(ToolCallOutput, bad_control).path == ("control", "value")


def test_tool_value_null_payload_is_the_null_value() -> None:
    out: ToolCallOutput = from_wire(
        ToolCallOutput, {"outcome": {"status": "success", "payload": None}}
    )
    assert out.outcome == ToolCallOutcomeSuccess(value=None)
    assert to_json(out) == '{"outcome":{"status":"success","payload":null}}'


# ---------------------------------------------------------------------------
# Duration / SystemTime construction
# ---------------------------------------------------------------------------


def test_duration_constructors() -> None:
    assert Duration.new(1, 2_000_000_001) == Duration(secs=3, nanos=1)
    assert Duration.from_millis(1234) == Duration(secs=1, nanos=234_000_000)
    assert Duration.from_millis(1234).as_millis() == 1234
    with pytest.raises(OverflowError):
        Duration.new(2**64 - 1, 1_000_000_000)
    with pytest.raises(ValueError, match="nanos"):
        Duration(secs=0, nanos=1_000_000_000)
    with pytest.raises(ValueError, match="secs_since_epoch"):
        SystemTime(secs_since_epoch=2**63)


# ---------------------------------------------------------------------------
# Attachments
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("mime", "expected"),
    [
        ("image/png", ImageMediaType.PNG),
        ("image/jpeg", ImageMediaType.JPEG),
        ("image/jpg", ImageMediaType.JPEG),
        (" IMAGE/JPG\n", ImageMediaType.JPEG),
        ("\u3000image/gif\u2029", ImageMediaType.GIF),
        ("Image/WebP", ImageMediaType.WEBP),
        ("image/bmp", ImageMediaType.BMP),
        ("image/svg+xml", None),
        ("application/octet-stream", None),
        ("image/png; charset=binary", None),
        ("", None),
        # Rust's trim() keeps U+001F (not White_Space); Python's strip() would drop it.
        ("image/png\x1f", None),
        # only ASCII letters are lowercased: U+0130 (İ) is not an "i".
        ("\u0130mage/png", None),
    ],
)
def test_media_type_from_mime(mime: str, expected: ImageMediaType | None) -> None:
    got = media_type_from_mime(mime)
    if expected is None:
        assert got is None
    else:
        assert got == MediaTypeImage(image=expected)
        assert got.canonical_mime() == "image/" + expected.value
        assert got.is_image()


def test_in_memory_store_content_addresses_bytes() -> None:
    store = InMemoryAttachmentStore()
    meta = AttachmentCreateMeta(media_type=PNG, width=1, height=1, label="pixel")
    a = store.put(b"\x01\x02\x03", meta)
    b = store.put(b"\x01\x02\x03", meta)
    assert a == b
    assert a.id == "039058c6f2c0cb492c533b0a4d14ef77cc0f78abccced5287d84a1a2011cfb81"
    assert a.id == content_id(b"\x01\x02\x03") == hashlib.sha256(b"\x01\x02\x03").hexdigest()
    assert (a.byte_len, a.width, a.height, a.label) == (3, 1, 1, "pixel")
    assert store.get(a.id).data == b"\x01\x02\x03"
    assert store.put(b"", AttachmentCreateMeta(media_type=PNG)).byte_len == 0
    with pytest.raises(AttachmentStoreError):
        store.get("missing")


def test_in_memory_store_can_fail() -> None:
    store = InMemoryAttachmentStore(fail_with="backend down")
    with pytest.raises(AttachmentStoreError, match="backend down"):
        store.put(b"x", AttachmentCreateMeta(media_type=PNG))
    assert store.attachments == {}


def test_llm_attachment_reference_constructor() -> None:
    r = AttachmentRef(id="x", media_type=MediaTypeImage(image=ImageMediaType.JPEG), byte_len=9)
    att = LlmAttachment.of_reference(r)
    assert (att.mime, att.data, att.reference) == ("image/jpeg", b"", r)
    assert not att.is_resolved()
    assert LlmAttachment.of_bytes("image/png", b"\x00").is_resolved()
    assert LlmAttachment(mime="m", data=b"").is_resolved()
    assert r.meta().as_ref() == r


def test_llm_message_is_blank() -> None:
    assert LlmMessage.text(LlmRole.USER, " \u3000\n").is_blank()
    assert not LlmMessage.text(LlmRole.USER, "\x1f").is_blank()
    assert not LlmMessage(
        role=LlmRole.USER, blocks=(LlmContentBlockImage(attachment_idx=0),)
    ).is_blank()
    assert LlmMessage(role=LlmRole.USER, blocks=()).is_blank()
    assert LlmContentBlockText(text="x").cache_breakpoint is False


# ---------------------------------------------------------------------------
# Recorded examples: every sub-value of these types
# ---------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class _AttachmentSpec:
    """envelope.rs ``LlmAttachmentSpec`` (owned elsewhere; rebuilt here from leaves)."""

    reference: AttachmentRef


@attrs.frozen(kw_only=True)
class _RequestSpec:
    """envelope.rs ``LlmRequestSpec``, built only from this file's leaf types."""

    model: str
    messages: tuple[LlmMessage, ...]
    attachments: tuple[_AttachmentSpec, ...]
    tools: tuple[LlmToolSpec, ...]
    tool_choice: LlmToolChoice
    model_variant: str | None
    generation: GenerationOptions = dflt(factory=GenerationOptions)
    session_id: str | None
    output_spec: LlmOutputSpec | None


def _load(name: str) -> Any:
    return json.loads((RECORDED / name).read_text(encoding="utf-8"))


def _cases(name: str) -> Iterator[tuple[str, dict[str, Any]]]:
    for case in _load(name)["cases"]:
        yield case["id"], case["body"]


def _mined() -> Iterator[tuple[str, Any, Any, bool]]:
    """(where, type, value, canonical) for every leaf-typed value in the examples."""
    for cid, body in _cases("call-cases-core.json"):
        call = body["call"]
        if call == "RuntimeEffectEnvelope::try_new":
            command = body["args"][1]
            sides = [(command, False)] + ([(body["ok"]["command"], True)] if "ok" in body else [])
            for cmd, canonical in sides:
                if cmd["type"] in ("llm_call", "direct"):
                    yield cid, _RequestSpec, cmd["request"], canonical
                if cmd["type"] == "tool_call":
                    yield cid, PreparedToolCall, cmd["call"], canonical
        if call == "RuntimeEffectOutcome::into_direct_response" and "Ok" in body.get("ok", {}):
            yield cid, LlmResponse, body["ok"]["Ok"], True
        if call.startswith("RuntimeEffectOutcome::"):
            outcome = body["args"][0]
            kind = outcome["type"]
            result = outcome.get("result")
            if kind in ("llm_call", "direct") and "Ok" in result:
                yield cid, LlmResponse, result["Ok"], False
            if kind == "exec_code" and "Ok" in result:
                yield cid, ExecResponse, result["Ok"], False
            if kind == "tool_call":
                launch = outcome["launch"]
                if launch["status"] == "done":
                    yield cid, ToolCallOutput, launch["result"]["output"], False
                    yield cid, ModelToolReturn, launch["result"]["model_return"], False
                else:
                    yield cid, PendingCompletion, launch["pending"], False
                for trigger in outcome.get("triggers", []):
                    yield cid, ToolTriggerEffectOutcome, trigger, False
            if kind == "sync_execution_environment" and result.get("Ok"):
                for spec in result["Ok"]["tool_specs"]:
                    yield cid, LlmToolSpec, spec, False
            if kind == "process" and result["op"] in ("start", "cancel"):
                record = result["record"]
                if record["input"]["type"] == "tool_call":
                    yield cid, PreparedToolCall, record["input"]["call"], False
    for cid, body in _cases("call-cases-turn_io.json"):
        if body["call"] in ("decode:AssembledTurn", "decode:AgentFrameRun") and "ok" in body:
            args, ok = body["args"][0], body["ok"]
            turns = zip(args["turns"], ok["turns"], strict=True) if "turns" in ok else [(args, ok)]
            for given, written in turns:
                for call in written.get("tool_calls", []):
                    yield cid, ToolCallRecord, call, True
                for call in given.get("tool_calls", []):
                    yield cid, ToolCallRecord, call, False
        ok = body.get("ok")
        if body["call"] == "decode:TurnEvent" and ok and ok["type"] == "tool_call_completed":
            yield cid, ToolCallOutput, ok["output"], True
    for path in sorted(RECORDED.glob("turn-trace-*.json")):
        trace = json.loads(path.read_text(encoding="utf-8"))["body"]
        cid = path.stem
        for spec in trace["config"]["tool_specs"]:
            yield cid, LlmToolSpec, spec, False
        for step in trace["steps"]:
            if "poll" in step and isinstance(step["poll"], dict):
                effect = step["poll"]
                if "LlmCall" in effect:
                    yield cid, LlmRequest, effect["LlmCall"]["request"], True
                if "Emit" in effect and effect["Emit"]["type"] == "tool_call":
                    yield cid, ToolCallOutput, effect["Emit"]["output"], True
            if "respond" in step:
                response = step["respond"]
                if "LlmComplete" in response and "Ok" in response["LlmComplete"]["result"]:
                    yield cid, LlmResponse, response["LlmComplete"]["result"]["Ok"], False
                for result in response.get("ToolResults", {}).get("results", []):
                    yield cid, ToolCallOutput, result["output"], False
                    yield cid, ModelToolReturn, result["model_return"], False
            if "checkpoint" in step:
                state = step["checkpoint"]["state"]
                if isinstance(state, dict) and "WaitingLlm" in state:
                    yield cid, LlmRequest, state["WaitingLlm"]["request"], True


MINED = list(_mined())


def test_examples_were_mined() -> None:
    kinds = {tp for _, tp, _, _ in MINED}
    assert {LlmRequest, LlmResponse, _RequestSpec, ToolCallOutput, ToolCallRecord} <= kinds
    assert len(MINED) > 50


@pytest.mark.parametrize(("where", "tp", "value", "canonical"), MINED, ids=lambda x: None)
def test_example_values(where: str, tp: Any, value: Any, canonical: bool) -> None:
    decoded = from_wire(tp, value)
    written = to_wire(decoded, tp)
    if canonical:
        assert strict_eq(written, value), where
    # What serde writes, it reads back to the same value.
    assert from_wire(tp, written) == decoded


def _typed_envelope_hashes() -> Iterator[tuple[str, dict[str, Any], str]]:
    for cid, body in _cases("call-cases-core.json"):
        if body["call"] == "RuntimeEffectEnvelope::stable_hash":
            envelope = body["args"][0]
            if envelope["command"]["type"] in ("llm_call", "direct", "tool_call"):
                yield cid, envelope, body["ok"]


HASHES = list(_typed_envelope_hashes())


@pytest.mark.parametrize(("where", "envelope", "digest"), HASHES, ids=lambda x: None)
def test_typed_envelope_hash(where: str, envelope: dict[str, Any], digest: str) -> None:
    """The bytes of the leaf types, inside the envelope text serde hashes.

    The recorded invocations are already in serde order, so they are written
    as given; the command is written by the leaf types.
    """
    command = envelope["command"]
    if command["type"] == "tool_call":
        body = '"call":' + to_json(from_wire(PreparedToolCall, command["call"]))
    else:
        body = '"request":' + to_json(from_wire(_RequestSpec, command["request"]))
        if command["type"] == "direct":
            body += ',"usage_source":' + write_json(command["usage_source"])
    text = (
        '{"invocation":'
        + write_json(envelope["invocation"])
        + ',"command":{"type":'
        + write_json(command["type"])
        + ","
        + body
        + "}}"
    )
    assert hashlib.sha256(text.encode()).hexdigest() == digest, where


def test_non_finite_float_in_llm_usage_value_is_not_json() -> None:
    err = rejects(LlmResponse, {**to_wire(LlmResponse()), "provider_usage": {"x": float("nan")}})
    assert err.path == ("provider_usage", "x")

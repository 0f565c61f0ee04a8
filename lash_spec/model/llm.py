"""LLM request/response types — ``lash-sansio/src/llm/types.rs``.

The file is identical at @003, @000 and @002, so every type here has one
shape in all eras. ``SchemaProjectionOverride`` lives in
``lash-sansio/src/tool_contract.rs`` (also unchanged across the three
commits) and is modelled here because only ``LlmToolSpec`` uses it.

Casing is mixed, as upstream's derives are: ``LlmToolChoice``, ``LlmRole``,
``LlmOutputPart``, ``LlmContentBlock`` and ``LlmOutputSpec`` carry their Rust
variant names verbatim (PascalCase, externally tagged), while
``LlmTerminalReason`` is ``snake_case``. ``Option`` fields of the enum
variants and of ``LlmRequest``/``LlmResponse`` are written as ``null``, not
skipped. ``LlmRequest``'s ``stream_events``/``provider_trace`` are
``#[serde(skip)]`` callback handles: never on the wire, so not modelled.
"""

from __future__ import annotations

import enum

import attrs

from lash_spec.model.attachments import AttachmentRef
from lash_spec.rust import rust_is_blank
from lash_spec.wire.codec import (
    dflt,
    skip_empty,
    skip_false,
    skip_none,
    tagged,
    variant,
    wire_struct,
)
from lash_spec.wire.types import I64, NonZeroUsize, Usize, Value

__all__ = [
    "GenerationOptions",
    "LlmAttachment",
    "LlmContentBlock",
    "LlmContentBlockImage",
    "LlmContentBlockReasoning",
    "LlmContentBlockText",
    "LlmContentBlockToolCall",
    "LlmContentBlockToolResult",
    "LlmJsonSchema",
    "LlmMessage",
    "LlmOutputPart",
    "LlmOutputPartReasoning",
    "LlmOutputPartText",
    "LlmOutputPartToolCall",
    "LlmOutputSpec",
    "LlmOutputSpecJsonObject",
    "LlmOutputSpecJsonSchema",
    "LlmRequest",
    "LlmResponse",
    "LlmRole",
    "LlmTerminalReason",
    "LlmToolChoice",
    "LlmToolSpec",
    "LlmUsage",
    "ProviderReasoningReplay",
    "ProviderReplayMeta",
    "ResponseTextMeta",
    "SchemaProjectionOverride",
]


class LlmTerminalReason(enum.Enum):
    """``LlmTerminalReason`` (snake_case; ``Default`` is ``unknown``)."""

    STOP = "stop"
    TOOL_USE = "tool_use"
    OUTPUT_LIMIT = "output_limit"
    CONTEXT_OVERFLOW = "context_overflow"
    CONTENT_FILTER = "content_filter"
    PROVIDER_ERROR = "provider_error"
    CANCELLED = "cancelled"
    UNKNOWN = "unknown"

    def code(self) -> str:
        """``LlmTerminalReason::code`` (the same spelling as the wire name)."""
        return self.value


@attrs.frozen(kw_only=True)
class ResponseTextMeta:
    """``ResponseTextMeta``: opaque provider ids for a text part (all skip-none)."""

    id: str | None = skip_none()
    status: str | None = skip_none()
    phase: str | None = skip_none()


@attrs.frozen(kw_only=True)
class SchemaProjectionOverride:
    """``tool_contract.rs`` ``SchemaProjectionOverride``: a schema per profile."""

    profile: str
    schema: Value


@attrs.frozen(kw_only=True)
class LlmToolSpec:
    """``LlmToolSpec``: a tool as offered to the model (nothing skipped)."""

    name: str
    description: str
    input_schema: Value
    output_schema: Value
    input_schema_projections: tuple[SchemaProjectionOverride, ...]
    output_schema_projections: tuple[SchemaProjectionOverride, ...]


class LlmToolChoice(enum.Enum):
    """``LlmToolChoice`` (verbatim names; ``Default`` is ``Auto``).

    The variant ``None`` is the *string* ``"None"``; Python ``None`` never
    stands in for it.
    """

    AUTO = "Auto"
    NONE = "None"
    REQUIRED = "Required"


@attrs.frozen(kw_only=True)
class ProviderReplayMeta:
    """``ProviderReplayMeta``: opaque provider replay state (``Default`` = ``{}``)."""

    item_id: str | None = skip_none()
    opaque: str | None = skip_none()

    def is_empty(self) -> bool:
        """``ProviderReplayMeta::is_empty``."""
        return self.item_id is None and self.opaque is None


@attrs.frozen(kw_only=True)
class ProviderReasoningReplay:
    """``ProviderReasoningReplay`` (``redacted`` skipped when false,
    ``summary`` when empty; ``Default`` = ``{}``)."""

    item_id: str | None = skip_none()
    encrypted_content: str | None = skip_none()
    signature: str | None = skip_none()
    redacted: bool = skip_false()
    summary: tuple[str, ...] = skip_empty()

    def is_empty(self) -> bool:
        """``ProviderReasoningReplay::is_empty``."""
        return (
            self.item_id is None
            and self.encrypted_content is None
            and self.signature is None
            and not self.redacted
            and not self.summary
        )


@tagged(rust_name="LlmOutputPart")
@attrs.frozen(kw_only=True)
class LlmOutputPart:
    """``LlmOutputPart``: externally tagged, verbatim variant names."""


@variant("Text")
@attrs.frozen(kw_only=True)
class LlmOutputPartText(LlmOutputPart):
    text: str
    response_meta: ResponseTextMeta | None = None


@variant("Reasoning")
@attrs.frozen(kw_only=True)
class LlmOutputPartReasoning(LlmOutputPart):
    text: str
    replay: ProviderReasoningReplay | None = None


@variant("ToolCall")
@attrs.frozen(kw_only=True)
class LlmOutputPartToolCall(LlmOutputPart):
    call_id: str
    tool_name: str
    input_json: str
    replay: ProviderReplayMeta | None = None


class LlmRole(enum.Enum):
    """``LlmRole`` (verbatim names)."""

    USER = "User"
    ASSISTANT = "Assistant"
    SYSTEM = "System"


@tagged(rust_name="LlmContentBlock")
@attrs.frozen(kw_only=True)
class LlmContentBlock:
    """``LlmContentBlock``: externally tagged, verbatim names, nothing skipped."""


@variant("Text")
@attrs.frozen(kw_only=True)
class LlmContentBlockText(LlmContentBlock):
    text: str
    response_meta: ResponseTextMeta | None = None
    cache_breakpoint: bool = False


@variant("Image")
@attrs.frozen(kw_only=True)
class LlmContentBlockImage(LlmContentBlock):
    """Index into the enclosing request's ``attachments``."""

    attachment_idx: Usize


@variant("ToolCall")
@attrs.frozen(kw_only=True)
class LlmContentBlockToolCall(LlmContentBlock):
    call_id: str
    tool_name: str
    input_json: str
    replay: ProviderReplayMeta | None = None


@variant("ToolResult")
@attrs.frozen(kw_only=True)
class LlmContentBlockToolResult(LlmContentBlock):
    call_id: str
    content: str
    tool_name: str | None = None


@variant("Reasoning")
@attrs.frozen(kw_only=True)
class LlmContentBlockReasoning(LlmContentBlock):
    text: str
    replay: ProviderReasoningReplay | None = None


@attrs.frozen(kw_only=True)
class LlmMessage:
    """``LlmMessage``: one role turn (``blocks`` is an ``Arc<Vec<_>>``, written
    as a plain array)."""

    role: LlmRole
    blocks: tuple[LlmContentBlock, ...]

    @classmethod
    def text(cls, role: LlmRole, text: str) -> LlmMessage:
        """``LlmMessage::text``: one ``Text`` block, no meta, no cache breakpoint."""
        return cls(role=role, blocks=(LlmContentBlockText(text=text),))

    def is_blank(self) -> bool:
        """``LlmMessage::is_blank``: every block is whitespace-only text
        (Rust ``str::trim``; vacuously true for no blocks)."""
        return all(
            isinstance(b, LlmContentBlockText) and rust_is_blank(b.text) for b in self.blocks
        )


@attrs.frozen(kw_only=True)
class LlmAttachment:
    """``LlmAttachment``: inline bytes and/or a durable reference.

    ``reference`` is written as ``null`` when absent (not skipped); ``data``
    is ``Vec<u8>``, an array of integers.
    """

    mime: str
    data: bytes
    reference: AttachmentRef | None = None

    @classmethod
    def of_bytes(cls, mime: str, data: bytes) -> LlmAttachment:
        """``LlmAttachment::bytes``: inline bytes, no reference."""
        return cls(mime=mime, data=data, reference=None)

    @classmethod
    def of_reference(cls, reference: AttachmentRef) -> LlmAttachment:
        """``LlmAttachment::reference``: the reference's canonical MIME, no
        inline bytes (resolved later from the attachment store)."""
        return cls(mime=reference.canonical_mime(), data=b"", reference=reference)

    def is_resolved(self) -> bool:
        """``LlmAttachment::is_resolved``: has bytes, or nothing to resolve."""
        return bool(self.data) or self.reference is None


@attrs.frozen(kw_only=True)
class LlmJsonSchema:
    """``LlmJsonSchema``: a named JSON schema for structured output."""

    name: str
    schema: Value
    strict: bool


@tagged(rust_name="LlmOutputSpec")
@attrs.frozen(kw_only=True)
class LlmOutputSpec:
    """``LlmOutputSpec``: ``"JsonObject"`` or ``{"JsonSchema":LlmJsonSchema}``."""


@variant("JsonObject")
@attrs.frozen(kw_only=True)
class LlmOutputSpecJsonObject(LlmOutputSpec):
    pass


@variant("JsonSchema", newtype=True)
@attrs.frozen(kw_only=True)
class LlmOutputSpecJsonSchema(LlmOutputSpec):
    json_schema: LlmJsonSchema


@wire_struct(deny_unknown_fields=True)
@attrs.frozen(kw_only=True)
class GenerationOptions:
    """``GenerationOptions`` (``deny_unknown_fields``; ``Default`` = ``{}``).

    ``output_token_cap`` is ``Option<NonZeroUsize>``: ``0`` is rejected.
    """

    output_token_cap: NonZeroUsize | None = skip_none()

    def output_token_cap_u64(self) -> int | None:
        """``GenerationOptions::output_token_cap_u64``."""
        return self.output_token_cap


@attrs.frozen(kw_only=True)
class LlmRequest:
    """``LlmRequest``: what the turn machine asks the provider for.

    ``generation`` is ``#[serde(default)]`` (always written); the optional
    fields are written as ``null``.
    """

    model: str
    messages: tuple[LlmMessage, ...]
    attachments: tuple[LlmAttachment, ...]
    tools: tuple[LlmToolSpec, ...]
    tool_choice: LlmToolChoice
    model_variant: str | None = None
    generation: GenerationOptions = dflt(factory=GenerationOptions)
    session_id: str | None = None
    output_spec: LlmOutputSpec | None = None


@attrs.frozen(kw_only=True)
class LlmUsage:
    """``LlmUsage``: provider token counts (``i64``, all required on read)."""

    input_tokens: I64 = 0
    output_tokens: I64 = 0
    cached_input_tokens: I64 = 0
    reasoning_tokens: I64 = 0


@attrs.frozen(kw_only=True)
class LlmResponse:
    """``LlmResponse``: nothing skipped; ``Option`` fields written as ``null``.

    The Python defaults are Rust's ``Default``; on the wire the non-``Option``
    fields are required.
    """

    full_text: str = ""
    parts: tuple[LlmOutputPart, ...] = ()
    usage: LlmUsage = attrs.field(factory=LlmUsage)
    terminal_reason: LlmTerminalReason = LlmTerminalReason.UNKNOWN
    terminal_diagnostic: str | None = None
    provider_usage: Value | None = None
    request_body: str | None = None
    http_summary: str | None = None

"""Projecting the turn's context into an ``LlmRequest`` (seed 003, @003).

Models ``ContextProjector`` / ``ProjectorContext`` / ``ChatContextProjector``
and ``render_turn_causes_prompt`` of ``lash-sansio/src/sansio/mod.rs``, plus
the structured chat rendering they call (``render_prompt`` and ``Part::render``
in ``lash-sansio/src/session_model/message.rs``). Pure functions; ``trim``
is Rust's ``str::trim`` (Unicode ``White_Space``), not Python's ``strip``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Protocol

import attrs

from lash_spec.model.llm import (
    LlmAttachment,
    LlmContentBlock,
    LlmContentBlockImage,
    LlmContentBlockReasoning,
    LlmContentBlockText,
    LlmContentBlockToolCall,
    LlmContentBlockToolResult,
    LlmMessage,
    LlmRequest,
    LlmRole,
    LlmToolChoice,
)
from lash_spec.model.sansio import TurnCause
from lash_spec.model.session import (
    Message,
    MessageOrigin,
    MessageOriginPlugin,
    MessageOriginProcess,
    MessageRole,
    Part,
    PartKind,
    PruneStateCleared,
    PruneStateDeleted,
    PruneStateIntact,
    PruneStateSummarized,
    UnitSessionEventRecord,
)
from lash_spec.rust import rust_trim

if TYPE_CHECKING:
    from lash_spec.turn_machine.config import TurnMachineConfig

__all__ = [
    "ChatContextProjector",
    "ContextProjector",
    "ProjectorContext",
    "RenderedPrompt",
    "render_part",
    "render_prompt",
    "render_turn_causes_prompt",
]


@attrs.frozen(kw_only=True)
class ProjectorContext:
    """``ProjectorContext``: what a projector may look at (borrowed views upstream)."""

    config: TurnMachineConfig
    messages: Sequence[Message]
    events: Sequence[UnitSessionEventRecord]
    turn_causes: Sequence[TurnCause]
    protocol_iteration: int
    use_tools: bool


class ContextProjector(Protocol):
    """``ContextProjector``: turns a :class:`ProjectorContext` into a request."""

    def project(self, ctx: ProjectorContext) -> LlmRequest: ...


@attrs.frozen(kw_only=True)
class RenderedPrompt:
    """``RenderedPrompt``: chat messages plus the attachments their image blocks index."""

    messages: tuple[LlmMessage, ...] = ()
    attachments: tuple[LlmAttachment, ...] = ()


# ---------------------------------------------------------------------------
# render_turn_causes_prompt
# ---------------------------------------------------------------------------


def _render_message_origin(origin: MessageOrigin) -> str:
    if isinstance(origin, MessageOriginPlugin):
        suffix = " (transient)" if origin.transient else ""
        return f"plugin {origin.plugin_id}{suffix}"
    assert isinstance(origin, MessageOriginProcess)
    head = f"process {origin.process_id} {origin.event_type} #{origin.sequence}"
    return head if origin.wake_id is None else f"{head} ({origin.wake_id})"


def render_turn_causes_prompt(causes: Sequence[TurnCause]) -> str | None:
    """``render_turn_causes_prompt``: the ``=== TURN EVENTS ===`` block, ``None`` if no causes.

    Each cause's text is trimmed; its origin rendered as ``plugin ID
    (transient)`` / ``process ID TYPE #SEQ (WAKE)``.
    """
    if not causes:
        return None
    out = ["=== TURN EVENTS ==="]
    for index, cause in enumerate(causes):
        out.append("\n\n")
        out.append(f"--- event[{index}] · {cause.event_type} · {cause.id} ---\n")
        out.append("Origin: ")
        out.append(_render_message_origin(cause.origin))
        out.append("\n\n")
        out.append(rust_trim(cause.text))
    return "".join(out)


# ---------------------------------------------------------------------------
# message.rs: structured chat rendering
# ---------------------------------------------------------------------------


def render_part(part: Part) -> str:
    """``Part::render``: images become ``[Image attached]``; pruned parts their breadcrumb."""
    if part.kind is PartKind.IMAGE:
        if part.attachment is not None or not rust_trim(part.content):
            return "[Image attached]"
        return part.content
    state = part.prune_state
    if isinstance(state, PruneStateIntact):
        return part.content
    if isinstance(state, PruneStateCleared):
        return "[Old tool result content cleared]"
    if isinstance(state, PruneStateDeleted):
        return f"[pruned:{state.archive_hash} — {state.breadcrumb}]"
    assert isinstance(state, PruneStateSummarized)
    return f"[SUMMARY of original {state.archive_hash}]\n{state.summary}"


def _render_part_for_chat(role: MessageRole, part: Part) -> str:
    rendered = render_part(part)
    if role is MessageRole.SYSTEM:
        if part.kind is PartKind.OUTPUT:
            return f"<output>\n{rendered}\n</output>"
        if part.kind is PartKind.ERROR:
            return f"<error>\n{rendered}\n</error>"
    # Assistant ToolCall parts would render as ``name(args)``, but the
    # structured renderer handles ToolCall parts before reaching here.
    return rendered


_LLM_ROLE = {
    MessageRole.USER: LlmRole.USER,
    MessageRole.ASSISTANT: LlmRole.ASSISTANT,
    MessageRole.SYSTEM: LlmRole.SYSTEM,
    MessageRole.EVENT: LlmRole.USER,
}


def render_prompt(messages: Sequence[Message]) -> RenderedPrompt:
    """``render_prompt`` (the structured form): one ``LlmMessage`` per non-empty message.

    Per part: reasoning with non-empty replay meta → ``Reasoning``; ToolCall →
    ``ToolCall`` (missing id/name as ``""``); ToolResult → ``ToolResult`` of the
    rendered text; an attached image in a *User* message → an ``Image`` block
    and an attachment; anything else → text (blank skipped), prefixed
    ``Runtime note:`` (System) / ``Runtime event:`` (Event), keeping
    ``response_meta`` only for Text/Prose parts. Event messages go out as User.
    """
    out_messages: list[LlmMessage] = []
    attachments: list[LlmAttachment] = []
    for msg in messages:
        blocks: list[LlmContentBlock] = []
        for part in msg.parts:
            kind = part.kind
            if kind is PartKind.REASONING:
                meta = part.reasoning_meta
                if meta is None or meta.is_empty():
                    continue
                blocks.append(LlmContentBlockReasoning(text=part.content, replay=meta))
            elif kind is PartKind.TOOL_CALL:
                blocks.append(
                    LlmContentBlockToolCall(
                        call_id=part.tool_call_id or "",
                        tool_name=part.tool_name or "",
                        input_json=part.content,
                        replay=part.tool_replay,
                    )
                )
            elif kind is PartKind.TOOL_RESULT:
                blocks.append(
                    LlmContentBlockToolResult(
                        call_id=part.tool_call_id or "",
                        content=render_part(part),
                        tool_name=part.tool_name,
                    )
                )
            else:
                if (
                    kind is PartKind.IMAGE
                    and part.attachment is not None
                    and msg.role is MessageRole.USER
                ):
                    blocks.append(LlmContentBlockImage(attachment_idx=len(attachments)))
                    attachments.append(LlmAttachment.of_reference(part.attachment.reference))
                    continue
                text = _render_part_for_chat(msg.role, part)
                if not rust_trim(text):
                    continue
                if msg.role is MessageRole.EVENT:
                    text = f"Runtime event:\n{text}"
                elif msg.role is MessageRole.SYSTEM:
                    text = f"Runtime note:\n{text}"
                blocks.append(
                    LlmContentBlockText(
                        text=text,
                        response_meta=(
                            part.response_meta if kind in (PartKind.TEXT, PartKind.PROSE) else None
                        ),
                        cache_breakpoint=False,
                    )
                )
        if blocks:
            out_messages.append(LlmMessage(role=_LLM_ROLE[msg.role], blocks=tuple(blocks)))
    return RenderedPrompt(messages=tuple(out_messages), attachments=tuple(attachments))


def _render_messages_for_projector(
    messages: Sequence[Message], turn_causes: Sequence[TurnCause]
) -> RenderedPrompt:
    """Without causes, all messages; with causes, minus the *Event* messages whose
    id is an active cause id (the causes are rendered once, as TURN EVENTS)."""
    if not turn_causes:
        return render_prompt(messages)
    active = {cause.id for cause in turn_causes}
    return render_prompt(
        [m for m in messages if not (m.role is MessageRole.EVENT and m.id in active)]
    )


@attrs.frozen
class ChatContextProjector:
    """``ChatContextProjector``: the default (and, in traces, the only) projector.

    Messages rendered as structured chat; the TURN EVENTS block appended as a
    final User message; a System message with the *untrimmed* system prompt
    inserted first unless the prompt is blank. Tools and ``tool_choice`` Auto
    only when ``use_tools``; otherwise no tools and ``tool_choice`` ``"None"``.
    ``session_id`` is the config's ``run_session_id``; no output spec.
    """

    def project(self, ctx: ProjectorContext) -> LlmRequest:
        config = ctx.config
        rendered = _render_messages_for_projector(ctx.messages, ctx.turn_causes)
        messages = list(rendered.messages)
        turn_events = render_turn_causes_prompt(ctx.turn_causes)
        if turn_events is not None:
            messages.append(LlmMessage.text(LlmRole.USER, turn_events))
        if rust_trim(config.system_prompt):
            messages.insert(0, LlmMessage.text(LlmRole.SYSTEM, config.system_prompt))
        return LlmRequest(
            model=config.model,
            messages=tuple(messages),
            attachments=rendered.attachments,
            tools=config.tool_specs if ctx.use_tools else (),
            tool_choice=LlmToolChoice.AUTO if ctx.use_tools else LlmToolChoice.NONE,
            model_variant=config.model_variant,
            generation=config.generation,
            session_id=config.run_session_id,
            output_spec=None,
        )

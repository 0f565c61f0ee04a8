"""Session model: ``lash-sansio/src/session_model/{mod,message}.rs``.

Messages and their parts, the ``SessionEvent`` stream, turn outcomes and the
event records a turn appends. Also lash-core's ``ProtocolEvent``
(``lash-core/src/session_model/mod.rs``), the protocol payload of the host's
``SessionEventRecord``.

Eras: identical at @003, @000 and @002 except ``TurnOutcome::AgentFrameSwitch``,
which gains a required ``task`` at @000 (see :class:`TurnOutcomeAgentFrameSwitch`).

Casing is mixed on purpose (as upstream): ``MessageRole``, ``PartKind``,
``PruneState`` and ``SessionEventRecord`` use the Rust variant names verbatim;
``MessageOrigin``, ``SessionEvent``, ``TurnOutcome``, ``TurnFinish`` and
``TurnStop`` are snake_case.
"""

from __future__ import annotations

import enum
from typing import TYPE_CHECKING, Any, TypeAlias

import attrs

from lash_spec.model import plugin as _plugin
from lash_spec.model.attachments import AttachmentRef
from lash_spec.model.causal import CausalRef
from lash_spec.model.llm import (
    LlmTerminalReason,
    ProviderReasoningReplay,
    ProviderReplayMeta,
    ResponseTextMeta,
)
from lash_spec.model.tools import ToolCallOutput
from lash_spec.wire.codec import (
    Shape,
    dflt,
    from_era,
    shape_of,
    skip_false,
    skip_none,
    tagged,
    variant,
)
from lash_spec.wire.errors import WireError
from lash_spec.wire.types import I64, U64, Usize, Value

if TYPE_CHECKING:
    from hypothesis.strategies import SearchStrategy

    from lash_spec.sampling import Choices

__all__ = [
    "AcceptedInjectedTurnInput",
    "ConversationRecord",
    "ErrorEnvelope",
    "Message",
    "MessageOrigin",
    "MessageOriginPlugin",
    "MessageOriginProcess",
    "MessageRole",
    "MessageSequence",
    "Part",
    "PartAttachment",
    "PartKind",
    "ProtocolEvent",
    "PruneState",
    "PruneStateCleared",
    "PruneStateDeleted",
    "PruneStateIntact",
    "PruneStateSummarized",
    "SessionEvent",
    "SessionEventChildTokenUsage",
    "SessionEventDone",
    "SessionEventError",
    "SessionEventInjectedMessagesCommitted",
    "SessionEventInjectedTurnInputAccepted",
    "SessionEventLlmRequest",
    "SessionEventLlmResponse",
    "SessionEventMessage",
    "SessionEventPluginEvent",
    "SessionEventReasoningDelta",
    "SessionEventRecord",
    "SessionEventRecordConversation",
    "SessionEventRecordProtocol",
    "SessionEventRetryStatus",
    "SessionEventTextDelta",
    "SessionEventTokenUsage",
    "SessionEventToolCall",
    "SessionEventToolCallStart",
    "SessionEventTurnOutcome",
    "TokenUsage",
    "TurnFinish",
    "TurnFinishAssistantMessage",
    "TurnFinishSubmittedValue",
    "TurnFinishToolValue",
    "TurnOutcome",
    "TurnOutcomeAgentFrameSwitch",
    "TurnOutcomeFinished",
    "TurnOutcomeStopped",
    "TurnStop",
    "TurnStopCancelled",
    "TurnStopIncomplete",
    "TurnStopInvalidInput",
    "TurnStopMaxTurns",
    "TurnStopPluginAbort",
    "TurnStopProviderError",
    "TurnStopRuntimeError",
    "TurnStopSubmittedError",
    "TurnStopToolError",
    "TurnStopToolFailure",
    "TurnTerminationPolicyState",
    "UnitSessionEventRecord",
    "UnitSessionEventRecordConversation",
    "UnitSessionEventRecordProtocol",
]


# ---------------------------------------------------------------------------
# message.rs: Message, Part and their enums
# ---------------------------------------------------------------------------


class MessageRole(enum.Enum):
    """``MessageRole``: unit variants written verbatim (``"User"``, not ``"user"``)."""

    USER = "User"
    ASSISTANT = "Assistant"
    SYSTEM = "System"
    EVENT = "Event"


@tagged(tag="kind")
@attrs.frozen(kw_only=True)
class MessageOrigin:
    """``MessageOrigin``: where a message came from; internally tagged by ``kind``."""


@variant("plugin")
@attrs.frozen(kw_only=True)
class MessageOriginPlugin(MessageOrigin):
    plugin_id: str
    transient: bool = skip_false()


@variant("process")
@attrs.frozen(kw_only=True)
class MessageOriginProcess(MessageOrigin):
    process_id: str
    event_type: str
    sequence: U64
    wake_id: str | None = skip_none()
    caused_by: CausalRef | None = skip_none()


class PartKind(enum.Enum):
    """``PartKind``: unit variants written verbatim."""

    TEXT = "Text"
    IMAGE = "Image"
    CODE = "Code"
    OUTPUT = "Output"
    ERROR = "Error"
    PROSE = "Prose"
    TOOL_CALL = "ToolCall"
    TOOL_RESULT = "ToolResult"
    REASONING = "Reasoning"


@attrs.frozen(kw_only=True)
class PartAttachment:
    """``PartAttachment``: the attachment an image part points at."""

    reference: AttachmentRef


@tagged()
@attrs.frozen(kw_only=True)
class PruneState:
    """``PruneState``: externally tagged, verbatim names; two units, two structs."""


@variant("Intact")
@attrs.frozen(kw_only=True)
class PruneStateIntact(PruneState): ...


@variant("Cleared")
@attrs.frozen(kw_only=True)
class PruneStateCleared(PruneState): ...


@variant("Deleted")
@attrs.frozen(kw_only=True)
class PruneStateDeleted(PruneState):
    breadcrumb: str
    archive_hash: str


@variant("Summarized")
@attrs.frozen(kw_only=True)
class PruneStateSummarized(PruneState):
    summary: str
    archive_hash: str


@attrs.frozen(kw_only=True)
class Part:
    """``Part``: one piece of a message.

    Field order is the JSON key order, and it is not "optionals last":
    ``prune_state`` (always written) sits between ``tool_replay`` and
    ``reasoning_meta``.
    """

    id: str
    kind: PartKind
    content: str
    attachment: PartAttachment | None = skip_none()
    tool_call_id: str | None = skip_none()
    tool_name: str | None = skip_none()
    tool_replay: ProviderReplayMeta | None = skip_none()
    prune_state: PruneState
    reasoning_meta: ProviderReasoningReplay | None = skip_none()
    response_meta: ResponseTextMeta | None = skip_none()


@attrs.frozen(kw_only=True)
class Message:
    """``Message``: ``parts`` is ``Arc<Vec<Part>>`` upstream (written as the array)."""

    id: str
    role: MessageRole
    parts: tuple[Part, ...]
    origin: MessageOrigin | None = skip_none()

    def is_transient(self) -> bool:
        """``Message::is_transient``: a plugin origin marked transient."""
        return isinstance(self.origin, MessageOriginPlugin) and self.origin.transient


MessageSequence: TypeAlias = tuple[Message, ...]
"""``MessageSequence``: its hand-written serde impls read and write exactly a
``Vec<Message>`` (the base/delta sharing is an in-memory optimisation)."""


# ---------------------------------------------------------------------------
# mod.rs: event records
# ---------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class ConversationRecord:
    """``ConversationRecord``: a message appended to the event log (same fields as Message)."""

    id: str
    role: MessageRole
    parts: tuple[Part, ...]
    origin: MessageOrigin | None = skip_none()

    @classmethod
    def from_message(cls, message: Message) -> ConversationRecord:
        """``ConversationRecord::from_message``."""
        return cls(id=message.id, role=message.role, parts=message.parts, origin=message.origin)

    def to_message(self) -> Message:
        """``ConversationRecord::to_message``."""
        return Message(id=self.id, role=self.role, parts=self.parts, origin=self.origin)


class _ProtocolEventShape(Shape):
    """lash-core's hand-written serde impls for ``ProtocolEvent``.

    Written as ``{"plugin_id":..,"payload":..}``. Read by first taking any
    JSON value, then requiring an object holding *both* keys (others are
    ignored) whose ``plugin_id`` is a string; the array form a derived struct
    would accept is refused.
    """

    expecting = "a protocol event"

    def encode(self, obj: Any) -> Any:
        return {"plugin_id": obj.plugin_id, "payload": shape_of(Value).encode(obj.payload)}

    def decode(self, value: Any, content: bool) -> Any:
        value = shape_of(Value).decode(value, content)
        if type(value) is dict and "plugin_id" in value and "payload" in value:
            plugin_id = value["plugin_id"]
            if type(plugin_id) is not str:
                raise WireError("plugin_id must be a string", ("plugin_id",))
            return ProtocolEvent(plugin_id=plugin_id, payload=value["payload"])
        raise WireError("protocol events must be tagged with plugin_id and payload")

    def sample(self, c: Choices) -> Any:
        from lash_spec.sampling import sample_json, sample_string

        return ProtocolEvent(plugin_id=sample_string(c), payload=sample_json(c))

    def strategy(self) -> SearchStrategy[Any]:
        from hypothesis import strategies as st

        from lash_spec.strategies import json_values, wire_strings

        return st.builds(ProtocolEvent, plugin_id=wire_strings, payload=json_values)


@attrs.frozen(kw_only=True)
class ProtocolEvent:
    """lash-core ``session_model::ProtocolEvent``: a plugin's protocol payload.

    Custom serde impls (see ``_ProtocolEventShape``); the payload is a
    ``serde_json::Value`` (object keys re-sorted).
    """

    __wire_shape__ = _ProtocolEventShape

    plugin_id: str
    payload: Value


@tagged(rust_name="SessionEventRecord")
@attrs.frozen(kw_only=True)
class SessionEventRecord:
    """lash-core's ``SessionEventRecord`` = ``SessionEventRecord<ProtocolEvent>``.

    Externally tagged, verbatim: ``{"Conversation":..}`` / ``{"Protocol":..}``.
    """


@variant("Conversation", newtype=True)
@attrs.frozen(kw_only=True)
class SessionEventRecordConversation(SessionEventRecord):
    record: ConversationRecord


@variant("Protocol", newtype=True)
@attrs.frozen(kw_only=True)
class SessionEventRecordProtocol(SessionEventRecord):
    event: ProtocolEvent


@tagged(rust_name="SessionEventRecord")
@attrs.frozen(kw_only=True)
class UnitSessionEventRecord:
    """``SessionEventRecord<()>``: the sans-IO machine's record (``UnitTurnProtocol``).

    The protocol payload is ``()``, so that form is exactly ``{"Protocol":null}``.
    """


@variant("Conversation", newtype=True)
@attrs.frozen(kw_only=True)
class UnitSessionEventRecordConversation(UnitSessionEventRecord):
    record: ConversationRecord


@variant("Protocol", newtype=True)
@attrs.frozen(kw_only=True)
class UnitSessionEventRecordProtocol(UnitSessionEventRecord):
    event: None = None


# ---------------------------------------------------------------------------
# mod.rs: usage, errors, events
# ---------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class TokenUsage:
    """``TokenUsage``: i64 counters; only ``reasoning_tokens`` may be missing on read.

    The Python defaults (all 0) mirror Rust's ``Default``; they do not make
    the first three fields optional on the wire.
    """

    input_tokens: I64 = 0
    output_tokens: I64 = 0
    cached_input_tokens: I64 = 0
    reasoning_tokens: I64 = dflt(0)

    def total(self) -> int:
        """``TokenUsage::total`` (cached input is not counted)."""
        return self.input_tokens + self.output_tokens + self.reasoning_tokens

    def plus(self, other: TokenUsage) -> TokenUsage:
        """``TokenUsage::add`` as a pure function: field-wise sums."""
        return TokenUsage(
            input_tokens=self.input_tokens + other.input_tokens,
            output_tokens=self.output_tokens + other.output_tokens,
            cached_input_tokens=self.cached_input_tokens + other.cached_input_tokens,
            reasoning_tokens=self.reasoning_tokens + other.reasoning_tokens,
        )


@attrs.frozen(kw_only=True)
class AcceptedInjectedTurnInput:
    """``AcceptedInjectedTurnInput``: an injected plugin message taken into the turn."""

    id: str | None = skip_none()
    message: _plugin.PluginMessage


@attrs.frozen(kw_only=True)
class ErrorEnvelope:
    """``ErrorEnvelope``: the structured side of an error event."""

    kind: str
    code: str | None = skip_none()
    terminal_reason: LlmTerminalReason | None = skip_none()
    user_message: str
    raw: str | None = skip_none()


@tagged(tag="type")
@attrs.frozen(kw_only=True)
class SessionEvent:
    """``SessionEvent``: the UI/event stream; internally tagged by ``type``.

    Upstream renames each variant explicitly; the names equal snake_case.
    """


@variant("text_delta")
@attrs.frozen(kw_only=True)
class SessionEventTextDelta(SessionEvent):
    content: str


@variant("reasoning_delta")
@attrs.frozen(kw_only=True)
class SessionEventReasoningDelta(SessionEvent):
    content: str


@variant("tool_call")
@attrs.frozen(kw_only=True)
class SessionEventToolCall(SessionEvent):
    call_id: str | None = skip_none()
    name: str
    args: Value
    output: ToolCallOutput
    duration_ms: U64


@variant("tool_call_start")
@attrs.frozen(kw_only=True)
class SessionEventToolCallStart(SessionEvent):
    call_id: str | None = skip_none()
    name: str
    args: Value


@variant("message")
@attrs.frozen(kw_only=True)
class SessionEventMessage(SessionEvent):
    text: str
    kind: str


@variant("llm_request")
@attrs.frozen(kw_only=True)
class SessionEventLlmRequest(SessionEvent):
    protocol_iteration: Usize
    message_count: Usize
    tool_list: str


@variant("llm_response")
@attrs.frozen(kw_only=True)
class SessionEventLlmResponse(SessionEvent):
    protocol_iteration: Usize
    content: str
    duration_ms: U64


@variant("token_usage")
@attrs.frozen(kw_only=True)
class SessionEventTokenUsage(SessionEvent):
    protocol_iteration: Usize
    usage: TokenUsage
    cumulative: TokenUsage


@variant("child_token_usage")
@attrs.frozen(kw_only=True)
class SessionEventChildTokenUsage(SessionEvent):
    session_id: str
    source: str
    model: str
    protocol_iteration: Usize
    usage: TokenUsage
    cumulative: TokenUsage


@variant("retry_status")
@attrs.frozen(kw_only=True)
class SessionEventRetryStatus(SessionEvent):
    wait_seconds: U64
    attempt: Usize
    max_attempts: Usize
    reason: str
    envelope: ErrorEnvelope | None = skip_none()


@variant("injected_turn_input_accepted")
@attrs.frozen(kw_only=True)
class SessionEventInjectedTurnInputAccepted(SessionEvent):
    inputs: tuple[AcceptedInjectedTurnInput, ...]
    checkpoint: _plugin.CheckpointKind


@variant("injected_messages_committed")
@attrs.frozen(kw_only=True)
class SessionEventInjectedMessagesCommitted(SessionEvent):
    messages: tuple[_plugin.PluginMessage, ...]
    checkpoint: _plugin.CheckpointKind


@variant("plugin_event")
@attrs.frozen(kw_only=True)
class SessionEventPluginEvent(SessionEvent):
    plugin_id: str
    event: _plugin.PluginRuntimeEvent


@variant("turn_outcome")
@attrs.frozen(kw_only=True)
class SessionEventTurnOutcome(SessionEvent):
    outcome: TurnOutcome


@variant("done")
@attrs.frozen(kw_only=True)
class SessionEventDone(SessionEvent): ...


@variant("error")
@attrs.frozen(kw_only=True)
class SessionEventError(SessionEvent):
    message: str
    envelope: ErrorEnvelope | None = skip_none()


# ---------------------------------------------------------------------------
# mod.rs: turn outcomes
# ---------------------------------------------------------------------------


@tagged()
@attrs.frozen(kw_only=True)
class TurnFinish:
    """``TurnFinish``: how a turn finished successfully; external, snake_case."""


@variant("assistant_message")
@attrs.frozen(kw_only=True)
class TurnFinishAssistantMessage(TurnFinish):
    text: str


@variant("submitted_value")
@attrs.frozen(kw_only=True)
class TurnFinishSubmittedValue(TurnFinish):
    value: Value


@variant("tool_value")
@attrs.frozen(kw_only=True)
class TurnFinishToolValue(TurnFinish):
    tool_name: str
    value: Value


@tagged()
@attrs.frozen(kw_only=True)
class TurnStop:
    """``TurnStop``: why a turn stopped; external, snake_case; units are bare strings."""


@variant("cancelled")
@attrs.frozen(kw_only=True)
class TurnStopCancelled(TurnStop): ...


@variant("incomplete")
@attrs.frozen(kw_only=True)
class TurnStopIncomplete(TurnStop): ...


@variant("invalid_input")
@attrs.frozen(kw_only=True)
class TurnStopInvalidInput(TurnStop): ...


@variant("max_turns")
@attrs.frozen(kw_only=True)
class TurnStopMaxTurns(TurnStop): ...


@variant("tool_failure")
@attrs.frozen(kw_only=True)
class TurnStopToolFailure(TurnStop): ...


@variant("provider_error")
@attrs.frozen(kw_only=True)
class TurnStopProviderError(TurnStop): ...


@variant("plugin_abort")
@attrs.frozen(kw_only=True)
class TurnStopPluginAbort(TurnStop): ...


@variant("runtime_error")
@attrs.frozen(kw_only=True)
class TurnStopRuntimeError(TurnStop): ...


@variant("submitted_error")
@attrs.frozen(kw_only=True)
class TurnStopSubmittedError(TurnStop):
    value: Value


@variant("tool_error")
@attrs.frozen(kw_only=True)
class TurnStopToolError(TurnStop):
    tool_name: str
    value: Value


@tagged()
@attrs.frozen(kw_only=True)
class TurnOutcome:
    """``TurnOutcome``: external, snake_case (``{"finished":..}`` etc.)."""


@variant("finished", newtype=True)
@attrs.frozen(kw_only=True)
class TurnOutcomeFinished(TurnOutcome):
    finish: TurnFinish


@variant("agent_frame_switch")
@attrs.frozen(kw_only=True)
class TurnOutcomeAgentFrameSwitch(TurnOutcome):
    """``TurnOutcome::AgentFrameSwitch``: ``task`` came in at ``74941d21``.

    At ``e2e0b409`` (seed 003) the variant holds only ``frame_id`` (a
    ``task`` key is an unknown field there, ignored); from ``74941d21`` on,
    ``task`` is a required string. A value writes back the shape of its era.
    """

    frame_id: str
    task: str | None = from_era("74941d21")


@variant("stopped", newtype=True)
@attrs.frozen(kw_only=True)
class TurnOutcomeStopped(TurnOutcome):
    stop: TurnStop


@attrs.frozen(kw_only=True)
class TurnTerminationPolicyState:
    """``TurnTerminationPolicyState``: the one private flag, always written and required.

    The methods are the pure rules the turn machine consults.
    """

    turn_limit_final_scheduled: bool = False

    def should_force_exit_after_grace_turn(self) -> bool:
        """``should_force_exit_after_grace_turn``: the final grace turn was scheduled."""
        return self.turn_limit_final_scheduled

    def turn_limit_final_to_schedule(
        self, protocol_iteration: int, protocol_run_offset: int, max_turns: int | None
    ) -> int | None:
        """``turn_limit_final_to_schedule``: ``max_turns`` once the limit is reached."""
        if self.turn_limit_final_scheduled or max_turns is None:
            return None
        if protocol_iteration < protocol_run_offset + max_turns:
            return None
        return max_turns

    def mark_turn_limit_final_scheduled(self) -> TurnTerminationPolicyState:
        """``mark_turn_limit_final_scheduled`` as a pure function (returns the new state)."""
        return TurnTerminationPolicyState(turn_limit_final_scheduled=True)

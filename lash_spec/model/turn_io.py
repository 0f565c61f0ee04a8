"""Turn I/O — seed 002, ``lash-core/src/runtime/mod.rs`` @002 (ceb460d4).

What a host hands the runtime for one turn (:class:`TurnInput`, built with the
seed's builder functions), what it gets back (:class:`AssembledTurn`,
:class:`AgentFrameRun`), and the app-facing activity stream
(:class:`TurnActivity` = id + correlation id + a flattened :class:`TurnEvent`).

Also the seed's pure, non-serde items: :class:`LiveTurnInputs` and its
durable-effect rejection rule, the observable state of :class:`TurnContext`,
and :class:`RuntimeTurnPhase`. They are kept out of ``__all__`` on purpose:
everything listed there is a wire type with a ``decode:`` op, and these have
no serde form upstream.

Departures from the Rust shape, all invisible on the wire:

* ``TurnInput.protocol_extension`` and ``TurnInput.turn_context`` are
  ``#[serde(skip)]`` live values; they are not fields here (a
  :class:`TurnContext` travels beside the input when a caller needs one).
* ``TurnInput.image_blobs`` is a ``HashMap`` (``hashmap=True``): written with
  sorted keys; Rust writes them in a per-process random order.
* Transparent ``TurnActivityId`` is ``str``; :func:`turn_activity_id_new` is
  ``TurnActivityId::new``. ``fresh``/``TurnActivity::new``/``independent``
  draw random UUIDs and are not modelled.
* Mutating builders return new values (the models are frozen).
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from typing import Any, TypeAlias

import attrs

from lash_spec.model.llm import LlmTerminalReason
from lash_spec.model.plugin import CheckpointKind, PluginMessage, PluginRuntimeEvent
from lash_spec.model.sansio import TurnCause
from lash_spec.model.session import (
    AcceptedInjectedTurnInput,
    TokenUsage,
    TurnOutcome,
    TurnOutcomeAgentFrameSwitch,
)
from lash_spec.model.snapshot import (
    ModelSpec,
    PromptContribution,
    PromptLayer,
    PromptSlot,
    PromptTemplate,
    ProtocolTurnOptions,
    SessionSnapshot,
    TokenLedgerEntry,
)
from lash_spec.model.tools import ToolCallOutput, ToolCallRecord
from lash_spec.wire.codec import dflt, flatten, skip_none, tagged, variant
from lash_spec.wire.errors import LashError
from lash_spec.wire.types import U64, Usize, Value

__all__ = [
    "AgentFrameRun",
    "AssembledTurn",
    "AssistantOutput",
    "CodeOutputRecord",
    "ExecutionSummary",
    "InputItem",
    "InputItemImageRef",
    "InputItemText",
    "OutputState",
    "ProtocolTurnOptions",
    "QueuedWorkClaimBoundary",
    "TerminationPolicy",
    "TurnActivity",
    "TurnActivityId",
    "TurnEvent",
    "TurnEventAssistantProseDelta",
    "TurnEventChildUsage",
    "TurnEventCodeBlockCompleted",
    "TurnEventCodeBlockStarted",
    "TurnEventError",
    "TurnEventModelRequestStarted",
    "TurnEventPluginRuntime",
    "TurnEventQueuedInputAccepted",
    "TurnEventQueuedMessagesCommitted",
    "TurnEventQueuedWorkStarted",
    "TurnEventReasoningDelta",
    "TurnEventRetryStatus",
    "TurnEventSubmittedValue",
    "TurnEventToolCallCompleted",
    "TurnEventToolCallStarted",
    "TurnEventToolValue",
    "TurnEventUsage",
    "TurnInput",
    "TurnIssue",
    "empty",
    "input_item_image_ref",
    "input_item_text",
    "items",
    "text",
    "turn_activity_id_new",
    "with_image_blob",
    "with_image_blobs",
    "with_image_ref",
    "with_protocol_turn_options",
    "with_trace_turn_id",
]

TurnActivityId: TypeAlias = str
"""``TurnActivityId``: ``#[serde(transparent)]`` over ``String``."""

WIRE_ALIASES: dict[str, Any] = {"TurnActivityId": str}

DURABLE_EFFECT_LIVE_PLUGIN_INPUT = "durable_effect_live_plugin_input"
"""``RuntimeErrorCode::DurableEffectLivePluginInput`` (runtime/error.rs)."""


# ---------------------------------------------------------------------------
# Input
# ---------------------------------------------------------------------------


@tagged(tag="type")
@attrs.frozen(kw_only=True)
class InputItem:
    """``InputItem``: one piece of host input, internally tagged by ``type``."""


@variant("text")
@attrs.frozen(kw_only=True)
class InputItemText(InputItem):
    text: str


@variant("image_ref")
@attrs.frozen(kw_only=True)
class InputItemImageRef(InputItem):
    id: str


def input_item_text(text: str) -> InputItem:
    """``InputItem::text``."""
    return InputItemText(text=text)


def input_item_image_ref(id: str) -> InputItem:
    """``InputItem::image_ref``."""
    return InputItemImageRef(id=id)


@attrs.frozen(kw_only=True)
class TurnInput:
    """``TurnInput``: the host's input for one turn.

    ``image_blobs`` (id → bytes) is always written, ``{}`` when missing on
    read; it is a ``HashMap`` upstream, written here with sorted keys.
    """

    items: tuple[InputItem, ...]
    image_blobs: dict[str, bytes] = dflt(factory=dict, hashmap=True)
    protocol_turn_options: ProtocolTurnOptions | None = skip_none()
    trace_turn_id: str | None = skip_none()


def items(items: Iterable[InputItem]) -> TurnInput:
    """``TurnInput::items``: these items, nothing else."""
    return TurnInput(items=tuple(items))


def empty() -> TurnInput:
    """``TurnInput::empty``: no items."""
    return items(())


def text(text: str) -> TurnInput:
    """``TurnInput::text``: one text item."""
    return items((input_item_text(text),))


def with_image_blob(turn_input: TurnInput, id: str, data: bytes) -> TurnInput:
    """``TurnInput::with_image_blob``: add (or replace) one blob; no item is added."""
    return attrs.evolve(turn_input, image_blobs={**turn_input.image_blobs, id: bytes(data)})


def with_image_blobs(turn_input: TurnInput, image_blobs: Iterable[tuple[str, bytes]]) -> TurnInput:
    """``TurnInput::with_image_blobs``: ``HashMap::extend`` — later ids overwrite."""
    blobs = dict(turn_input.image_blobs)
    for id, data in image_blobs:
        blobs[id] = bytes(data)
    return attrs.evolve(turn_input, image_blobs=blobs)


def with_image_ref(turn_input: TurnInput, id: str, data: bytes) -> TurnInput:
    """``TurnInput::with_image_ref``: append an ``image_ref`` item *and* store its blob."""
    return attrs.evolve(
        turn_input,
        items=(*turn_input.items, input_item_image_ref(id)),
        image_blobs={**turn_input.image_blobs, id: bytes(data)},
    )


def with_protocol_turn_options(turn_input: TurnInput, options: ProtocolTurnOptions) -> TurnInput:
    """``TurnInput::with_protocol_turn_options``: set (replace) the per-turn override."""
    return attrs.evolve(turn_input, protocol_turn_options=options)


def with_trace_turn_id(turn_input: TurnInput, trace_turn_id: str) -> TurnInput:
    """``TurnInput::with_trace_turn_id``: set (replace) the trace turn id."""
    return attrs.evolve(turn_input, trace_turn_id=trace_turn_id)


# ---------------------------------------------------------------------------
# Live (non-serde) per-turn state
# ---------------------------------------------------------------------------


@attrs.frozen
class LiveTurnInputs:
    """``LiveTurnInputs``: plugin id → a live, in-process value (never serialized).

    Only the plugin ids are observable outside the process; values are kept
    opaque. Rust's ``plugin_ids`` order is a ``HashMap``'s: here it is sorted.
    """

    inputs: dict[str, object] = attrs.field(factory=dict)

    def insert(self, plugin_id: str, value: object) -> LiveTurnInputs:
        return LiveTurnInputs({**self.inputs, plugin_id: value})

    def get(self, plugin_id: str) -> object | None:
        return self.inputs.get(plugin_id)

    def contains(self, plugin_id: str) -> bool:
        return plugin_id in self.inputs

    def is_empty(self) -> bool:
        return not self.inputs

    def plugin_ids(self) -> list[str]:
        return sorted(self.inputs)

    def durable_effect_rejection(self) -> None:
        """``durable_effect_rejection``: any live input makes a durable host refuse the turn.

        Raises ``LashError("durable_effect_live_plugin_input")`` unless empty.
        """
        if self.is_empty():
            return
        raise LashError(
            DURABLE_EFFECT_LIVE_PLUGIN_INPUT,
            "durable effect hosts do not support live TurnContext plugin inputs; encode"
            " replayable data in protocol_turn_options or persisted plugin state",
        )


@attrs.frozen
class TurnContext:
    """``TurnContext``: per-turn overrides a host passes beside a :class:`TurnInput`.

    ``provider`` is a live ``ProviderHandle`` upstream; here it is any opaque
    object. Setters return a new context. :meth:`debug_view` is what Rust's
    ``Debug`` shows.
    """

    plugin_inputs: LiveTurnInputs = attrs.field(factory=LiveTurnInputs)
    provider: object | None = None
    model: ModelSpec | None = None
    prompt: PromptLayer = attrs.field(factory=PromptLayer)

    def insert_plugin_input(self, plugin_id: str, value: object) -> TurnContext:
        return attrs.evolve(self, plugin_inputs=self.plugin_inputs.insert(plugin_id, value))

    def set_provider(self, provider: object) -> TurnContext:
        return attrs.evolve(self, provider=provider)

    def set_model(self, model: ModelSpec) -> TurnContext:
        return attrs.evolve(self, model=model)

    def model_spec(self) -> ModelSpec | None:
        return self.model

    def plugin_input(self, plugin_id: str) -> object | None:
        return self.plugin_inputs.get(plugin_id)

    def has_plugin_input(self, plugin_id: str) -> bool:
        return self.plugin_inputs.contains(plugin_id)

    def has_live_plugin_inputs(self) -> bool:
        return not self.plugin_inputs.is_empty()

    def live_plugin_input_ids(self) -> list[str]:
        return self.plugin_inputs.plugin_ids()

    def set_prompt_template(self, template: PromptTemplate) -> TurnContext:
        return attrs.evolve(self, prompt=attrs.evolve(self.prompt, template=template))

    def add_prompt_contribution(self, contribution: PromptContribution) -> TurnContext:
        return attrs.evolve(self, prompt=self.prompt.add_contribution(contribution))

    def replace_prompt_slot(
        self, slot: PromptSlot, contributions: Iterable[PromptContribution]
    ) -> TurnContext:
        return attrs.evolve(self, prompt=self.prompt.replace_slot(slot, tuple(contributions)))

    def clear_prompt_slot(self, slot: PromptSlot) -> TurnContext:
        return attrs.evolve(self, prompt=self.prompt.clear_slot(slot))

    def set_prompt_layer(self, prompt: PromptLayer) -> TurnContext:
        return attrs.evolve(self, prompt=prompt)

    def prompt_layer(self) -> PromptLayer:
        return self.prompt

    def debug_view(self) -> dict[str, object]:
        """The fields Rust's ``Debug`` prints (live values reduced to flags)."""
        return {
            "plugin_inputs": self.plugin_inputs.plugin_ids(),
            "has_provider": self.provider is not None,
            "has_model": self.model is not None,
            "has_prompt_layer": not self.prompt.is_empty(),
        }


class RuntimeTurnPhase(enum.Enum):
    """``RuntimeTurnPhase``: the probe-visible phases of a turn, in order (no serde)."""

    CONTEXT_TRANSFORM = "ContextTransform"
    BEFORE_TURN_HOOKS = "BeforeTurnHooks"
    PROMPT_BUILD = "PromptBuild"
    EFFECT_LOOP = "EffectLoop"
    FINALIZE_TURN = "FinalizeTurn"
    PERSIST_TURN = "PersistTurn"
    FINAL_COMMIT = "FinalCommit"
    POST_PERSIST_HOOKS = "PostPersistHooks"


# ---------------------------------------------------------------------------
# Output
# ---------------------------------------------------------------------------


class OutputState(enum.Enum):
    """``OutputState``: quality of the assembled terminal output."""

    USABLE = "usable"
    EMPTY_OUTPUT = "empty_output"
    TRACEBACK_ONLY = "traceback_only"
    RECOVERED_FROM_ERROR = "recovered_from_error"


@attrs.frozen(kw_only=True)
class AssistantOutput:
    """``AssistantOutput``: the sanitized and raw final text."""

    safe_text: str
    raw_text: str
    state: OutputState


@attrs.frozen(kw_only=True)
class CodeOutputRecord:
    """``CodeOutputRecord``: code execution output observed during a turn."""

    output: str
    error: str | None = skip_none()


@attrs.frozen(kw_only=True)
class ExecutionSummary:
    """``ExecutionSummary``: both flags default to false and are always written."""

    had_tool_calls: bool = dflt(False)
    had_code_execution: bool = dflt(False)


@attrs.frozen(kw_only=True)
class TurnIssue:
    """``TurnIssue``: a structured issue surfaced during the turn."""

    kind: str
    code: str | None = skip_none()
    terminal_reason: LlmTerminalReason | None = skip_none()
    message: str
    raw: str | None = skip_none()


@attrs.frozen(kw_only=True)
class AssembledTurn:
    """``AssembledTurn``: the turn result handed to hosts.

    ``token_usage`` is the parent's own usage; ``children_usage`` the ledger
    rows of child sessions. The four trailing fields default on read and are
    always written.
    """

    state: SessionSnapshot
    outcome: TurnOutcome
    assistant_output: AssistantOutput
    execution: ExecutionSummary
    token_usage: TokenUsage = dflt(factory=TokenUsage)
    children_usage: tuple[TokenLedgerEntry, ...] = dflt(factory=tuple)
    tool_calls: tuple[ToolCallRecord, ...] = dflt(factory=tuple)
    errors: tuple[TurnIssue, ...] = dflt(factory=tuple)


@attrs.frozen(kw_only=True)
class AgentFrameRun:
    """``AgentFrameRun``: every turn of one host turn, across agent-frame switches."""

    turns: tuple[AssembledTurn, ...]

    def final_turn(self) -> AssembledTurn | None:
        """``final_turn``: the last turn, if any."""
        return self.turns[-1] if self.turns else None

    def into_final_turn(self) -> AssembledTurn | None:
        """``into_final_turn``: the last turn, if any (the run is consumed upstream)."""
        return self.final_turn()

    def frame_switch_count(self) -> int:
        """``frame_switch_count``: how many turns ended in an agent-frame switch."""
        return sum(isinstance(t.outcome, TurnOutcomeAgentFrameSwitch) for t in self.turns)


@attrs.frozen(kw_only=True)
class TerminationPolicy:
    """``TerminationPolicy`` — a trap: the field reads ``false`` when missing
    (``#[serde(default)]`` on a ``bool``), yet ``Default::default()`` is ``true``.

    The Python constructor default follows the *read* default;
    :meth:`default` is Rust's ``Default``.
    """

    treat_missing_done_as_failure: bool = dflt(False)

    @classmethod
    def default(cls) -> TerminationPolicy:
        """``TerminationPolicy::default``: ``treat_missing_done_as_failure = true``."""
        return cls(treat_missing_done_as_failure=True)


# ---------------------------------------------------------------------------
# Activity stream
# ---------------------------------------------------------------------------


def turn_activity_id_new(id: str) -> TurnActivityId:
    """``TurnActivityId::new``: the string itself, unchanged."""
    return id


class QueuedWorkClaimBoundary(enum.Enum):
    """``QueuedWorkClaimBoundary`` (runtime/turn_queue.rs)."""

    ACTIVE_TURN_CHECKPOINT = "active_turn_checkpoint"
    IDLE = "idle"


@tagged(tag="type")
@attrs.frozen(kw_only=True)
class TurnEvent:
    """``TurnEvent``: the app-facing event payload, internally tagged by ``type``."""


@variant("queued_work_started")
@attrs.frozen(kw_only=True)
class TurnEventQueuedWorkStarted(TurnEvent):
    boundary: QueuedWorkClaimBoundary
    batch_ids: tuple[str, ...]
    causes: tuple[TurnCause, ...]


@variant("model_request_started")
@attrs.frozen(kw_only=True)
class TurnEventModelRequestStarted(TurnEvent):
    protocol_iteration: Usize


@variant("assistant_prose_delta")
@attrs.frozen(kw_only=True)
class TurnEventAssistantProseDelta(TurnEvent):
    text: str


@variant("reasoning_delta")
@attrs.frozen(kw_only=True)
class TurnEventReasoningDelta(TurnEvent):
    text: str


@variant("code_block_started")
@attrs.frozen(kw_only=True)
class TurnEventCodeBlockStarted(TurnEvent):
    language: str
    code: str
    graph_key: str | None = skip_none()


@variant("code_block_completed")
@attrs.frozen(kw_only=True)
class TurnEventCodeBlockCompleted(TurnEvent):
    """``error`` is written as ``null`` when absent (not skipped)."""

    language: str
    output: str
    error: str | None
    success: bool
    duration_ms: U64
    tool_call_ids: tuple[str, ...]
    graph_key: str | None = skip_none()


@variant("tool_call_started")
@attrs.frozen(kw_only=True)
class TurnEventToolCallStarted(TurnEvent):
    """``call_id`` is written as ``null`` when absent (not skipped)."""

    call_id: str | None
    name: str
    args: Value


@variant("tool_call_completed")
@attrs.frozen(kw_only=True)
class TurnEventToolCallCompleted(TurnEvent):
    call_id: str | None
    name: str
    args: Value
    output: ToolCallOutput
    duration_ms: U64


@variant("submitted_value")
@attrs.frozen(kw_only=True)
class TurnEventSubmittedValue(TurnEvent):
    value: Value


@variant("tool_value")
@attrs.frozen(kw_only=True)
class TurnEventToolValue(TurnEvent):
    tool_name: str
    value: Value


@variant("usage")
@attrs.frozen(kw_only=True)
class TurnEventUsage(TurnEvent):
    protocol_iteration: Usize
    usage: TokenUsage
    cumulative: TokenUsage


@variant("child_usage")
@attrs.frozen(kw_only=True)
class TurnEventChildUsage(TurnEvent):
    session_id: str
    source: str
    model: str
    protocol_iteration: Usize
    usage: TokenUsage
    cumulative: TokenUsage


@variant("retry_status")
@attrs.frozen(kw_only=True)
class TurnEventRetryStatus(TurnEvent):
    wait_seconds: U64
    attempt: Usize
    max_attempts: Usize
    reason: str


@variant("plugin_runtime")
@attrs.frozen(kw_only=True)
class TurnEventPluginRuntime(TurnEvent):
    plugin_id: str
    event: PluginRuntimeEvent


@variant("queued_input_accepted")
@attrs.frozen(kw_only=True)
class TurnEventQueuedInputAccepted(TurnEvent):
    checkpoint: CheckpointKind
    inputs: tuple[AcceptedInjectedTurnInput, ...]


@variant("queued_messages_committed")
@attrs.frozen(kw_only=True)
class TurnEventQueuedMessagesCommitted(TurnEvent):
    messages: tuple[PluginMessage, ...]
    checkpoint: CheckpointKind


@variant("error")
@attrs.frozen(kw_only=True)
class TurnEventError(TurnEvent):
    message: str


@attrs.frozen(kw_only=True)
class TurnActivity:
    """``TurnActivity``: ``id``, ``correlation_id``, then the event flattened inline
    (its ``type`` tag after the two ids)."""

    id: TurnActivityId
    correlation_id: TurnActivityId
    event: TurnEvent = flatten()

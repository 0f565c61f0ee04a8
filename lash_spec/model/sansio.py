"""Wire types of the sans-IO turn machine: ``lash-sansio/src/sansio/mod.rs`` (seed 003).

The serde types of seed 003 for ``UnitTurnProtocol``: its ``Event`` is ``()``
(a protocol record is ``{"Protocol":null}``) and its ``DriverState`` is a
``serde_json::Value``. ``Response``, ``DriverAction`` and the machine itself
have no serde derive and live with the turn machine, not here.

Eras. Seed 003 is at ``e2e0b409``; each era decodes its own commit's shape
(era-gated variants and fields, :class:`~lash_spec.eras.EraRange`):

* ``e2e0b409`` → ``74941d21``: ``Effect::SyncExecutionSurface`` is renamed
  ``SyncExecutionEnvironment``, ``MachineState::WaitingExecutionSurface``
  becomes ``WaitingExecutionEnvironment`` and ``ExecutionSurfaceSync`` becomes
  ``ExecutionEnvironmentSync`` (same fields): two variants, each known only
  at its own eras, in the same place of the enum.
* ``74941d21`` → ``ceb460d4``: ``Effect::ExecCode`` and
  ``MachineState::WaitingExec`` gain a required ``language`` (between the id
  and ``code``): a field that exists from ``ceb460d4`` on.
"""

from __future__ import annotations

from typing import Final, TypeAlias

import attrs

from lash_spec.eras import SEED_ERAS
from lash_spec.model.llm import LlmRequest, LlmTerminalReason, LlmToolSpec, ProviderReplayMeta
from lash_spec.model.plugin import CheckpointKind, PluginMessage
from lash_spec.model.session import (
    Message,
    MessageOrigin,
    MessageRole,
    MessageSequence,
    Part,
    PartKind,
    PruneStateIntact,
    SessionEvent,
    TokenUsage,
    TurnOutcome,
    TurnTerminationPolicyState,
    UnitSessionEventRecord,
)
from lash_spec.model.tools import ModelToolReturn, ToolCallOutput
from lash_spec.wire.codec import dflt, from_era, tagged, variant
from lash_spec.wire.types import U64, Usize, Value

__all__ = [
    "ERA",
    "CheckpointDelivery",
    "CheckpointResumeAction",
    "CheckpointResumeActionFinish",
    "CheckpointResumeActionPrepareIteration",
    "CompletedToolCall",
    "DriverState",
    "Effect",
    "EffectCancelLlm",
    "EffectCheckpoint",
    "EffectDone",
    "EffectEmit",
    "EffectExecCode",
    "EffectId",
    "EffectLlmCall",
    "EffectLog",
    "EffectProgress",
    "EffectSyncExecutionEnvironment",
    "EffectSyncExecutionSurface",
    "EffectToolCalls",
    "ExecutionEnvironmentSync",
    "ExecutionSurfaceSync",
    "LlmCallError",
    "LogEvent",
    "LogEventLlmDebug",
    "LogEventLlmError",
    "MachineState",
    "MachineStateFinished",
    "MachineStatePrepareIteration",
    "MachineStatePreparingProtocol",
    "MachineStateWaitingCheckpoint",
    "MachineStateWaitingExec",
    "MachineStateWaitingExecutionEnvironment",
    "MachineStateWaitingExecutionSurface",
    "MachineStateWaitingLlm",
    "MachineStateWaitingTools",
    "PendingToolCall",
    "TurnCause",
    "TurnCheckpoint",
]

ERA: Final = SEED_ERAS["003"]
"""The era of seed 003: the turn machine decodes and writes this commit's shapes."""

EffectId: TypeAlias = U64
"""``EffectId(u64)``: a newtype struct, written as the bare integer."""

DriverState: TypeAlias = Value
"""``UnitTurnProtocol::DriverState`` = ``serde_json::Value``."""


@attrs.frozen(kw_only=True)
class PendingToolCall:
    """``PendingToolCall``: a tool call the driver scheduled (``replay`` written as null)."""

    call_id: str
    tool_name: str
    args: Value
    replay: ProviderReplayMeta | None


@attrs.frozen(kw_only=True)
class CompletedToolCall:
    """``CompletedToolCall``: a tool call's result, handed back in ``ToolResults``."""

    call_id: str
    tool_name: str
    args: Value
    output: ToolCallOutput
    model_return: ModelToolReturn
    duration_ms: U64
    replay: ProviderReplayMeta | None


@attrs.frozen(kw_only=True)
class TurnCause:
    """``TurnCause``: an external event that caused (part of) this turn."""

    id: str
    event_type: str
    origin: MessageOrigin
    text: str

    def to_event_message(self) -> Message:
        """``TurnCause::to_event_message``: an ``Event`` message with one text part."""
        part = Part(
            id=f"{self.id}.p0",
            kind=PartKind.TEXT,
            content=self.text,
            prune_state=PruneStateIntact(),
        )
        return Message(id=self.id, role=MessageRole.EVENT, parts=(part,), origin=self.origin)


@attrs.frozen(kw_only=True)
class CheckpointDelivery:
    """``CheckpointDelivery``: what a checkpoint returns; all three lists always written."""

    messages: tuple[PluginMessage, ...] = ()
    transient_messages: tuple[PluginMessage, ...] = ()
    turn_causes: tuple[TurnCause, ...] = ()


@attrs.frozen(kw_only=True)
class LlmCallError:
    """``LlmCallError``: a failed LLM call; the optional fields are written as null."""

    message: str
    retryable: bool
    raw: str | None
    code: str | None
    terminal_reason: LlmTerminalReason
    request_body: str | None


@attrs.frozen(kw_only=True)
class ExecutionEnvironmentSync:
    """``ExecutionSurfaceSync`` (@003) / ``ExecutionEnvironmentSync`` (@000, @002).

    A refreshed system prompt and tool list; same shape in every era.
    """

    system_prompt: str
    tool_specs: tuple[LlmToolSpec, ...]


ExecutionSurfaceSync = ExecutionEnvironmentSync
"""The @003 name of :class:`ExecutionEnvironmentSync`."""


@tagged()
@attrs.frozen(kw_only=True)
class LogEvent:
    """``LogEvent``: host logging; external, verbatim names; optionals written as null."""


@variant("LlmDebug")
@attrs.frozen(kw_only=True)
class LogEventLlmDebug(LogEvent):
    session_id: str
    protocol_iteration: Usize
    usage: TokenUsage
    provider_usage: Value | None
    request_body: str | None
    response_text: str
    response_parts: Value | None


@variant("LlmError")
@attrs.frozen(kw_only=True)
class LogEventLlmError(LogEvent):
    session_id: str
    protocol_iteration: Usize
    request_body: str | None
    message: str
    retryable: bool
    raw: str | None
    code: str | None
    terminal_reason: LlmTerminalReason


# ---------------------------------------------------------------------------
# Effect<UnitTurnProtocol>
# ---------------------------------------------------------------------------


@tagged()
@attrs.frozen(kw_only=True)
class Effect:
    """``Effect<UnitTurnProtocol>``: what the machine asks its host to do.

    Externally tagged, variant names verbatim. ``SyncExecutionSurface``
    (``e2e0b409``) is ``SyncExecutionEnvironment`` from ``74941d21`` on;
    ``ExecCode.language`` exists from ``ceb460d4`` on.
    """


@variant("SyncExecutionSurface", before="74941d21")
@attrs.frozen(kw_only=True)
class EffectSyncExecutionSurface(Effect):
    id: EffectId
    update_machine_config: bool


@variant("SyncExecutionEnvironment", since="74941d21")
@attrs.frozen(kw_only=True)
class EffectSyncExecutionEnvironment(Effect):
    """The @000/@002 name of :class:`EffectSyncExecutionSurface`."""

    id: EffectId
    update_machine_config: bool


@variant("LlmCall")
@attrs.frozen(kw_only=True)
class EffectLlmCall(Effect):
    id: EffectId
    request: LlmRequest


@variant("CancelLlm")
@attrs.frozen(kw_only=True)
class EffectCancelLlm(Effect):
    id: EffectId


@variant("ToolCalls")
@attrs.frozen(kw_only=True)
class EffectToolCalls(Effect):
    id: EffectId
    calls: tuple[PendingToolCall, ...]


@variant("ExecCode")
@attrs.frozen(kw_only=True)
class EffectExecCode(Effect):
    """``ExecCode``: ``language`` (required) exists from ``ceb460d4`` on."""

    id: EffectId
    language: str | None = from_era("ceb460d4")
    code: str


@variant("Checkpoint")
@attrs.frozen(kw_only=True)
class EffectCheckpoint(Effect):
    id: EffectId
    checkpoint: CheckpointKind


@variant("Log")
@attrs.frozen(kw_only=True)
class EffectLog(Effect):
    event: LogEvent


@variant("Emit", newtype=True)
@attrs.frozen(kw_only=True)
class EffectEmit(Effect):
    event: SessionEvent


@variant("Progress")
@attrs.frozen(kw_only=True)
class EffectProgress(Effect):
    messages: MessageSequence
    event_delta: tuple[UnitSessionEventRecord, ...]
    protocol_iteration: Usize


@variant("Done")
@attrs.frozen(kw_only=True)
class EffectDone(Effect):
    messages: MessageSequence
    event_delta: tuple[UnitSessionEventRecord, ...]
    protocol_iteration: Usize


# ---------------------------------------------------------------------------
# Checkpointed machine state
# ---------------------------------------------------------------------------


@tagged()
@attrs.frozen(kw_only=True)
class CheckpointResumeAction:
    """``CheckpointResumeAction``: what to do when a checkpoint delivers nothing."""


@variant("PrepareIteration")
@attrs.frozen(kw_only=True)
class CheckpointResumeActionPrepareIteration(CheckpointResumeAction): ...


@variant("Finish", newtype=True)
@attrs.frozen(kw_only=True)
class CheckpointResumeActionFinish(CheckpointResumeAction):
    outcome: TurnOutcome


@tagged()
@attrs.frozen(kw_only=True)
class MachineState:
    """``MachineState<UnitTurnProtocol>``: private upstream, but serialized in checkpoints.

    External, verbatim names. Eras as for :class:`Effect`:
    ``WaitingExecutionSurface`` (``e2e0b409``) is ``WaitingExecutionEnvironment``
    from ``74941d21`` on; ``WaitingExec.language`` exists from ``ceb460d4`` on.
    """


@variant("PreparingProtocol")
@attrs.frozen(kw_only=True)
class MachineStatePreparingProtocol(MachineState): ...


@variant("WaitingExecutionSurface", before="74941d21")
@attrs.frozen(kw_only=True)
class MachineStateWaitingExecutionSurface(MachineState):
    effect_id: EffectId
    update_machine_config: bool


@variant("WaitingExecutionEnvironment", since="74941d21")
@attrs.frozen(kw_only=True)
class MachineStateWaitingExecutionEnvironment(MachineState):
    """The @000/@002 name of :class:`MachineStateWaitingExecutionSurface`."""

    effect_id: EffectId
    update_machine_config: bool


@variant("PrepareIteration")
@attrs.frozen(kw_only=True)
class MachineStatePrepareIteration(MachineState): ...


@variant("WaitingLlm")
@attrs.frozen(kw_only=True)
class MachineStateWaitingLlm(MachineState):
    effect_id: EffectId
    request: LlmRequest
    driver_state: DriverState | None


@variant("WaitingTools")
@attrs.frozen(kw_only=True)
class MachineStateWaitingTools(MachineState):
    effect_id: EffectId
    calls: tuple[PendingToolCall, ...]


@variant("WaitingExec")
@attrs.frozen(kw_only=True)
class MachineStateWaitingExec(MachineState):
    """``WaitingExec``: ``driver_state`` is required (a ``Value``, so ``null`` is allowed)."""

    effect_id: EffectId
    language: str | None = from_era("ceb460d4")
    code: str
    driver_state: DriverState


@variant("WaitingCheckpoint")
@attrs.frozen(kw_only=True)
class MachineStateWaitingCheckpoint(MachineState):
    effect_id: EffectId
    checkpoint: CheckpointKind
    on_empty: CheckpointResumeAction


@variant("Finished")
@attrs.frozen(kw_only=True)
class MachineStateFinished(MachineState): ...


@attrs.frozen(kw_only=True)
class TurnCheckpoint:
    """``TurnCheckpoint<UnitTurnProtocol>``: everything needed to restore a machine.

    Every field is always written; ``next_synthetic_message_id``,
    ``turn_causes`` and ``progress_event_cursor`` may be missing on read
    (``#[serde(default)]``). ``synced_protocol_iteration`` is written as null.
    """

    state: MachineState
    pending_effects: tuple[Effect, ...]
    next_effect_id: U64
    next_synthetic_message_id: U64 = dflt(0)
    messages: tuple[Message, ...]
    events: tuple[UnitSessionEventRecord, ...]
    turn_causes: tuple[TurnCause, ...] = dflt(factory=tuple)
    progress_event_cursor: Usize = dflt(0)
    protocol_iteration: Usize
    protocol_run_offset: Usize
    cumulative_usage: TokenUsage
    termination: TurnTerminationPolicyState
    synced_protocol_iteration: Usize | None

"""Runtime-effect outcomes and their typed accessors (seed 000, envelope.rs @74941d21).

An executor answers every envelope with a :class:`RuntimeEffectOutcome` of the
same kind. Callers unwrap it with an ``into_*`` accessor, which refuses an
outcome of another kind with ``runtime_effect_wrong_outcome`` — and, for tool
calls, refuses a still-pending launch with ``runtime_effect_tool_call_pending``
(only ``into_tool_call``; ``into_tool_call_effect`` returns pending launches).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import attrs

from lash_spec.model.envelope import RuntimeEffectKind
from lash_spec.wire.codec import era_form, skip_empty, tagged, variant
from lash_spec.wire.errors import LashError
from lash_spec.wire.types import U64, Result

if TYPE_CHECKING:
    from lash_spec.model import ceb460d4
    from lash_spec.model.execution import ExecResponse
    from lash_spec.model.executor import (
        AwaitEventKey,
        Resolution,
        RuntimeEffectControllerError,
    )
    from lash_spec.model.llm import LlmResponse
    from lash_spec.model.process import (
        ProcessAwaitOutput,
        ProcessEvent,
        ProcessHandleGrant,
        ProcessRecord,
        ProcessSessionDeleteReport,
    )
    from lash_spec.model.sansio import (
        CheckpointDelivery,
        CompletedToolCall,
        ExecutionEnvironmentSync,
        LlmCallError,
    )
    from lash_spec.model.tools import PendingCompletion, ToolTriggerEffectOutcome

__all__ = [
    "ProcessEffectOutcome",
    "ProcessEffectOutcomeAwait",
    "ProcessEffectOutcomeCancel",
    "ProcessEffectOutcomeDeleteSession",
    "ProcessEffectOutcomeList",
    "ProcessEffectOutcomeSignal",
    "ProcessEffectOutcomeStart",
    "ProcessEffectOutcomeTransfer",
    "RuntimeEffectOutcome",
    "RuntimeEffectOutcomeAwaitEvent",
    "RuntimeEffectOutcomeCheckpoint",
    "RuntimeEffectOutcomeDirect",
    "RuntimeEffectOutcomeExecCode",
    "RuntimeEffectOutcomeLlmCall",
    "RuntimeEffectOutcomeProcess",
    "RuntimeEffectOutcomeSleep",
    "RuntimeEffectOutcomeSyncExecutionEnvironment",
    "RuntimeEffectOutcomeToolCall",
    "ToolCallEffectOutcome",
    "ToolCallLaunch",
    "ToolCallLaunchDone",
    "ToolCallLaunchPending",
    "wrong_outcome",
]


# -- process outcomes ------------------------------------------------------------


@tagged(tag="op")
@attrs.frozen(kw_only=True)
class ProcessEffectOutcome:
    """The answer to a ``ProcessCommand`` (internally tagged by ``op``)."""


@variant("start")
@attrs.frozen(kw_only=True)
class ProcessEffectOutcomeStart(ProcessEffectOutcome):
    record: ProcessRecord | ceb460d4.ProcessRecord


@variant("list")
@attrs.frozen(kw_only=True)
class ProcessEffectOutcomeList(ProcessEffectOutcome):
    entries: tuple[tuple[ProcessHandleGrant, ProcessRecord | ceb460d4.ProcessRecord], ...]


@variant("transfer")
@attrs.frozen(kw_only=True)
class ProcessEffectOutcomeTransfer(ProcessEffectOutcome):
    """Unit variant: ``{"op":"transfer"}``."""


@variant("delete_session")
@attrs.frozen(kw_only=True)
class ProcessEffectOutcomeDeleteSession(ProcessEffectOutcome):
    report: ProcessSessionDeleteReport


@variant("await")
@attrs.frozen(kw_only=True)
class ProcessEffectOutcomeAwait(ProcessEffectOutcome):
    output: ProcessAwaitOutput


@variant("cancel")
@attrs.frozen(kw_only=True)
class ProcessEffectOutcomeCancel(ProcessEffectOutcome):
    record: ProcessRecord | ceb460d4.ProcessRecord


@variant("signal")
@attrs.frozen(kw_only=True)
class ProcessEffectOutcomeSignal(ProcessEffectOutcome):
    event: ProcessEvent


# -- tool call outcomes ----------------------------------------------------------


@tagged(tag="status")
@attrs.frozen(kw_only=True)
class ToolCallLaunch:
    """A tool call either completed or is pending an external completion.

    (The envelope's ``ToolCallLaunch``; tool_dispatch has an unrelated type of
    the same name that never reaches this wire.)
    """


@variant("done")
@attrs.frozen(kw_only=True)
class ToolCallLaunchDone(ToolCallLaunch):
    result: CompletedToolCall


@variant("pending")
@attrs.frozen(kw_only=True)
class ToolCallLaunchPending(ToolCallLaunch):
    key: AwaitEventKey
    pending: PendingCompletion
    duration_ms: U64


@era_form("74941d21")
@attrs.frozen(kw_only=True)
class ToolCallEffectOutcome:
    """A tool call's launch plus the triggers it fired (``74941d21`` only:
    ``ceb460d4`` has no such struct; its outcomes carry launches directly)."""

    launch: ToolCallLaunch
    triggers: tuple[ToolTriggerEffectOutcome, ...] = skip_empty()


# -- runtime effect outcome ------------------------------------------------------


def wrong_outcome(
    expected: RuntimeEffectKind | ceb460d4.RuntimeEffectKind,
    actual: RuntimeEffectKind | ceb460d4.RuntimeEffectKind,
) -> LashError:
    """``RuntimeEffectControllerError::wrong_outcome`` as a raisable error."""
    return LashError(
        "runtime_effect_wrong_outcome",
        f"expected {expected.as_str()} runtime effect outcome, got {actual.as_str()}",
    )


@era_form("74941d21")
@tagged(tag="type")
@attrs.frozen(kw_only=True)
class RuntimeEffectOutcome:
    """What an executor answers (internally tagged by ``type``); the
    ``74941d21`` form (see ``ceb460d4.RuntimeEffectOutcome``)."""

    def kind(self) -> RuntimeEffectKind:
        """The kind of effect this outcome answers."""
        return _OUTCOME_KINDS[type(self)]

    def _refuse(self, expected: RuntimeEffectKind) -> LashError:
        return wrong_outcome(expected, self.kind())

    def into_llm_call(self) -> tuple[Result[LlmResponse, LlmCallError], bool]:
        """The LLM result and whether its text was streamed."""
        if isinstance(self, RuntimeEffectOutcomeLlmCall):
            return (self.result, self.text_streamed)
        raise self._refuse(RuntimeEffectKind.LLM_CALL)

    def into_direct_response(self) -> Result[LlmResponse, LlmCallError]:
        if isinstance(self, RuntimeEffectOutcomeDirect):
            return self.result
        raise self._refuse(RuntimeEffectKind.DIRECT)

    def into_tool_call(self) -> CompletedToolCall:
        """The completed call; a pending launch is refused (its own code)."""
        if isinstance(self, RuntimeEffectOutcomeToolCall):
            if isinstance(self.launch, ToolCallLaunchDone):
                return self.launch.result
            raise LashError(
                "runtime_effect_tool_call_pending",
                "tool call launch is pending and has no completed output yet",
            )
        raise self._refuse(RuntimeEffectKind.TOOL_CALL)

    def into_tool_call_effect(self) -> ToolCallEffectOutcome:
        """Launch and triggers, pending or not."""
        if isinstance(self, RuntimeEffectOutcomeToolCall):
            return ToolCallEffectOutcome(launch=self.launch, triggers=self.triggers)
        raise self._refuse(RuntimeEffectKind.TOOL_CALL)

    def into_process(self) -> ProcessEffectOutcome:
        if isinstance(self, RuntimeEffectOutcomeProcess):
            return self.result
        raise self._refuse(RuntimeEffectKind.PROCESS)

    def into_exec_code(self) -> Result[ExecResponse, str]:
        if isinstance(self, RuntimeEffectOutcomeExecCode):
            return self.result
        raise self._refuse(RuntimeEffectKind.EXEC_CODE)

    def into_checkpoint(self) -> Result[CheckpointDelivery, RuntimeEffectControllerError]:
        """(``pub(crate)`` upstream, still part of the conformance surface.)"""
        if isinstance(self, RuntimeEffectOutcomeCheckpoint):
            return self.result
        raise self._refuse(RuntimeEffectKind.CHECKPOINT)

    def into_sync_execution_environment(self) -> Result[ExecutionEnvironmentSync | None, str]:
        if isinstance(self, RuntimeEffectOutcomeSyncExecutionEnvironment):
            return self.result
        raise self._refuse(RuntimeEffectKind.SYNC_EXECUTION_ENVIRONMENT)

    def into_await_event(self) -> Resolution:
        if isinstance(self, RuntimeEffectOutcomeAwaitEvent):
            return self.resolution
        raise self._refuse(RuntimeEffectKind.AWAIT_EVENT)


@variant("llm_call")
@attrs.frozen(kw_only=True)
class RuntimeEffectOutcomeLlmCall(RuntimeEffectOutcome):
    result: Result[LlmResponse, LlmCallError]
    text_streamed: bool


@variant("direct")
@attrs.frozen(kw_only=True)
class RuntimeEffectOutcomeDirect(RuntimeEffectOutcome):
    result: Result[LlmResponse, LlmCallError]


@variant("tool_call")
@attrs.frozen(kw_only=True)
class RuntimeEffectOutcomeToolCall(RuntimeEffectOutcome):
    launch: ToolCallLaunch
    triggers: tuple[ToolTriggerEffectOutcome, ...] = skip_empty()


@variant("process")
@attrs.frozen(kw_only=True)
class RuntimeEffectOutcomeProcess(RuntimeEffectOutcome):
    result: ProcessEffectOutcome


@variant("exec_code")
@attrs.frozen(kw_only=True)
class RuntimeEffectOutcomeExecCode(RuntimeEffectOutcome):
    result: Result[ExecResponse, str]


@variant("checkpoint")
@attrs.frozen(kw_only=True)
class RuntimeEffectOutcomeCheckpoint(RuntimeEffectOutcome):
    result: Result[CheckpointDelivery, RuntimeEffectControllerError]


@variant("sync_execution_environment")
@attrs.frozen(kw_only=True)
class RuntimeEffectOutcomeSyncExecutionEnvironment(RuntimeEffectOutcome):
    result: Result[ExecutionEnvironmentSync | None, str]


@variant("sleep")
@attrs.frozen(kw_only=True)
class RuntimeEffectOutcomeSleep(RuntimeEffectOutcome):
    """Unit variant: ``{"type":"sleep"}``."""


@variant("await_event")
@attrs.frozen(kw_only=True)
class RuntimeEffectOutcomeAwaitEvent(RuntimeEffectOutcome):
    resolution: Resolution


_OUTCOME_KINDS: dict[type, RuntimeEffectKind] = {
    RuntimeEffectOutcomeLlmCall: RuntimeEffectKind.LLM_CALL,
    RuntimeEffectOutcomeDirect: RuntimeEffectKind.DIRECT,
    RuntimeEffectOutcomeToolCall: RuntimeEffectKind.TOOL_CALL,
    RuntimeEffectOutcomeProcess: RuntimeEffectKind.PROCESS,
    RuntimeEffectOutcomeExecCode: RuntimeEffectKind.EXEC_CODE,
    RuntimeEffectOutcomeCheckpoint: RuntimeEffectKind.CHECKPOINT,
    RuntimeEffectOutcomeSyncExecutionEnvironment: RuntimeEffectKind.SYNC_EXECUTION_ENVIRONMENT,
    RuntimeEffectOutcomeSleep: RuntimeEffectKind.SLEEP,
    RuntimeEffectOutcomeAwaitEvent: RuntimeEffectKind.AWAIT_EVENT,
}

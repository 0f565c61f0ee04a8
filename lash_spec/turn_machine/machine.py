"""``TurnMachine``: the sans-IO turn machine (seed 003, ``lash-sansio/src/sansio/mod.rs`` @003).

The host loop is: ``poll_effect()`` until ``None``, carry out each request
effect, answer it with ``handle_response``; ``checkpoint()`` at any time and
``restore_from_checkpoint`` later. The machine does no I/O: every outside
action is an :class:`~lash_spec.model.sansio.Effect`, every answer a
:class:`~lash_spec.turn_machine.responses.Response`, and the protocol itself
lives in a :class:`~lash_spec.turn_machine.driver.ProtocolDriverHandle`.
The (state x response) behaviour is enumerated as data in
:mod:`lash_spec.turn_machine.transitions`.

Upstream behaviour modelled faithfully, including its oddities:

* **Transient Finished.** ``LlmComplete``/``ToolResults``/``ExecResult``
  matching the waiting state leave the state ``Finished`` while the driver
  runs; if the driver's actions start nothing and do not finish, the machine
  stays ``Finished`` — ``is_done()`` is true, yet no ``Done`` was emitted.
* **Redelivery.** ``checkpoint()`` drops the outstanding effect from
  ``pending_effects``; a restored machine delivers the remaining pending
  effects first and then re-issues the outstanding effect once (rebuilt from
  the state), even if the original had already delivered it. *Any*
  ``handle_response`` — even a stale or wrong-kind one — cancels a
  redelivery that has not happened yet.
* **Stale answers.** A response whose kind or id does not match the waiting
  state is ignored without a trace (no event, no error).
* **No retries.** An ``LlmComplete`` ``Err`` ends the turn
  (``Stopped(provider_error)``) whatever ``retryable`` says.
* **Context-window refinement.** ``output_limit`` with zero output tokens
  becomes ``context_overflow`` (with a fixed diagnostic) when
  ``input + cached`` tokens reach 95% of ``max_context_tokens`` (integer
  arithmetic: ``max * 95 // 100``).
* **Checkpoint deliveries.** A delivery counts as non-empty when any of its
  three lists is non-empty, even if every message is then dropped
  (only User/System messages are appended) or every cause is a duplicate; a
  non-empty delivery ignores ``on_empty``. ``before_completion`` then counts
  as a new protocol iteration (without clearing the sync marker).
* **Done takes the messages.** ``finish`` moves the message list into the
  ``Done`` effect: afterwards ``messages()`` and a checkpoint's ``messages``
  are empty.
* **Surface sync is not checkpointed.** A prompt/tool update from
  ``ExecutionSurfaceSynced`` lives in the machine's config only; a machine
  restored with another config does not have it.
* **Synthetic ids** are ``m_sansio_{protocol_run_offset}_{scope}_{n}`` with
  one counter starting at the initial message count.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Sequence
from typing import Any

import attrs

from lash_spec.model.execution import ExecResponse
from lash_spec.model.llm import (
    LlmOutputPart,
    LlmOutputPartReasoning,
    LlmOutputPartText,
    LlmOutputPartToolCall,
    LlmRequest,
    LlmResponse,
    LlmTerminalReason,
)
from lash_spec.model.plugin import CheckpointKind, PluginMessage
from lash_spec.model.sansio import (
    CheckpointDelivery,
    CheckpointResumeAction,
    CheckpointResumeActionFinish,
    CompletedToolCall,
    DriverState,
    Effect,
    EffectCheckpoint,
    EffectDone,
    EffectEmit,
    EffectExecCode,
    EffectLlmCall,
    EffectLog,
    EffectProgress,
    EffectSyncExecutionSurface,
    EffectToolCalls,
    ExecutionSurfaceSync,
    LlmCallError,
    LogEventLlmDebug,
    LogEventLlmError,
    MachineState,
    MachineStateFinished,
    MachineStatePrepareIteration,
    MachineStatePreparingProtocol,
    MachineStateWaitingCheckpoint,
    MachineStateWaitingExec,
    MachineStateWaitingExecutionEnvironment,
    MachineStateWaitingExecutionSurface,
    MachineStateWaitingLlm,
    MachineStateWaitingTools,
    PendingToolCall,
    TurnCause,
    TurnCheckpoint,
)
from lash_spec.model.session import (
    ErrorEnvelope,
    Message,
    MessageOriginPlugin,
    MessageRole,
    Part,
    PartKind,
    PruneStateIntact,
    SessionEvent,
    SessionEventDone,
    SessionEventError,
    SessionEventLlmRequest,
    SessionEventLlmResponse,
    SessionEventTextDelta,
    SessionEventTokenUsage,
    SessionEventToolCall,
    SessionEventTurnOutcome,
    TokenUsage,
    TurnOutcome,
    TurnOutcomeStopped,
    TurnStopCancelled,
    TurnStopIncomplete,
    TurnStopMaxTurns,
    TurnStopProviderError,
    TurnStopRuntimeError,
    TurnTerminationPolicyState,
    UnitSessionEventRecord,
    UnitSessionEventRecordConversation,
)
from lash_spec.rust import rust_trim
from lash_spec.turn_machine.actions import (
    DriverAction,
    DriverActionAdvanceProtocolIteration,
    DriverActionAppendEvents,
    DriverActionEmit,
    DriverActionFinish,
    DriverActionScheduleTurnLimitFinal,
    DriverActionStartCheckpoint,
    DriverActionStartExec,
    DriverActionStartLlm,
    DriverActionStartLlmProjected,
    DriverActionStartTools,
)
from lash_spec.turn_machine.config import TurnMachineConfig
from lash_spec.turn_machine.driver import DriverContextView, WaitingExecState, WaitingLlmState
from lash_spec.turn_machine.responses import (
    Response,
    ResponseCheckpoint,
    ResponseExecResult,
    ResponseExecutionSurfaceSynced,
    ResponseLlmComplete,
    ResponseToolResults,
)
from lash_spec.turn_machine.states import effect_id, outstanding_effect, outstanding_effect_id
from lash_spec.wire.types import Err, Ok, Result

__all__ = [
    "CONTEXT_WINDOW_DIAGNOSTIC",
    "TERMINAL_OUTCOMES",
    "TurnMachine",
    "make_error_envelope",
    "make_error_event",
    "refine_terminal_reason_for_context_window",
    "terminal_reason_debug",
    "truncate_raw_error",
]

_FINISHED = MachineStateFinished()
_PREPARE_ITERATION = MachineStatePrepareIteration()

TERMINAL_OUTCOMES: dict[LlmTerminalReason, TurnOutcome] = {
    LlmTerminalReason.OUTPUT_LIMIT: TurnOutcomeStopped(stop=TurnStopIncomplete()),
    LlmTerminalReason.CONTEXT_OVERFLOW: TurnOutcomeStopped(stop=TurnStopProviderError()),
    LlmTerminalReason.CONTENT_FILTER: TurnOutcomeStopped(stop=TurnStopProviderError()),
    LlmTerminalReason.PROVIDER_ERROR: TurnOutcomeStopped(stop=TurnStopProviderError()),
    LlmTerminalReason.CANCELLED: TurnOutcomeStopped(stop=TurnStopCancelled()),
}
"""``handle_terminal_llm_response``: terminal reasons that end the turn, and how.

``stop``, ``tool_use`` and ``unknown`` are not terminal: the driver decides."""

CONTEXT_WINDOW_DIAGNOSTIC = (
    "Model produced no output because the prompt reached the configured context window."
)

_I64_MIN, _I64_MAX = -(2**63), 2**63 - 1
_USIZE_MAX = 2**64 - 1


def terminal_reason_debug(reason: LlmTerminalReason) -> str:
    """Rust's ``{:?}`` of an ``LlmTerminalReason``: the PascalCase variant name."""
    return "".join(word.capitalize() for word in reason.value.split("_"))


def refine_terminal_reason_for_context_window(
    response: LlmResponse, max_context_tokens: int | None
) -> LlmResponse:
    """``refine_terminal_reason_for_context_window``: an empty ``output_limit`` answer
    whose prompt filled >= 95% of the window is really a context overflow.

    Prompt tokens = ``input + cached`` (i64 saturating add, negatives as 0);
    threshold = ``max * 95 / 100`` (usize saturating multiply, integer divide);
    ``max_context_tokens`` of ``None`` or ``0`` disables the rule.
    """
    if response.terminal_reason is not LlmTerminalReason.OUTPUT_LIMIT:
        return response
    if response.usage.output_tokens != 0:
        return response
    if not max_context_tokens:
        return response
    prompt = response.usage.input_tokens + response.usage.cached_input_tokens
    prompt = max(0, min(_I64_MAX, max(_I64_MIN, prompt)))
    if prompt >= min(_USIZE_MAX, max_context_tokens * 95) // 100:
        return attrs.evolve(
            response,
            terminal_reason=LlmTerminalReason.CONTEXT_OVERFLOW,
            terminal_diagnostic=CONTEXT_WINDOW_DIAGNOSTIC,
        )
    return response


def truncate_raw_error(text: str) -> str:
    """``truncate_raw_error``: keep 2000 chars each end of a raw error over 4000 chars."""
    max_raw = 4000
    if len(text) <= max_raw:
        return text
    keep = max_raw // 2
    omitted = len(text) - keep * 2
    return f"{text[:keep]}\n\n... ({omitted} chars omitted) ...\n\n{text[-keep:]}"


def make_error_envelope(
    kind: str,
    code: str | None,
    terminal_reason: LlmTerminalReason | None,
    user_message: str,
    raw: str | None,
) -> ErrorEnvelope:
    """``make_error_envelope``: ``raw`` is trimmed, then truncated."""
    return ErrorEnvelope(
        kind=kind,
        code=code,
        terminal_reason=terminal_reason,
        user_message=user_message,
        raw=None if raw is None else truncate_raw_error(rust_trim(raw)),
    )


def make_error_event(
    kind: str, code: str | None, user_message: str, raw: str | None
) -> SessionEvent:
    """``make_error_event``: an ``error`` event with an envelope (no terminal reason)."""
    return SessionEventError(
        message=user_message,
        envelope=make_error_envelope(kind, code, None, user_message, raw),
    )


def _debug_part(part: LlmOutputPart) -> dict[str, Any] | None:
    if isinstance(part, LlmOutputPartText):
        return {"type": "text", "text": part.text} if part.text else None
    if isinstance(part, LlmOutputPartReasoning):
        r = part.replay
        return {
            "type": "reasoning",
            "id": None if r is None else r.item_id,
            "summary": None if r is None else list(r.summary),
            "text": part.text,
            "has_encrypted": r is not None
            and (r.encrypted_content is not None or r.signature is not None),
            "redacted": r is not None and r.redacted,
        }
    assert isinstance(part, LlmOutputPartToolCall)
    m = part.replay
    return {
        "type": "tool_call",
        "call_id": part.call_id,
        "tool_name": part.tool_name,
        "input_json": part.input_json,
        "id": None if m is None else m.item_id,
        "has_opaque": m is not None and m.opaque is not None,
    }


def _debug_parts(response: LlmResponse) -> list[Any] | None:
    """``llm_response_debug_parts``: a JSON summary of the parts (``None`` if empty)."""
    parts = [p for p in map(_debug_part, response.parts) if p is not None]
    return parts or None


class TurnMachine:
    """``TurnMachine<UnitTurnProtocol>``: one turn, driven by effects and responses.

    Construction = upstream ``new_shared_with_turn_causes`` (``new`` and
    ``new_shared`` are the same without causes): state ``PreparingProtocol``,
    effect ids from 1, ``protocol_iteration = protocol_run_offset``, the
    progress cursor at the end of ``events`` (earlier events are never
    reported), synthetic message ids counting from ``len(messages)``.
    """

    __slots__ = (
        "_active_effect_redelivery",
        "_config",
        "_cumulative_usage",
        "_events",
        "_messages",
        "_next_effect_id",
        "_next_synthetic_message_id",
        "_pending",
        "_progress_event_cursor",
        "_protocol_iteration",
        "_protocol_run_offset",
        "_state",
        "_synced_protocol_iteration",
        "_termination",
        "_turn_causes",
    )

    def __init__(
        self,
        config: TurnMachineConfig,
        messages: Iterable[Message],
        events: Iterable[UnitSessionEventRecord],
        protocol_run_offset: int,
        turn_causes: Iterable[TurnCause] = (),
    ) -> None:
        self._config = config
        self._state: MachineState = MachineStatePreparingProtocol()
        self._pending: deque[Effect] = deque()
        self._active_effect_redelivery = False
        self._next_effect_id = 1
        self._messages: list[Message] = list(messages)
        self._next_synthetic_message_id = len(self._messages)
        self._events: list[UnitSessionEventRecord] = list(events)
        self._progress_event_cursor = len(self._events)
        self._turn_causes: list[TurnCause] = list(turn_causes)
        self._protocol_iteration = protocol_run_offset
        self._protocol_run_offset = protocol_run_offset
        self._cumulative_usage = TokenUsage()
        self._termination = TurnTerminationPolicyState()
        self._synced_protocol_iteration: int | None = None

    # -- accessors ------------------------------------------------------------

    def is_done(self) -> bool:
        """``is_done``: the state is ``Finished`` (see the transient-Finished oddity)."""
        return isinstance(self._state, MachineStateFinished)

    def messages(self) -> tuple[Message, ...]:
        return tuple(self._messages)

    def message_sequence(self) -> tuple[Message, ...]:
        return tuple(self._messages)

    def events(self) -> tuple[UnitSessionEventRecord, ...]:
        return tuple(self._events)

    def protocol_iteration(self) -> int:
        return self._protocol_iteration

    @property
    def config(self) -> TurnMachineConfig:
        """The live config (including a surface-sync update)."""
        return self._config

    @property
    def state(self) -> MachineState:
        """The current state (private upstream; exposed for tests and tables)."""
        return self._state

    @property
    def pending_effects(self) -> tuple[Effect, ...]:
        """The queued effects, in delivery order (introspection only)."""
        return tuple(self._pending)

    @property
    def redelivery_pending(self) -> bool:
        """A restored machine has yet to re-issue its outstanding effect."""
        return self._active_effect_redelivery

    # -- checkpoint / restore -------------------------------------------------

    def checkpoint(self) -> TurnCheckpoint:
        """``checkpoint``: everything but the outstanding effect, which the state implies."""
        active = outstanding_effect_id(self._state)
        pending = tuple(e for e in self._pending if active is None or effect_id(e) != active)
        return TurnCheckpoint(
            state=self._state,
            pending_effects=pending,
            next_effect_id=self._next_effect_id,
            next_synthetic_message_id=self._next_synthetic_message_id,
            messages=tuple(self._messages),
            events=tuple(self._events),
            turn_causes=tuple(self._turn_causes),
            progress_event_cursor=self._progress_event_cursor,
            protocol_iteration=self._protocol_iteration,
            protocol_run_offset=self._protocol_run_offset,
            cumulative_usage=self._cumulative_usage,
            termination=self._termination,
            synced_protocol_iteration=self._synced_protocol_iteration,
        )

    @classmethod
    def restore_from_checkpoint(
        cls, config: TurnMachineConfig, checkpoint: TurnCheckpoint
    ) -> TurnMachine:
        """``restore_from_checkpoint``: the checkpointed machine under ``config``.

        If the state waits on an effect that ``pending_effects`` does not hold
        (always so for a checkpoint this machine wrote), that effect is
        re-issued once, after the pending effects.
        """
        self = cls.__new__(cls)
        active = outstanding_effect_id(checkpoint.state)
        self._config = config
        self._state = checkpoint.state
        self._pending = deque(checkpoint.pending_effects)
        self._active_effect_redelivery = active is not None and not any(
            effect_id(e) == active for e in self._pending
        )
        self._next_effect_id = checkpoint.next_effect_id
        self._next_synthetic_message_id = checkpoint.next_synthetic_message_id
        self._messages = list(checkpoint.messages)
        self._events = list(checkpoint.events)
        self._turn_causes = list(checkpoint.turn_causes)
        self._progress_event_cursor = checkpoint.progress_event_cursor
        self._protocol_iteration = checkpoint.protocol_iteration
        self._protocol_run_offset = checkpoint.protocol_run_offset
        self._cumulative_usage = checkpoint.cumulative_usage
        self._termination = checkpoint.termination
        self._synced_protocol_iteration = checkpoint.synced_protocol_iteration
        return self

    # -- the host loop --------------------------------------------------------

    def poll_effect(self) -> Effect | None:
        """``poll_effect``: the next effect, or ``None`` when the host must answer first.

        Order: queued effects; then a pending redelivery; then, in
        ``PreparingProtocol``/``PrepareIteration``, prepare (sync the surface
        or call the driver) and return the first effect that produced.
        """
        if self._pending:
            return self._pending.popleft()
        if self._active_effect_redelivery:
            self._active_effect_redelivery = False
            effect = outstanding_effect(self._state)
            if effect is not None:
                return effect
        if isinstance(self._state, MachineStatePreparingProtocol):
            self._prepare_protocol()
            return self._pending.popleft() if self._pending else None
        if isinstance(self._state, MachineStatePrepareIteration):
            self._prepare_protocol_iteration()
            return self._pending.popleft() if self._pending else None
        return None

    def handle_response(self, response: Response) -> None:
        """``handle_response``: dispatch by kind; a mismatched kind or id is ignored.

        Always cancels a not-yet-delivered redelivery first.
        """
        self._active_effect_redelivery = False
        if isinstance(response, ResponseExecutionSurfaceSynced):
            self._handle_execution_surface_synced(response.id, response.result)
        elif isinstance(response, ResponseLlmComplete):
            self._handle_llm_complete(response.id, response.result, response.text_streamed)
        elif isinstance(response, ResponseToolResults):
            self._handle_tool_results(response.id, response.results)
        elif isinstance(response, ResponseExecResult):
            self._handle_exec_result(response.id, response.result)
        elif isinstance(response, ResponseCheckpoint):
            self._handle_checkpoint(response.id, response.delivery)
        else:
            raise TypeError(f"not a Response: {response!r}")

    def apply_actions(self, actions: Iterable[DriverAction]) -> None:
        """``apply_actions``: apply driver actions in order; stop at ``Finish``.

        One ``Progress`` follows if events were appended, the iteration
        advanced or a turn-limit message scheduled (before ``Finish``'s
        effects when the list finishes). A second ``Start*`` simply replaces
        the waiting state; the first effect stays queued. ``StartLlmProjected``
        (trace-only) is projected here, at apply time.
        """
        progress_dirty = False
        for action in actions:
            if isinstance(action, DriverActionEmit):
                self._emit(action.event)
            elif isinstance(action, DriverActionAppendEvents):
                if action.events:
                    for event in action.events:
                        self._append_event(event)
                    progress_dirty = True
            elif isinstance(action, DriverActionStartLlm):
                self._start_llm_request(action.request, action.driver_state)
            elif isinstance(action, DriverActionStartLlmProjected):
                request = self._driver_context().project_llm_request(action.use_tools)
                self._start_llm_request(request, action.driver_state)
            elif isinstance(action, DriverActionStartTools):
                self._start_tool_calls(action.calls)
            elif isinstance(action, DriverActionStartExec):
                self._start_exec(action.code, action.driver_state)
            elif isinstance(action, DriverActionStartCheckpoint):
                self._request_checkpoint(action.checkpoint, action.on_empty)
            elif isinstance(action, DriverActionAdvanceProtocolIteration):
                self._protocol_iteration += 1
                self._synced_protocol_iteration = None
                progress_dirty = True
            elif isinstance(action, DriverActionScheduleTurnLimitFinal):
                if self._schedule_turn_limit_final(action.message):
                    progress_dirty = True
            elif isinstance(action, DriverActionFinish):
                if progress_dirty:
                    self._emit_progress()
                    progress_dirty = False
                self._finish(action.outcome)
                break
            else:
                raise TypeError(f"not a DriverAction: {action!r}")
        if progress_dirty:
            self._emit_progress()

    def fail_turn(self, event: SessionEvent) -> None:
        """``fail_turn``: emit ``event`` and finish ``Stopped(runtime_error)``."""
        self._emit(event)
        self._finish(TurnOutcomeStopped(stop=TurnStopRuntimeError()))

    def finish_with_outcome(self, outcome: TurnOutcome) -> None:
        """``finish_with_outcome``: finish now (from any state, even a finished one)."""
        self._finish(outcome)

    # -- internals ------------------------------------------------------------

    def _driver_context(self) -> DriverContextView:
        return DriverContextView(
            config=self._config,
            messages=self._messages,
            events=self._events,
            turn_causes=self._turn_causes,
            protocol_iteration=self._protocol_iteration,
            protocol_run_offset=self._protocol_run_offset,
            termination=self._termination,
        )

    def _next_id(self) -> int:
        effect = self._next_effect_id
        self._next_effect_id += 1
        return effect

    def _next_synthetic_id(self, scope: str) -> str:
        n = self._next_synthetic_message_id
        self._next_synthetic_message_id += 1
        return f"m_sansio_{self._protocol_run_offset}_{scope}_{n}"

    def _emit(self, event: SessionEvent) -> None:
        self._pending.append(EffectEmit(event=event))

    def _next_event_delta(self) -> tuple[UnitSessionEventRecord, ...]:
        n = len(self._events)
        if self._progress_event_cursor >= n:
            self._progress_event_cursor = n
            return ()
        delta = tuple(self._events[self._progress_event_cursor :])
        self._progress_event_cursor = n
        return delta

    def _emit_progress(self) -> None:
        delta = self._next_event_delta()
        self._pending.append(
            EffectProgress(
                messages=tuple(self._messages),
                event_delta=delta,
                protocol_iteration=self._protocol_iteration,
            )
        )

    def _finish(self, outcome: TurnOutcome) -> None:
        self._emit(SessionEventTurnOutcome(outcome=outcome))
        self._emit(SessionEventDone())
        messages, self._messages = tuple(self._messages), []
        delta = self._next_event_delta()
        self._state = _FINISHED
        self._pending.append(
            EffectDone(
                messages=messages,
                event_delta=delta,
                protocol_iteration=self._protocol_iteration,
            )
        )

    def _prepare_protocol(self) -> None:
        if self._config.sync_execution_surface:
            self._start_sync(update_machine_config=False)
            return
        self._prepare_protocol_iteration()

    def _prepare_protocol_iteration(self) -> None:
        if (
            self._config.sync_execution_surface
            and self._synced_protocol_iteration != self._protocol_iteration
        ):
            self._start_sync(update_machine_config=True)
            return
        ctx = self._driver_context()
        self.apply_actions(self._config.protocol_driver.prepare_protocol_iteration(ctx))

    def _start_sync(self, update_machine_config: bool) -> None:
        sync_id = self._next_id()
        self._state = MachineStateWaitingExecutionSurface(
            effect_id=sync_id, update_machine_config=update_machine_config
        )
        self._pending.append(
            EffectSyncExecutionSurface(id=sync_id, update_machine_config=update_machine_config)
        )

    def _start_llm_request(self, request: LlmRequest, driver_state: DriverState | None) -> None:
        self._emit(
            SessionEventLlmRequest(
                protocol_iteration=self._protocol_iteration,
                message_count=len(self._messages),
                tool_list=", ".join(spec.name for spec in self._config.tool_specs),
            )
        )
        llm_id = self._next_id()
        self._state = MachineStateWaitingLlm(
            effect_id=llm_id, request=request, driver_state=driver_state
        )
        self._pending.append(EffectLlmCall(id=llm_id, request=request))

    def _start_tool_calls(self, calls: tuple[PendingToolCall, ...]) -> None:
        tools_id = self._next_id()
        self._state = MachineStateWaitingTools(effect_id=tools_id, calls=calls)
        self._pending.append(EffectToolCalls(id=tools_id, calls=calls))

    def _start_exec(self, code: str, driver_state: DriverState) -> None:
        exec_id = self._next_id()
        self._state = MachineStateWaitingExec(
            effect_id=exec_id, code=code, driver_state=driver_state
        )
        self._pending.append(EffectExecCode(id=exec_id, code=code))

    def _request_checkpoint(
        self, checkpoint: CheckpointKind, on_empty: CheckpointResumeAction
    ) -> None:
        cp_id = self._next_id()
        self._state = MachineStateWaitingCheckpoint(
            effect_id=cp_id, checkpoint=checkpoint, on_empty=on_empty
        )
        self._pending.append(EffectCheckpoint(id=cp_id, checkpoint=checkpoint))

    def _schedule_turn_limit_final(self, message: Message) -> bool:
        if self._turn_limit_final_to_schedule() is None:
            return False
        self._termination = self._termination.mark_turn_limit_final_scheduled()
        self._messages.append(message)
        return True

    def _schedule_configured_turn_limit_final(self) -> bool:
        max_turns = self._turn_limit_final_to_schedule()
        if max_turns is None:
            return False
        message_id = self._next_synthetic_id("turn_limit")
        message = self._config.turn_limit_final_message(message_id, max_turns)
        self._termination = self._termination.mark_turn_limit_final_scheduled()
        self._messages.append(message)
        return True

    def _turn_limit_final_to_schedule(self) -> int | None:
        return self._termination.turn_limit_final_to_schedule(
            self._protocol_iteration, self._protocol_run_offset, self._config.max_turns
        )

    def _append_event(self, event: UnitSessionEventRecord) -> None:
        self._events.append(event)
        if isinstance(event, UnitSessionEventRecordConversation):
            self._messages.append(event.record.to_message())

    # -- response handlers ----------------------------------------------------

    def _handle_execution_surface_synced(
        self, sync_id: int, result: Result[ExecutionSurfaceSync | None, str]
    ) -> None:
        state = self._state
        if not isinstance(
            state, (MachineStateWaitingExecutionSurface, MachineStateWaitingExecutionEnvironment)
        ):
            return
        if state.effect_id != sync_id:
            return
        if isinstance(result, Ok):
            update = result.value
            if update is not None:
                self._config = attrs.evolve(
                    self._config,
                    system_prompt=update.system_prompt,
                    tool_specs=update.tool_specs,
                )
            self._synced_protocol_iteration = self._protocol_iteration
            self._state = _PREPARE_ITERATION
        else:
            error = result.error
            self._state = _FINISHED
            self.fail_turn(
                make_error_event(
                    "execution_surface",
                    "reconfigure_failed",
                    f"Failed to refresh execution surface: {error}",
                    error,
                )
            )

    def _handle_llm_complete(
        self,
        llm_id: int,
        result: Result[LlmResponse, LlmCallError],
        text_streamed: bool,
    ) -> None:
        state = self._state
        if not isinstance(state, MachineStateWaitingLlm) or state.effect_id != llm_id:
            return
        waiting = WaitingLlmState(request=state.request, driver_state=state.driver_state)
        self._state = _FINISHED
        if isinstance(result, Err):
            self._emit_llm_error(result.error)
            return
        response = refine_terminal_reason_for_context_window(
            result.value, self._config.max_context_tokens
        )
        self._record_llm_usage(response)
        if self._handle_terminal_llm_response(response, text_streamed):
            return
        ctx = self._driver_context()
        actions = self._config.protocol_driver.handle_llm_success(
            ctx, waiting, response, text_streamed
        )
        self.apply_actions(actions)

    def _handle_terminal_llm_response(self, response: LlmResponse, text_streamed: bool) -> bool:
        reason = response.terminal_reason
        outcome = TERMINAL_OUTCOMES.get(reason)
        if outcome is None:
            return False
        if not text_streamed and response.full_text:
            self._emit(SessionEventTextDelta(content=response.full_text))
        self._emit(
            SessionEventLlmResponse(
                protocol_iteration=self._protocol_iteration,
                content=response.full_text,
                duration_ms=0,
            )
        )
        diagnostic = response.terminal_diagnostic
        if diagnostic is None:
            diagnostic = f"Model call ended with terminal reason {terminal_reason_debug(reason)}."
        self._emit(
            SessionEventError(
                message=diagnostic,
                envelope=make_error_envelope(
                    "llm_provider", reason.code(), reason, diagnostic, None
                ),
            )
        )
        self._finish(outcome)
        return True

    def _record_llm_usage(self, response: LlmResponse) -> None:
        u = response.usage
        usage = TokenUsage(
            input_tokens=u.input_tokens,
            output_tokens=u.output_tokens,
            cached_input_tokens=u.cached_input_tokens,
            reasoning_tokens=u.reasoning_tokens,
        )
        self._cumulative_usage = self._cumulative_usage.plus(usage)
        self._emit(
            SessionEventTokenUsage(
                protocol_iteration=self._protocol_iteration,
                usage=usage,
                cumulative=self._cumulative_usage,
            )
        )
        if self._config.emit_llm_trace:
            self._pending.append(
                EffectLog(
                    event=LogEventLlmDebug(
                        session_id=self._config.session_id,
                        protocol_iteration=self._protocol_iteration,
                        usage=usage,
                        provider_usage=response.provider_usage,
                        request_body=response.request_body,
                        response_text=response.full_text,
                        response_parts=_debug_parts(response),
                    )
                )
            )

    def _emit_llm_error(self, error: LlmCallError) -> None:
        if self._config.emit_llm_trace:
            self._pending.append(
                EffectLog(
                    event=LogEventLlmError(
                        session_id=self._config.session_id,
                        protocol_iteration=self._protocol_iteration,
                        request_body=error.request_body,
                        message=error.message,
                        retryable=error.retryable,
                        raw=error.raw,
                        code=error.code,
                        terminal_reason=error.terminal_reason,
                    )
                )
            )
        message = f"LLM error: {error.message}"
        self._emit(
            SessionEventError(
                message=message,
                envelope=make_error_envelope(
                    "llm_provider", error.code, error.terminal_reason, message, error.raw
                ),
            )
        )
        self._finish(TurnOutcomeStopped(stop=TurnStopProviderError()))

    def _handle_tool_results(self, tools_id: int, completed: Sequence[CompletedToolCall]) -> None:
        state = self._state
        if not isinstance(state, MachineStateWaitingTools) or state.effect_id != tools_id:
            return
        self._state = _FINISHED
        for call in completed:
            self._emit(
                SessionEventToolCall(
                    call_id=call.call_id,
                    name=call.tool_name,
                    args=call.args,
                    output=call.output,
                    duration_ms=call.duration_ms,
                )
            )
        ctx = self._driver_context()
        self.apply_actions(self._config.protocol_driver.handle_tool_results(ctx, completed))

    def _handle_exec_result(self, exec_id: int, result: Result[ExecResponse, str]) -> None:
        state = self._state
        if not isinstance(state, MachineStateWaitingExec) or state.effect_id != exec_id:
            return
        waiting = WaitingExecState(driver_state=state.driver_state)
        self._state = _FINISHED
        ctx = self._driver_context()
        self.apply_actions(self._config.protocol_driver.handle_exec_result(ctx, waiting, result))

    def _append_checkpoint_messages(
        self, plugin_messages: Sequence[PluginMessage], transient: bool
    ) -> None:
        for message in plugin_messages:
            if message.role not in (MessageRole.USER, MessageRole.SYSTEM):
                continue
            message_id = self._next_synthetic_id("checkpoint")
            parts = message.parts or (
                Part(
                    id="",
                    kind=PartKind.TEXT,
                    content=message.content,
                    prune_state=PruneStateIntact(),
                ),
            )
            parts = tuple(
                attrs.evolve(part, id=f"{message_id}.p{index}") for index, part in enumerate(parts)
            )
            origin = message.origin
            if origin is None:
                origin = MessageOriginPlugin(plugin_id="plugin", transient=transient)
            self._messages.append(
                Message(id=message_id, role=message.role, parts=parts, origin=origin)
            )

    def _append_turn_causes(self, causes: Sequence[TurnCause]) -> None:
        existing = {cause.id for cause in self._turn_causes}
        for cause in causes:
            if cause.id in existing:
                continue
            existing.add(cause.id)
            self._messages.append(cause.to_event_message())
            self._turn_causes.append(cause)

    def _handle_checkpoint(self, cp_id: int, delivery: CheckpointDelivery) -> None:
        state = self._state
        if not isinstance(state, MachineStateWaitingCheckpoint) or state.effect_id != cp_id:
            return
        self._state = _FINISHED
        if delivery.messages or delivery.transient_messages or delivery.turn_causes:
            self._append_checkpoint_messages(delivery.messages, transient=False)
            self._append_checkpoint_messages(delivery.transient_messages, transient=True)
            self._append_turn_causes(delivery.turn_causes)
            if state.checkpoint is CheckpointKind.BEFORE_COMPLETION:
                self._protocol_iteration += 1
                if self._termination.should_force_exit_after_grace_turn():
                    self._emit_progress()
                    self._finish(TurnOutcomeStopped(stop=TurnStopMaxTurns()))
                    return
                self._schedule_configured_turn_limit_final()
            self._state = _PREPARE_ITERATION
            self._emit_progress()
            return
        if isinstance(state.on_empty, CheckpointResumeActionFinish):
            self._finish(state.on_empty.outcome)
        else:
            self._state = _PREPARE_ITERATION

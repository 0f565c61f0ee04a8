"""Machine states and the outstanding effect of each (seed 003, @003).

The states themselves are the wire classes of
:mod:`lash_spec.model.sansio` (``MachineState`` is private upstream but is
serialized inside ``TurnCheckpoint``). This module names them by kind for the
transition table and models ``MachineState::outstanding_effect_id`` /
``outstanding_effect`` and ``Effect::id`` (``lash-sansio/src/sansio/mod.rs``).

Era union: a checkpoint written at @000/@002 may hold
``WaitingExecutionEnvironment``; the machine treats it exactly like
``WaitingExecutionSurface`` and redelivers it as ``SyncExecutionEnvironment``.
"""

from __future__ import annotations

import enum

from lash_spec.model.sansio import (
    Effect,
    EffectCancelLlm,
    EffectCheckpoint,
    EffectExecCode,
    EffectLlmCall,
    EffectSyncExecutionEnvironment,
    EffectSyncExecutionSurface,
    EffectToolCalls,
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
)

__all__ = [
    "StateKind",
    "effect_id",
    "outstanding_effect",
    "outstanding_effect_id",
    "state_kind",
]


class StateKind(enum.Enum):
    """The @003 ``MachineState`` variants, in Rust declaration order."""

    PREPARING_PROTOCOL = "PreparingProtocol"
    WAITING_EXECUTION_SURFACE = "WaitingExecutionSurface"
    PREPARE_ITERATION = "PrepareIteration"
    WAITING_LLM = "WaitingLlm"
    WAITING_TOOLS = "WaitingTools"
    WAITING_EXEC = "WaitingExec"
    WAITING_CHECKPOINT = "WaitingCheckpoint"
    FINISHED = "Finished"

    @property
    def waiting(self) -> bool:
        """A state that has exactly one outstanding id-carrying effect."""
        return self.value.startswith("Waiting")


_KIND: dict[type, StateKind] = {
    MachineStatePreparingProtocol: StateKind.PREPARING_PROTOCOL,
    MachineStateWaitingExecutionSurface: StateKind.WAITING_EXECUTION_SURFACE,
    MachineStateWaitingExecutionEnvironment: StateKind.WAITING_EXECUTION_SURFACE,
    MachineStatePrepareIteration: StateKind.PREPARE_ITERATION,
    MachineStateWaitingLlm: StateKind.WAITING_LLM,
    MachineStateWaitingTools: StateKind.WAITING_TOOLS,
    MachineStateWaitingExec: StateKind.WAITING_EXEC,
    MachineStateWaitingCheckpoint: StateKind.WAITING_CHECKPOINT,
    MachineStateFinished: StateKind.FINISHED,
}


def state_kind(state: MachineState) -> StateKind:
    """The kind of a state value (``WaitingExecutionEnvironment`` counts as the surface wait)."""
    return _KIND[type(state)]


_ID_EFFECTS = (
    EffectSyncExecutionSurface,
    EffectSyncExecutionEnvironment,
    EffectLlmCall,
    EffectCancelLlm,
    EffectToolCalls,
    EffectExecCode,
    EffectCheckpoint,
)


def effect_id(effect: Effect) -> int | None:
    """``Effect::id``: the id of a request effect; ``None`` for Log/Emit/Progress/Done."""
    if isinstance(effect, _ID_EFFECTS):
        return effect.id
    return None


def outstanding_effect_id(state: MachineState) -> int | None:
    """``MachineState::outstanding_effect_id``: the id a waiting state waits on."""
    if isinstance(
        state,
        (
            MachineStateWaitingExecutionSurface,
            MachineStateWaitingExecutionEnvironment,
            MachineStateWaitingLlm,
            MachineStateWaitingTools,
            MachineStateWaitingExec,
            MachineStateWaitingCheckpoint,
        ),
    ):
        return state.effect_id
    return None


def outstanding_effect(state: MachineState) -> Effect | None:
    """``MachineState::outstanding_effect``: the effect a waiting state re-issues.

    Rebuilt from the state alone (a ``WaitingLlm`` keeps its request, a
    ``WaitingExec`` its code); ``None`` outside the waiting states.
    """
    if isinstance(state, MachineStateWaitingExecutionSurface):
        return EffectSyncExecutionSurface(
            id=state.effect_id, update_machine_config=state.update_machine_config
        )
    if isinstance(state, MachineStateWaitingExecutionEnvironment):
        return EffectSyncExecutionEnvironment(
            id=state.effect_id, update_machine_config=state.update_machine_config
        )
    if isinstance(state, MachineStateWaitingLlm):
        return EffectLlmCall(id=state.effect_id, request=state.request)
    if isinstance(state, MachineStateWaitingTools):
        return EffectToolCalls(id=state.effect_id, calls=state.calls)
    if isinstance(state, MachineStateWaitingExec):
        return EffectExecCode(id=state.effect_id, language=state.language, code=state.code)
    if isinstance(state, MachineStateWaitingCheckpoint):
        return EffectCheckpoint(id=state.effect_id, checkpoint=state.checkpoint)
    return None

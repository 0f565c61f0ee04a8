"""``DriverAction``: what a protocol driver asks the turn machine to do (seed 003, @003).

Upstream (``lash-sansio/src/sansio/mod.rs`` ``DriverAction<M>``) has no serde
derive. Turn traces write the scripted driver's answers as serde *would*
derive them for ``UnitTurnProtocol`` (docs/case-bodies.md, "Turn trace"): externally tagged,
verbatim names, ``AdvanceProtocolIteration`` as a bare string, ``Emit`` /
``AppendEvents`` / ``Finish`` as newtypes, ``driver_state`` ``null`` = ``None``.

One variant has no Rust counterpart: :class:`DriverActionStartLlmProjected`
(``{"StartLlmProjected":{"use_tools":..,"driver_state":..}}``) stands for
``StartLlm`` whose request is ``ctx.project_llm_request(use_tools)`` computed
when the driver is called (see :class:`~lash_spec.turn_machine.driver.ScriptedDriver`).
It is registered last so the Rust variants keep their indices.
"""

from __future__ import annotations

import attrs

from lash_spec.model.llm import LlmRequest
from lash_spec.model.plugin import CheckpointKind
from lash_spec.model.sansio import CheckpointResumeAction, DriverState, PendingToolCall
from lash_spec.model.session import (
    Message,
    SessionEvent,
    TurnOutcome,
    UnitSessionEventRecord,
)
from lash_spec.wire.codec import tagged, variant

__all__ = [
    "DriverAction",
    "DriverActionAdvanceProtocolIteration",
    "DriverActionAppendEvents",
    "DriverActionEmit",
    "DriverActionFinish",
    "DriverActionScheduleTurnLimitFinal",
    "DriverActionStartCheckpoint",
    "DriverActionStartExec",
    "DriverActionStartLlm",
    "DriverActionStartLlmProjected",
    "DriverActionStartTools",
]


@tagged(rust_name="DriverAction")
@attrs.frozen(kw_only=True)
class DriverAction:
    """``DriverAction<UnitTurnProtocol>``; applied in order by ``TurnMachine.apply_actions``."""


@variant("Emit", newtype=True)
@attrs.frozen(kw_only=True)
class DriverActionEmit(DriverAction):
    event: SessionEvent


@variant("AppendEvents", newtype=True)
@attrs.frozen(kw_only=True)
class DriverActionAppendEvents(DriverAction):
    """Conversation records are also appended to the messages; an empty list is a no-op."""

    events: tuple[UnitSessionEventRecord, ...]


@variant("StartLlm")
@attrs.frozen(kw_only=True)
class DriverActionStartLlm(DriverAction):
    request: LlmRequest
    driver_state: DriverState | None = None


@variant("StartTools")
@attrs.frozen(kw_only=True)
class DriverActionStartTools(DriverAction):
    calls: tuple[PendingToolCall, ...]


@variant("StartExec")
@attrs.frozen(kw_only=True)
class DriverActionStartExec(DriverAction):
    """``driver_state`` is a required ``Value`` here (``null`` is ``Value::Null``)."""

    code: str
    driver_state: DriverState


@variant("StartCheckpoint")
@attrs.frozen(kw_only=True)
class DriverActionStartCheckpoint(DriverAction):
    checkpoint: CheckpointKind
    on_empty: CheckpointResumeAction


@variant("AdvanceProtocolIteration")
@attrs.frozen(kw_only=True)
class DriverActionAdvanceProtocolIteration(DriverAction): ...


@variant("ScheduleTurnLimitFinal")
@attrs.frozen(kw_only=True)
class DriverActionScheduleTurnLimitFinal(DriverAction):
    message: Message


@variant("Finish", newtype=True)
@attrs.frozen(kw_only=True)
class DriverActionFinish(DriverAction):
    outcome: TurnOutcome


@variant("StartLlmProjected")
@attrs.frozen(kw_only=True)
class DriverActionStartLlmProjected(DriverAction):
    """Trace-only: ``StartLlm`` with the request projected by the machine's projector."""

    use_tools: bool
    driver_state: DriverState | None = None

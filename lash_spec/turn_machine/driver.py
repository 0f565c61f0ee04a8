"""The protocol driver seam of the turn machine (seed 003, @003).

Models ``ProtocolDriverHandle``, ``DriverContextView``, ``WaitingLlmState`` and
``WaitingExecState`` of ``lash-sansio/src/sansio/mod.rs``: the machine owns
the bookkeeping, the driver decides what to do next by returning a list of
:class:`~lash_spec.turn_machine.actions.DriverAction` from four callbacks.

:class:`ScriptedDriver` is the driver of turn traces (docs/case-bodies.md, "Turn trace"): one
queue of action lists per method, consumed in call order, ``[]`` once empty.
It is deliberately *not* part of a checkpoint: a restored machine goes on
with the same driver object.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol

import attrs

from lash_spec.model.execution import ExecResponse
from lash_spec.model.llm import LlmRequest, LlmResponse
from lash_spec.model.sansio import ERA, CompletedToolCall, DriverState, TurnCause
from lash_spec.model.session import (
    Message,
    TurnTerminationPolicyState,
    UnitSessionEventRecord,
)
from lash_spec.turn_machine.actions import (
    DriverAction,
    DriverActionStartLlm,
    DriverActionStartLlmProjected,
)
from lash_spec.turn_machine.config import TurnMachineConfig
from lash_spec.turn_machine.projector import ProjectorContext
from lash_spec.wire.codec import from_wire, to_wire
from lash_spec.wire.errors import WireError
from lash_spec.wire.types import Result

__all__ = [
    "DRIVER_METHODS",
    "DriverContextView",
    "ProtocolDriverHandle",
    "ScriptedDriver",
    "WaitingExecState",
    "WaitingLlmState",
]


@attrs.frozen(kw_only=True)
class DriverContextView:
    """``DriverContextView``: a read-only view of the machine for one driver call.

    The sequences are the machine's own lists (borrowed, as upstream): a
    driver must not mutate them and must not keep them past the call.
    """

    _config: TurnMachineConfig
    _messages: Sequence[Message]
    _events: Sequence[UnitSessionEventRecord]
    _turn_causes: Sequence[TurnCause]
    _protocol_iteration: int
    _protocol_run_offset: int
    _termination: TurnTerminationPolicyState

    def project_llm_request(self, use_tools: bool) -> LlmRequest:
        """``project_llm_request``: the config's projector over the current context."""
        return self._config.projector.project(
            ProjectorContext(
                config=self.config,
                messages=self._messages,
                events=self._events,
                turn_causes=self._turn_causes,
                protocol_iteration=self._protocol_iteration,
                use_tools=use_tools,
            )
        )

    @property
    def config(self) -> TurnMachineConfig:
        """The machine's (live) config."""
        return self._config

    def protocol_iteration(self) -> int:
        return self._protocol_iteration

    def protocol_run_offset(self) -> int:
        return self._protocol_run_offset

    def max_turns(self) -> int | None:
        return self._config.max_turns

    def termination(self) -> None:
        """``M::Termination`` of ``UnitTurnProtocol``: ``()``."""
        return self._config.termination

    def autonomous(self) -> bool:
        return self._config.autonomous

    def should_force_exit_after_grace_turn(self) -> bool:
        return self._termination.should_force_exit_after_grace_turn()

    def turn_limit_final_to_schedule(self) -> int | None:
        return self._termination.turn_limit_final_to_schedule(
            self._protocol_iteration, self._protocol_run_offset, self._config.max_turns
        )

    def messages(self) -> Sequence[Message]:
        return self._messages

    def events(self) -> Sequence[UnitSessionEventRecord]:
        return self._events

    def turn_causes(self) -> Sequence[TurnCause]:
        return self._turn_causes


@attrs.define(kw_only=True)
class WaitingLlmState:
    """``WaitingLlmState``: the request that was answered and the driver state parked with it."""

    request: LlmRequest
    driver_state: DriverState | None

    def take_driver_state(self) -> DriverState | None:
        """``take_driver_state``: hand the state over once (later calls give ``None``)."""
        state, self.driver_state = self.driver_state, None
        return state


@attrs.frozen(kw_only=True)
class WaitingExecState:
    """``WaitingExecState``: the driver state parked with an ``ExecCode`` effect."""

    driver_state: DriverState

    def into_driver_state(self) -> DriverState:
        return self.driver_state


class ProtocolDriverHandle(Protocol):
    """``ProtocolDriverHandle``: the four callbacks a protocol driver implements."""

    def prepare_protocol_iteration(self, ctx: DriverContextView) -> Sequence[DriverAction]: ...

    def handle_llm_success(
        self,
        ctx: DriverContextView,
        waiting: WaitingLlmState,
        llm_response: LlmResponse,
        text_streamed: bool,
    ) -> Sequence[DriverAction]: ...

    def handle_tool_results(
        self, ctx: DriverContextView, completed: Sequence[CompletedToolCall]
    ) -> Sequence[DriverAction]: ...

    def handle_exec_result(
        self,
        ctx: DriverContextView,
        waiting: WaitingExecState,
        result: Result[ExecResponse, str],
    ) -> Sequence[DriverAction]: ...


DRIVER_METHODS: tuple[str, ...] = (
    "prepare_protocol_iteration",
    "handle_llm_success",
    "handle_tool_results",
    "handle_exec_result",
)
"""The driver methods, in the order of the trace's ``driver`` object."""


class ScriptedDriver:
    """A driver that replays per-method queues of action lists (turn traces).

    ``StartLlmProjected`` is resolved *when the method is called*, with the
    context the machine passes: actions earlier in the same list (say an
    ``AppendEvents``) are not yet applied, so the projection does not see them.
    ``calls`` logs every call, for tests.
    """

    def __init__(self, queues: Mapping[str, Sequence[Sequence[DriverAction]]] | None = None):
        queues = queues or {}
        unknown = set(queues) - set(DRIVER_METHODS)
        if unknown:
            raise ValueError(f"unknown driver methods: {sorted(unknown)}")
        self.queues: dict[str, list[tuple[DriverAction, ...]]] = {
            m: [tuple(actions) for actions in queues.get(m, ())] for m in DRIVER_METHODS
        }
        self.cursor: dict[str, int] = dict.fromkeys(DRIVER_METHODS, 0)
        self.calls: list[str] = []
        # Calls answered with [] because the queue was exhausted: made explicit
        # by ``push``, so a body written later replays those calls the same way.
        self._unscripted: dict[str, int] = dict.fromkeys(DRIVER_METHODS, 0)

    @classmethod
    def from_wire(cls, value: Any) -> ScriptedDriver:
        """Decode a trace's ``driver`` object (missing methods = empty queues)."""
        if type(value) is not dict:
            raise WireError("driver must be an object")
        queues: dict[str, Sequence[Sequence[DriverAction]]] = {}
        for method, lists in value.items():
            if method not in DRIVER_METHODS:
                raise WireError(f"unknown driver method `{method}`", (method,))
            try:
                queues[method] = from_wire(tuple[tuple[DriverAction, ...], ...], lists, era=ERA)
            except WireError as err:
                raise err.at(method) from None
        return cls(queues)

    def to_wire(self) -> dict[str, Any]:
        """The trace's ``driver`` object for these queues (consumed or not)."""
        return {
            m: [[to_wire(a) for a in actions] for actions in self.queues[m]] for m in DRIVER_METHODS
        }

    def push(self, method: str, actions: Sequence[DriverAction]) -> None:
        """Append one answer to a method's queue.

        Calls already answered with ``[]`` from an exhausted queue become
        explicit ``[]`` entries first, so the queues still replay this run.
        """
        queue = self.queues[method]
        if self._unscripted[method]:
            queue.extend([()] * self._unscripted[method])
            self._unscripted[method] = 0
            self.cursor[method] = len(queue)
        queue.append(tuple(actions))

    def clone(self) -> ScriptedDriver:
        """An independent copy with the same queues and positions."""
        twin = ScriptedDriver(self.queues)
        twin.cursor = dict(self.cursor)
        twin.calls = list(self.calls)
        twin._unscripted = dict(self._unscripted)
        return twin

    def remaining(self, method: str) -> int:
        return len(self.queues[method]) - self.cursor[method]

    def _next(self, method: str, ctx: DriverContextView) -> list[DriverAction]:
        self.calls.append(method)
        index = self.cursor[method]
        queue = self.queues[method]
        if index >= len(queue):
            self._unscripted[method] += 1
            return []
        self.cursor[method] = index + 1
        return [self._resolve(action, ctx) for action in queue[index]]

    @staticmethod
    def _resolve(action: DriverAction, ctx: DriverContextView) -> DriverAction:
        if isinstance(action, DriverActionStartLlmProjected):
            return DriverActionStartLlm(
                request=ctx.project_llm_request(action.use_tools),
                driver_state=action.driver_state,
            )
        return action

    def prepare_protocol_iteration(self, ctx: DriverContextView) -> Sequence[DriverAction]:
        return self._next("prepare_protocol_iteration", ctx)

    def handle_llm_success(
        self,
        ctx: DriverContextView,
        waiting: WaitingLlmState,
        llm_response: LlmResponse,
        text_streamed: bool,
    ) -> Sequence[DriverAction]:
        return self._next("handle_llm_success", ctx)

    def handle_tool_results(
        self, ctx: DriverContextView, completed: Sequence[CompletedToolCall]
    ) -> Sequence[DriverAction]:
        return self._next("handle_tool_results", ctx)

    def handle_exec_result(
        self,
        ctx: DriverContextView,
        waiting: WaitingExecState,
        result: Result[ExecResponse, str],
    ) -> Sequence[DriverAction]:
        return self._next("handle_exec_result", ctx)

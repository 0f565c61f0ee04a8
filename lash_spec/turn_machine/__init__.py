"""The sans-IO turn machine of seed 003 (``lash-sansio/src/sansio/mod.rs`` @003).

* :mod:`.machine` — :class:`TurnMachine` (poll / respond / checkpoint / restore);
* :mod:`.transitions` — the (state x input) behaviour as an enumerable table;
* :mod:`.driver` — the protocol-driver seam and the trace :class:`ScriptedDriver`;
* :mod:`.projector` — ``ChatContextProjector`` and the chat rendering;
* :mod:`.responses`, :mod:`.actions` — ``Response`` / ``DriverAction`` wire forms;
* :mod:`.checkpoint` — the redelivery rule of a restored machine;
* :mod:`.trace` — turn-trace case bodies: replay (:func:`check_body`) and record.
"""

from lash_spec.turn_machine.config import TraceConfig, TurnMachineConfig
from lash_spec.turn_machine.driver import (
    DriverContextView,
    ProtocolDriverHandle,
    ScriptedDriver,
    WaitingExecState,
    WaitingLlmState,
)
from lash_spec.turn_machine.machine import TurnMachine
from lash_spec.turn_machine.projector import ChatContextProjector, ContextProjector

__all__ = [
    "ChatContextProjector",
    "ContextProjector",
    "DriverContextView",
    "ProtocolDriverHandle",
    "ScriptedDriver",
    "TraceConfig",
    "TurnMachine",
    "TurnMachineConfig",
    "WaitingExecState",
    "WaitingLlmState",
]
